"""People: who belongs to which organisation in which role, invitations by e-mail, and ending a membership.

- The organisation admins of an applicant or company (a membership flag) invite people by e-mail with a
  role; any officer of a regional body invites officers of that body. Whoever registered an organisation
  invites its first member (who becomes its organisation admin), so an applicant can bring in the
  representative of a partner company it has just registered.
- An invitation link carries a random token; only its SHA-256 is stored. It can be used once, within
  7 days: a new person sets a password (Django's password validators) and lands in the organisation and
  role; someone who already has an account accepts it signed in and gains the membership.
- Ending a membership keeps it as history (ended_at) and takes the access away at once: the selectors and
  permissions count active memberships only.
Every step is audited (services.effects.log_event).
"""
import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from applications import permissions as perm
from applications.models import Invitation, Membership, NotificationPreference, Organisation
from core import clock
from core.errors import NotPermitted, RuleViolation, TransitionConflict
from core.locking import for_update

from .effects import log_event
from .notifications import absolute, preference

INVITATION_DAYS = 7
Role = Membership.Role
Kind = Organisation.Kind


def role_for(organisation: Organisation) -> str:
    """The one role people have in an organisation of this kind."""
    if organisation.kind == Kind.REGIONAL_BODY:
        return Role.OFFICER
    if organisation.kind == Kind.AUDIT_AUTHORITY:
        return Role.AUDITOR
    if organisation.kind == Kind.COMPANY:
        return Role.COMPANY
    return Role.APPLICANT


def has_active_members(organisation: Organisation) -> bool:
    return organisation.memberships.filter(ended_at__isnull=True).exists()


def may_manage(user, organisation: Organisation) -> bool:
    """May this user invite people to the organisation and end their memberships?"""
    if organisation.kind == Kind.REGIONAL_BODY:
        return organisation.pk in perm.org_ids(user, perm.OFFICER)
    if organisation.pk in perm.admin_org_ids(user):
        return True
    return (organisation.registered_by_id is not None and organisation.registered_by_id == getattr(user, "pk", None)
            and not has_active_members(organisation))


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _send_invitation(invitation: Invitation, token: str) -> None:
    """The invitation e-mail, in the recipient's language: their preference if they have an account."""
    existing = get_user_model().objects.filter(email__iexact=invitation.email, is_active=True).first()
    language = preference(existing).language if existing is not None else invitation.language
    with translation.override(language):
        link = absolute(reverse("web:invitation_accept", args=[token]))
        subject = _("Invitation to %(organisation)s in Testbed Ledger") % {"organisation": invitation.organisation.name}
        body = _("%(inviter)s invites you to join %(organisation)s as %(role)s in Testbed Ledger.\n\n"
                 "Open this link within %(days)s days to accept; it works once:\n%(link)s") % {
            "inviter": invitation.invited_by.get_full_name() or invitation.invited_by.get_username(),
            "organisation": invitation.organisation.name, "role": invitation.get_role_display(),
            "days": INVITATION_DAYS, "link": link}
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email])


@transaction.atomic
def invite(*, organisation: Organisation, email: str, by, is_admin: bool = False,
           language: str | None = None) -> tuple[Invitation, str]:
    """Invite someone by e-mail to the organisation in its role; returns the invitation and the link's token.

    The e-mail is sent when the transaction commits; the token is not stored anywhere.
    """
    if not may_manage(by, organisation):
        raise NotPermitted(_("Only an organisation admin (or an officer of a regional body) invites people."))
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise RuleViolation([_("Enter a valid e-mail address.")],
                            {"email": [_("Enter a valid e-mail address.")]}) from None
    role = role_for(organisation)
    first_member = not has_active_members(organisation)
    if organisation.memberships.filter(ended_at__isnull=True, role=role, user__email__iexact=email).exists():
        message = _("%(email)s is already a member of %(organisation)s.") % {
            "email": email, "organisation": organisation.name}
        raise RuleViolation([message], {"email": [message]})
    token = secrets.token_urlsafe(32)
    language = language if language in dict(settings.LANGUAGES) else translation.get_language() or settings.LANGUAGE_CODE
    invitation = Invitation.objects.create(
        email=email, organisation=organisation, role=role, is_admin=bool(is_admin) or first_member,
        token_hash=_hash(token), invited_by=by, expires_at=clock.now() + timedelta(days=INVITATION_DAYS),
        language=language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE)
    log_event(by=by, action="invite", obj=invitation,
              changes={"email": [None, email], "role": [None, role], "is_admin": [None, str(invitation.is_admin)]})
    transaction.on_commit(lambda: _send_invitation(invitation, token))
    return invitation, token


