"""Who sees which applications, calls, partners, organisations and audit events (DESIGN §2, rule P1).

The one visibility policy, as querysets: every page, endpoint, export, statement and audit view
starts from these functions (ledger.selectors does the same for contributions, claims and entries).

- An application is seen by its applicant organisation and its partner companies; by the officers of
  its call's regional body and by auditors from submission on (a draft is the applicant's working paper).
- Within an application, the applicant, the call's officers and auditors see everything ("full view");
  a partner company sees the summary, decisions and totals and only its own items.
- Anything else is a 404, never a 403.
"""
from django.db.models import CharField, Q
from django.db.models.functions import Cast

from . import permissions as perm
from .models import (
    Amendment,
    Application,
    AuditEvent,
    FundingCall,
    Invitation,
    Membership,
    Organisation,
    Partner,
)

NOTHING = Q(pk__in=[])


def reviewer_q(user, prefix: str = "") -> Q:
    """Applications officers of the call and auditors see: every submitted one (never drafts)."""
    not_draft = ~Q(**{f"{prefix}state": Application.State.DRAFT})
    if perm.is_auditor(user):
        return not_draft
    bodies = perm.org_ids(user, perm.OFFICER)
    return Q(**{f"{prefix}call__regional_body_id__in": bodies}) & not_draft if bodies else NOTHING


def full_view_q(user, prefix: str = "") -> Q:
    """Applications whose every item the user sees: applicant, officer of the call, auditor."""
    applicant = perm.org_ids(user, perm.APPLICANT)
    own = Q(**{f"{prefix}applicant_id__in": applicant}) if applicant else NOTHING
    return own | reviewer_q(user, prefix)


def partner_q(user, prefix: str = "") -> Q:
    """Applications in which one of the user's companies is a partner."""
    companies = perm.org_ids(user, perm.COMPANY)
    if not companies:
        return NOTHING
    partnered = Partner.objects.filter(company_id__in=companies).values("application_id")
    return Q(**{f"{prefix}pk__in": partnered})


def visible_applications(user):
    return Application.objects.filter(full_view_q(user) | partner_q(user))


def applications_seen_in_full(user):
    return Application.objects.filter(full_view_q(user))


def visible_amendments(user):
    """Amendments of the applications a user sees in full (applicant, officers of the call, auditors)."""
    return Amendment.objects.filter(application__in=applications_seen_in_full(user))


def partnered_applications(user):
    """Applications the user sees only as a partner company (not also in full)."""
    return Application.objects.filter(partner_q(user)).exclude(full_view_q(user))


def visible_application(user, reference: str):
    """The application with this reference if the user may see it, else None."""
    return (visible_applications(user).select_related("call__regional_body", "applicant")
            .filter(reference=reference).first())


def visible_calls(user):
    """Open calls are public to signed-in users; officers see their body's calls in every state."""
    if perm.is_auditor(user):
        return FundingCall.objects.all()
    return FundingCall.objects.filter(
        Q(regional_body_id__in=perm.org_ids(user, perm.OFFICER)) | Q(state=FundingCall.State.OPEN))


def calls_seen_in_full(user):
    """Calls whose totals, books and summaries the user may see: their officers and auditors."""
    if perm.is_auditor(user):
        return FundingCall.objects.all()
    return FundingCall.objects.filter(regional_body_id__in=perm.org_ids(user, perm.OFFICER))


def visible_partners(user):
    """Partners of applications seen in full; a partner company sees only its own partnership (rule P1)."""
    companies = perm.org_ids(user, perm.COMPANY)
    return Partner.objects.filter(
        Q(application__in=applications_seen_in_full(user).values("pk"))
        | Q(company_id__in=companies, application__in=visible_applications(user).values("pk")))


def visible_organisations(user):
    """Organisations are public facts (name, organisation number, kind): every signed-in user sees them."""
    return Organisation.objects.all()


def own_organisations(user):
    """Organisations the user is an active member of, and those they registered (to invite the first member)."""
    if user is None or not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(Q(pk__in=perm.member_org_ids(user)) | Q(registered_by=user))


def visible_memberships(user):
    """Members of the organisations the user belongs to (active and ended, the history); nobody else's."""
    return Membership.objects.filter(organisation_id__in=perm.member_org_ids(user))


def visible_invitations(user):
    """Invitations of the organisations the user belongs to or registered."""
    return Invitation.objects.filter(organisation__in=own_organisations(user).values("pk"))


def applicant_organisations(user):
    return Organisation.objects.filter(pk__in=perm.org_ids(user, perm.APPLICANT))


def company_organisations(user):
    return Organisation.objects.filter(pk__in=perm.org_ids(user, perm.COMPANY))


# Events a partner company sees of an application it partners: the application's own transitions
# and its decisions (the summary), and what happened to the company's own time reports.
PARTNER_EVENT_TYPES = ("application", "decision")


def visible_events(user, *, own_time_report_ids=None):
    """Audit events of what the user may see.

    Full view: every event of the application. Partner company: the application's transitions and
    decisions and the events of its own time reports (`own_time_report_ids`, a values() queryset of
    ledger.selectors.visible_time_reports, passed in because time reports live in the ledger).
    Officers also see their calls' own events; auditors every event not about a draft.
    """
    full = applications_seen_in_full(user).values("pk")
    scope = Q(application__in=full)
    partnered = partnered_applications(user).values("pk")
    # The summary: transitions, decisions and the officers' messages to the applicant (internal notes are
    # taken out below for everyone but the call's officers and auditors).
    summary = (Q(object_type="application", action__in=("transition", "comment"))
               | Q(object_type__in=PARTNER_EVENT_TYPES[1:]))
    if own_time_report_ids is not None:
        summary |= Q(object_type="timereport", object_id__in=own_time_report_ids)
    scope |= Q(application__in=partnered) & summary
    own_calls = calls_seen_in_full(user).annotate(key=Cast("pk", CharField())).values("key")
    scope |= Q(application__isnull=True, object_type="fundingcall", object_id__in=own_calls)
    if perm.is_auditor(user):
        scope |= Q(application__isnull=True)
    # Officers' internal notes (DESIGN §2): only for the call's officers and auditors, in every channel.
    notes = ~Q(comment_kind=AuditEvent.CommentKind.INTERNAL) | Q(application__in=reviewed_applications(user).values("pk"))
    return AuditEvent.objects.filter(scope).filter(notes)


def reviewed_applications(user):
    """Applications the user sees as an officer of the call or an auditor (who also read internal notes)."""
    return Application.objects.filter(reviewer_q(user))
