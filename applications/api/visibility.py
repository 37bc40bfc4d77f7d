"""Which rows of each API resource a caller may see (DESIGN §2), as querysets.

The rule is applications.permissions: an application is visible to its applicant organisation, its
partner companies, the officers of its call's regional body and auditors. Within a visible
application, the web interface shows a partner's representative only the partner's own items
(applications.views.common.sees_everything_of); the API does the same:

| resource                         | applicant | company rep        | officer of call | auditor |
|----------------------------------|-----------|--------------------|-----------------|---------|
| applications, partners, balances | own       | partnered          | own body's      | all     |
| audit events of an application   | own       | partnered          | own body's      | all     |
| time reports                     | own       | own company's only | own body's      | all     |
| cash, claims, ledger entries     | own       | —                  | own body's      | all     |

Anything outside a caller's rows is a 404, on detail, nested lists and filters alike.
"""
from django.db.models import CharField, Q
from django.db.models.functions import Cast

from applications import permissions
from applications.models import Application, Organisation, Partner


def full_view_q(user, prefix: str = "") -> Q:
    """Applications whose every item the user sees: applicant, officer of the call, auditor."""
    if permissions.is_auditor(user):
        return Q()
    return (Q(**{f"{prefix}applicant_id__in": permissions.org_ids(user, permissions.APPLICANT)})
            | Q(**{f"{prefix}call__regional_body_id__in": permissions.org_ids(user, permissions.OFFICER)}))


def applications_seen_in_full(user):
    return Application.objects.filter(full_view_q(user))


def visible_applications(user):
    return permissions.visible_applications(user)


def visible_partners(user):
    return Partner.objects.filter(application__in=permissions.visible_applications(user).values("pk"))


def visible_organisations(user):
    """Organisations are public facts (name, organisation number, kind): every signed-in user sees them."""
    return Organisation.objects.all()


def visible_calls(user):
    return permissions.visible_calls(user)


def calls_seen_in_full(user):
    """Calls whose totals the user may see: officers of the call's regional body and auditors."""
    from applications.models import FundingCall

    if permissions.is_auditor(user):
        return FundingCall.objects.all()
    return FundingCall.objects.filter(regional_body_id__in=permissions.org_ids(user, permissions.OFFICER))


def visible_events(user):
    """Audit events of visible applications; call events to the call's officers; everything to auditors."""
    from applications.models import AuditEvent

    if permissions.is_auditor(user):
        return AuditEvent.objects.all()
    own_calls = calls_seen_in_full(user).annotate(key=Cast("pk", CharField())).values("key")
    return AuditEvent.objects.filter(
        Q(application__in=permissions.visible_applications(user).values("pk"))
        | Q(application__isnull=True, object_type="fundingcall", object_id__in=own_calls)
    )
