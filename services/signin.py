"""Signing in (DESIGN §7a): lockouts and their lifting, the second factor, API tokens.

The libraries do the counting and the cryptography: django-axes counts failed sign-ins in the database,
django-otp checks TOTP codes and recovery codes, django-rest-knox keeps tokens hashed with an expiry.
This module is what the project decides around them, and every such event goes to the audit log.
"""
from datetime import timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from applications import permissions
from core.errors import NotPermitted

from .effects import log_event

RECOVERY_DEVICE = "recovery"
AUTHENTICATOR_DEVICE = "authenticator"


# ---------------------------------------------------------------- lockouts
def _user_named(username: str):
    return get_user_model().objects.filter(username=username).first() if username else None


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return _("Too many failed sign-ins: this account or this address is locked for %(minutes)d minutes. "
             "An officer can lift the lock sooner.") % {"minutes": minutes}


def record_lockout(*, username: str, ip_address: str) -> None:
    """The audit event of a lockout: the user's (when the name exists) or the address's."""
    subject = _user_named(username) or AccessAttempt.objects.filter(
        Q(username=username) | Q(ip_address=ip_address)).order_by("-attempt_time").first()
    if subject is None:
        return
    log_event(by=None, action="sign_in_locked", obj=subject,
              comment=f"user name {username or '-'} from {ip_address or '-'}",
              changes={"username": username or "", "ip_address": ip_address or ""})


class AuditedAxesHandler(AxesDatabaseHandler):
    """django-axes' database handler (one count for every worker), plus one audit event when a user
    name or an address becomes locked (not one for every refused attempt while it stays locked)."""

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        was_locked = bool(getattr(request, "axes_locked_out", False))
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is not None and not was_locked and getattr(request, "axes_locked_out", False):
            record_lockout(username=(credentials or {}).get("username") or "",
                           ip_address=getattr(request, "axes_ip_address", "") or "")


def current_lockouts():
    """User names and addresses locked now: at least the failure limit within the cool-off time."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    recent = AccessAttempt.objects.filter(attempt_time__gte=since)
    users = (recent.exclude(username__isnull=True).exclude(username="").values("username")
             .annotate(failures=Sum("failures_since_start"))
             .filter(failures__gte=settings.AXES_FAILURE_LIMIT).order_by("username"))
    addresses = (recent.exclude(ip_address__isnull=True).values("ip_address")
                 .annotate(failures=Sum("failures_since_start"))
                 .filter(failures__gte=settings.AXES_FAILURE_LIMIT).order_by("ip_address"))
    return list(users), list(addresses)


@transaction.atomic
def unlock(*, by, username: str = "", ip_address: str = "") -> int:
    """Lift the lock of a user name or an address (officers and admins); audited."""
    if not permissions.may_unlock_sign_in(by):
        raise NotPermitted("Only officers and admins lift lockouts.")
    removed = 0
    if username:
        removed += reset(username=username) or 0
    if ip_address:
        removed += reset(ip=ip_address) or 0
    subject = _user_named(username) or by
    log_event(by=by, action="sign_in_unlocked", obj=subject,
              comment=f"user name {username or '-'}, address {ip_address or '-'}",
              changes={"username": username, "ip_address": ip_address})
    return removed


# ---------------------------------------------------------------- the second factor
def has_second_factor(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def owes_second_factor(user) -> bool:
    """Signed in with the password but not yet with the second factor it needs or has enrolled."""
    if not user.is_authenticated or user.is_verified():
        return False
    return permissions.second_factor_required(user) or has_second_factor(user)


def enrolment_device(user) -> TOTPDevice:
    """The authenticator being set up: a new secret until a code from it has been entered."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    return device or TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_DEVICE, confirmed=False)


def _new_recovery_codes(user) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_DEVICE,
                                                          defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(settings.MFA_RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def confirm_enrolment(request, device: TOTPDevice, code: str) -> list[str] | None:
    """A correct code from the new authenticator makes it the user's (replacing an older one); the
    answer is the new recovery codes, shown once. A wrong code changes nothing (None)."""
    user = request.user
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user, confirmed=False)
    if not device.verify_token(code.strip()):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(user)
    otp_login(request, device)
    log_event(by=user, action="mfa_enrolled", obj=user)
    return codes


@transaction.atomic
def replace_recovery_codes(*, by) -> list[str]:
    codes = _new_recovery_codes(by)
    log_event(by=by, action="mfa_recovery_renewed", obj=by)
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__name=RECOVERY_DEVICE).count()


@transaction.atomic
def check_second_factor(user, code: str):
    """The device that accepts `code`: a six-digit TOTP code or a recovery code (used up). None if
    none does; django-otp slows down repeated failures of a device."""
    code = (code or "").strip().replace(" ", "").lower()
    if not code:
        return None
    if code.isdigit():
        for device in TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True):
            if device.verify_token(code):
                return device
        return None
    for device in StaticDevice.objects.select_for_update().filter(user=user, confirmed=True):
        if device.verify_token(code):
            log_event(by=user, action="mfa_recovery_used", obj=user,
                      comment=f"{device.token_set.count()} recovery codes left")
            return device
    return None


def verify_second_factor(request, code: str) -> bool:
    """The verification step after the password: the session counts as verified from now on."""
    device = check_second_factor(request.user, code)
    if device is None:
        return False
    otp_login(request, device)
    return True


# ---------------------------------------------------------------- API tokens
def issue_token(user) -> tuple[AuthToken, str]:
    """A new token for one device, expiring after REST_KNOX TOKEN_TTL; the user's expired ones go."""
    AuthToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()
    return AuthToken.objects.create(user=user)


def tokens_of(user):
    return AuthToken.objects.filter(user=user, expiry__gte=timezone.now()).order_by("-created")


def revoke_token(*, by, token_key: str) -> int:
    """The owner ends one of their tokens (by its first characters, as the tokens page lists them)."""
    removed, _ = AuthToken.objects.filter(user=by, token_key=token_key).delete()
    if removed:
        log_event(by=by, action="token_revoked", obj=by, comment=token_key)
    return removed


def revoke_all_tokens(user, *, reason: str) -> int:
    """Sign-out, password change or the owner's choice: every token of the user ends."""
    removed, _ = AuthToken.objects.filter(user=user).delete()
    if removed:
        log_event(by=user, action="tokens_revoked", obj=user, comment=reason)
    return removed


def token_expiry_default() -> timedelta:
    return settings.REST_KNOX["TOKEN_TTL"]
