"""The application page: what it shows, which buttons each user gets, and taking transitions from it."""
from decimal import Decimal

import pytest
from django.urls import reverse

from applications.models import Application, Decision
from services import lifecycle
from tests.conftest import move
from tests.factories import ApplicationFactory

D = Decimal


def detail(client, application):
    return client.get(reverse("web:application_detail", args=[application.reference]))


def act(client, application, name, **data):
    return client.post(reverse("web:application_transition", args=[application.reference, name]), data)


@pytest.mark.django_db
def test_page_shows_parties_budget_decision_balances_and_timeline(as_user, auditor, active, company):
    html = detail(as_user(auditor), active).content.decode()
    for text in (active.applicant.org_number, company.org_number, company.name, "Granted fund amount",
                 "400,000.00 kr", "Uppfyller kriterierna.", "Ledger balances", "moved Draft → Submitted",
                 "moved Approved → Active"):
        assert text in html, text


@pytest.mark.parametrize("role, state, expected", [
    ("applicant", "draft", ["submit", "withdraw"]),
    ("officer", "submitted", ["start_review"]),
    ("officer", "under_review", ["request_changes", "approve", "reject"]),
    ("applicant", "under_review", ["withdraw"]),
    ("applicant", "approved", ["activate"]),
    ("applicant", "changes_requested", ["submit", "withdraw"]),  # issue 20: withdraw while changes are requested
    ("applicant", "active", []),  # closing begins with the final claim, never by a button that always fails
    ("officer", "closing", ["close"]),
    ("officer", "active", ["terminate"]),
    ("auditor", "under_review", []),
    ("company_rep", "active", []),
])
@pytest.mark.django_db
def test_buttons_are_exactly_the_transitions_the_user_may_take(
        role, state, expected, request, as_user, call, municipality, company):
    from tests.factories import PartnerFactory

    application = ApplicationFactory(call=call, applicant=municipality, state=state)
    PartnerFactory(application=application, company=company)
    response = detail(as_user(request.getfixturevalue(role)), application)
    assert [action["name"] for action in response.context["actions"]] == expected
    html = response.content.decode()
    for name in expected:
        assert f'id="dialog-{name}"' in html


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["officer", "auditor"])
def test_a_draft_is_not_found_for_officers_and_auditors(role, request, as_user, call, municipality):
    application = ApplicationFactory(call=call, applicant=municipality, state="draft")
    assert detail(as_user(request.getfixturevalue(role)), application).status_code == 404


@pytest.mark.django_db
def test_irreversible_actions_ask_for_confirmation(as_user, officer, call, municipality):
    application = ApplicationFactory(call=call, applicant=municipality, state="under_review")
    html = detail(as_user(officer), application).content.decode()
    reject = html.split('id="dialog-reject"')[1].split("</dialog>")[0]
    assert "This cannot be undone." in reject and "Confirm: Reject" in reject
    request_changes = html.split('id="dialog-request_changes"')[1].split("</dialog>")[0]
    assert "This cannot be undone." not in request_changes


@pytest.mark.django_db
def test_applicant_submits(as_user, applicant, draft):
    response = act(as_user(applicant), draft, "submit")
    assert response.status_code == 302
    assert Application.objects.get(pk=draft.pk).state == "submitted"


@pytest.mark.django_db
def test_refused_submission_lists_every_unmet_rule(as_user, applicant, draft):
    draft.partners.update(planned_hours=D("1"))
    Application.objects.filter(pk=draft.pk).update(public_cash=D("5000000"))
    response = act(as_user(applicant), draft, "submit")
    errors = response.context["action"]["form"].non_field_errors()
    assert response.status_code == 200 and Application.objects.get(pk=draft.pk).state == "draft"
    assert any("less than the required" in e for e in errors)
    assert any("above the call's maximum" in e for e in errors)


@pytest.mark.django_db
def test_comment_is_required_where_the_service_requires_it(as_user, officer, call, municipality):
    application = ApplicationFactory(call=call, applicant=municipality, state="under_review")
    response = act(as_user(officer), application, "reject", comment="  ")
    html = response.content.decode()
    assert response.status_code == 200 and Application.objects.get(pk=application.pk).state == "under_review"
    assert 'id="id_reject_comment_error"' in html


