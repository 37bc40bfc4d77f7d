"""Notifications: in the app (the bell) and by e-mail, in the recipient's language, with a link.

`notify` writes one Notification per recipient in the caller's transaction (skipping events the
person has muted) and, for those who want e-mail, enqueues `send_notification_email` once the
transaction commits; the worker sends it. A `key` makes a notification idempotent per person.
Those who chose the daily digest get one e-mail a day instead (`send_digests`, run with the reminders).
Amendments call `after_amendment`, advances and payment corrections `after_payment`; transitions of applications and claims come via services.effects.
"""
from datetime import datetime, time
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_tasks import task

from applications.models import Application, Notification, NotificationPreference
from core import clock
from core.display import sek

# event: (subject, body). Parameters: reference, title, state, number, due, days, comment.
EVENTS = {
    "application_submitted": (_("%(reference)s submitted to %(call)s"),
                              _("Application %(reference)s “%(title)s” is now %(state)s.")),
    "application_decided": (_("%(reference)s: %(state)s"),
                            _("Application %(reference)s “%(title)s” is now %(state)s.")),
    "claim_submitted": (_("%(reference)s: claim %(number)s submitted"),
                        _("Payment claim %(number)s of %(reference)s “%(title)s” was submitted; the 80-day "
                          "payment clock is running.")),
    "claim_returned": (_("%(reference)s: claim %(number)s returned"),
                       _("Payment claim %(number)s of %(reference)s “%(title)s” was returned to you.")),
    "claim_verified": (_("%(reference)s: claim %(number)s verified"),
                       _("Payment claim %(number)s of %(reference)s “%(title)s” was verified.")),
    "claim_paid": (_("%(reference)s: claim %(number)s paid"),
                   _("Payment claim %(number)s of %(reference)s “%(title)s” was paid.")),
    "amendment_requested": (_("%(reference)s: amendment requested"),
                            _("An amendment of application %(reference)s “%(title)s” was requested.")),
    "amendment_decided": (_("%(reference)s: amendment %(outcome)s"),
                          _("The amendment of application %(reference)s “%(title)s” was %(outcome)s.")),
    "advance_paid": (_("%(reference)s: advance of %(amount)s paid"),
                     _("An advance of %(amount)s was paid to %(reference)s “%(title)s”. It is offset against the "
                       "following claims' payments.")),
    "payment_corrected": (_("%(reference)s: %(amount)s of a payment reversed"),
                          _("%(amount)s of a payment to %(reference)s “%(title)s” did not reach you and was reversed; "
                            "it is paid again with the next payment.")),
    "claim_due": (_("%(reference)s: a payment claim is due on %(due)s"),
                  _("The payment claim of %(reference)s “%(title)s” for the period to %(period_end)s is due "
                    "on %(due)s, in %(days)s days.")),
    "claim_overdue": (_("%(reference)s: the payment claim due on %(due)s is overdue"),
                      _("The payment claim of %(reference)s “%(title)s” for the period to %(period_end)s was due "
                        "on %(due)s and has not been submitted.")),
}
# The events a person can turn off, for the preferences form.
EVENT_LABELS = {
    "application_submitted": _("An application is submitted"),
    "application_decided": _("A decision on an application"),
    "claim_submitted": _("A payment claim is submitted"),
    "claim_returned": _("A payment claim is returned"),
    "claim_verified": _("A payment claim is verified"),
    "claim_paid": _("A payment claim is paid"),
    "amendment_requested": _("An amendment is requested"),
    "amendment_decided": _("A decision on an amendment"),
    "advance_paid": _("An advance is paid"),
    "payment_corrected": _("A payment is reversed"),
    "claim_due": _("Reminders before a claim is due"),
    "claim_overdue": _("A claim is overdue"),
}
TO_APPLICANT = {"approve", "reject", "request_changes"}
# Outcomes of an amendment decision, as the notification says them.
AMENDMENT_OUTCOMES = {"approved": _("approved"), "rejected": _("rejected"), "refused": _("refused"),
                      "withdrawn": _("withdrawn")}
CLAIM_EVENTS = {"submit": "claim_submitted", "return_to_applicant": "claim_returned",
                "verify": "claim_verified", "pay": "claim_paid"}


def users_with_role(organisation_id, role):
    return (get_user_model().objects.filter(memberships__organisation_id=organisation_id, memberships__role=role,
                                            memberships__ended_at__isnull=True,
                                            is_active=True).distinct().order_by("pk"))


def preference(user) -> NotificationPreference:
    found = NotificationPreference.objects.filter(user=user).first()
    return found or NotificationPreference(user=user)


def application_params(application: Application) -> dict:
    return {"reference": application.reference, "title": application.title, "call": application.call.title,
            "state": application.state}


def notify(users, event: str, *, application=None, params=None, link: str = "", key: str | None = None) -> list:
    """Tell each of `users` about `event`; returns the notifications written (none twice for a key)."""
    written = []
    for user in users:
        wanted = preference(user)
        if event in (wanted.muted_events or []):
            continue
        if key is not None and Notification.objects.filter(user=user, key=key).exists():
            continue
        try:
            with transaction.atomic():
                notification = Notification.objects.create(user=user, event=event, application=application,
                                                           params=params or {}, link=link, key=key)
        except IntegrityError:  # the same key written meanwhile by another run
            continue
        written.append(notification)
        if wanted.email and not wanted.digest and user.email:  # digest readers get it in the daily e-mail
            transaction.on_commit(lambda pk=notification.pk: send_notification_email.enqueue(pk))
    return written


