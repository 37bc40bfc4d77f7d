"""Retention of an application's records (rules E6, T7): dates with a fixed clock, deletion refused
before the end, and the officers' list of applications whose retention has ended."""
import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client

from applications import retention
from applications.models import AuditEvent
from core import clock
from ledger.models import (
    AppendOnlyError,
    CashContribution,
    last_payment_date,
    retention_end_of,
    retention_has_ended,
)
from tests.scenarios import cash, claim_and_pay, months, report


def test_retention_ends_31_december_of_the_fifth_year_after_the_last_payment():
    # rule T7: last payment 12 March 2026 → kept until 31 December 2031
    assert retention.retention_end(date(2026, 3, 12), state_aid=False) == date(2031, 12, 31)


def test_state_aid_keeps_records_ten_years():
    # rules T7, S4: the longest applies
    assert retention.retention_end(date(2026, 3, 12), state_aid=True) == date(2036, 12, 31)


def test_no_payment_means_no_end_yet():
    assert retention.retention_end(None, state_aid=False) is None
    assert not retention.has_ended(None, date(2099, 1, 1))


def test_retention_ends_after_its_last_day_not_on_it():
    end = date(2031, 12, 31)
    assert not retention.has_ended(end, date(2031, 12, 31))
    assert retention.has_ended(end, date(2032, 1, 1))


@pytest.fixture
def paid(example, applicant, officer, second_officer):
    application, x, _y, reps = example
    item = cash(application, applicant, "150000.00", "VER-1")
    report(x, reps, months(application, 0), "100")
    claim_and_pay(application, applicant, officer, second_officer)
    item.refresh_from_db()
    return application, item


@pytest.mark.django_db
def test_an_application_counts_from_its_last_payment(paid):
    application, _item = paid
    paid_on = last_payment_date(application)
    assert paid_on == clock.today()
    assert retention_end_of(application) == date(paid_on.year + 5, 12, 31)
    partner = application.partners.first()
    partner.has_state_aid = True
    partner.save()
    assert retention_end_of(application) == date(paid_on.year + 10, 12, 31)


@pytest.mark.django_db
def test_a_claimed_cash_item_cannot_be_deleted_before_retention_ends(paid, monkeypatch):
    application, item = paid
    with pytest.raises(AppendOnlyError, match="retention"):
        item.delete()
    assert not retention_has_ended(application)
    end = retention_end_of(application)
    monkeypatch.setattr(clock, "today", lambda: date(end.year + 1, 1, 1))
    assert retention_has_ended(application)


@pytest.mark.django_db
def test_the_database_refuses_to_delete_a_claimed_cash_item_in_sql(paid):
    # the threat model's tool: raw SQL past the model layer
    _application, item = paid
    with pytest.raises(DatabaseError, match="retention"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM ledger_cashcontribution WHERE id = %s", [item.pk])
    assert CashContribution.objects.filter(pk=item.pk).exists()


@pytest.mark.django_db
def test_an_item_not_yet_claimed_is_the_applicants_working_paper(example, applicant):
    application, _x, _y, _reps = example
    item = cash(application, applicant, "1000.00", "VER-9")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM ledger_cashcontribution WHERE id = %s", [item.pk])
    assert not CashContribution.objects.filter(pk=item.pk).exists()


@pytest.mark.django_db
def test_officers_list_applications_whose_retention_has_ended(paid, officer, company_rep, monkeypatch):
    application, _item = paid
    end = retention_end_of(application)
    client = Client()
    client.force_login(officer)
    monkeypatch.setattr(clock, "today", lambda: end)
    assert application.reference.encode() not in client.get("/applications/retention-ended/").content
    monkeypatch.setattr(clock, "today", lambda: date(end.year + 1, 1, 1))
    page = client.get("/applications/retention-ended/")
    assert page.status_code == 200 and application.reference.encode() in page.content
    rep = Client()
    rep.force_login(company_rep)
    assert rep.get("/applications/retention-ended/").status_code == 404


@pytest.mark.django_db
def test_the_application_page_shows_the_retention_end(paid, officer):
    application, _item = paid
    client = Client()
    client.force_login(officer)
    page = client.get(f"/applications/{application.reference}/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.context["retention_end"] == retention_end_of(application)
    assert b"data-retention" in page.content


@pytest.mark.django_db
def test_mark_state_aid_command_keeps_records_ten_years_and_is_audited(paid):
    application, _item = paid
    partner = application.partners.first()
    call_command("mark_state_aid", "--application", application.reference, "--company",
                 partner.company.org_number, "--comment", "de minimis 2026-17", stdout=io.StringIO())
    assert retention_end_of(application) == date(last_payment_date(application).year + 10, 12, 31)
    event = AuditEvent.objects.filter(object_type="partner", action="update").latest("id")
    assert event.changes == {"has_state_aid": [False, True]} and event.comment == "de minimis 2026-17"
    with pytest.raises(CommandError, match="not a partner"):
        call_command("mark_state_aid", "--application", application.reference, "--company", "212000-0142")
