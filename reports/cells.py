"""Cells of every export, made safe for the program that opens them.

CSV (OWASP "CSV injection"): a spreadsheet takes a cell that begins with =, +, -, @, a tab or a
carriage return for a formula. `neutralise` puts a single quote before such a cell, unless it is a
plain number ("-1500.00", the system's own amounts, stay numbers). A cell that already begins with
a quote gets one more, so the rule is reversible: `restore` drops one leading quote, and the journal
CSV still rebuilds the exact hashed text (reports/EXPORT_FORMAT.md 1.5). Every CSV writer goes through
`SafeCsvWriter`.

XLSX: XML 1.0 cannot hold most control characters (openpyxl raises IllegalCharacterError, a 500 for
the whole document). `xlsx_text` shows each as its Unicode control picture (ESC → ␛), so nothing is
lost to the reader and the file always opens. Input forms refuse control characters (core.text);
this is the second line, for what came in before or by other ways.
"""
import csv
import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")
PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
# openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE: what XML 1.0 refuses (tab, LF and CR are fine).
XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def neutralise(value) -> str:
    """A CSV cell as text that no spreadsheet runs as a formula (OWASP rule, single-quote prefix)."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def restore(text: str) -> str:
    """The inverse of `neutralise`: the value as it was before the export."""
    return text[1:] if text.startswith("'") else text


class SafeCsvWriter:
    """csv.writer whose cells pass through `neutralise`; writerow returns what the buffer returns."""

    def __init__(self, buffer):
        self.writer = csv.writer(buffer)

    def writerow(self, row):
        return self.writer.writerow([neutralise(cell) for cell in row])


def xlsx_text(text: str) -> str:
    """Text an XLSX cell can hold: each illegal control character as its control picture (U+2400 + code)."""
    return XLSX_ILLEGAL.sub(lambda m: chr(0x2400 + ord(m.group())), text)
