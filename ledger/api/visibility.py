"""Which contributions, claims and ledger entries a caller may see (see applications.api.visibility)."""
from django.db.models import Q

from applications import permissions
from applications.api.visibility import applications_seen_in_full, full_view_q
from ledger.models import CashContribution, Claim, JournalEntry, TimeReport


def visible_time_reports(user):
    """All reports of applications seen in full; a company's representative sees the company's own."""
    if permissions.is_auditor(user):  # (Q() | Q(...) would drop the empty Q and keep only the second)
        return TimeReport.objects.all()
    return TimeReport.objects.filter(
        full_view_q(user, "partner__application__")
        | Q(partner__company_id__in=permissions.org_ids(user, permissions.COMPANY))
    )


def visible_cash(user):
    return CashContribution.objects.filter(full_view_q(user, "application__"))


def visible_claims(user):
    return Claim.objects.filter(full_view_q(user, "application__"))


def visible_entries(user):
    """Entries of applications seen in full; officers also see their calls' own entries (the opening)."""
    if permissions.is_auditor(user):
        return JournalEntry.objects.all()
    return JournalEntry.objects.filter(
        Q(application__in=applications_seen_in_full(user).values("pk"))
        | Q(book__call__regional_body_id__in=permissions.org_ids(user, permissions.OFFICER))
    )
