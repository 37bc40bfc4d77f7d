"""The application page stays small however long the project runs: time reports, cash contributions and the
timeline are shown a page at a time, each with its own page parameter, in a constant number of queries."""
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications.models import AuditEvent
from ledger.models import CashContribution, TimeReport
from web.views.applications import EVENTS_PER_PAGE
from web.views.common import ROWS_PER_PAGE


def fill(active, partner, applicant, company_rep, count, start=0):
    """`count` time reports, cash contributions and audit events, written straight to the tables."""
    TimeReport.objects.bulk_create(
        TimeReport(partner=partner, person_name=f"Person {n:04d}", month=date(2026, 1 + n % 12, 1),
                   hours=Decimal("10.00"), hourly_rate=Decimal("700.00"), description="Sensorarbete",
                   reported_by=company_rep) for n in range(start, start + count))
    CashContribution.objects.bulk_create(
        CashContribution(application=active, amount=Decimal("1000.00"), paid_on=date(2026, 3, 1),
                         voucher_reference=f"V-{n:04d}", reported_by=applicant) for n in range(start, start + count))
    AuditEvent.objects.bulk_create(
        AuditEvent(actor=applicant, actor_name=applicant.username, action="comment", object_type="application",
                   object_id=str(active.pk), object_repr=f"note {n:04d}", application=active, comment=f"Meddelande {n}")
        for n in range(start, start + count))


def page(client, active, **query):
    return client.get(reverse("web:application_detail", args=[active.reference]), query)


@pytest.mark.django_db
def test_each_list_is_shown_a_page_at_a_time(as_user, officer, active, partner, applicant, company_rep):
    fill(active, partner, applicant, company_rep, ROWS_PER_PAGE + 7)
    client = as_user(officer)
    first = page(client, active)
    assert len(first.context["time_reports"]) == ROWS_PER_PAGE
    assert len(first.context["cash_items"]) == ROWS_PER_PAGE
    html = first.content.decode()
    assert "time_page=2#time-heading" in html and "cash_page=2#cash-heading" in html
    assert "Person 0000" in html and "V-0056" not in html

    second = page(client, active, time_page=2, cash_page="2")
    assert len(second.context["time_reports"]) == 7
    assert len(second.context["cash_items"]) == 7
    assert "V-0056" in second.content.decode()
    # one list's page leaves the other lists where they were
    mixed = page(client, active, time_page=2)
    assert len(mixed.context["time_reports"]) == 7 and len(mixed.context["cash_items"]) == ROWS_PER_PAGE
    assert "time_page=2&amp;cash_page=2#cash-heading" in mixed.content.decode()


@pytest.mark.django_db
def test_the_timeline_is_paged_and_a_bad_page_number_shows_a_page(as_user, officer, active, partner, applicant,
                                                                    company_rep):
    fill(active, partner, applicant, company_rep, EVENTS_PER_PAGE + 1)
    client = as_user(officer)
    response = page(client, active)
    assert len(response.context["events"]) == EVENTS_PER_PAGE
    assert "events_page=2#timeline-heading" in response.content.decode()
    for bad in ("abc", "0", "-1", "999999"):
        response = page(client, active, events_page=bad, time_page=bad)
        assert response.status_code == 200
        assert response.context["events_page"].number in (1, response.context["events_page"].paginator.num_pages)


@pytest.mark.django_db
def test_the_number_of_queries_does_not_grow_with_the_project(as_user, officer, active, partner, applicant,
                                                              company_rep):
    client = as_user(officer)
    fill(active, partner, applicant, company_rep, 3)
    page(client, active)
    with CaptureQueriesContext(connection) as few:
        page(client, active)
    fill(active, partner, applicant, company_rep, EVENTS_PER_PAGE, start=3)
    with CaptureQueriesContext(connection) as many:
        full = page(client, active)
    fill(active, partner, applicant, company_rep, 3 * EVENTS_PER_PAGE, start=3 + EVENTS_PER_PAGE)
    with CaptureQueriesContext(connection) as more:
        fuller = page(client, active)
    assert len(few) == len(many) == len(more)
    # four times the rows, the same page: only the page counts ("Page 1 of 2" → "of 6") change
    assert abs(len(fuller.content) - len(full.content)) < 100
