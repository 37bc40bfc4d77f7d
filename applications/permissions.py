"""Who may see and do what (DESIGN §2), in one place for views, API, admin and services.

A user sees an application if their organisation is its applicant or a partner, or
they are an officer of the call's regional body, or an auditor. Everything else is 404.
Imports no models at module level so that models.py can use these in FSM permissions.
"""
from django.db.models import Q

APPLICANT, COMPANY, OFFICER, AUDITOR = "applicant", "company", "officer", "auditor"


def _memberships(user) -> frozenset:
    """(role, organisation_id) pairs of the user, cached on the user object for the request."""
    if user is None or not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_membership_cache", None)
    if cached is None:
        cached = frozenset(user.memberships.values_list("role", "organisation_id"))
        user._membership_cache = cached
    return cached


def org_ids(user, role: str) -> set:
    return {org for r, org in _memberships(user) if r == role}


def roles(user) -> set:
    return {r for r, _ in _memberships(user)}


def is_auditor(user) -> bool:
    return AUDITOR in roles(user)


def is_officer(user) -> bool:
    return OFFICER in roles(user)


def is_officer_of_call(user, call) -> bool:
    return call.regional_body_id in org_ids(user, OFFICER)


def is_applicant_of(user, application) -> bool:
    return application.applicant_id in org_ids(user, APPLICANT)


def is_company_rep_of(user, company_id) -> bool:
    return company_id in org_ids(user, COMPANY)


def is_partner_rep_of(user, application) -> bool:
    companies = org_ids(user, COMPANY)
    return bool(companies) and application.partners.filter(company_id__in=companies).exists()


def can_view_application(user, application) -> bool:
    return (
        is_auditor(user)
        or is_applicant_of(user, application)
        or is_officer_of_call(user, application.call)
        or is_partner_rep_of(user, application)
    )


def application_scope(user) -> Q:
    """A filter on Application for what this user may see (use with .distinct() only if needed)."""
    if is_auditor(user):
        return Q()
    member_orgs = org_ids(user, APPLICANT) | org_ids(user, COMPANY)
    return (
        Q(applicant_id__in=org_ids(user, APPLICANT))
        | Q(call__regional_body_id__in=org_ids(user, OFFICER))
        | Q(pk__in=_partnered_application_ids(org_ids(user, COMPANY)))
        if member_orgs or org_ids(user, OFFICER)
        else Q(pk__in=[])
    )


def _partnered_application_ids(company_ids):
    from applications.models import Partner

    return Partner.objects.filter(company_id__in=company_ids).values("application_id")


def visible_applications(user):
    from applications.models import Application

    return Application.objects.filter(application_scope(user))


def visible_calls(user):
    from applications.models import FundingCall

    if is_auditor(user):
        return FundingCall.objects.all()
    officer_bodies = org_ids(user, OFFICER)
    return FundingCall.objects.filter(
        Q(regional_body_id__in=officer_bodies) | Q(state=FundingCall.State.OPEN)
    )


# FSM permissions: (instance, user) -> bool, attached to the transitions in models.py.
def call_officer_may(call, user) -> bool:
    return is_officer_of_call(user, call)


def applicant_may(application, user) -> bool:
    return is_applicant_of(user, application)


def officer_may(application, user) -> bool:
    return is_officer_of_call(user, application.call)


def claim_applicant_may(claim, user) -> bool:
    return is_applicant_of(user, claim.application)


def claim_officer_may(claim, user) -> bool:
    return is_officer_of_call(user, claim.application.call)
