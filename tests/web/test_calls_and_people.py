"""Pages of issue 16: officers set up calls in the browser, applicants read an open call's rules, register
a partner company and invite people; invitations are accepted on a page; password reset works by e-mail
in the recipient's language."""
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse

from applications.models import FundingCall, Invitation, Membership, NotificationPreference, Organisation
from services import people
from tests.factories import FundingCallFactory, MembershipFactory, RegionalBodyFactory, UserFactory, member

pytestmark = pytest.mark.django_db

FORM = {"title": "Testbäddar 2027", "fund_project_reference": "20366666", "fund_budget": "5 000 000",
        "opens_on": "2027-01-01", "closes_on": "2027-06-30", "eligible_from": "2027-01-01",
        "eligible_until": "2029-12-31", "fund_ratio": "0,4", "inkind_ratio": "0.5", "max_hourly_rate": "900",
        "max_grant": "2000000", "max_hours_per_person_month": "160", "four_eyes": "on",
        "four_eyes_threshold": "", "reporting_period_months": "4", "grace_days": "20", "max_advance": "400000",
        "max_advance_ratio": "0.5"}


def test_an_officer_creates_a_call_as_a_draft_from_the_form(as_user, officer, region):
    response = as_user(officer).post(reverse("web:call_create"), {**FORM, "regional_body": region.pk})
    call = FundingCall.objects.get(fund_project_reference="20366666")
    assert response.status_code == 302 and response["Location"] == reverse("web:call_detail", args=[call.pk])
    assert call.state == "draft" and str(call.fund_ratio) == "0.4000" and call.reporting_period_months == 4


