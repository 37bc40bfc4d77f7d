"""A region's worth of applications, contributions, claims and ledger, written fast with bulk inserts.

Nothing goes through the web services (that would take hours at full scale); instead every row is
built in memory with the conventions of the services and bulk-inserted:

- account codes from `ledger.journal.account_code`, entry kinds, legs, memos, payloads and
  idempotency keys as the services (`services/`) write them (commitment with the
  approval, cash and in-kind contributions when a claim is verified, fund payment by the matching
  rule `ledger.matching.payout`, a transition entry and an audit event for every state change);
- the journal is a valid hash chain: entries of a book are put in time order, numbered, and hashed
  with `ledger.chain.entry_hash` over `ledger.journal.chain_dict` of the unsaved entry, and the book's
  head_seq/head_hash are set to the last one, so `ledger.integrity.verify_book` passes.

Three applications are special, so the statement and balance benchmarks have subjects of known size:
two whose journals hold about 100 and 500 entries and a big one with 5 000 money entries, that is
10 000 postings (plus its transitions). Random choices come from a seeded generator: the same scale
gives the same data.
"""
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from .timing import log

SEED = 20260
PASSWORD = "testbed-demo-2026"  # the demo password, so a person can sign in to a kept bench database


@dataclass(frozen=True)
class Scale:
    name: str
    applications: int
    calls: int
    partners_per_application: int
    persons: tuple             # persons per partner reporting hours (min, max)
    months: tuple              # months an active project has run (min, max)
    cash_per_month: int        # cash vouchers per project month
    statement_entries: tuple   # special applications with exactly this many journal entries
    big_money_entries: int     # the big application: this many money entries = twice as many postings
    throughput_entries: int    # measurement 1: entries appended by each path
    api_requests: int          # measurement 3: requests per endpoint
    api_seconds: float         # … or at most this long
    pdf_runs: int              # measurement 5: warm runs per statement (best of them)
    repeats: int               # measurement 6: timed repetitions (median)


SCALE = {
    "tiny": Scale("tiny", applications=12, calls=2, partners_per_application=2, persons=(1, 2), months=(3, 7),
                  cash_per_month=1, statement_entries=(20, 60), big_money_entries=200, throughput_entries=60,
                  api_requests=16, api_seconds=4, pdf_runs=1, repeats=3),
    "small": Scale("small", applications=200, calls=3, partners_per_application=5, persons=(1, 2), months=(4, 24),
                   cash_per_month=4, statement_entries=(100, 500), big_money_entries=5000,
                   throughput_entries=1500, api_requests=300, api_seconds=25, pdf_runs=2, repeats=15),
    # python -m bench.national (PostgreSQL): ~21 calls, 20 000 applications, ~2.1 M time reports, ~5.4 M postings.
    "national": Scale("national", applications=20000, calls=21, partners_per_application=5, persons=(1, 3),
                      months=(4, 24), cash_per_month=4, statement_entries=(100, 500), big_money_entries=5000,
                      throughput_entries=4000, api_requests=300, api_seconds=30, pdf_runs=1, repeats=3),
    "full": Scale("full", applications=2000, calls=4, partners_per_application=5, persons=(1, 3), months=(4, 24),
                  cash_per_month=4, statement_entries=(100, 500), big_money_entries=5000,
                  throughput_entries=4000, api_requests=600, api_seconds=45, pdf_runs=3, repeats=25),
}

# (partners, persons per partner, cash per month) of the special applications
STATEMENT_SHAPES = {20: (1, 1, 1), 60: (2, 1, 1), 100: (2, 1, 1), 500: (5, 3, 2)}
BIG_SHAPE = {200: (3, 3, 1), 5000: (10, 10, 2)}

TOWNS = ["Kalmar", "Oskarshamn", "Västervik", "Nybro", "Emmaboda", "Torsås", "Mörbylånga", "Borgholm", "Hultsfred",
         "Vimmerby", "Mönsterås", "Högsby", "Växjö", "Ljungby", "Alvesta", "Tingsryd", "Lessebo", "Uppvidinge",
         "Karlskrona", "Ronneby", "Karlshamn", "Olofström", "Sölvesborg", "Jönköping", "Värnamo", "Gislaved"]
