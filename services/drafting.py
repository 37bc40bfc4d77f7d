"""Drafting an application: create it, edit it and its partners while it is a draft or changes are
requested. Only the applicant organisation may; every change is audited with before and after."""
from decimal import Decimal

from django.db import connection, transaction
from django.db.models.functions import Length
from django.utils.translation import gettext as _

from applications.models import Application, FundingCall, Organisation, Partner, ReferenceCounter
from applications.permissions import is_applicant_of
from core.errors import NotPermitted, RuleViolation, TransitionConflict
from core.locking import for_update
from core.money import parse_hours, parse_money

from .effects import diff, log_event


@transaction.atomic
def next_reference(call: FundingCall) -> str:
    """The next free TB-<year>-<number>, never handed out twice, even by parallel workers.

    One statement increments the year's counter row (creating it at 1), and holds that row's lock
    until the caller's transaction ends, so concurrent creates queue here (PostgreSQL: row lock;
    SQLite: the write lock). A reference that exists without the counter knowing (data from before
    the counter, a fixture) is skipped: the counter moves past the highest one of the year.
    """
    year = call.opens_on.year
    prefix = f"TB-{year}-"
    quote = connection.ops.quote_name
    table = quote(ReferenceCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({quote('year')}, {quote('last')}) VALUES (%s, 1) "
            f"ON CONFLICT ({quote('year')}) DO UPDATE SET {quote('last')} = {table}.{quote('last')} + 1 "
            f"RETURNING {quote('last')}", [year])
        number = cursor.fetchone()[0]
    highest = (Application.objects.filter(reference__startswith=prefix)
               .order_by(Length("reference").desc(), "-reference").values_list("reference", flat=True).first())
    taken = int(highest.rsplit("-", 1)[1]) if highest and highest.rsplit("-", 1)[1].isdigit() else 0
    if taken >= number:
        number = taken + 1
        ReferenceCounter.objects.filter(year=year).update(last=number)
    return f"{prefix}{number:04d}"


APPLICATION_FIELDS = ("title", "needs_analysis", "testbed_description", "start_date", "end_date", "public_cash")


def _clean_application_fields(fields: dict) -> dict:
    cleaned = {k: v for k, v in fields.items() if k in APPLICATION_FIELDS}
    if "public_cash" in cleaned:
        try:
            cleaned["public_cash"] = parse_money(cleaned["public_cash"])
        except ValueError as exc:
            raise RuleViolation([str(exc)], {"public_cash": [str(exc)]}) from exc
        if cleaned["public_cash"] < 0:
            msg = _("The public cash cannot be negative.")
            raise RuleViolation([msg], {"public_cash": [msg]})
    start, end = cleaned.get("start_date"), cleaned.get("end_date")
    if start and end and end <= start:
        msg = _("The end date must be after the start date.")
        raise RuleViolation([msg], {"end_date": [msg]})
    return cleaned


@transaction.atomic
def create_application(*, call: FundingCall, applicant: Organisation, by, **fields) -> Application:
    if applicant.pk not in {m.organisation_id for m in by.memberships.filter(role="applicant")}:
        raise NotPermitted(_("You can only apply on behalf of an organisation you are an applicant for."))
    if call.state != FundingCall.State.OPEN:
        raise RuleViolation([_("The call is not open for applications.")])
    cleaned = _clean_application_fields(fields)
    missing = [f for f in ("title", "start_date", "end_date", "public_cash") if cleaned.get(f) in (None, "")]
    if missing:
        raise RuleViolation([_("This field is required.")], {f: [_("This field is required.")] for f in missing})
    application = Application.objects.create(
        call=call, applicant=applicant, reference=next_reference(call), created_by=by, **cleaned
    )
    log_event(by=by, action="create", obj=application, application=application,
              changes={k: [None, str(v)] for k, v in cleaned.items()})
    return application