@pytest.mark.django_db
def test_officer_approves_with_a_granted_amount(as_user, officer, applicant, draft):
    application = move(draft, "submit", "start_review", by_applicant=applicant, by_officer=officer)
    response = act(as_user(officer), application, "approve", granted="350 000,00", comment="Bra.")
    assert response.status_code == 302
    assert Decision.objects.get().granted_amount == D("350000.00")
    assert Application.objects.get(pk=draft.pk).state == "approved"


@pytest.mark.django_db
def test_grant_above_request_is_an_error_on_the_amount(as_user, officer, applicant, draft):
    application = move(draft, "submit", "start_review", by_applicant=applicant, by_officer=officer)
    response = act(as_user(officer), application, "approve", granted="500000", comment="Bra.")
    form = response.context["action"]["form"]
    assert any("more than the requested" in e for e in form.non_field_errors())
    assert not Decision.objects.exists()


@pytest.mark.django_db
def test_approval_page_shows_requested_and_remaining(as_user, officer, applicant, draft):
    application = move(draft, "submit", "start_review", by_applicant=applicant, by_officer=officer)
    response = as_user(officer).get(reverse("web:application_transition", args=[application.reference, "approve"]))
    html = response.content.decode()
    assert "Remaining call budget" in html and 'value="400000.00"' in html


@pytest.mark.django_db
def test_stale_button_shows_the_conflict(as_user, applicant, draft):
    client = as_user(applicant)
    lifecycle.transition(draft, "withdraw", by=applicant, comment="Nej.")
    response = client.post(reverse("web:application_transition", args=[draft.reference, "submit"]), follow=True)
    assert "someone may have acted on it already" in response.content.decode()


@pytest.mark.django_db
def test_role_without_the_transition_gets_404(as_user, company_rep, auditor, draft):
    for user in (company_rep, auditor):
        assert act(as_user(user), draft, "submit").status_code == 404
    assert Application.objects.get(pk=draft.pk).state == "draft"


@pytest.mark.django_db
def test_outsider_gets_404_for_every_action(as_user, outsider, draft):
    assert act(as_user(outsider), draft, "withdraw", comment="x").status_code == 404
    assert act(as_user(outsider), draft, "no_such_action").status_code == 404


@pytest.mark.django_db
def test_partner_representative_sees_only_own_time_reports_and_no_cash(as_user, company_rep, claim):
    response = detail(as_user(company_rep), claim.application)
    assert response.context["cash_items"] is None and response.context["claims"] is None
    assert "VER-1" not in response.content.decode()


@pytest.mark.django_db
def test_statement_link_is_offered_when_reports_serve_it(as_user, auditor, active):
    html = detail(as_user(auditor), active).content.decode()
    assert f'href="/reports/applications/{active.reference}/statement.pdf"' in html


@pytest.mark.django_db
def test_an_action_possible_later_says_when_instead_of_a_button(as_user, applicant, active):
    response = detail(as_user(applicant), active)
    assert "begin_closing" not in [action["name"] for action in response.context["actions"]]
    assert response.context["later"] == ["Closing starts when the final payment claim is submitted."]
    assert "Closing starts when the final payment claim is submitted." in response.content.decode()


@pytest.mark.django_db
def test_closing_waits_for_unpaid_claims_in_words(as_user, officer, call, municipality, company):
    from ledger.models import Claim
    from tests.factories import PartnerFactory

    application = ApplicationFactory(call=call, applicant=municipality, state="closing")
    PartnerFactory(application=application, company=company)
    Claim.objects.create(application=application, number=1, period_start=application.start_date,
                         period_end=application.start_date, is_final=True, state="submitted",
                         created_by=officer)
    response = detail(as_user(officer), application)
    assert response.context["actions"] == []
    assert response.context["later"] == ["The application can be closed when every payment claim has been paid."]


@pytest.mark.django_db
def test_applicant_withdraws_while_changes_are_requested(as_user, applicant, call, municipality, company):
    from tests.factories import PartnerFactory

    application = ApplicationFactory(call=call, applicant=municipality, state="changes_requested")
    PartnerFactory(application=application, company=company)
    response = act(as_user(applicant), application, "withdraw", comment="Vi drar tillbaka ansökan.")
    assert response.status_code == 302
    assert Application.objects.get(pk=application.pk).state == "withdrawn"
