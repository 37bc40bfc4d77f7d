"""The one visibility policy (DESIGN §2, rule P1), role × channel: every channel shows each role the
same things of the same fixtures — web pages, API lists and details, journal slices (JSONL, CSV),
the statement (PDF text, XLSX), audit events and receipts.

The expectations are derived here from the fixtures themselves (which entries touch which partner's
in-kind account), not from the selectors under test.
"""
import csv
import io
import json

import pytest
from django.test import Client
from openpyxl import load_workbook
from pypdf import PdfReader

from ledger.models import Account, JournalEntry
from tests.api.helpers import url
from tests.api.world import build_world
from tests.factories import RegionalBodyFactory, member

ROLES = ("applicant", "own_company", "other_company", "officer", "foreign_officer", "auditor", "stranger")
FULL = {"applicant", "officer", "auditor"}
PARTNERS = {"own_company", "other_company"}
NOBODY = {"foreign_officer", "stranger"}


@pytest.fixture
def matrix(draft, applicant, officer, second_officer, call, auditor, outsider):
    world = build_world(draft, applicant, officer, second_officer, call)
    users = {
        "applicant": applicant, "own_company": world.reps[world.x.pk], "other_company": world.reps[world.y.pk],
        "officer": officer, "foreign_officer": member("officer", RegionalBodyFactory(), "foreign-officer"),
        "auditor": auditor, "stranger": outsider,
    }
    return world, users


def expected_entry_seqs(world, role) -> set:
    """The entries of application A each role may see, from first principles."""
    entries = JournalEntry.objects.filter(application=world.application).prefetch_related("postings__account")
    if role in FULL:
        return {e.seq for e in entries}
    if role in NOBODY:
        return set()
    company = (world.x if role == "own_company" else world.y).company
    own_account = f"{Account.Kind.INKIND}:{world.application.reference}:{company.org_number}"
    seen = set()
    for entry in entries:
        summary = (entry.kind == JournalEntry.Kind.TRANSITION and entry.claim_id is None) or entry.kind in (
            JournalEntry.Kind.COMMITMENT, JournalEntry.Kind.DECOMMITMENT)
        if summary or any(p.account.code == own_account for p in entry.postings.all()):
            seen.add(entry.seq)
    return seen


