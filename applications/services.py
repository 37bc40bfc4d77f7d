"""Every way an application, its partners or its call can change: one function per business action.

Each function checks the actor's role and every rule (reporting all unmet ones),
applies the change and its side effects (decision, ledger entries, mail) and logs
it, all in one database transaction. Views, API, admin and commands call these.
"""
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import has_transition_perm

from ledger import journal, matching
from ledger.money import parse_decimal, round_hours, round_ore

from . import notifications, rules
from .exceptions import NotPermitted, RuleViolation, TransitionConflict
from .locking import for_update
from .models import Application, AuditEvent, Decision, FundingCall, Organisation, Partner
from .permissions import is_applicant_of


# ---------------------------------------------------------------- logging
def log_event(*, by, action: str, obj, application=None, from_state="", to_state="", comment="", changes=None):
    """Record who did what (rule E5) in the caller's transaction."""
    return AuditEvent.objects.create(
        actor=by if by is not None and by.is_authenticated else None,
        actor_name=by.get_username() if by is not None and by.is_authenticated else "system",
        action=action, object_type=obj._meta.model_name, object_id=str(obj.pk), object_repr=str(obj)[:200],
        application=application, from_state=from_state, to_state=to_state, comment=comment or "",
        changes=changes or {},
    )


def _diff(before: dict, after: dict) -> dict:
    return {k: [str(before.get(k)), str(after[k])] for k in after if str(before.get(k)) != str(after[k])}


# ---------------------------------------------------------------- reading helpers
def call_policy(call: FundingCall, *, today: date | None = None) -> rules.CallPolicy:
    today = today or timezone.localdate()
    return rules.CallPolicy(
        fund_ratio=call.fund_ratio, inkind_ratio=call.inkind_ratio, max_hourly_rate=call.max_hourly_rate,
        max_grant=call.max_grant, eligible_from=call.eligible_from, eligible_until=call.eligible_until,
        is_open=call.state == FundingCall.State.OPEN and call.opens_on <= today <= call.closes_on,
    )


def partner_facts(application: Application) -> list[rules.PartnerFacts]:
    return [
        rules.PartnerFacts(name=p.company.name, is_company=p.company.is_company, hours=p.planned_hours,
                           hourly_rate=p.hourly_rate)
        for p in application.partners.select_related("company")
    ]


def planned_budget(application: Application) -> matching.PlannedBudget:
    return matching.plan(
        application.public_cash, [(p.planned_hours, p.hourly_rate) for p in application.partners.all()],
        fund_ratio=application.call.fund_ratio, inkind_ratio=application.call.inkind_ratio,
    )


def call_remaining_budget(call: FundingCall) -> Decimal:
    from ledger.selectors import call_uncommitted

    return call_uncommitted(call)


def submission_problems(application: Application) -> list[str]:
    return rules.submission_problems(
        applicant_is_public=application.applicant.is_public, public_cash=application.public_cash,
        partners=partner_facts(application), start_date=application.start_date, end_date=application.end_date,
        policy=call_policy(application.call),
    )


# ---------------------------------------------------------------- organisations and calls
def next_reference(call: FundingCall) -> str:
    year = call.opens_on.year
    prefix = f"TB-{year}-"
    last = (Application.objects.filter(reference__startswith=prefix).order_by("-reference")
            .values_list("reference", flat=True).first())
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:04d}"


CALL_TRANSITIONS = ("open", "close", "archive")


@transaction.atomic
def transition_call(call: FundingCall, name: str, *, by) -> FundingCall:
    """Open, close or archive a call; opening also opens its book with the fund budget."""
    if name not in CALL_TRANSITIONS:
        raise RuleViolation([_("Unknown action %(name)s.") % {"name": name}])
    call = for_update(FundingCall.objects).get(pk=call.pk)
    if not any(t.name == name for t in call.get_available_state_transitions()):
        raise TransitionConflict(_("The call is %(state)s; that is not possible now.")
                                 % {"state": call.get_state_display()})
    if not has_transition_perm(getattr(call, name), by):
        raise NotPermitted(_("Only an officer of the regional body can change this call."))
    if name == "archive" and call.applications.exclude(state__in=Application.FINAL_STATES).exists():
        raise RuleViolation([_("A call can be archived only when every application in it is finished.")])
    before = call.state
    getattr(call, name)()
    call.save()
    if name == "open":
        journal.book_for_call(call, by=by)
    log_event(by=by, action="transition", obj=call, from_state=before, to_state=call.state)
    return call


def open_call(call: FundingCall, *, by) -> FundingCall:
    return transition_call(call, "open", by=by)


# ---------------------------------------------------------------- editing applications
APPLICATION_FIELDS = ("title", "needs_analysis", "testbed_description", "start_date", "end_date", "public_cash")


def _clean_application_fields(fields: dict) -> dict:
    cleaned = {k: v for k, v in fields.items() if k in APPLICATION_FIELDS}
    if "public_cash" in cleaned:
        try:
            cleaned["public_cash"] = round_ore(parse_decimal(cleaned["public_cash"]))
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
    changes = _diff(before, cleaned)
    if changes:
        log_event(by=by, action="update", obj=locked, application=locked, changes=changes)
    return locked


