"""SIE 4 export of a book (one call) for a date range, for the regional body's accounting system.

SIE type 4 (transactions), export variant (4E), encoded in CP437 (#FORMAT PC8) as the
SIE 4B specification requires; records end in CR LF. The file holds:

- the identification: #FLAGGA 0, #FORMAT PC8, #SIETYP 4, #PROGRAM, #GEN, #FNAMN and #ORGNR of
  the regional body, #RAR for every calendar year the range touches (0 is the year of `until`),
  #KPTYP;
- the chart of accounts: one #KONTO (with #KTYP) for every ledger account kind, mapped to the
  body's chart (`chart`: BAS defaults in settings.SIE_ACCOUNTS, overridden per call in
  FundingCall.sie_accounts);
- dimensions: #DIM 6 "Projekt" with one #OBJEKT per application (its reference), #DIM 20
  "Partner" with one #OBJEKT per partner company (its organisation number);
- one #VER per journal entry with legs in the range, in chain order, in the call's series, numbered
  with the entry's sequence number in the chain (so every verification names its entry; numbers of
  state transitions, which have no legs, are left out); one #TRANS per leg, with the application's
  object and, on a partner's in-kind leg, the partner's object and the hours as quantity.

The ledger refuses unbalanced entries, and the mapping only renames accounts, so every exported
verification balances; `lines` checks it again on the way out. `parse` reads a file back (the
round-trip test, and anyone who wants to check a file without an accounting system).
"""
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application, FundingCall
from core.errors import RuleViolation
from core.money import ZERO, format_sek, parse_hours, parse_money
from ledger.models import Account, Book, JournalEntry, Posting

ENCODING = "cp437"
EOL = "\r\n"
PROGRAM = ("Testbed Ledger", "1.0")
DIM_APPLICATION = 6   # reserved by SIE for projects
DIM_PARTNER = 20      # the first dimension SIE leaves free
DEFAULT_SERIES = "TL"
CHUNK = 500

# Characters outside CP437 that our texts use, spelled with ones inside it; anything else becomes "?".
_SPELLED = str.maketrans({"–": "-", "—": "-", "→": "->", "’": "'", "‘": "'", "“": '"', "”": '"', "…": "...",
                          "\u00a0": " ", "×": "x"})
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_ACCOUNT_NUMBER = re.compile(r"^\d{4,6}$")
_SERIES = re.compile(r"^[A-Za-z0-9]{1,10}$")


@dataclass(frozen=True)
class Chart:
    """The call's verification series and {ledger account kind: (account number, name)}."""

    series: str
    accounts: dict

    def number(self, kind: str) -> str:
        return self.accounts[kind][0]


def chart(call: FundingCall, overrides: dict | None = None) -> Chart:
    """The chart for the call's export: the BAS defaults, then the call's overrides, then `overrides`."""
    accounts = {kind: tuple(value) for kind, value in settings.SIE_ACCOUNTS.items()}
    series = DEFAULT_SERIES
    problems = []
    for layer in (call.sie_accounts or {}, overrides or {}):
        if not isinstance(layer, dict):
            problems.append(_("The SIE settings must be an object with \"series\" and \"accounts\"."))
            continue
        if "series" in layer:
            if not isinstance(layer["series"], str) or not _SERIES.match(layer["series"]):
                problems.append(_("A verification series is 1 to 10 letters or digits, not %(value)s.")
                                % {"value": layer["series"]})
            else:
                series = layer["series"]
        for kind, value in (layer.get("accounts") or {}).items():
            if kind not in Account.Kind.values:
                problems.append(_("%(kind)s is not a ledger account kind.") % {"kind": kind})
                continue
            if isinstance(value, str):
                value = (value, accounts[kind][1])
            if (not isinstance(value, list | tuple) or len(value) != 2 or not isinstance(value[0], str)
                    or not _ACCOUNT_NUMBER.match(value[0]) or not isinstance(value[1], str)):
                problems.append(_("The account for %(kind)s must be [number, name] with a number of 4 to 6 "
                                  "digits.") % {"kind": kind})
                continue
            accounts[kind] = (value[0], value[1])
    missing = set(Account.Kind.values) - set(accounts)
    if missing:
        problems.append(_("No SIE account for %(kinds)s.") % {"kinds": ", ".join(sorted(missing))})
    if problems:
        raise RuleViolation(problems)
    return Chart(series=series, accounts=accounts)


def account_type(number: str) -> str:
    """#KTYP by BAS class: 1 assets (T), 2 liabilities (S), 3 income (I), 4–8 costs (K)."""
    return {"1": "T", "2": "S", "3": "I"}.get(number[0], "K")


