"""E-mail on decisions and submissions, sent only once the transaction has committed."""
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils.translation import gettext as _

TO_APPLICANT = {"approve", "reject", "request_changes"}


def _addresses(organisation_id, role) -> list[str]:
    users = get_user_model().objects.filter(
        memberships__organisation_id=organisation_id, memberships__role=role, is_active=True
    ).exclude(email="")
    return sorted(set(users.values_list("email", flat=True)))


def after_transition(application, name: str, *, comment: str = "") -> None:
    if name in TO_APPLICANT:
        recipients = _addresses(application.applicant_id, "applicant")
        subject = _("%(reference)s: %(state)s") % {"reference": application.reference,
                                                    "state": application.get_state_display()}
    elif name == "submit":
        recipients = _addresses(application.call.regional_body_id, "officer")
        subject = _("%(reference)s submitted to %(call)s") % {"reference": application.reference,
                                                              "call": application.call.title}
    else:
        return
    if not recipients:
        return
    body = _("Application %(reference)s “%(title)s” is now %(state)s.") % {
        "reference": application.reference, "title": application.title, "state": application.get_state_display()}
    if comment:
        body += "\n\n" + _("Comment:") + "\n" + comment
    message = (subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    transaction.on_commit(lambda: send_mass_mail([message], fail_silently=True))