def render(notification: Notification) -> tuple[str, str]:
    """Subject and body of a notification in the active language."""
    subject, body = EVENTS[notification.event]
    params = dict(notification.params)
    if "state" in params:
        params["state"] = Application.State(params["state"]).label
    if "outcome" in params:
        params["outcome"] = AMENDMENT_OUTCOMES.get(params["outcome"], params["outcome"])
    if "amount" in params:
        params["amount"] = sek(Decimal(params["amount"]))
    return str(subject) % params, str(body) % params


def absolute(link: str) -> str:
    return f"{settings.SITE_URL}{link}" if link.startswith("/") else link


@task()
def send_notification_email(notification_id: int) -> bool:
    """Send one notification by e-mail in the recipient's language (once: a retry sends nothing)."""
    notification = Notification.objects.select_related("user").filter(pk=notification_id).first()
    if notification is None or notification.emailed_at is not None or not notification.user.email:
        return False
    with translation.override(preference(notification.user).language):
        subject, body = render(notification)
        if notification.params.get("comment"):
            body += "\n\n" + str(_("Comment:")) + "\n" + notification.params["comment"]
        if notification.link:
            body += "\n\n" + absolute(notification.link)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [notification.user.email])
    Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
    return True


def after_amendment(application, *, requested: bool = False, outcome: str = "", comment: str = "",
                    link: str = "") -> list:
    """The notification of an amendment (rule A1/A2) for services.amendments to call: `requested=True`
    tells the call's officers; otherwise `outcome` ("approved", "rejected", "withdrawn") tells the
    applicant. `link` defaults to the application page."""
    params = application_params(application)
    if comment:
        params["comment"] = comment
    link = link or reverse("web:application_detail", args=[application.reference])
    if requested:
        return notify(users_with_role(application.call.regional_body_id, "officer"), "amendment_requested",
                      application=application, params=params, link=link)
    params["outcome"] = outcome
    return notify(users_with_role(application.applicant_id, "applicant"), "amendment_decided",
                  application=application, params=params, link=link)


def after_payment(application, event: str, amount, *, link: str = "") -> list:
    """Tell the applicant about money moved outside a claim's transitions: an advance paid (rule T6) or a
    payment reversed (rule E7)."""
    params = {**application_params(application), "amount": str(amount)}
    link = link or reverse("web:application_detail", args=[application.reference])
    return notify(users_with_role(application.applicant_id, "applicant"), event, application=application,
                  params=params, link=link)


def send_digests(today=None) -> int:
    """One e-mail per person who asked for a daily digest, with what was not e-mailed yet from
    before `today` (so however often it runs, a day's notifications go once, the next morning).
    Returns how many e-mails were sent."""
    today = today or clock.today()
    start_of_today = timezone.make_aware(datetime.combine(today, time.min))
    pending = (Notification.objects.filter(emailed_at__isnull=True, created_at__lt=start_of_today,
                                           user__notification_preference__digest=True,
                                           user__notification_preference__email=True)
               .exclude(user__email="").select_related("user").order_by("user_id", "created_at", "id"))
    by_user: dict = {}
    for notification in pending:
        by_user.setdefault(notification.user, []).append(notification)
    sent = 0
    for user, items in by_user.items():
        with transaction.atomic():
            claimed = Notification.objects.filter(pk__in=[n.pk for n in items], emailed_at__isnull=True
                                                  ).update(emailed_at=timezone.now())
            if claimed != len(items):  # another run took (some of) them meanwhile
                transaction.set_rollback(True)
                continue
            with translation.override(preference(user).language):
                subject = ngettext("Testbed Ledger: %(count)s notification", "Testbed Ledger: %(count)s notifications",
                                   len(items)) % {"count": len(items)}
                parts = []
                for item in items:
                    item_subject, body = render(item)
                    parts.append(f"{item_subject}\n{body}" + (f"\n{absolute(item.link)}" if item.link else ""))
            send_mail(subject, "\n\n".join(parts), settings.DEFAULT_FROM_EMAIL, [user.email])
        sent += 1
    return sent


def after_transition(application, name: str, *, comment: str = "", claim=None) -> None:
    """The notification of a transition of an application or (with `claim`) of one of its claims."""
    params = application_params(application)
    if comment:
        params["comment"] = comment
    link = reverse("web:application_detail", args=[application.reference])
    if claim is not None:
        event = CLAIM_EVENTS.get(name)
        if event is None:
            return
        params["number"] = claim.number
        link = reverse("web:claim_detail", args=[application.reference, claim.number])
        role, organisation_id = (("officer", application.call.regional_body_id) if name == "submit"
                                 else ("applicant", application.applicant_id))
    elif name in TO_APPLICANT:
        event, role, organisation_id = "application_decided", "applicant", application.applicant_id
    elif name == "submit":
        event, role, organisation_id = "application_submitted", "officer", application.call.regional_body_id
    else:
        return
    notify(users_with_role(organisation_id, role), event, application=application, params=params, link=link)