# ---------------------------------------------------------------- writing

def quote(text) -> str:
    """A SIE string field: in quotes, quotes and backslashes escaped, no control characters."""
    text = _CONTROL.sub(" ", str(text).translate(_SPELLED))
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _day(value: date) -> str:
    return value.strftime("%Y%m%d")


def _bounds(since: date, until: date) -> tuple[datetime, datetime]:
    tz = timezone.get_default_timezone()
    return (timezone.make_aware(datetime.combine(since, time.min), tz),
            timezone.make_aware(datetime.combine(until + timedelta(days=1), time.min), tz))


def check_range(since: date, until: date) -> None:
    if until < since:
        raise RuleViolation(_("The export ends (%(until)s) before it starts (%(since)s).")
                            % {"until": until.isoformat(), "since": since.isoformat()})


def entries(book: Book, since: date, until: date):
    """The book's entries with legs whose local date is in [since, until], in chain order, legs prefetched."""
    start, end = _bounds(since, until)
    legs = Posting.objects.select_related("account__partner__company").order_by("ordinal")
    return (JournalEntry.objects.filter(book=book, seq__lte=book.head_seq, occurred_at__gte=start, occurred_at__lt=end)
            .exclude(kind=JournalEntry.Kind.TRANSITION).select_related("application")
            .prefetch_related(Prefetch("postings", queryset=legs)).order_by("seq"))


def filename(book: Book, since: date, until: date) -> str:
    return f"sie-book{book.pk}-{_day(since)}-{_day(until)}.se"


def _years(since: date, until: date):
    """#RAR: calendar years, 0 the year of `until`, -1 the one before, … back to the year of `since`."""
    for offset, year in enumerate(range(until.year, since.year - 1, -1)):
        yield -offset, date(year, 1, 1), date(year, 12, 31)


def _text_lines(book: Book, since: date, until: date, *, chart_: Chart, generated_by: str, today: date):
    call = book.call
    body = call.regional_body
    yield "#FLAGGA 0"
    yield "#FORMAT PC8"
    yield "#SIETYP 4"
    yield f"#PROGRAM {quote(PROGRAM[0])} {quote(PROGRAM[1])}"
    yield f"#GEN {_day(today)} {quote(generated_by)}"
    yield f"#FNAMN {quote(body.name)}"
    yield f"#ORGNR {body.org_number}"
    for offset, first, last in _years(since, until):
        yield f"#RAR {offset} {_day(first)} {_day(last)}"
    yield f"#KPTYP {quote(getattr(settings, 'SIE_CHART_TYPE', 'BAS2024'))}"
    yield f"#PROSA {quote(f'{call.fund_project_reference} {call.title}, book {book.pk}, series {chart_.series}')}"
    written = set()
    for number, name in sorted(chart_.accounts.values()):
        if number not in written:
            written.add(number)
            yield f"#KONTO {number} {quote(name)}"
            yield f"#KTYP {number} {account_type(number)}"
    yield f"#DIM {DIM_APPLICATION} {quote('Projekt')}"
    start, end = _bounds(since, until)
    in_range = JournalEntry.objects.filter(book=book, occurred_at__gte=start, occurred_at__lt=end).exclude(
        kind=JournalEntry.Kind.TRANSITION)
    applications = Application.objects.filter(pk__in=in_range.values("application_id")).order_by("reference")
    for application in applications.only("reference", "title"):
        yield f"#OBJEKT {DIM_APPLICATION} {quote(application.reference)} {quote(application.title)}"
    partners = (Account.objects.filter(book=book, partner__isnull=False, postings__entry__in=in_range)
                .values_list("partner__company__org_number", "partner__company__name").distinct()
                .order_by("partner__company__org_number"))
    yield f"#DIM {DIM_PARTNER} {quote('Partner')}"
    for org_number, name in partners:
        yield f"#OBJEKT {DIM_PARTNER} {quote(org_number)} {quote(name)}"
    local = timezone.get_default_timezone()
    for entry in entries(book, since, until).iterator(chunk_size=CHUNK):
        legs = list(entry.postings.all())
        total = sum((leg.amount for leg in legs), ZERO)
        if total != ZERO or not legs:
            raise RuleViolation(_("Entry #%(seq)s does not balance; the book needs verifying.") % {"seq": entry.seq})
        day = _day(timezone.localtime(entry.occurred_at, local).date())
        text = entry.memo or entry.get_kind_display()
        yield f"#VER {quote(chart_.series)} {entry.seq} {day} {quote(text)} {day} {quote(entry.actor_name)}"
        yield "{"
        for leg in legs:
            objects = []
            if entry.application_id:
                objects += [str(DIM_APPLICATION), quote(entry.application.reference)]
            if leg.account.partner_id:
                objects += [str(DIM_PARTNER), quote(leg.account.partner.company.org_number)]
            line = f"#TRANS {chart_.number(leg.account.kind)} {{{' '.join(objects)}}} {format_sek(leg.amount)}"
            if leg.hours is not None:
                line += f' "" "" {format_sek(leg.hours)}'
            yield line
        yield "}"


