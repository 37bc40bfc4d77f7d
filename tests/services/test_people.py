"""Invitations and memberships: who may invite whom, the single-use 7-day link, joining with a new or an
existing account, and ending a membership (history kept, access gone). Every step audited."""
from datetime import timedelta

import pytest
from django.core import mail

from applications import permissions, selectors
from applications.models import AuditEvent, Invitation, Membership
from core.errors import NotPermitted, RuleViolation, TransitionConflict
from services import organisations, people
from tests.factories import CompanyFactory, MembershipFactory, RegionalBodyFactory, UserFactory, member

pytestmark = pytest.mark.django_db(transaction=False)

PASSWORD = "ett-långt-Lösenord-2026"


@pytest.fixture
def admin_rep(company):
    user = UserFactory(username="company-admin", email="admin@bolaget.se")
    MembershipFactory(user=user, organisation=company, role="company", is_admin=True)
    return user


def accept(token, username="ny", password=PASSWORD):
    return people.accept_as_new_user(token, username=username, password=password)


def test_an_org_admin_invites_and_the_new_person_lands_in_the_org_and_role(
        company, admin_rep, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = people.invite(organisation=company, email="anna@bolaget.se", by=admin_rep)
    assert len(mail.outbox) == 1 and token in mail.outbox[0].body
    assert invitation.token_hash != token and token not in invitation.token_hash  # only the hash is stored
    membership = accept(token)
    assert (membership.organisation, membership.role, membership.is_admin) == (company, "company", False)
    assert membership.user.email == "anna@bolaget.se" and membership.user.check_password(PASSWORD)
    assert {e.action for e in AuditEvent.objects.all()} >= {"invite", "accept", "create"}


def test_the_invitation_email_is_in_the_invitations_language(company, admin_rep,
                                                              django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        people.invite(organisation=company, email="anna@bolaget.se", by=admin_rep, language="sv")
    assert "Inbjudan" in mail.outbox[0].subject


def test_a_member_without_the_admin_flag_cannot_invite(company, company_rep):
    with pytest.raises(NotPermitted):
        people.invite(organisation=company, email="x@bolaget.se", by=company_rep)


def test_an_officer_invites_officers_of_its_own_body_only(region, officer):
    invitation, _ = people.invite(organisation=region, email="ny@region.se", by=officer)
    assert invitation.role == "officer"
    with pytest.raises(NotPermitted):
        people.invite(organisation=RegionalBodyFactory(name="Region Skåne"), email="ny@skane.se", by=officer)


def test_who_registered_a_company_invites_its_first_member_as_its_admin(applicant):
    company, _ = organisations.register_organisation(org_number="556036-0793", name="Ny AB", by=applicant)
    invitation, token = people.invite(organisation=company, email="vd@nyab.se", by=applicant)
    membership = accept(token)
    assert membership.is_admin and membership.role == "company"
    with pytest.raises(NotPermitted):  # once it has members, they manage it
        people.invite(organisation=company, email="two@nyab.se", by=applicant)


def test_a_reused_invitation_is_refused(company, admin_rep):
    _, token = people.invite(organisation=company, email="anna@bolaget.se", by=admin_rep)
    accept(token)
    with pytest.raises(TransitionConflict, match="already been used"):
        accept(token, username="ny2")


def test_an_expired_invitation_is_refused(company, admin_rep):
    invitation, token = people.invite(organisation=company, email="anna@bolaget.se", by=admin_rep)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=invitation.created_at - timedelta(seconds=1))
    with pytest.raises(TransitionConflict, match="expired"):
        accept(token)
    assert not Membership.objects.filter(user__username="ny").exists()


def test_an_invitation_expires_after_seven_days(company, admin_rep):
    invitation, _ = people.invite(organisation=company, email="anna@bolaget.se", by=admin_rep)
    assert invitation.expires_at - invitation.created_at == pytest.approx(timedelta(days=7), abs=timedelta(seconds=5))


def test_an_unknown_token_is_refused(db):
    with pytest.raises(TransitionConflict, match="not valid"):
        accept("no-such-token")


def test_a_weak_password_is_refused_by_djangos_validators(company, admin_rep):
    _, token = people.invite(organisation=company, email="anna@bolaget.se", by=admin_rep)
    with pytest.raises(RuleViolation) as refused:
        accept(token, password="12345")
    assert "password" in refused.value.field_errors
    assert Invitation.objects.get().accepted_at is None


def test_an_existing_user_accepts_into_another_organisation(company, admin_rep, applicant):
    _, token = people.invite(organisation=company, email="applicant@example.se", by=admin_rep)
    people.accept_as_existing_user(token, user=applicant)
    assert permissions.org_ids(applicant, "company") == {company.pk}


def test_ending_a_membership_keeps_the_history_and_takes_the_access(company, admin_rep, company_rep, draft):
    membership = company_rep.memberships.get()
    assert selectors.visible_applications(company_rep).exists()
    people.end_membership(membership, by=admin_rep)
    membership.refresh_from_db()
    assert membership.ended_at is not None and not membership.is_active
    fresh = type(company_rep).objects.get(pk=company_rep.pk)
    assert not selectors.visible_applications(fresh).exists()
    assert permissions.org_ids(fresh, "company") == set()
    assert AuditEvent.objects.filter(action="end", object_type="membership").exists()


def test_an_ended_member_can_be_invited_again(company, admin_rep, company_rep):
    people.end_membership(company_rep.memberships.get(), by=admin_rep)
    _, token = people.invite(organisation=company, email=company_rep.email or "c@x.se", by=admin_rep)
    people.accept_as_existing_user(token, user=company_rep)
    assert company_rep.memberships.count() == 2 and company_rep.memberships.filter(ended_at=None).count() == 1


def test_an_outsider_cannot_end_a_membership(company, company_rep, outsider):
    with pytest.raises(NotPermitted):
        people.end_membership(company_rep.memberships.get(), by=outsider)


def test_an_officer_of_another_body_cannot_end_an_officers_membership(region, second_officer):
    other = member("officer", RegionalBodyFactory(name="Region Skåne"), "skane")
    with pytest.raises(NotPermitted):
        people.end_membership(second_officer.memberships.get(), by=other)


def test_members_see_their_own_organisations_members_only(company, company_rep, admin_rep, applicant):
    assert set(selectors.visible_memberships(company_rep).values_list("user__username", flat=True)) == {
        "company", "company-admin"}
    assert not selectors.visible_memberships(applicant).filter(organisation=company).exists()
    assert CompanyFactory  # the factory module is the house's