def _lock_editable(application: Application, by) -> Application:
    locked = for_update(Application.objects.select_related("call", "applicant")).get(pk=application.pk)
    if not is_applicant_of(by, locked):
        raise NotPermitted(_("Only the applicant organisation can change this application."))
    if not locked.is_editable:
        raise TransitionConflict(
            _("The application can only be changed while it is a draft or changes are requested; it is %(state)s.")
            % {"state": locked.get_state_display()}
        )
    return locked


@transaction.atomic
def update_application(application: Application, *, by, **fields) -> Application:
    locked = _lock_editable(application, by)
    cleaned = _clean_application_fields(fields)
    start = cleaned.get("start_date", locked.start_date)
    end = cleaned.get("end_date", locked.end_date)
    if end <= start:
        msg = _("The end date must be after the start date.")
        raise RuleViolation([msg], {"end_date": [msg]})
    before = {k: getattr(locked, k) for k in cleaned}
    for key, value in cleaned.items():
        setattr(locked, key, value)
    locked.save()
    changes = diff(before, cleaned)
    if changes:
        log_event(by=by, action="update", obj=locked, application=locked, changes=changes)
    return locked


def _partner_values(hours, hourly_rate) -> tuple[Decimal, Decimal]:
    errors = {}
    try:
        hours = parse_hours(hours)
        if hours < 0:
            errors["planned_hours"] = [_("Hours cannot be negative.")]
    except ValueError as exc:
        errors["planned_hours"] = [str(exc)]
    try:
        hourly_rate = parse_money(hourly_rate)
        if hourly_rate < 0:
            errors["hourly_rate"] = [_("The hourly rate cannot be negative.")]
    except ValueError as exc:
        errors["hourly_rate"] = [str(exc)]
    if errors:
        raise RuleViolation([m for ms in errors.values() for m in ms], errors)
    return hours, hourly_rate


@transaction.atomic
def add_partner(application: Application, *, by, company: Organisation, planned_hours, hourly_rate,
                role_description: str = "") -> Partner:
    locked = _lock_editable(application, by)
    hours, rate = _partner_values(planned_hours, hourly_rate)
    if not company.is_company:
        msg = _("%(name)s is not a company; only companies contribute in-kind hours.") % {"name": company.name}
        raise RuleViolation([msg], {"company": [msg]})  # rule M2
    if locked.partners.filter(company=company).exists():
        msg = _("%(name)s is already a partner in this application.") % {"name": company.name}
        raise RuleViolation([msg], {"company": [msg]})
    partner = Partner.objects.create(application=locked, company=company, planned_hours=hours,
                                     hourly_rate=rate, role_description=role_description)
    log_event(by=by, action="create", obj=partner, application=locked,
              changes={"company": [None, company.org_number], "planned_hours": [None, str(hours)],
                       "hourly_rate": [None, str(rate)]})
    return partner


@transaction.atomic
def update_partner(partner: Partner, *, by, planned_hours, hourly_rate, role_description=None) -> Partner:
    _lock_editable(partner.application, by)
    partner = for_update(Partner.objects).get(pk=partner.pk)
    hours, rate = _partner_values(planned_hours, hourly_rate)
    before = {"planned_hours": partner.planned_hours, "hourly_rate": partner.hourly_rate,
              "role_description": partner.role_description}
    partner.planned_hours, partner.hourly_rate = hours, rate
    if role_description is not None:
        partner.role_description = role_description
    partner.save()
    after = {"planned_hours": hours, "hourly_rate": rate, "role_description": partner.role_description}
    changes = diff(before, after)
    if changes:
        log_event(by=by, action="update", obj=partner, application=partner.application, changes=changes)
    return partner


@transaction.atomic
def remove_partner(partner: Partner, *, by) -> None:
    locked = _lock_editable(partner.application, by)
    log_event(by=by, action="delete", obj=partner, application=locked,
              changes={"company": [partner.company.org_number, None]})
    partner.delete()