def lines(book: Book, since: date, until: date, *, overrides: dict | None = None, generated_by: str = "system",
          today: date | None = None):
    """Yield the file record by record, as CP437 bytes (a generator: memory stays flat)."""
    check_range(since, until)
    chart_ = chart(book.call, overrides)
    today = today or timezone.localdate()
    for text in _text_lines(book, since, until, chart_=chart_, generated_by=generated_by, today=today):
        yield (text + EOL).encode(ENCODING, errors="replace")


def render(book: Book, since: date, until: date, **kwargs) -> bytes:
    return b"".join(lines(book, since, until, **kwargs))


def write(book: Book, since: date, until: date, handle, **kwargs) -> int:
    """Write the file to a binary handle; return the number of verifications written."""
    count = 0
    for line in lines(book, since, until, **kwargs):
        handle.write(line)
        count += line.startswith(b"#VER ")
    return count


# ---------------------------------------------------------------- reading back

@dataclass
class Transaction:
    account: str
    objects: dict
    amount: object
    quantity: object = None


@dataclass
class Verification:
    series: str
    number: str
    day: str
    text: str
    transactions: list = field(default_factory=list)

    @property
    def balance(self):
        return sum((t.amount for t in self.transactions), ZERO)


@dataclass
class SieFile:
    records: list = field(default_factory=list)      # (label, fields) of every record outside a #VER
    accounts: dict = field(default_factory=dict)     # number → name
    objects: dict = field(default_factory=dict)      # (dimension, object) → name
    verifications: list = field(default_factory=list)

    def first(self, label: str):
        return next((fields for name, fields in self.records if name == label), None)

    def sums(self) -> dict:
        """{account number: sum of its transactions}."""
        totals: dict = {}
        for verification in self.verifications:
            for trans in verification.transactions:
                totals[trans.account] = totals.get(trans.account, ZERO) + trans.amount
        return totals


def tokens(line: str) -> list:
    """Split a record into fields: bare words, "quoted strings" (with \\" escapes) and {object lists}."""
    result, i, n = [], 0, len(line)
    while i < n:
        char = line[i]
        if char in " \t":
            i += 1
        elif char == '"':
            i += 1
            text = []
            while i < n and line[i] != '"':
                if line[i] == "\\" and i + 1 < n:
                    i += 1
                text.append(line[i])
                i += 1
            result.append("".join(text))
            i += 1
        elif char == "{":
            close = line.find("}", i)
            if close < 0:
                raise ValueError(f"Unclosed object list in {line!r}.")
            inner = tokens(line[i + 1:close])
            result.append(dict(zip(inner[::2], inner[1::2], strict=True)))
            i = close + 1
        else:
            j = i
            while j < n and line[j] not in " \t":
                j += 1
            result.append(line[i:j])
            i = j
    return result


def parse(content: bytes) -> SieFile:
    """Read a SIE 4 file (CP437) back; a #VER's #TRANS records follow it between { and }."""
    sie = SieFile()
    current = None
    for raw in content.decode(ENCODING).splitlines():
        line = raw.strip()
        if not line:
            continue
        if line == "{":
            if current is None:
                raise ValueError("A { without a #VER before it.")
            continue
        if line == "}":
            sie.verifications.append(current)
            current = None
            continue
        fields = tokens(line)
        label, rest = fields[0], fields[1:]
        if label == "#VER":
            current = Verification(series=rest[0], number=rest[1], day=rest[2], text=rest[3] if len(rest) > 3 else "")
        elif label == "#TRANS":
            if current is None:
                raise ValueError("A #TRANS outside a verification.")
            quantity = rest[5] if len(rest) > 5 and rest[5] != "" else None
            current.transactions.append(Transaction(
                account=rest[0], objects=rest[1], amount=parse_money(rest[2]),
                quantity=None if quantity is None else parse_hours(quantity)))
        else:
            sie.records.append((label, rest))
            if label == "#KONTO":
                sie.accounts[rest[0]] = rest[1]
            elif label == "#OBJEKT":
                sie.objects[(rest[0], rest[1])] = rest[2]
    if current is not None:
        raise ValueError("The file ends inside a verification.")
    return sie
