"""Complete Swedish (issue 20, deliverable 1): every message of the code is in the Swedish catalogue,
and every page and document of every demo role, rendered in Swedish, holds no English phrase.

The English phrases come from the catalogue itself: every msgid whose Swedish differs, cut at its
placeholders into fragments of two words or more, plus the shapes of untranslated values seen
before (raw state names, "claim 1", US times).
"""
import csv
import io
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.web.test_language import po_entries

ROOT = Path(settings.BASE_DIR)
SOURCES = ("core", "applications", "ledger", "services", "reports", "web", "api", "config")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\{?[^}]*\}?\}|<[^>]+>|\\n|“|”|\"")
# Shapes of English that came through before: raw state values, "claim 1", US clock times, ISO moments.
SHAPES = [re.compile(p) for p in (
    r"\b(under_review|changes_requested|begin_closing|return_to_applicant)\b", r"\bclaim \d+\b",
    r"\b\d{1,2}:\d\d [ap]\.m\.", r"\b\d{1,2}/\d{1,2}/\d{4}\b", r"\bPayable\b", r"\bPayment of claim\b",
    r"\bOK: \d+ entries\b",
)]
# A moment as the chain stores it, for people's eyes on pages and in PDFs (spreadsheets keep it in
# their "(UTC)" columns, where it matches the journal export to the microsecond).
RAW_MOMENT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z")


def english_phrases() -> set[str]:
    swedish = " ".join(s for _msgid, strs, _flags in po_entries() for s in strs)
    phrases = set()
    for msgid, strs, _flags in po_entries():
        if not strs or strs[0] == msgid:
            continue
        for fragment in PLACEHOLDER.split(msgid):
            fragment = fragment.strip(" .,:;()–—-·")
            words = fragment.split()
            if len(words) >= 2 and len(fragment) >= 12 and fragment not in swedish and re.search("[a-z]", fragment):
                phrases.add(fragment)
    return phrases


def test_phrase_list_is_built_from_the_catalogue():
    phrases = english_phrases()
    assert len(phrases) > 300
    assert "What you can do now" in phrases and "Journal entries of this application" in phrases


def test_every_message_in_the_code_is_in_the_swedish_catalogue(tmp_path):
    """makemessages over a copy of the sources: every msgid it finds must already be translated."""
    copy = tmp_path / "src"
    copy.mkdir()
    for name in SOURCES:
        shutil.copytree(ROOT / name, copy / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo", "migrations"))
    shutil.copy(ROOT / "manage.py", copy / "manage.py")
    subprocess.run([sys.executable, "manage.py", "makemessages", "-l", "sv", "--no-location", "-v", "0"],
                   cwd=copy, check=True, capture_output=True)
    found = (copy / "config/locale/sv/LC_MESSAGES/django.po").read_text(encoding="utf-8")
    translated = {msgid for msgid, strs, _flags in po_entries() if all(strs)}
    in_code = set()
    for block in found.split("\n\n")[1:]:
        if block.lstrip().startswith("#~"):
            continue
        lines = block.splitlines()
        text, reading = "", False
        for line in lines:
            if line.startswith("msgid "):
                text, reading = line[7:-1], True
            elif reading and line.startswith('"'):
                text += line[1:-1]
            else:
                reading = False if line.startswith("msg") else reading
        if text:
            in_code.add(text)
    assert sorted(in_code - translated) == []


class _Text(HTMLParser):
    """The words a person reads or hears: text outside scripts and styles, and accessible names."""

    def __init__(self):
        super().__init__()
        self.parts, self.links, self._skip = [], [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style"):
            self._skip += 1
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        for name in ("aria-label", "title", "placeholder", "alt"):
            if attrs.get(name):
                self.parts.append(attrs[name])

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def page_text(html: str) -> tuple[str, list[str]]:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split()), parser.links


def document_text(path: str, response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if path.endswith(".pdf"):
        return " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(body)).pages)
    if path.endswith(".xlsx"):
        book = load_workbook(io.BytesIO(body), read_only=True)
        cells = [book.sheetnames]
        for sheet in book.worksheets:
            for row in sheet.iter_rows(max_row=60, values_only=True):
                cells.append([c for c in row if isinstance(c, str)])
        return " ".join(str(c) for row in cells for c in row)
    if path.endswith(".csv"):
        return " ".join(next(csv.reader(io.StringIO(body.decode("utf-8-sig")))))  # the header; rows are data
    return ""


SKIP = re.compile(r"^/(api|admin|i18n|static|media)/|^/accounts/logout|/receipt/|\.(jsonl|sie|zip)$|\?lang=en")
EVERY_ONE = re.compile(r"^/applications/[^/]+/$|^/applications/[^/]+/claims/\d+/$")


def kind_of(url: str) -> str:
    parts = urlsplit(url)
    path = re.sub(r"TB-\d{4}-\d+", "REF", parts.path)
    return re.sub(r"\d+", "N", path) + "?" + "&".join(sorted(p.split("=")[0] for p in parts.query.split("&") if p))


def english_in(text: str, phrases: set[str]) -> list[str]:
    found = [phrase for phrase in phrases if phrase in text]
    found += [m.group(0) for shape in SHAPES for m in [shape.search(text)] if m]
    return found


def walk(client, phrases) -> tuple[set, dict]:
    """Every page kind the user reaches from the overview (every application and claim page), and every
    document linked from them; the English found on each."""
    queue, seen_kinds, visited, findings = ["/"], set(), set(), {}
    while queue and len(visited) < 70:
        url = queue.pop(0).split("#")[0]
        path = urlsplit(url).path
        if url in visited or not url.startswith("/") or SKIP.search(url):
            continue
        kind = kind_of(url)
        if kind in seen_kinds and not EVERY_ONE.search(path):
            continue
        seen_kinds.add(kind)
        visited.add(url)
        response = client.get(url)
        assert response.status_code in (200, 302), url
        if response.status_code != 200:
            continue
        if response.get("Content-Type", "").startswith("text/html"):
            text, links = page_text(response.content.decode())
            queue += links
        else:
            text = document_text(path, response)
        problems = english_in(text, phrases)
        if not path.endswith(".xlsx"):
            problems += RAW_MOMENT.findall(text)
        if problems:
            findings[url] = sorted(set(problems))
    return visited, findings


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_every_page_and_document_in_swedish_has_no_english():
    from django.contrib.auth import get_user_model

    call_command("seed_demo", stdout=io.StringIO())
    phrases = english_phrases()
    findings, documents = {}, 0
    for username in ("applicant", "company", "officer", "auditor"):
        client = Client(HTTP_ACCEPT_LANGUAGE="sv")
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sv"
        client.force_login(get_user_model().objects.get(username=username))
        visited, found = walk(client, phrases)
        assert len(visited) > 8, username
        documents += sum(1 for url in visited if re.search(r"\.(pdf|xlsx|csv)$", urlsplit(url).path))
        findings.update({f"{username} {url}": problems for url, problems in found.items()})
    assert documents >= 4
    assert findings == {}, "\n".join(f"{url}: {problems}" for url, problems in findings.items())
