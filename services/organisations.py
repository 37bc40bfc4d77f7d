"""Organisations: an applicant (or an officer) registers a partner company by its organisation number
(rule S2) without waiting for anyone; the normalised number is unique, so a second registration of the
same number finds the organisation that is already there instead of making a twin."""
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from applications import orgnumber
from applications import permissions as perm
from applications.models import Organisation
from core.errors import NotPermitted, RuleViolation

from .effects import log_event

# Who may register which kind: applicants and company representatives add companies; officers any kind.
REGISTERING_ROLES = {perm.APPLICANT, perm.COMPANY, perm.OFFICER}


def may_register(user) -> bool:
    return bool(perm.roles(user) & REGISTERING_ROLES)


def find_by_number(org_number: str):
    """The organisation with this number (any spelling of it), or None when the number is not valid or new."""
    try:
        return Organisation.objects.filter(org_number=orgnumber.normalise(org_number)).first()
    except orgnumber.InvalidOrganisationNumber:
        return None


def _problems(org_number: str, name: str, contact_email: str, kind: str) -> tuple[str, dict]:
    problems = {}
    normalised = ""
    try:
        normalised = orgnumber.normalise(org_number)
    except orgnumber.InvalidOrganisationNumber as exc:  # rule S2
        problems["org_number"] = [str(exc)]
    if not name.strip():
        problems["name"] = [_("Give the organisation's name.")]
    elif len(name.strip()) > 200:
        problems["name"] = [_("The name can have at most 200 characters.")]
    if contact_email:
        try:
            validate_email(contact_email)
        except ValidationError:
            problems["contact_email"] = [_("Enter a valid e-mail address.")]
    if kind not in Organisation.Kind.values:
        problems["kind"] = [_("Choose a kind of organisation.")]
    return normalised, problems


@transaction.atomic
def register_organisation(*, org_number: str, name: str, contact_email: str = "", by,
                          kind: str = Organisation.Kind.COMPANY) -> tuple[Organisation, bool]:
    """Register an organisation; returns (organisation, created).

    When the number is already registered, nothing changes and the existing organisation is returned
    (created=False), whatever name was typed: the registry is the one truth about who a number is.
    Applicants and company representatives register companies; officers may register any kind.
    """
    if not may_register(by):
        raise NotPermitted(_("Only applicants, company representatives and officers register organisations."))
    if kind != Organisation.Kind.COMPANY and not perm.is_officer(by):
        raise NotPermitted(_("Only an officer registers organisations other than companies."))
    org_number, name, contact_email = (org_number or "").strip(), (name or "").strip(), (contact_email or "").strip()
    normalised, problems = _problems(org_number, name, contact_email, kind)
    if "org_number" not in problems:
        existing = Organisation.objects.filter(org_number=normalised).first()
        if existing is not None:
            return existing, False
    if problems:
        raise RuleViolation([m for messages in problems.values() for m in messages], problems)
    try:
        with transaction.atomic():
            organisation = Organisation.objects.create(org_number=normalised, name=name, kind=kind,
                                                       contact_email=contact_email, registered_by=by)
    except IntegrityError:  # registered meanwhile by someone else
        return Organisation.objects.get(org_number=normalised), False
    log_event(by=by, action="create", obj=organisation,
              changes={"org_number": [None, normalised], "name": [None, name], "kind": [None, kind],
                       "contact_email": [None, contact_email]})
    return organisation, True
