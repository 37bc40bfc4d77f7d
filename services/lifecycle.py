"""The life cycle of an application (DESIGN §5): submit, review, decide, start, close, terminate.

Each action re-reads the application under a row lock, checks the role (the FSM permission) and
every rule (reporting all unmet ones), changes the state, and has its effects (chained entry, audit
event, mail on commit) in the same transaction.
"""
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _
from django_fsm import has_transition_perm

from applications import rules
from applications.models import Application, Decision
from core.errors import NotPermitted, RuleViolation, TransitionConflict
from core.locking import for_update
from core.money import parse_money
from ledger import grants, journal
from ledger.selectors import call_uncommitted

from . import deadlines, settlement
from .effects import log_event, state_changed

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


def _change_state(locked: Application, name: str, *, by, comment: str, book=None) -> Application:
    before = locked.state
    getattr(locked, name)()
    locked.save()
    state_changed(locked, by=by, application=locked, from_state=before, to_state=locked.state,
                  comment=comment, name=name, book=book)
    return locked


def transition_problems(application: Application, name: str, comment: str = "") -> list[str]:
    """Every rule that stops transition `name` now (approval has its own: approval_problems)."""
    problems = []
    if name in COMMENT_REQUIRED:
        problems += rules.comment_problems(comment, action=_(name.replace("_", " ")))
    if name == "submit":
        problems += grants.submission_problems(application)
    if name == "begin_closing" and not application.claims.filter(is_final=True).exclude(state="draft").exists():
        problems.append(_("Closing starts when the final payment claim is submitted."))
    if name == "close" and application.claims.exclude(state="paid").exists():
        problems.append(_("Every payment claim must be paid before the application can be closed."))
    return problems


@transaction.atomic
def transition(application: Application, name: str, *, by, comment: str = "", **params):
    """Perform transition `name`; approval needs `granted` and uses `comment` as the rationale."""
    if name not in TRANSITION_NAMES:
        raise RuleViolation([_("Unknown action %(name)s.") % {"name": name}])
    if name == "approve":
        return approve(application, by=by, granted=params.get("granted"), rationale=comment)
    locked = _lock_for_transition(application, name, by)
    problems = transition_problems(locked, name, comment)
    if problems:
        raise RuleViolation(problems)
    _change_state(locked, name, by=by, comment=comment)
    if name in ("close", "terminate"):
        settlement.settle_on_end(locked, by=by, terminated=(name == "terminate"))
    if name == "activate":
        deadlines.generate_periods(locked)  # rule D1: the claim due dates
    return locked


@transaction.atomic
def approve(application: Application, *, by, granted, rationale: str) -> Decision:
    """Grant fund money and commit it against the call budget (rules M6, E1)."""
    locked = _lock_for_transition(application, "approve", by)
    call = locked.call
    # Lock the book before reading the remaining budget: concurrent approvals queue here.
    book = journal.lock_book(journal.book_for_call(call, by=by))
    try:
        granted = parse_money(granted) if granted not in (None, "") else None
    except ValueError as exc:
        raise RuleViolation([str(exc)], {"granted": [str(exc)]}) from exc
    budget = grants.planned_budget(locked)
    if granted is None:
        granted = budget.requested_fund
    problems = rules.approval_problems(
        requested_fund=budget.requested_fund, granted=granted, max_grant=call.max_grant,
        remaining_budget=call_uncommitted(call), rationale=rationale,
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
    settlement.commit_grant(locked, decision, by=by, book=book)
    _change_state(locked, "approve", by=by, comment=rationale, book=book)
    log_event(by=by, action="create", obj=decision, application=locked,
              changes={"granted_amount": [None, str(granted)]})
    return decision
