"""Messages and history on the application page (issue 20, deliverable 4): the request for changes on
top, officers' comments as messages or internal notes, and a timeline that says what changed."""
from decimal import Decimal

import pytest
from django.urls import reverse

from applications.models import AuditEvent
from services import drafting, lifecycle

D = Decimal


def page(client, application):
    return client.get(reverse("web:application_detail", args=[application.reference]))


@pytest.fixture
def changes_requested(draft, applicant, officer):
    lifecycle.transition(draft, "submit", by=applicant)
    lifecycle.transition(draft, "start_review", by=officer)
    lifecycle.transition(draft, "request_changes", by=officer, comment="Komplettera behovsanalysen.")
    return draft


@pytest.mark.django_db
def test_request_for_changes_is_a_banner_on_top_for_the_applicant(as_user, applicant, changes_requested):
    html = page(as_user(applicant), changes_requested).content.decode()
    banner = html.index("data-changes-requested")
    assert "Komplettera behovsanalysen." in html[banner:html.index("</section>", banner)]
    assert banner < html.index('id="actions-heading"') < html.index('id="timeline-heading"')


@pytest.mark.django_db
def test_banner_goes_away_on_resubmission(as_user, applicant, changes_requested):
    lifecycle.transition(changes_requested, "submit", by=applicant)
    response = page(as_user(applicant), changes_requested)
    assert response.context["changes_requested"] is None and "data-changes-requested" not in response.content.decode()


@pytest.mark.django_db
def test_officer_writes_an_internal_note_from_the_page(as_user, officer, applicant, changes_requested):
    response = as_user(officer).post(reverse("web:application_comment", args=[changes_requested.reference]),
                                     {"text": "Ring kommunen om budgeten.", "kind": "internal"})
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="comment")
    assert event.comment_kind == "internal" and event.actor == officer
    assert "Ring kommunen om budgeten." in page(as_user(officer), changes_requested).content.decode()
    assert "Ring kommunen om budgeten." not in page(as_user(applicant), changes_requested).content.decode()


@pytest.mark.django_db
def test_officer_message_reaches_the_applicant(as_user, officer, applicant, changes_requested):
    as_user(officer).post(reverse("web:application_comment", args=[changes_requested.reference]),
                          {"text": "Vi återkommer i maj.", "kind": "message"})
    assert "Vi återkommer i maj." in page(as_user(applicant), changes_requested).content.decode()


@pytest.mark.django_db
def test_empty_comment_is_an_error_on_its_field(as_user, officer, changes_requested):
    response = as_user(officer).post(reverse("web:application_comment", args=[changes_requested.reference]),
                                     {"text": " ", "kind": "message"})
    assert response.status_code == 200 and response.context["comment_form"].errors["text"]
    assert not AuditEvent.objects.filter(action="comment").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["applicant", "company_rep", "auditor"])
def test_only_officers_of_the_call_comment(role, request, as_user, changes_requested):
    client = as_user(request.getfixturevalue(role))
    response = client.post(reverse("web:application_comment", args=[changes_requested.reference]),
                           {"text": "Hej", "kind": "message"})
    assert response.status_code == 404 and not AuditEvent.objects.filter(action="comment").exists()


@pytest.mark.django_db
def test_timeline_says_what_changed_before_and_after(as_user, applicant, draft):
    partner = draft.partners.get()
    drafting.update_partner(partner, by=applicant, planned_hours="550", hourly_rate=partner.hourly_rate)
    html = page(as_user(applicant), draft).content.decode()
    assert f"changed {partner.company.name}" in html and " in TB-" not in html
    assert "Planned hours: 500.00 h → 550.00 h" in html


@pytest.mark.django_db
def test_timeline_formats_the_decision_amount(as_user, auditor, active):
    html = page(as_user(auditor), active).content.decode()
    assert "created the decision" in html and "Granted fund amount: 400,000.00 kr" in html
    assert "SEK" not in html


@pytest.mark.django_db
def test_timeline_in_swedish_has_swedish_amounts_and_names(as_user, auditor, active):
    client = as_user(auditor)
    html = client.get(reverse("web:application_detail", args=[active.reference]), HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    assert "Beviljat stöd: 400\u00a0000,00 kr" in html