def _partner_values(hours, hourly_rate) -> tuple[Decimal, Decimal]:
    errors = {}
    try:
        hours = round_hours(parse_decimal(hours))
        if hours < 0:
            errors["planned_hours"] = [_("Hours cannot be negative.")]
    except ValueError as exc:
        errors["planned_hours"] = [str(exc)]
    try:
        hourly_rate = round_ore(parse_decimal(hourly_rate))
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
    changes = _diff(before, after)
    if changes:
        log_event(by=by, action="update", obj=partner, application=partner.application, changes=changes)
    return partner


@transaction.atomic
def remove_partner(partner: Partner, *, by) -> None:
    locked = _lock_editable(partner.application, by)
    log_event(by=by, action="delete", obj=partner, application=locked,
              changes={"company": [partner.company.org_number, None]})
    partner.delete()


# ---------------------------------------------------------------- the life cycle
COMMENT_REQUIRED = {"request_changes", "reject", "withdraw", "terminate"}
TRANSITION_NAMES = ("submit", "start_review", "request_changes", "approve", "reject", "withdraw",
                    "activate", "begin_closing", "close", "terminate")


def available_transitions(application: Application, user) -> list[str]:
    """Names of the transitions this user may take now (state and role; rules are checked on doing)."""
    return [t.name for t in application.get_available_user_state_transitions(user)]


def _lock_for_transition(application: Application, name: str, by) -> Application:
    """Re-read the application under a row lock; refuse if it has moved on or the role does not allow."""
    locked = for_update(Application.objects.select_related("call", "applicant")).get(pk=application.pk)
    method = getattr(locked, name)
    if not any(t.name == name for t in locked.get_available_state_transitions()):
        raise TransitionConflict(
            _("This application is now %(state)s, so it cannot be %(action)s; someone may have acted on it already.")
            % {"state": locked.get_state_display(), "action": _(name.replace("_", " "))}
        )
    if not has_transition_perm(method, by):
        raise NotPermitted(_("Your role does not allow this action on this application."))
    return locked


def _finish(locked: Application, name: str, *, by, comment: str, before: str) -> Application:
    getattr(locked, name)()
    locked.save()
    journal.record_transition(locked, by=by, from_state=before, to_state=locked.state, comment=comment)
    log_event(by=by, action="transition", obj=locked, application=locked, from_state=before,
              to_state=locked.state, comment=comment)
    return locked


@transaction.atomic
def transition(application: Application, name: str, *, by, comment: str = "", **params):
    """Perform transition `name`; approval needs `granted` and uses `comment` as the rationale."""
    if name not in TRANSITION_NAMES:
        raise RuleViolation([_("Unknown action %(name)s.") % {"name": name}])
    if name == "approve":
        return approve(application, by=by, granted=params.get("granted"), rationale=comment)
    locked = _lock_for_transition(application, name, by)
    before = locked.state
    problems = []
    if name in COMMENT_REQUIRED:
        problems += rules.comment_problems(comment, action=_(name.replace("_", " ")))
    if name == "submit":
        problems += submission_problems(locked)
    if name == "begin_closing" and not locked.claims.filter(is_final=True).exclude(state="draft").exists():
        problems.append(_("Closing starts when the final payment claim is submitted."))
    if name == "close" and locked.claims.exclude(state="paid").exists():
        problems.append(_("Every payment claim must be paid before the application can be closed."))
    if problems:
        raise RuleViolation(problems)
    _finish(locked, name, by=by, comment=comment, before=before)
    if name in ("close", "terminate"):
        from ledger import services as ledger_services

        ledger_services.settle_on_end(locked, by=by, terminated=(name == "terminate"))
    notifications.after_transition(locked, name, comment=comment)
    return locked


@transaction.atomic
def approve(application: Application, *, by, granted, rationale: str) -> Decision:
    """Grant fund money and commit it against the call budget (rules M6, E1)."""
    locked = _lock_for_transition(application, "approve", by)
    call = locked.call
    book = journal.book_for_call(call, by=by)
    # Lock the book before reading the remaining budget: concurrent approvals queue here.
    from ledger.models import Book

    for_update(Book.objects).get(pk=book.pk)
    try:
        granted = round_ore(parse_decimal(granted)) if granted not in (None, "") else None
    except ValueError as exc:
        raise RuleViolation([str(exc)], {"granted": [str(exc)]}) from exc
    budget = planned_budget(locked)
    if granted is None:
        granted = budget.requested_fund
    problems = rules.approval_problems(
        requested_fund=budget.requested_fund, granted=granted, max_grant=call.max_grant,
        remaining_budget=call_remaining_budget(call), rationale=rationale,
    )
    if problems:
        raise RuleViolation(problems)
    partners = list(locked.partners.select_related("company"))
    decision = Decision.objects.create(
        application=locked, approved_public_cash=locked.public_cash, approved_inkind_value=budget.inkind_value,
        approved_hours=sum((p.planned_hours for p in partners), Decimal("0.00")), granted_amount=granted,
        fund_ratio=call.fund_ratio, inkind_ratio=call.inkind_ratio, max_hourly_rate=call.max_hourly_rate,
        partner_rates={p.company.org_number: str(p.hourly_rate) for p in partners},
        rationale=rationale, decided_by=by, amends=locked.decisions.first(),
    )
    before = locked.state
    from ledger import services as ledger_services

    ledger_services.commit_grant(locked, decision, by=by)
    _finish(locked, "approve", by=by, comment=rationale, before=before)
    log_event(by=by, action="create", obj=decision, application=locked,
              changes={"granted_amount": [None, str(granted)]})
    notifications.after_transition(locked, "approve", comment=rationale)
    return decision
