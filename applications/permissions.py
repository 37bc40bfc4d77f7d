"""Predicates: may this user do or see X of this object (DESIGN §2). No queries of their own beyond
the user's memberships and the object's relations, and no model imports, so that models.py can attach
them to FSM transitions. The querysets of who sees what are in the selectors
(applications.selectors, ledger.selectors), built from the same predicates' facts.
"""

from django.conf import settings

APPLICANT, COMPANY, OFFICER, AUDITOR = "applicant", "company", "officer", "auditor"
ADMIN = "admin"  # not a membership: the staff flag of the Django admin
DRAFT = "draft"


def _memberships(user) -> frozenset:
    """(role, organisation_id) pairs of the user's active memberships (an ended one gives no access),
    cached on the user object for the request."""
    if user is None or not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_membership_cache", None)
    if cached is None:
        cached = frozenset(user.memberships.filter(ended_at__isnull=True).values_list("role", "organisation_id"))
        user._membership_cache = cached
    return cached


def forget_memberships(user) -> None:
    """Drop the cached memberships after they changed (an invitation accepted, a membership ended)."""
    for cache in ("_membership_cache", "_admin_org_cache"):
        if user is not None and hasattr(user, cache):
            delattr(user, cache)


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


def partner_company_ids(user, application) -> set:
    """The user's companies that are partners in the application (usually none or one)."""
    companies = org_ids(user, COMPANY)
    if not companies:
        return set()
    return set(application.partners.filter(company_id__in=companies).values_list("company_id", flat=True))


def is_partner_rep_of(user, application) -> bool:
    return bool(partner_company_ids(user, application))


def is_reviewer_of(user, application) -> bool:
    """Officers of the call and auditors, who see an application from its submission on (DESIGN §2)."""
    if application.state == DRAFT:
        return False
    return is_auditor(user) or is_officer_of_call(user, application.call)


def sees_everything_of(user, application) -> bool:
    """Applicant, officer of the call and auditor see every item; a partner company only its own (rule P1)."""
    return is_applicant_of(user, application) or is_reviewer_of(user, application)


def can_view_application(user, application) -> bool:
    return sees_everything_of(user, application) or is_partner_rep_of(user, application)


def may_verify_books_of(user, call) -> bool:
    """Verification of a whole book: auditors and the call's officers."""
    return is_auditor(user) or is_officer_of_call(user, call)


# Signing in (DESIGN §7a).
def sign_in_roles(user) -> set:
    """The roles that decide how the user signs in: memberships, and "admin" for staff."""
    if user is None or not user.is_authenticated:
        return set()
    return roles(user) | ({ADMIN} if user.is_staff or user.is_superuser else set())


def second_factor_required(user) -> bool:
    """Must this user sign in with a second factor? Per role, by settings.MFA_REQUIRED_ROLES."""
    return bool(sign_in_roles(user) & set(settings.MFA_REQUIRED_ROLES))


def session_idle_minutes(user) -> int:
    """How long a session may stand idle: the strictest limit of the user's roles."""
    limits = [settings.SESSION_IDLE_MINUTES[r] for r in sign_in_roles(user) if r in settings.SESSION_IDLE_MINUTES]
    return min(limits, default=settings.SESSION_IDLE_MINUTES_DEFAULT)


def may_unlock_sign_in(user) -> bool:
    """Officers and admins lift lockouts (a user who cannot sign in calls the regional body)."""
    return is_officer(user) or ADMIN in sign_in_roles(user)


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


def admin_org_ids(user) -> set:
    """Organisations in which the user is an organisation admin (an active membership with the flag)."""
    if user is None or not user.is_authenticated:
        return set()
    cached = getattr(user, "_admin_org_cache", None)
    if cached is None:
        cached = set(user.memberships.filter(ended_at__isnull=True, is_admin=True)
                     .values_list("organisation_id", flat=True))
        user._admin_org_cache = cached
    return cached


def member_org_ids(user) -> set:
    """Organisations the user is an active member of, in any role."""
    return {org for _, org in _memberships(user)}