KINDS_PUBLIC = ["municipality", "municipality", "municipality", "region", "public_company", "public_housing"]
COMPANY_WORDS = ["Sensor", "Data", "Robotik", "Digital", "Energi", "Vård", "Mobilitet", "Vatten", "Bygg", "Analys",
                 "Optik", "Logistik", "Miljö", "Kraft", "Nät", "System"]
FIRST_NAMES = ["Anna", "Bo", "Cecilia", "David", "Eva", "Fredrik", "Greta", "Hassan", "Ida", "Johan", "Karin",
               "Leila", "Magnus", "Nora", "Oskar", "Petra", "Rami", "Sara", "Tobias", "Ulla"]
LAST_NAMES = ["Andersson", "Berg", "Carlsson", "Dahl", "Ek", "Falk", "Gustafsson", "Holm", "Ivarsson", "Jonsson",
              "Karlsson", "Lind", "Malm", "Nilsson", "Olsson", "Persson", "Qvist", "Ström", "Svensson", "Åberg"]


@dataclass
class Dataset:
    scale: Scale
    users: dict                       # role name → User (officer, officer2, auditor, applicant, company)
    tokens: dict                      # role name → token key
    calls: list                       # FundingCall objects
    special: dict                     # "entries_100", "entries_500", "big" → Application
    counts: dict = field(default_factory=dict)
    seconds: float = 0.0