def web(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_pages(client, path, **params):
    """Every row of a paginated API list (or the status code when it is not 200)."""
    rows, page = [], 1
    while True:
        response = client.get(path, {**params, "page": page})
        if response.status_code != 200:
            return response.status_code
        body = response.json()
        rows += body["results"]
        if not body.get("next"):
            return rows
        page += 1


def api(user):
    from tests.api.conftest import client_for

    return client_for(user)


@pytest.mark.django_db
def test_partner_policy_is_not_trivially_met(matrix):
    """The fixtures hold what the policy hides: cash entries and both partners' in-kind entries."""
    world, _users = matrix
    own, other = expected_entry_seqs(world, "own_company"), expected_entry_seqs(world, "other_company")
    everything = expected_entry_seqs(world, "applicant")
    assert own and other and own != other
    assert own < everything and other < everything
    cash = set(JournalEntry.objects.filter(application=world.application, kind="cash_contribution")
               .values_list("seq", flat=True))
    assert cash and not cash & own and not cash & other


@pytest.mark.django_db
def test_ledger_entries_agree_on_web_api_and_journal_slices(matrix):
    world, users = matrix
    application = world.application
    for role in ROLES:
        user = users[role]
        expected = expected_entry_seqs(world, role)
        page = web(user).get("/ledger/", {"application": application.reference, "page": 1})
        assert page.status_code == 200, role
        web_seqs = {e.seq for e in page.context["page"].paginator.object_list if e.application_id == application.pk}
        assert web_seqs == expected, role

        rows = api_pages(api(user), url("ledger/entries"), application=application.pk)
        if role in NOBODY:
            assert rows == 404, role  # the application itself is not visible: its filter value is unknown
        else:
            assert {row["seq"] for row in rows} == expected, role

        jsonl = web(user).get(f"/reports/applications/{application.reference}/journal.jsonl")
        csv_file = web(user).get(f"/reports/applications/{application.reference}/journal.csv")
        if role in NOBODY:
            assert jsonl.status_code == csv_file.status_code == 404, role
            continue
        lines = b"".join(jsonl.streaming_content).decode().splitlines()
        assert {json.loads(line)["seq"] for line in lines if line} == expected, role
        reader = csv.DictReader(io.StringIO(b"".join(csv_file.streaming_content).decode()))
        assert {int(row["seq"]) for row in reader} == expected, role


@pytest.mark.django_db
def test_pages_and_api_details_agree_on_applications(matrix):
    world, users = matrix
    a, b = world.application, world.other  # B is a draft of another applicant with X as partner
    for role in ROLES:
        user = users[role]
        sees_a = role not in NOBODY
        sees_b = role == "own_company"  # a draft: its partners only; never officers or auditors
        assert web(user).get(f"/applications/{a.reference}/").status_code == (200 if sees_a else 404), role
        assert web(user).get(f"/applications/{b.reference}/").status_code == (200 if sees_b else 404), role
        assert api(user).get(url("applications", a.pk)).status_code == (200 if sees_a else 404), role
        assert api(user).get(url("applications", b.pk)).status_code == (200 if sees_b else 404), role
        listed = {row["id"] for row in api_pages(api(user), url("applications"))}
        assert (a.pk in listed, b.pk in listed) == (sees_a, sees_b), role


@pytest.mark.django_db
def test_items_agree_on_page_api_and_receipt(matrix):
    world, users = matrix
    a = world.application
    for role in ROLES:
        user = users[role]
        reports = api_pages(api(user), url("time-reports"))
        cash = api_pages(api(user), url("cash-contributions"))
        claims = api_pages(api(user), url("claims"))
        partners = api_pages(api(user), url("partners"), application=a.pk)
        receipt = web(user).get(f"/cash/{world.cash_item.pk}/receipt/")
        page = web(user).get(f"/applications/{a.reference}/")
        if role in FULL:
            assert {r["id"] for r in reports} >= {world.x_report.pk, world.y_report.pk}, role
            assert world.cash_item.pk in {c["id"] for c in cash} and claims, role
            assert {p["id"] for p in partners} == {world.x.pk, world.y.pk}, role
            assert receipt.status_code == 200, role
            assert list(page.context["cash_items"]) and b">V1<" in page.content, role
        elif role in PARTNERS:
            own = world.x if role == "own_company" else world.y
            assert {r["partner"] for r in reports} == {own.pk}, role
            assert cash == [] and claims == [], role
            assert {p["id"] for p in partners} == {own.pk}, role
            assert receipt.status_code == 404, role
            assert page.context["cash_items"] is None and b">V1<" not in page.content, role
            assert {r.partner_id for r in page.context["time_reports"]} == {own.pk}, role
            other_person = "Bo" if role == "own_company" else "Anna"
            assert {r.person_name for r in page.context["time_reports"]}.isdisjoint({other_person}), role
        else:
            assert reports == [] and cash == [] and claims == [], role
            assert partners == 404, role
            assert receipt.status_code == 404, role


@pytest.mark.django_db
def test_audit_events_agree_on_page_and_api(matrix):
    world, users = matrix
    a = world.application
    hidden_from_partners = {"cashcontribution", "claim", "partner"}
    for role in ROLES:
        user = users[role]
        rows = api_pages(api(user), url("audit/events"), application=a.pk)
        page = web(user).get(f"/applications/{a.reference}/")
        trail = web(user).get("/reports/audit-trail.csv", {"application": a.reference})  # logs a download
        if role in NOBODY:
            assert rows == 404 and trail.status_code == 404, role
            continue
        types = {row["object_type"] for row in rows}
        assert {e.pk for e in page.context["events"]} == {row["id"] for row in rows}, role
        if role in FULL:
            assert {"cashcontribution", "claim"} <= types, role
            assert trail.status_code == 200, role
        else:
            assert not types & hidden_from_partners, role
            other = world.y_report if role == "own_company" else world.x_report
            assert str(other.pk) not in {row["object_id"] for row in rows if row["object_type"] == "timereport"}
            assert trail.status_code == 404, role


@pytest.mark.django_db
def test_statement_pdf_and_xlsx_follow_the_policy(matrix):
    world, users = matrix
    a = world.application
    for role in ROLES:
        user = users[role]
        pdf = web(user).get(f"/reports/applications/{a.reference}/statement.pdf", {"lang": "en"})
        xlsx = web(user).get(f"/reports/applications/{a.reference}/statement.xlsx", {"lang": "en"})
        if role in NOBODY:
            assert pdf.status_code == xlsx.status_code == 404, role
            continue
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
        book = load_workbook(io.BytesIO(xlsx.content), read_only=True)
        journal_seqs = {row[0] for row in book["Journal"].iter_rows(min_row=2, values_only=True)}
        with_legs = set(JournalEntry.objects.filter(application=a, postings__isnull=False).values_list("seq", flat=True))
        assert journal_seqs == expected_entry_seqs(world, role) & with_legs, role  # the sheet lists legs
        people = {row[2] for row in book["Time reports"].iter_rows(min_row=2, values_only=True)}
        if role in FULL:
            assert "V1" in text and "Cash items" in book.sheetnames and "Claims" in book.sheetnames, role
            assert {"Anna", "Bo"} <= people, role
        else:
            assert "V1" not in text and "Cash items" not in book.sheetnames and "Claims" not in book.sheetnames
            assert people == ({"Anna"} if role == "own_company" else {"Bo"}), role
            assert "partner statement" in text, role


@pytest.mark.django_db
def test_claim_due_dates_agree_on_page_and_api(matrix):  # rules D1, P1
    world, users = matrix
    application = world.application
    assert application.reporting_periods.exists()  # the world's application is active
    for role in ROLES:
        user = users[role]
        if role in NOBODY:
            assert api(user).get(url("applications", application.pk)).status_code == 404, role
            continue
        page = web(user).get(f"/applications/{application.reference}/").content.decode()
        periods = api(user).get(url("applications", application.pk)).json()["reporting_periods"]
        shown = "Reporting periods and claim due dates" in page
        assert shown == (periods is not None) == (role in FULL), role