def test_the_call_form_shows_every_problem_next_to_its_field(as_user, officer, region):
    response = as_user(officer).post(reverse("web:call_create"), {
        **FORM, "regional_body": region.pk, "fund_ratio": "2", "closes_on": "2026-01-01"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_fund_ratio_error"' in html and 'id="id_closes_on_error"' in html
    assert "at most 1" in html  # rule E1
    assert not FundingCall.objects.filter(fund_project_reference="20366666").exists()


def test_an_officer_cannot_create_a_call_for_another_body(as_user, officer):
    other = RegionalBodyFactory(name="Region Skåne")
    response = as_user(officer).post(reverse("web:call_create"), {**FORM, "regional_body": other.pk})
    assert response.status_code == 200 and "regional_body" in response.context["form"].errors
    assert not FundingCall.objects.filter(fund_project_reference="20366666").exists()


def test_the_form_previews_the_matching_rule_in_words(as_user, officer):
    client = as_user(officer)
    body = client.get(reverse("web:call_rule_preview") + "?fund_ratio=0.4&inkind_ratio=0.5").json()
    assert body["text"] == ("The fund pays 40\u00a0% of the matched public cash; the companies' in-kind time "
                            "must be worth at least 50\u00a0% of the cash.")
    assert client.get(reverse("web:call_rule_preview") + "?fund_ratio=x").json() == {"text": ""}
    html = client.get(reverse("web:call_create")).content.decode()
    assert "The fund pays 100\u00a0% of the matched public cash" in html


def test_a_draft_call_is_edited_and_an_open_one_is_not(as_user, officer, region):
    call = FundingCallFactory(regional_body=region, state="draft")
    client = as_user(officer)
    response = client.post(reverse("web:call_edit", args=[call.pk]), {**FORM, "title": "Ändrad"})
    assert response.status_code == 302 and FundingCall.objects.get(pk=call.pk).title == "Ändrad"
    client.post(reverse("web:call_transition", args=[call.pk, "open"]),
                {"next": reverse("web:call_detail", args=[call.pk])})
    assert FundingCall.objects.get(pk=call.pk).state == "open"
    response = client.post(reverse("web:call_edit", args=[call.pk]), {**FORM, "title": "Sent"}, follow=True)
    assert "only while it is a draft" in response.content.decode()
    assert FundingCall.objects.get(pk=call.pk).title == "Ändrad"


def test_a_draft_call_is_hidden_from_applicants_and_other_bodies(as_user, applicant, region):
    call = FundingCallFactory(regional_body=region, state="draft")
    other = member("officer", RegionalBodyFactory(name="Region Skåne"), "skane")
    for user in (applicant, other):
        assert as_user(user).get(reverse("web:call_detail", args=[call.pk])).status_code == 404
        assert as_user(user).get(reverse("web:call_edit", args=[call.pk])).status_code == 404


def test_an_applicant_reads_an_open_calls_rules_and_dates(as_user, applicant, call):
    html = as_user(applicant).get(reverse("web:call_detail", args=[call.pk])).content.decode()
    assert "The fund pays 100\u00a0% of the matched public cash" in html
    assert call.closes_on.isoformat() in html and call.eligible_until.isoformat() in html
    assert f"{reverse('web:application_create')}?call={call.pk}" in html


def test_an_applicant_registers_a_company_and_a_duplicate_shows_the_existing_one(as_user, applicant):
    client = as_user(applicant)
    response = client.post(reverse("web:organisation_create"), {
        "org_number": "5560360793", "name": "Nya Sensor AB", "contact_email": "info@nyasensor.se"})
    company = Organisation.objects.get(org_number="556036-0793")
    assert response["Location"] == reverse("web:organisation_detail", args=[company.pk])
    response = client.post(reverse("web:organisation_create"), {"org_number": "556036-0793", "name": "Tvilling AB"},
                           follow=True)
    assert "already registered as Nya Sensor AB" in response.content.decode()
    assert Organisation.objects.filter(org_number="556036-0793").count() == 1


def test_an_invalid_organisation_number_is_explained(as_user, applicant):
    response = as_user(applicant).post(reverse("web:organisation_create"), {
        "org_number": "200000-0006", "name": "Person AB"})  # T9
    assert "looks like a personal identity number" in response.content.decode()


def test_members_see_their_organisations_members_and_others_do_not(as_user, company, company_rep, applicant):
    url = reverse("web:organisation_detail", args=[company.pk])
    assert list(as_user(company_rep).get(url).context["members"]) == list(company_rep.memberships.all())
    assert "Members" not in as_user(applicant).get(url).content.decode()


def test_an_org_admin_invites_and_the_invitee_sets_a_password_and_lands_in_the_org(
        as_user, client, company, django_capture_on_commit_callbacks):
    admin = UserFactory(username="vd")
    MembershipFactory(user=admin, organisation=company, role="company", is_admin=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(admin).post(reverse("web:organisation_detail", args=[company.pk]),
                                       {"email": "anna@bolaget.se", "language": "en"})
    assert response.status_code == 302
    path = re.search(r"/invitations/\S+/", mail.outbox[0].body).group(0)
    assert "join" in client.get(path).content.decode()
    response = client.post(path, {"username": "anna", "password": "ett-långt-Lösenord-2026",
                                  "password_again": "ett-långt-Lösenord-2026"})
    assert response.status_code == 302 and response["Location"] == "/"
    membership = Membership.objects.get(user__username="anna")
    assert (membership.organisation, membership.role) == (company, "company")
    assert client.get(path).status_code == 410  # single use


def test_the_invitation_page_shows_validator_messages(client, company, applicant):
    company.registered_by = applicant
    company.save()
    _, token = people.invite(organisation=company, email="anna@bolaget.se", by=applicant)
    response = client.post(reverse("web:invitation_accept", args=[token]), {
        "username": "anna", "password": "12345678", "password_again": "12345678"})
    assert response.status_code == 200 and 'id="id_password_error"' in response.content.decode()
    assert not Invitation.objects.get().accepted_at


def test_an_expired_invitation_page_says_so(client, company, applicant):
    company.registered_by = applicant
    company.save()
    invitation, token = people.invite(organisation=company, email="anna@bolaget.se", by=applicant)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=invitation.created_at - timedelta(days=1))
    response = client.get(reverse("web:invitation_accept", args=[token]))
    assert response.status_code == 410 and "expired" in response.content.decode()


def test_an_org_admin_ends_a_membership_from_the_page(as_user, company, company_rep):
    admin = UserFactory(username="vd")
    MembershipFactory(user=admin, organisation=company, role="company", is_admin=True)
    membership = company_rep.memberships.get()
    response = as_user(admin).post(reverse("web:membership_end", args=[membership.pk]))
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.ended_at is not None
    assert as_user(company_rep).post(reverse("web:membership_end", args=[admin.memberships.get().pk])).status_code \
        == 404


def test_password_reset_mails_a_working_link_in_the_recipients_language(client, applicant):
    applicant.email = "applicant@kommun.se"
    applicant.save()
    NotificationPreference.objects.create(user=applicant, language="sv")
    response = client.post(reverse("password_reset"), {"email": "applicant@kommun.se"})
    assert response.status_code == 302
    message = mail.outbox[0]
    assert message.subject.startswith("Lösenord nollställt")  # Django's own Swedish catalogue
    path = re.search(r"/accounts/reset/\S+/", message.body).group(0)
    form = client.get(path, follow=True)
    assert form.status_code == 200 and "new_password1" in form.content.decode()
    done = client.post(form.redirect_chain[-1][0], {"new_password1": "Kalmar-sund-2026!",
                                                    "new_password2": "Kalmar-sund-2026!"})
    assert done.status_code == 302
    applicant.refresh_from_db()
    assert applicant.check_password("Kalmar-sund-2026!")


def test_password_reset_pages_use_the_site_layout(client):
    response = client.get(reverse("password_reset"))
    assert response.status_code == 200 and "web/base.html" in [t.name for t in response.templates]


def test_the_applicants_overview_links_to_the_open_calls_rules(as_user, applicant, call):
    html = as_user(applicant).get(reverse("web:dashboard")).content.decode()
    assert f'href="{reverse("web:call_detail", args=[call.pk])}"' in html


def test_the_call_form_sets_the_advance_limits_and_the_page_shows_them(as_user, officer, region):
    # rule T6: stricter limits than the programme's are stored and shown; looser ones are a field error
    client = as_user(officer)
    refused = client.post(reverse("web:call_create"), {**FORM, "regional_body": region.pk, "max_advance": "500000"})
    assert 'id="id_max_advance_error"' in refused.content.decode()
    client.post(reverse("web:call_create"), {**FORM, "regional_body": region.pk, "max_advance": "100 000",
                                             "max_advance_ratio": "0.25"})
    call = FundingCall.objects.get(fund_project_reference="20366666")
    assert (str(call.max_advance), str(call.max_advance_ratio)) == ("100000.00", "0.2500")
    page = client.get(reverse("web:call_detail", args=[call.pk])).content.decode()
    assert "100,000.00 kr, at most 25" in page
