"""What every view of the web interface shares: finding what the user may see, and mapping refusals.

Objects the user may not see are a 404, never a 403 (DESIGN §2). Services raise
RuleViolation (→ form errors), TransitionConflict (→ a message and back to the page)
and NotPermitted (→ 404).
"""
from django.http import Http404
from django.shortcuts import get_object_or_404

from applications import permissions
from applications.models import Application


def visible_application(user, reference: str, *, for_update: bool = False) -> Application:
    """The application with this reference if the user may see it, else 404."""
    queryset = permissions.visible_applications(user).select_related("call__regional_body", "applicant")
    return get_object_or_404(queryset, reference=reference)


def require(condition: bool) -> None:
    """A role check that fails as a 404, so nobody learns what exists."""
    if not condition:
        raise Http404


def applicant_orgs(user):
    from applications.models import Organisation

    return Organisation.objects.filter(pk__in=permissions.org_ids(user, permissions.APPLICANT))


def company_orgs(user):
    from applications.models import Organisation

    return Organisation.objects.filter(pk__in=permissions.org_ids(user, permissions.COMPANY))


def sees_everything_of(user, application) -> bool:
    """Applicant, officer of the call and auditor see all items; a partner's representative only its own."""
    return (permissions.is_auditor(user) or permissions.is_applicant_of(user, application)
            or permissions.is_officer_of_call(user, application.call))