def find_invitation(token: str):
    """The invitation of this link, or None (the token is compared by its hash)."""
    if not token or len(token) > 200:
        return None
    return Invitation.objects.select_related("organisation", "invited_by").filter(token_hash=_hash(token)).first()


def invitation_problem(invitation) -> str:
    """Why the invitation cannot be used now ('' when it can)."""
    if invitation is None:
        return _("This invitation link is not valid. Ask for a new invitation.")
    if invitation.accepted_at is not None:
        return _("This invitation has already been used. Sign in, or ask for a new invitation.")
    if invitation.expires_at <= clock.now():
        return _("This invitation has expired (they are valid for %(days)s days). Ask for a new one.") % {
            "days": INVITATION_DAYS}
    return ""


def _join(invitation: Invitation, user) -> Membership:
    try:
        with transaction.atomic():
            membership = Membership.objects.create(user=user, organisation=invitation.organisation,
                                                   role=invitation.role, is_admin=invitation.is_admin)
    except IntegrityError:
        raise TransitionConflict(_("You are already a member of %(organisation)s.")
                                 % {"organisation": invitation.organisation.name}) from None
    invitation.accepted_at = clock.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    perm.forget_memberships(user)
    log_event(by=user, action="accept", obj=invitation)
    log_event(by=user, action="create", obj=membership,
              changes={"role": [None, membership.role], "is_admin": [None, str(membership.is_admin)]})
    return membership


def _locked_usable(token: str) -> Invitation:
    found = find_invitation(token)
    if found is not None:
        found = for_update(Invitation.objects.select_related("organisation")).get(pk=found.pk)
    problem = invitation_problem(found)
    if problem:
        raise TransitionConflict(problem)
    return found


@transaction.atomic
def accept_as_new_user(token: str, *, username: str, password: str, first_name: str = "",
                       last_name: str = "") -> Membership:
    """A new person accepts: an account with the invited e-mail and a password that passes the validators."""
    invitation = _locked_usable(token)
    User = get_user_model()
    username = (username or "").strip()
    problems = {}
    if not username:
        problems["username"] = [_("Choose a user name.")]
    elif len(username) > 150:
        problems["username"] = [_("A user name can have at most 150 characters.")]
    elif User.objects.filter(username__iexact=username).exists():
        problems["username"] = [_("This user name is taken; choose another, or sign in if it is yours.")]
    candidate = User(username=username, email=invitation.email, first_name=first_name.strip()[:150],
                     last_name=last_name.strip()[:150])
    try:
        password_validation.validate_password(password or "", user=candidate)
    except ValidationError as exc:
        problems["password"] = list(exc.messages)
    if problems:
        raise RuleViolation([m for messages in problems.values() for m in messages], problems)
    candidate.set_password(password)
    candidate.save()
    NotificationPreference.objects.create(user=candidate, language=invitation.language)
    log_event(by=candidate, action="create", obj=candidate, changes={"username": [None, username]})
    return _join(invitation, candidate)


@transaction.atomic
def accept_as_existing_user(token: str, *, user) -> Membership:
    """Someone with an account accepts (signed in) and gains the membership in another organisation."""
    if user is None or not user.is_authenticated:
        raise NotPermitted(_("Sign in to accept the invitation with your account."))
    return _join(_locked_usable(token), user)


@transaction.atomic
def end_membership(membership: Membership, *, by) -> Membership:
    """End a membership: the person keeps their history, their access to the organisation goes now."""
    locked = for_update(Membership.objects.select_related("organisation", "user")).get(pk=membership.pk)
    if not may_manage(by, locked.organisation):
        raise NotPermitted(_("Only an organisation admin (or an officer of the body) ends memberships."))
    if locked.ended_at is not None:
        raise TransitionConflict(_("This membership has already ended."))
    if locked.user_id == by.pk:
        raise RuleViolation([_("You cannot end your own membership; ask another admin.")])
    locked.ended_at = clock.now()
    locked.save(update_fields=["ended_at"])
    perm.forget_memberships(locked.user)
    log_event(by=by, action="end", obj=locked, changes={"ended_at": [None, locked.ended_at.isoformat()]})
    return locked