# ---------------------------------------------------------------- helpers
def month_add(first: date, n: int) -> date:
    return date(first.year + (first.month - 1 + n) // 12, (first.month - 1 + n) % 12 + 1, 1)


def round_to(value: Decimal, step: int) -> Decimal:
    return (Decimal(value) / step).to_integral_value() * step + Decimal("0.00")


def at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


class Ids:
    """Primary keys handed out in memory, so related rows can be built before anything is inserted."""

    def __init__(self):
        from django.db.models import Max

        self._max = Max
        self._next = {}

    def __call__(self, model) -> int:
        if model not in self._next:
            self._next[model] = (model.objects.aggregate(m=self._max("pk"))["m"] or 0) + 1
        value = self._next[model]
        self._next[model] = value + 1
        return value


PLAIN_TYPES = {"AutoField", "BigAutoField", "CharField", "TextField", "BooleanField", "ForeignKey", "IntegerField",
               "BigIntegerField", "PositiveIntegerField", "PositiveBigIntegerField", "PositiveSmallIntegerField",
               "SmallIntegerField", "EmailField"}


def insert_rows(model, objects, chunk: int = 5000) -> None:
    """INSERT the objects' rows with executemany (COPY on PostgreSQL): Django's bulk_create spends most
    of its time compiling SQL per batch; here each value is prepared by its field once and sent as is."""
    from django.db import connection

    fields = model._meta.concrete_fields
    prepare = [(f.attname, None if f.get_internal_type() in PLAIN_TYPES else f) for f in fields]
    quote = connection.ops.quote_name
    sql = (f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    if connection.vendor == "postgresql":  # COPY: the bulk-load path of PostgreSQL
        connection.ensure_connection()
        columns = ", ".join(quote(f.column) for f in fields)
        with connection.connection.cursor() as cursor:
            with cursor.copy(f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN") as copy:
                for obj in objects:
                    copy.write_row(tuple(getattr(obj, name) if f is None else
                                         f.get_db_prep_save(getattr(obj, name), connection) for name, f in prepare))
        return
    with connection.cursor() as cursor:
        for start in range(0, len(objects), chunk):
            rows = [tuple(getattr(obj, name) if f is None else f.get_db_prep_save(getattr(obj, name), connection)
                          for name, f in prepare)
                    for obj in objects[start:start + chunk]]
            cursor.executemany(sql, rows)


class Writer:
    """Buffers of unsaved rows per model, inserted in foreign-key order (auto_now fields keep what
    we set: no save(), no pre_save)."""

    def __init__(self, order):
        self.order = order
        self.rows = defaultdict(list)
        self.written = defaultdict(int)

    def add(self, obj):
        self.rows[type(obj)].append(obj)
        return obj

    def flush(self):
        from django.db import transaction

        with transaction.atomic():
            for model in self.order:
                rows = self.rows.pop(model, None)
                if rows:
                    insert_rows(model, rows)
                    self.written[model] += len(rows)


# ---------------------------------------------------------------- the ledger side of one call
@dataclass
class Event:
    at: datetime
    kind: str
    application: object
    actor: object
    memo: str
    legs: list               # (Account, amount, hours)
    payload: dict
    key: str | None = None
    claim: object = None


class CallBuilder:
    """Everything of one call: applications with partners, decisions, claims, items and the chain."""

    def __init__(self, builder, call, region):
        from ledger.models import Account, Book

        self.b = builder
        self.call = call
        self.book = Book(pk=builder.ids(Book), call=call)
        self.events: list[Event] = []
        self.accounts = {}
        self.Account = Account
        self.fund_source = self.account(Account.Kind.FUND_SOURCE)
        self.fund_budget = self.account(Account.Kind.FUND_BUDGET)

    def account(self, kind, application=None, partner=None):
        from ledger.journal import account_code

        code = account_code(kind, application, partner)
        found = self.accounts.get(code)
        if found is None:
            found = self.Account(pk=self.b.ids(self.Account), book=self.book, code=code, kind=kind,
                                 application=application, partner=partner)
            self.accounts[code] = found
        return found

    def event(self, when, kind, application, actor, memo, legs, payload=None, key=None, claim=None):
        self.events.append(Event(when, kind, application, actor, memo, legs, payload or {}, key, claim))

    def transition(self, when, subject, application, actor, before, after, comment="", claim=None):
        """A state change: a chained transition entry and an audit event, as services._finish writes them."""
        from applications.models import AuditEvent
        from ledger.models import JournalEntry

        is_claim = claim is not None
        self.event(when, JournalEntry.Kind.TRANSITION, application, actor,
                   f"{'claim' if is_claim else 'application'} {before} → {after}", [],
                   {"object": "claim" if is_claim else "application",
                    "id": str(claim.pk if is_claim else application.reference),
                    "from": before, "to": after, "comment": comment}, claim=claim)
        self.b.w.add(AuditEvent(
            pk=self.b.ids(AuditEvent), occurred_at=when, actor=actor, actor_name=actor.username, action="transition",
            object_type="claim" if is_claim else "application", object_id=str(subject.pk),
            object_repr=(f"{application.reference} claim {claim.number}" if is_claim
                         else f"{application.reference} {application.title}")[:200],
            application=application, from_state=before, to_state=after, comment=comment, changes={}))

    def write_chain(self, opened_at, officer):
        """Put the call's events in time order, number and hash them, and insert entries and legs."""
        from ledger import chain
        from ledger.journal import chain_dict
        from ledger.models import AccountTotal, JournalEntry, Posting

        budget = self.call.fund_budget
        opened_at = min([opened_at] + [e.at - timedelta(days=1) for e in self.events])
        self.events.insert(0, Event(opened_at, JournalEntry.Kind.OPENING, None, officer,
                                    f"Fund budget of {self.call.fund_project_reference}",
                                    [(self.fund_budget, budget, None), (self.fund_source, -budget, None)], {},
                                    key=f"opening:{self.call.pk}"))
        self.events.sort(key=lambda e: e.at)  # stable: same-moment events keep the order they were made in
        w, ids = self.b.w, self.b.ids
        for account in self.accounts.values():
            w.add(account)
        prev, seq, postings = chain.GENESIS_HASH, 0, 0
        totals = defaultdict(lambda: [Decimal("0.00"), Decimal("0.00"), 0])  # as ledger.rows.add_to_totals adds
        for event in self.events:
            seq += 1
            entry = JournalEntry(
                pk=ids(JournalEntry), book=self.book, seq=seq, kind=event.kind, occurred_at=event.at,
                application=event.application, claim=event.claim, corrects=None, actor=event.actor,
                actor_name=event.actor.username, memo=event.memo[:500], payload=event.payload,
                idempotency_key=event.key, prev_hash=prev)
            entry.hash = chain.entry_hash(chain_dict(entry, [(a.code, amount, hours) for a, amount, hours in event.legs]))
            prev = entry.hash
            w.add(entry)
            for ordinal, (account, amount, hours) in enumerate(event.legs, start=1):
                w.add(Posting(pk=ids(Posting), entry=entry, ordinal=ordinal, account=account, amount=amount,
                              hours=hours))
                postings += 1
                total = totals[(account, event.kind)]
                total[0] += amount
                total[1] += hours or 0
                total[2] += 1
        for (account, kind), (amount, hours, count) in totals.items():  # the dataset writes no corrections
            w.add(AccountTotal(pk=ids(AccountTotal), account=account, entry_kind=kind, amount=amount, hours=hours,
                               postings=count))
        self.book.head_seq, self.book.head_hash = seq, prev
        return seq, postings


# ---------------------------------------------------------------- the whole dataset
class Builder:
    def __init__(self, scale: Scale):
        from django.contrib.auth import get_user_model
        from knox.models import AuthToken

        from applications.models import (
            Application,
            AuditEvent,
            Decision,
            FundingCall,
            Membership,
            Organisation,
            Partner,
        )
        from ledger.models import (
            Account,
            AccountTotal,
            Book,
            CashContribution,
            Claim,
            JournalEntry,
            Posting,
            TimeReport,
        )

        User = get_user_model()
        self.scale = scale
        self.rng = random.Random(f"{SEED}-{scale.name}")
        self.ids = Ids()
        self.models = [Organisation, User, Membership, AuthToken, FundingCall, Book, Application, Partner, Decision,
                       Claim, TimeReport, CashContribution, AuditEvent, Account, JournalEntry, Posting, AccountTotal]
        self.w = Writer(self.models)
        today = date.today()
        # Work is reported up to three months ago, so every claim was verified and paid in the past.
        self.anchor = month_add(today.replace(day=1), -3)
        self.now = at(today) - timedelta(days=1)
        self.counts = defaultdict(int)
        self.ref_number = 0

    # ----------------------------------------------------------- parties
    def organisation(self, name, prefix, n, kind):
        from applications.models import Organisation
        from applications.orgnumber import with_check_digit

        return self.w.add(Organisation(pk=self.ids(Organisation), name=name, kind=kind,
                                       org_number=with_check_digit(f"{prefix}{n:07d}")))

    def user(self, username, organisation, role, password_hash):
        from django.contrib.auth import get_user_model

        from applications.models import Membership

        User = get_user_model()
        first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
        user = self.w.add(User(pk=self.ids(User), username=username, first_name=first, last_name=last,
                               email=f"{username}@example.se", password=password_hash, is_active=True,
                               date_joined=self.now - timedelta(days=2000)))
        self.w.add(Membership(pk=self.ids(Membership), user=user, organisation=organisation, role=role))
        return user

    def parties(self):
        from django.contrib.auth.hashers import make_password

        from applications.models import Membership, Organisation

        K, R = Organisation.Kind, Membership.Role
        password = make_password(PASSWORD)
        s = self.scale
        self.region = self.organisation("Region Kalmar län", "23", 2100022 // 10, K.REGIONAL_BODY)
        authority = self.organisation("Ekonomistyrningsverket", "20", 2100502, K.AUDIT_AUTHORITY)
        n_public = max(4, s.applications // 7)
        n_companies = max(12, s.applications * s.partners_per_application // 5)
        self.public = []
        for n in range(n_public):
            kind = KINDS_PUBLIC[n % len(KINDS_PUBLIC)]
            town = TOWNS[n % len(TOWNS)]
            name = {"municipality": f"{town} kommun", "region": f"Region {town}",
                    "public_company": f"{town} Energi AB", "public_housing": f"{town}hem AB"}[kind]
            org = self.organisation(f"{name} {n // len(TOWNS) + 1}" if n >= len(TOWNS) else name, "21", 2000000 + n,
                                    kind)
            self.public.append((org, self.user(f"applicant-{n}", org, R.APPLICANT, password)))
        self.companies = []
        for n in range(n_companies):
            word = COMPANY_WORDS[n % len(COMPANY_WORDS)]
            org = self.organisation(f"{TOWNS[n % len(TOWNS)]} {word} {n} AB", "55", 6000000 + n, K.COMPANY)
            self.companies.append((org, self.user(f"company-{n}", org, R.COMPANY, password)))
        self.officer = self.user("officer", self.region, R.OFFICER, password)
        self.officer2 = self.user("officer2", self.region, R.OFFICER, password)
        self.auditor = self.user("auditor", authority, R.AUDITOR, password)

    # ----------------------------------------------------------- one application
    def application(self, cb: CallBuilder, *, state, months, partners, persons, cash_per_month, extra_cash=0,
                    submitted_claim=False, unclaimed_tail=True, cash_range=(5000, 150000)):
        """One application with its history up to `state`; active ones with `months` of reported work."""
        from applications.models import Application, Decision, Partner
        from core.money import ZERO, round_hours, round_ore
        from ledger import matching
        from ledger.models import Account, CashContribution, Claim, JournalEntry, ReviewStatus, TimeReport

        rng, w, ids, call = self.rng, self.w, self.ids, cb.call
        A, KIND = Application.State, JournalEntry.Kind
        self.ref_number += 1
        applicant, applicant_user = rng.choice(self.public)
        start = month_add(self.anchor, -months)
        reference = f"TB-{call.opens_on.year}-{self.ref_number:04d}"
        created = at(start - timedelta(days=120), 10)
        app = w.add(Application(
            pk=ids(Application), call=call, applicant=applicant, reference=reference,
            title=f"Testbädd för {rng.choice(COMPANY_WORDS).lower()} i {applicant.name.split()[0]}",
            needs_analysis="Behovsanalys. " * 20, testbed_description="Testbäddens innehåll. " * 20,
            start_date=start, end_date=month_add(start, 36) - timedelta(days=1), public_cash=ZERO, state=state,
            created_by=applicant_user, created_at=created, updated_at=created))
        team = []
        for org, rep in rng.sample(self.companies, partners):
            rate = round_ore(rng.randrange(600, 1000, 50))
            people = rng.randint(*persons) if isinstance(persons, tuple) else persons
            partner = w.add(Partner(pk=ids(Partner), application=app, company=org,
                                    planned_hours=Decimal(people * 120 * 30), hourly_rate=rate,
                                    role_description="Bygger och driver delar av testbädden."))
            names = [f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} {j + 1}" for j in range(people)]
            team.append((partner, rep, names))
        planned_inkind = sum((p.planned_hours * p.hourly_rate for p, _r, _n in team), ZERO)
        app.public_cash = round_to(min(planned_inkind / 2, call.max_grant), 10000)
        self.counts["applications"] += 1
        self.counts["partners"] += len(team)
        if state == A.DRAFT:
            return app
        off = self.officer
        cb.transition(at(start - timedelta(days=90)), app, app, applicant_user, A.DRAFT, A.SUBMITTED)
        if state == A.SUBMITTED:
            return app
        cb.transition(at(start - timedelta(days=80)), app, app, off, A.SUBMITTED, A.UNDER_REVIEW)
        if state == A.UNDER_REVIEW:
            return app
        if state == A.REJECTED:
            cb.transition(at(start - timedelta(days=60)), app, app, off, A.UNDER_REVIEW, A.REJECTED,
                          "The in-kind plan does not describe the platform work.")
            return app
        granted = app.public_cash
        decided = at(start - timedelta(days=60))
        decision = w.add(Decision(
            pk=ids(Decision), application=app, approved_public_cash=app.public_cash, approved_inkind_value=planned_inkind,
            approved_hours=sum((p.planned_hours for p, _r, _n in team), ZERO), granted_amount=granted,
            fund_ratio=call.fund_ratio, inkind_ratio=call.inkind_ratio, max_hourly_rate=call.max_hourly_rate,
            partner_rates={p.company.org_number: str(p.hourly_rate) for p, _r, _n in team},
            rationale="Meets the call's criteria.", decided_by=off, decided_at=decided))
        committed = cb.account(Account.Kind.FUND_COMMITTED, app)
        cb.event(decided, KIND.COMMITMENT, app, off, f"Grant to {reference}",
                 [(committed, granted, None), (cb.fund_budget, -granted, None)], {"decision": decision.pk},
                 key=f"commit:{decision.pk}")
        cb.transition(decided + timedelta(seconds=1), app, app, off, A.UNDER_REVIEW, A.APPROVED,
                      "Meets the call's criteria.")
        self.granted[call.pk] += granted
        if state == A.APPROVED:
            return app
        cb.transition(at(start - timedelta(days=50)), app, app, applicant_user, A.APPROVED, A.ACTIVE)
        app.updated_at = at(start - timedelta(days=50))

        # Work and cash, month by month; claims per complete quarter.
        cost = cb.account(Account.Kind.TESTBED_COST, app)
        cash_account = cb.account(Account.Kind.PUBLIC_CASH, app)
        paid_account = cb.account(Account.Kind.FUND_PAID, app)
        inkind_accounts = {p.pk: cb.account(Account.Kind.INKIND, app, p) for p, _r, _n in team}
        by_month = defaultdict(lambda: ([], []))
        for t in range(months):
            month = month_add(start, t)
            for partner, rep, names in team:
                for name in names:
                    reported = at(month_add(month, 1) + timedelta(days=1), 15)
                    # the newest month outside a complete quarter is not attested yet
                    latest = unclaimed_tail and t == months - 1 and months % 3 != 0
                    hours = round_hours(Decimal(rng.randrange(40, 320)) / 2)
                    report = w.add(TimeReport(
                        pk=ids(TimeReport), partner=partner, person_name=name, month=month, hours=hours,
                        hourly_rate=partner.hourly_rate, description="Utveckling och drift av testbädden.",
                        reported_by=rep, reported_at=reported, attested_by=None if latest else rep,
                        attested_at=None if latest else reported + timedelta(days=1)))
                    by_month[t][0].append((report, partner))
            count = cash_per_month + (extra_cash if t == months - 1 else 0)
            for k in range(count):
                paid_on = month + timedelta(days=rng.randrange(0, 28))
                cash = w.add(CashContribution(
                    pk=ids(CashContribution), application=app,
                    amount=round_ore(Decimal(rng.randrange(cash_range[0] * 100, cash_range[1] * 100)) / 100),
                    paid_on=paid_on,
                    voucher_reference=f"V-{reference}-{t + 1:02d}-{k + 1}", reported_by=applicant_user,
                    reported_at=at(paid_on + timedelta(days=1), 11)))
                by_month[t][1].append(cash)
        self.counts["time_reports"] += sum(len(r) for r, _c in by_month.values())
        verified_cash = verified_inkind = paid = ZERO
        quarters = months // 3
        for q in range(quarters):
            period_start, period_end = month_add(start, 3 * q), month_add(start, 3 * q + 3) - timedelta(days=1)
            reports = [item for t in range(3 * q, 3 * q + 3) for item in by_month[t][0]]
            cash_items = [item for t in range(3 * q, 3 * q + 3) for item in by_month[t][1]]
            pending = submitted_claim and q == quarters - 1
            submitted = at(period_end + timedelta(days=7), 13)
            claim = w.add(Claim(
                pk=ids(Claim), application=app, number=q + 1, period_start=period_start, period_end=period_end,
                state=Claim.State.SUBMITTED if pending else Claim.State.PAID, created_by=applicant_user,
                created_at=at(period_end + timedelta(days=5)), submitted_at=submitted))
            for report, _partner in reports:
                report.claim = claim
                report.review_status = ReviewStatus.PENDING if pending else ReviewStatus.ACCEPTED
            for item in cash_items:
                item.claim = claim
                item.review_status = ReviewStatus.PENDING if pending else ReviewStatus.ACCEPTED
            cb.transition(submitted, claim, app, applicant_user, Claim.State.DRAFT, Claim.State.SUBMITTED, claim=claim)
            if pending:
                continue
            verified = at(period_end + timedelta(days=25), 10)
            tick = iter(range(1, 10**7))
            for item in cash_items:
                cb.event(verified + timedelta(microseconds=next(tick)), KIND.CASH_CONTRIBUTION, app, off,
                         f"Cash {item.voucher_reference}", [(cost, item.amount, None), (cash_account, -item.amount, None)],
                         {"cash_contribution": item.pk}, key=f"cash:{item.pk}", claim=claim)
                verified_cash += item.amount
            for report, partner in reports:
                value = round_ore(report.hours * report.hourly_rate)
                cb.event(verified + timedelta(microseconds=next(tick)), KIND.INKIND_CONTRIBUTION, app, off,
                         f"{partner.company.name}: {report.person_name} {report.month:%Y-%m}",
                         [(cost, value, report.hours), (inkind_accounts[partner.pk], -value, report.hours)],
                         {"time_report": report.pk, "hours": str(report.hours), "hourly_rate": str(report.hourly_rate)},
                         key=f"time:{report.pk}", claim=claim)
                verified_inkind += value
            payout = matching.payout(verified_cash=verified_cash, verified_inkind=verified_inkind, granted=granted,
                                     already_paid=paid, fund_ratio=decision.fund_ratio,
                                     inkind_ratio=decision.inkind_ratio)
            claim.payable_amount, claim.recovery_amount = payout.payment, payout.recovery
            claim.verified_by, claim.verified_at = off, verified + timedelta(seconds=1)
            cb.transition(claim.verified_at, claim, app, off, Claim.State.SUBMITTED, Claim.State.VERIFIED,
                          f"Payable {payout.payment}", claim=claim)
            paid_at = at(period_end + timedelta(days=35), 14)
            if payout.payment > 0:
                cb.event(paid_at, KIND.FUND_PAYMENT, app, self.officer2,
                         f"Payment of claim {claim.number} of {reference}",
                         [(paid_account, payout.payment, None), (committed, -payout.payment, None)],
                         {"matched_cash": str(payout.matched_cash),
                          "cumulative_payable": str(payout.cumulative_payable)}, key=f"pay:{claim.pk}", claim=claim)
                paid += payout.payment
            claim.paid_by, claim.paid_at = self.officer2, paid_at + timedelta(seconds=1)
            cb.transition(claim.paid_at, claim, app, self.officer2, Claim.State.VERIFIED, Claim.State.PAID,
                          f"Paid {payout.payment}", claim=claim)
            app.updated_at = claim.paid_at
        return app

    def special(self, cb, target: int, shape: tuple, *, money_only: bool):
        """An active application, fully claimed and paid, with exactly `target` entries (or money entries).

        Entries: 4 application transitions and the commitment; per quarter a claim with 3 transitions
        and a payment; per month one in-kind entry per person and the cash items; the remainder as
        extra cash items in the last month. Money entries leave out the transitions.
        """
        partners, persons, cash = shape
        per_month = partners * persons + cash
        fixed = 1 if money_only else 5
        per_quarter = 1 if money_only else 4
        quarters = (target - fixed) // (3 * per_month + per_quarter)
        extra = target - fixed - quarters * (3 * per_month + per_quarter)
        app = self.application(cb, state="active", months=3 * quarters, partners=partners, persons=persons,
                               cash_per_month=cash, extra_cash=extra, unclaimed_tail=False, cash_range=(10000, 50000))
        return app

    # ----------------------------------------------------------- everything
    def build(self) -> Dataset:
        from django.contrib.auth import get_user_model
        from django.utils import timezone
        from knox.models import AuthToken, get_digest_token
        from knox.settings import CONSTANTS

        from applications.models import Application, FundingCall
        from ledger.models import Book

        s, rng = self.scale, self.rng
        self.started = time.perf_counter()
        self.parties()
        self.w.flush()
        self.granted = defaultdict(lambda: Decimal("0.00"))
        calls, special = [], {}
        states = ["draft", "submitted", "under_review", "approved", "rejected"] + ["active"] * 15
        per_call = [s.applications // s.calls + (1 if c < s.applications % s.calls else 0) for c in range(s.calls)]
        per_call[0] -= 3  # the special applications are in the first call
        for c in range(s.calls):
            opens = month_add(self.anchor, -60 + 6 * c)
            call = FundingCall(
                pk=self.ids(FundingCall), regional_body=self.region,
                title=f"Testbäddar i offentlig sektor, omgång {c + 1}", fund_project_reference=f"NYPS-2020-{c + 1:05d}",
                fund_budget=Decimal("0.00"), opens_on=opens, closes_on=month_add(opens, 48),
                eligible_from=month_add(self.anchor, -72), eligible_until=month_add(self.anchor, 48),
                max_hourly_rate=Decimal("1000.00"), max_grant=Decimal("9000000.00"), state=FundingCall.State.OPEN)
            cb = CallBuilder(self, call, self.region)
            if c == 0:
                small, large = s.statement_entries
                special[f"entries_{small}"] = self.special(cb, small, STATEMENT_SHAPES[small], money_only=False)
                special[f"entries_{large}"] = self.special(cb, large, STATEMENT_SHAPES[large], money_only=False)
                special["big"] = self.special(cb, s.big_money_entries, BIG_SHAPE[s.big_money_entries], money_only=True)
            for i in range(per_call[c]):
                state = states[(i + c) % len(states)]
                self.application(cb, state=state, months=rng.randint(*s.months), partners=s.partners_per_application,
                                 persons=s.persons, cash_per_month=s.cash_per_month,
                                 submitted_claim=(i % 4 == 1))
            # The budget leaves a quarter uncommitted, as a call in mid-life would.
            call.fund_budget = round_to(self.granted[call.pk] * Decimal("1.25") + 1000000, 1000000)
            self.w.add(call)
            self.w.add(cb.book)
            entries, postings = cb.write_chain(at(opens, 8), self.officer)
            self.counts["entries"] += entries
            self.counts["postings"] += postings
            self.counts["books"] += 1
            calls.append(call)
            self.w.flush()
            log(f"call {c + 1}/{s.calls}: {per_call[c]} applications, {entries} entries, {postings} postings, "
                f"{time.perf_counter() - self.started:.0f} s since the start")
        User = get_user_model()
        tokens = {}
        applicant = next(u for org, u in self.public if org.pk == special["big"].applicant_id)
        company = next(u for org, u in self.companies
                       if org.pk == special["big"].partners.order_by("id").first().company_id)
        users = {"officer": self.officer, "officer2": self.officer2, "auditor": self.auditor,
                 "applicant": applicant, "company": company}
        for role, user in users.items():
            digest, token = get_digest_token()  # knox keeps only the hash; the bench keeps the token
            self.w.add(AuthToken(digest=digest, token_key=token[:CONSTANTS.TOKEN_KEY_LENGTH], user=user,
                                 created=self.now, expiry=timezone.now() + timedelta(days=2)))
            tokens[role] = token
        self.w.flush()
        reset_sequences(self.models)
        self.counts["organisations"] = len(self.public) + len(self.companies) + 2
        self.counts["users"] = User.objects.count()
        assert Book.objects.count() == s.calls and Application.objects.count() == s.applications
        return Dataset(scale=s, users=users, tokens=tokens, calls=calls, special=special, counts=dict(self.counts))


def reset_sequences(models) -> None:
    """PostgreSQL: move the id sequences past the ids given in memory (SQLite follows by itself)."""
    from django.core.management.color import no_style
    from django.db import connection

    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def build(scale: Scale) -> Dataset:
    from ledger import checkpoints
    from ledger.models import Book

    started = time.perf_counter()
    dataset = Builder(scale).build()
    for book in Book.objects.order_by("pk"):  # bulk-inserted: sign what was loaded, as an upgrade adopts
        checkpoints.checkpoint_book(book)
    dataset.seconds = time.perf_counter() - started
    return dataset
