"""Recording that a partner receives state aid (rules S4, T8), which keeps the application's records
ten years instead of five (rule T7)."""
from django.db import transaction

from applications.models import Partner

from .effects import log_event


@transaction.atomic
def mark_state_aid(partner: Partner, *, by, has_state_aid: bool, comment: str = "") -> Partner:
    """Set or clear the partner's state-aid mark; the change is in the audit trail (rule E5)."""
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    if partner.has_state_aid != has_state_aid:
        before = partner.has_state_aid
        partner.has_state_aid = has_state_aid
        partner.save(update_fields=["has_state_aid"])
        log_event(by=by, action="update", obj=partner, application=partner.application, comment=comment,
                  changes={"has_state_aid": [before, has_state_aid]})
    return partner
