"""Spreadsheets with openpyxl in write-only mode (rows go straight to the file, memory stays low).

Amounts are numbers with two decimals (Decimal in, never float), dates are dates,
times are local and naive (Excel has no time zones); hashes and references are text.
"""
import io
import re
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from openpyxl import Workbook as _Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from ledger.chain import format_timestamp

from .cells import xlsx_text

MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
TIME_FORMAT = "yyyy-mm-dd hh:mm"
BOLD = Font(bold=True)


def local(value):
    """An aware datetime as local naive time for Excel; None stays None."""
    return None if value is None else timezone.localtime(value).replace(tzinfo=None)


def utc(value):
    """A timestamp exactly as the journal export writes it (UTC, microseconds, Z)."""
    return None if value is None else format_timestamp(value)


def sheet_title(title: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", " ", xlsx_text(str(title)))[:31] or "Sheet"


class Sheet:
    def __init__(self, worksheet, headers, widths=None):
        self.ws = worksheet
        for index, width in enumerate(widths or [], start=1):
            self.ws.column_dimensions[get_column_letter(index)].width = width
        self.ws.freeze_panes = "A2"
        header = []
        for text in headers:
            cell = WriteOnlyCell(self.ws, value=xlsx_text(str(text)))
            cell.font = BOLD
            header.append(cell)
        self.ws.append(header)

    def _cell(self, value):
        if isinstance(value, Decimal):
            cell = WriteOnlyCell(self.ws, value=value)
            cell.number_format = MONEY_FORMAT
            return cell
        if isinstance(value, datetime):
            cell = WriteOnlyCell(self.ws, value=value)
            cell.number_format = TIME_FORMAT
            return cell
        if isinstance(value, date):
            cell = WriteOnlyCell(self.ws, value=value)
            cell.number_format = DATE_FORMAT
            return cell
        if value is not None and not isinstance(value, int | float | str):
            value = str(value)
        if isinstance(value, str):
            value = xlsx_text(value)  # control characters would make openpyxl refuse the whole file
        if isinstance(value, str) and value.startswith("="):
            # openpyxl would store it as a formula; what people typed must stay text (no formula injection).
            cell = WriteOnlyCell(self.ws, value=value)
            cell.data_type = "s"
            return cell
        return value

    def append(self, values) -> None:
        self.ws.append([self._cell(v) for v in values])


class Workbook:
    def __init__(self):
        self.book = _Workbook(write_only=True)

    def sheet(self, title, headers, widths=None) -> Sheet:
        return Sheet(self.book.create_sheet(sheet_title(title)), headers, widths)

    def save(self) -> bytes:
        buffer = io.BytesIO()
        self.book.save(buffer)
        return buffer.getvalue()
