"""The one visibility policy (DESIGN §2, rule P1), role × channel: every channel shows each role the
same things of the same fixtures — web pages, API lists and details, journal slices (JSONL, CSV),
the statement (PDF text, XLSX), audit events and receipts.

The expectations are derived here from the fixtures themselves (which entries touch which partner's
in-kind account), not from the selectors under test.
"""
import csv
import io
import json
import zipfile

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
        assert json.loads(lines[0])["format"] == "testbed-ledger-slice/1", role  # the signed header (issue 14)
        assert {json.loads(line)["seq"] for line in lines[1:] if line} == expected, role
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
def test_dossier_follows_the_policy(matrix):
    """The dossier ZIP (web and API) holds each role's own journal slice; receipts only in full view."""
    world, users = matrix
    a = world.application
    for role in ROLES:
        user = users[role]
        page = web(user).get(f"/reports/applications/{a.reference}/dossier.zip", {"lang": "en"})
        via_api = api(user).get(f"/api/v1/reports/applications/{a.reference}/dossier.zip")
        if role in NOBODY:
            assert page.status_code == via_api.status_code == 404, role
            continue
        assert page.status_code == via_api.status_code == 200, role
        archive = zipfile.ZipFile(io.BytesIO(b"".join(page.streaming_content)))
        lines = archive.read("journal/slice.jsonl").decode().splitlines()
        assert {json.loads(line)["seq"] for line in lines if line} == expected_entry_seqs(world, role), role
        receipts = [name for name in archive.namelist() if name.startswith("receipts/")]
        assert bool(receipts) == (role in FULL), role


@pytest.mark.django_db
def test_internal_notes_reach_only_officers_and_auditors_in_every_channel(matrix):
    """DESIGN §2: an officer's internal note is never shown to the applicant or a company (issue 20)."""
    from services import comments

    world, users = matrix
    a = world.application
    note = comments.write_comment(a, by=users["officer"], text="Intern: kontrollera timpriset.", internal=True)
    message = comments.write_comment(a, by=users["officer"], text="Till sökande: skicka kvittot.", internal=False)
    for role in ROLES:
        user = users[role]
        rows = api_pages(api(user), url("audit/events"), application=a.pk)
        page = web(user).get(f"/applications/{a.reference}/")
        trail = web(user).get("/reports/audit-trail.csv", {"application": a.reference})
        if role in NOBODY:
            assert rows == 404 and page.status_code == 404, role
            continue
        ids = {row["id"] for row in rows}
        html = page.content.decode()
        trail_text = b"".join(trail.streaming_content).decode() if trail.status_code == 200 else ""
        reads_notes = role in {"officer", "auditor"}
        assert (note.pk in ids) == reads_notes, role
        assert ("Intern: kontrollera timpriset." in html) == reads_notes, role
        if trail_text:
            assert ("Intern: kontrollera timpriset." in trail_text) == reads_notes, role
        assert message.pk in ids and "Till sökande: skicka kvittot." in html, role


@pytest.mark.django_db
def test_sie_export_is_for_the_calls_officers_and_auditors(matrix):
    """The SIE 4 file of a book (web and API): the call's officers and auditors; everyone else 404."""
    world, users = matrix
    book = world.application.call.book
    for role in ROLES:
        user = users[role]
        page = web(user).get(f"/reports/books/{book.pk}/sie.se")
        via_api = api(user).get(f"/api/v1/reports/books/{book.pk}/sie.se")
        expected = 200 if role in {"officer", "auditor"} else 404
        assert page.status_code == via_api.status_code == expected, role
        if expected == 200:
            assert b"#SIETYP 4" in b"".join(page.streaming_content), role


@pytest.mark.django_db
def test_signed_checkpoints_of_a_book_agree_with_who_may_export_the_whole_book(matrix):
    """The API's checkpoints of a book and the whole book's journal (web): the call's officers and auditors."""
    world, users = matrix
    book = world.application.call.book
    for role in ROLES:
        user = users[role]
        rows = api(user).get("/api/v1/ledger/checkpoints/").json()["results"]
        whole = web(user).get(f"/reports/books/{book.pk}/journal.jsonl")
        if role in {"officer", "auditor"}:
            assert {row["book"] for row in rows} == {book.pk} and whole.status_code == 200, role
        else:
            assert rows == [] and whole.status_code == 404, role


@pytest.mark.django_db
def test_calls_agree_on_pages_and_api(matrix):
    """A draft call is seen by its body's officers and auditors only; an open call by everyone (issue 16)."""
    from tests.factories import FundingCallFactory

    world, users = matrix
    region = world.application.call.regional_body
    draft_call = FundingCallFactory(regional_body=region, state="draft")
    sees_draft = {"officer", "auditor"}
    for role in ROLES:
        expected = 200 if role in sees_draft else 404
        assert web(users[role]).get(f"/calls/{draft_call.pk}/").status_code == expected, role
        assert api(users[role]).get(url("calls", draft_call.pk)).status_code == expected, role
        listed = {c["id"] for c in api_pages(api(users[role]), url("calls"))}
        assert (draft_call.pk in listed) == (role in sees_draft), role
        assert web(users[role]).get(f"/calls/{world.application.call_id}/").status_code == 200, role


@pytest.mark.django_db
def test_an_ended_membership_sees_nothing_in_any_channel(matrix):
    """Ending a membership keeps it as history and takes the access away on pages and in the API (issue 16)."""
    from services import people

    world, users = matrix
    applicant = users["applicant"]
    colleague = member("applicant", world.application.applicant, "colleague")
    assert web(colleague).get(f"/applications/{world.application.reference}/").status_code == 200
    applicant.memberships.update(is_admin=True)
    people.end_membership(colleague.memberships.get(), by=applicant)
    assert colleague.memberships.filter(ended_at__isnull=False).count() == 1
    assert web(colleague).get(f"/applications/{world.application.reference}/").status_code == 404
    assert api(colleague).get(url("applications", world.application.pk)).status_code == 404
    assert api_pages(api(colleague), url("ledger/entries")) == []


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
