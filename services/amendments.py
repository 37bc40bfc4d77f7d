"""Amendments of an active project (ändringsansökan, rules A1–A3, T10).

The applicant requests a change of the plan (public cash, partners' hours and rates, end date) with a
reason; the current plan is kept beside the proposal. An officer approves it with a rationale, which
writes a new `Decision` amending the last one, re-checks M3–M6 on the new plan, changes the plan and
moves the commitment by the difference, all in one transaction; or refuses it. Nothing already
verified or paid changes (T10), and the grant never goes below what is already paid (A3).
"""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from applications import rules
from applications.models import Amendment, Application, Decision, Organisation, Partner
from applications.permissions import is_applicant_of, is_officer_of_call
from core.display import hours as show_hours
from core.display import sek
from core.errors import NotPermitted, RuleViolation, TransitionConflict
from core.locking import for_update
from core.money import ZERO, parse_decimal, round_ore
from ledger import grants, journal, matching
from ledger.journal import Leg
from ledger.models import Account, JournalEntry, ReviewStatus, TimeReport
from ledger.selectors import application_balances, call_uncommitted

from . import notifications
from .effects import log_event, state_changed
from .values import hours_value, money_value, raise_if

AMENDABLE_STATES = {Application.State.ACTIVE}


@dataclass(frozen=True)
class PlanSide:
    """One side of the comparison: the plan as the matching engine sees it (rules M3, M4)."""

    public_cash: Decimal
    end_date: date
    partners: dict          # {partner id: {"name", "hours", "hourly_rate"}}
    budget: matching.PlannedBudget
    granted: Decimal | None


def _partners_now(application) -> dict:
    return {str(p.pk): {"name": p.company.name, "hours": str(p.planned_hours), "hourly_rate": str(p.hourly_rate)}
            for p in application.partners.select_related("company").order_by("id")}


def _plan(public_cash, partners: dict, end_date, application, granted=None) -> PlanSide:
    decision = grants.latest_decision(application)
    f = decision.fund_ratio if decision else application.call.fund_ratio
    k = decision.inkind_ratio if decision else application.call.inkind_ratio
    budget = matching.plan(public_cash, [(p["hours"], p["hourly_rate"]) for p in partners.values()],
                           fund_ratio=f, inkind_ratio=k)
    return PlanSide(public_cash=round_ore(public_cash), end_date=end_date, partners=partners, budget=budget,
                    granted=granted)


def sides(amendment: Amendment) -> tuple[PlanSide, PlanSide]:
    """The plan before and the plan proposed, for the page and the API (rule A1)."""
    application = amendment.application
    names = {str(p.pk): p.company.name for p in application.partners.select_related("company")}
    leaving = set(amendment.leaving_partners)
    proposed_partners = {pk: {**v, "name": names.get(pk, ""), "leaving": pk in leaving}
                         for pk, v in amendment.proposed_partners.items()}
    for row in amendment.added_partners:  # rule A1: companies joining
        proposed_partners[joining_key(row)] = {"name": row["name"], "hours": row["hours"],
                                               "hourly_rate": row["hourly_rate"], "joining": True}
    decision = amendment.decision
    return (_plan(amendment.current_public_cash, amendment.current_partners, amendment.current_end_date,
                  application, amendment.current_granted),
            _plan(amendment.proposed_public_cash, proposed_partners, amendment.proposed_end_date, application,
                  decision.granted_amount if decision else None))


def joining_key(row: dict) -> str:
    """The key of a joining company in the proposed plan (existing partners are keyed by their id)."""
    return f"new-{row['company']}"


def plan_rows(before: PlanSide, after: PlanSide) -> list[tuple[str, dict | None, dict]]:
    """(name, current figures or None for a joining company, proposed figures) per partner, for the page."""
    rows = [(now["name"] or after.partners.get(pk, {}).get("name", ""), now, after.partners.get(pk, {}))
            for pk, now in before.partners.items()]
    rows += [(v["name"], None, v) for pk, v in after.partners.items() if pk not in before.partners]
    return rows


def _verified_hours(application) -> dict[str, Decimal]:
    """Hours already verified per partner id: the plan cannot go below them (rule T10)."""
    rows = (TimeReport.objects.filter(partner__application=application, review_status=ReviewStatus.ACCEPTED)
            .values("partner_id").annotate(hours=Sum(Coalesce("eligible_hours", "hours"))))
    return {str(r["partner_id"]): r["hours"] for r in rows}


def _joining(application, added) -> tuple[list, dict]:
    """Companies joining the project (rule A1): registered companies that are not partners yet."""
    errors: dict[str, list] = {}
    result, seen = [], set()
    current = set(application.partners.values_list("company_id", flat=True))
    for i, row in enumerate(added or []):
        company = row.get("company")
        if company is not None and not isinstance(company, Organisation):
            company = Organisation.objects.filter(pk=company).first()
        if company is None:
            errors.setdefault(f"added_{i}_company", []).append(_("Choose a registered company."))
            continue
        if not company.is_company:  # rule M2
            errors.setdefault(f"added_{i}_company", []).append(
                _("%(name)s is not a company; only companies contribute in-kind hours.") % {"name": company.name})
        elif company.pk in current or company.pk in seen:
            errors.setdefault(f"added_{i}_company", []).append(
                _("%(name)s is already a partner in this application.") % {"name": company.name})
        seen.add(company.pk)
        try:
            hours = hours_value(row.get("hours"), f"added_{i}_hours")
            rate = money_value(row.get("hourly_rate"), f"added_{i}_hourly_rate")
        except RuleViolation as exc:
            errors.update(exc.field_errors)
            continue
        if hours <= 0:
            errors.setdefault(f"added_{i}_hours", []).append(_("A joining company plans more than zero hours."))
        if rate < 0:
            errors.setdefault(f"added_{i}_hourly_rate", []).append(_("The hourly rate cannot be negative."))
        result.append({"company": company.pk, "org_number": company.org_number, "name": company.name,
                       "hours": str(hours), "hourly_rate": str(rate),
                       "role_description": (row.get("role_description") or "").strip()})
    return result, errors


def _leaving(application, leaving, joining: list) -> tuple[list, dict]:
    """Partner ids leaving the project (rule A1); at least one company stays or joins (rule M1)."""
    errors: dict[str, list] = {}
    partners = {str(p.pk): p for p in application.partners.all()}
    ids = []
    for pk in {str(v) for v in (leaving or [])}:
        partner = partners.get(pk)
        if partner is None:
            errors.setdefault("leaving_partners", []).append(_("Only the project's own partners can leave it."))
        elif partner.left_on is not None:
            errors.setdefault("leaving_partners", []).append(
                _("%(name)s has already left the project.") % {"name": partner.company.name})
        else:
            ids.append(pk)
    staying = [pk for pk, p in partners.items() if p.left_on is None and pk not in ids]
    if partners and not staying and not joining:
        errors.setdefault("leaving_partners", []).append(
            _("At least one company must stay in the project or join it."))
    return sorted(ids, key=int), errors


def _proposed_partners(application, partners) -> tuple[dict, dict]:
    """{partner id: {"hours", "hourly_rate"}} for every partner; unnamed partners keep their plan."""
    errors: dict[str, list] = {}
    result = {}
    given = {str(k): v for k, v in (partners or {}).items()}
    verified = _verified_hours(application)
    for partner in application.partners.select_related("company").order_by("id"):
        pk = str(partner.pk)
        row = given.pop(pk, {}) or {}
        try:
            hours = hours_value(row.get("hours", partner.planned_hours), f"partner_{pk}_hours")
            rate = money_value(row.get("hourly_rate", partner.hourly_rate), f"partner_{pk}_hourly_rate")
        except RuleViolation as exc:
            errors.update(exc.field_errors)
            continue
        if hours < 0 or rate < 0:
            errors.setdefault(f"partner_{pk}_hours", []).append(_("Hours and rates cannot be negative."))
        elif hours < verified.get(pk, ZERO):  # rule T10: what is verified stays
            errors.setdefault(f"partner_{pk}_hours", []).append(
                _("%(name)s already has %(verified)s verified; its planned hours cannot go below that.")
                % {"name": partner.company.name, "verified": show_hours(verified[pk])})
        result[pk] = {"hours": str(hours), "hourly_rate": str(rate)}
    if given:
        errors.setdefault("partners", []).append(_("Only the project's own partners can be changed."))
    return result, errors


@transaction.atomic
def request_amendment(application: Application, *, by, reason: str, public_cash, end_date: date | None,
                      partners: dict | None = None, added_partners: list | None = None,
                      leaving_partners: list | None = None) -> Amendment:
    """The applicant asks to change the plan (rule A1): figures, end date, companies joining or leaving.

    `partners` is {partner id: {"hours", "hourly_rate"}} (partners left out keep their plan);
    `added_partners` is [{"company", "hours", "hourly_rate", "role_description"}]; `leaving_partners`
    lists partner ids. A replacement is one leaving and one joining; the leaving partner's hours are set
    to what it has done (never below what is verified, rule T10).
    """
    application = for_update(Application.objects.select_related("call")).get(pk=application.pk)
    if not is_applicant_of(by, application):
        raise NotPermitted(_("Only the applicant organisation requests amendments."))
    errors: dict[str, list] = {}
    if application.state not in AMENDABLE_STATES:
        errors.setdefault("__all__", []).append(
            _("An amendment can be requested only while the project is active; it is %(state)s.")
            % {"state": application.get_state_display()})
    if application.amendments.filter(state=Amendment.State.REQUESTED).exists():
        errors.setdefault("__all__", []).append(_("An amendment is already waiting for a decision."))
    if not (reason or "").strip():
        errors.setdefault("reason", []).append(_("Give the reason for the amendment."))
    cash = money_value(public_cash if public_cash not in (None, "") else application.public_cash, "public_cash")
    if cash < 0:
        errors.setdefault("public_cash", []).append(_("The public cash cannot be negative."))
    end_date = end_date or application.end_date
    if end_date <= application.start_date:
        errors.setdefault("end_date", []).append(_("The end date must be after the start date."))
    elif end_date > application.call.eligible_until:
        errors.setdefault("end_date", []).append(
            _("The end date must lie inside the call's eligibility period (until %(end)s).")
            % {"end": application.call.eligible_until.isoformat()})
    proposed, partner_errors = _proposed_partners(application, partners)
    errors.update(partner_errors)
    joining, joining_errors = _joining(application, added_partners)
    errors.update(joining_errors)
    leaving, leaving_errors = _leaving(application, leaving_partners, joining)
    errors.update(leaving_errors)
    raise_if(errors)
    decision = grants.latest_decision(application)
    number = (application.amendments.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    amendment = Amendment.objects.create(
        application=application, number=number, reason=reason.strip(),
        current_public_cash=application.public_cash, current_end_date=application.end_date,
        current_granted=decision.granted_amount if decision else ZERO,
        current_partners=_partners_now(application),
        proposed_public_cash=cash, proposed_end_date=end_date, proposed_partners=proposed, requested_by=by,
        added_partners=joining, leaving_partners=leaving,
    )
    state_changed(amendment, by=by, application=application, from_state="", to_state=amendment.state,
                  comment=amendment.reason)
    notifications.after_amendment(application, requested=True, comment=amendment.reason, link=_link(amendment))
    return amendment


def approval_problems(application, amendment: Amendment, granted: Decimal, rationale: str) -> list[str]:
    """Every rule that stops approving `amendment` with grant `granted` (rules A2, A3, M3–M6)."""
    _before, after = sides(amendment)
    call = application.call
    policy = grants.call_policy(call)
    facts = [rules.PartnerFacts(name=p.company.name, is_company=p.company.is_company,
                                hours=parse_decimal(amendment.proposed_partners[str(p.pk)]["hours"]),
                                hourly_rate=parse_decimal(amendment.proposed_partners[str(p.pk)]["hourly_rate"]))
             for p in application.partners.select_related("company") if str(p.pk) in amendment.proposed_partners]
    joining = Organisation.objects.in_bulk([row["company"] for row in amendment.added_partners])
    facts += [rules.PartnerFacts(name=row["name"], is_company=joining[row["company"]].is_company,
                                 hours=parse_decimal(row["hours"]), hourly_rate=parse_decimal(row["hourly_rate"]),
                                 company_id=row["company"])
              for row in amendment.added_partners]
    problems = [p for p in rules.submission_problems(
        applicant_is_public=application.applicant.is_public, public_cash=amendment.proposed_public_cash,
        partners=facts, start_date=application.start_date, end_date=amendment.proposed_end_date,
        policy=policy, budget=after.budget) if p != _("The call is not open for applications.")]
    balances = application_balances(application)
    current = balances.approved
    problems += [p for p in rules.approval_problems(
        requested_fund=after.budget.requested_fund, granted=granted, max_grant=call.max_grant,
        remaining_budget=granted, rationale=rationale)]
    taken = set(application.partners.values_list("company_id", flat=True))
    for row in amendment.added_partners:  # rule A1: joined by another way since the request
        if row["company"] in taken:
            problems.append(_("%(name)s is already a partner in this application.") % {"name": row["name"]})
    if application.partners.exclude(pk__in=[int(pk) for pk in amendment.proposed_partners]).exists():
        problems.append(_("The project's partners changed since the request; ask for a new amendment."))
    if granted < 0:
        return problems
    remaining = call_uncommitted(call)
    move = matching.commitment_move(granted_now=current, granted_new=granted, net_paid=balances.net_paid,
                                    call_uncommitted=remaining)
    if move.lacks_budget:  # rule A2: an increase needs budget
        problems.append(_("The call's budget is insufficient for the increase: %(remaining)s remains, "
                          "%(increase)s was asked for.") % {"remaining": sek(remaining),
                                                           "increase": sek(move.difference)})
    if move.below_paid:  # rule A3
        problems.append(_("The grant cannot go below what is already paid (%(paid)s, advances included); the "
                          "difference would be a recovery.") % {"paid": sek(balances.net_paid)})
    return problems


def _link(amendment: Amendment) -> str:
    return reverse("web:amendment_detail", args=[amendment.application.reference, amendment.number])


def _lock(amendment: Amendment, by) -> tuple[Amendment, Application]:
    amendment = for_update(Amendment.objects).get(pk=amendment.pk)
    application = for_update(Application.objects.select_related("call", "applicant")).get(
        pk=amendment.application_id)
    if not is_officer_of_call(by, application.call):
        raise NotPermitted(_("Only an officer of the call's regional body decides amendments."))
    if amendment.state != Amendment.State.REQUESTED:
        raise TransitionConflict(_("This amendment is now %(state)s; someone may have decided it already.")
                                 % {"state": amendment.get_state_display()})
    return amendment, application


@transaction.atomic
def approve_amendment(amendment: Amendment, *, by, rationale: str, granted=None) -> Decision:
    """Approve: a new amending Decision, the new plan, the commitment moved by the difference (rule A2)."""
    amendment, application = _lock(amendment, by)
    if application.state not in AMENDABLE_STATES:
        raise TransitionConflict(_("The project is no longer active."))
    book = journal.lock_book(journal.book_for_call(application.call, by=by))
    _before, after = sides(amendment)
    granted = (money_value(granted, "granted") if granted not in (None, "")
               else min(after.budget.requested_fund, application.call.max_grant))
    problems = approval_problems(application, amendment, granted, rationale)
    if problems:
        raise RuleViolation(problems)
    previous = grants.latest_decision(application)
    proposed = amendment.proposed_partners
    partners = list(application.partners.select_related("company"))
    joining = amendment.added_partners
    decision = Decision.objects.create(
        application=application, approved_public_cash=amendment.proposed_public_cash,
        approved_inkind_value=after.budget.inkind_value,
        approved_hours=sum([parse_decimal(v["hours"]) for v in after.partners.values()], Decimal("0.00")),
        granted_amount=granted, fund_ratio=previous.fund_ratio, inkind_ratio=previous.inkind_ratio,
        max_hourly_rate=previous.max_hourly_rate,
        partner_rates={**{p.company.org_number: proposed[str(p.pk)]["hourly_rate"] for p in partners},
                       **{row["org_number"]: row["hourly_rate"] for row in joining}},
        rationale=rationale.strip(), decided_by=by, amends=previous,
    )
    for p in partners:
        Partner.objects.filter(pk=p.pk).update(planned_hours=parse_decimal(proposed[str(p.pk)]["hours"]),
                                               hourly_rate=parse_decimal(proposed[str(p.pk)]["hourly_rate"]))
    _join_and_leave(application, amendment, by=by)
    Application.objects.filter(pk=application.pk).update(public_cash=amendment.proposed_public_cash,
                                                         end_date=amendment.proposed_end_date)
    difference = granted - application_balances(application).approved
    if difference != ZERO:  # rule A2: the commitment moves by the difference, in this transaction
        journal.append(
            book, kind=JournalEntry.Kind.AMENDMENT, by=by, application=application,
            legs=[Leg(journal.account(book, Account.Kind.FUND_COMMITTED, application=application), difference),
                  Leg(journal.account(book, Account.Kind.FUND_BUDGET), -difference)],
            memo=f"Amendment {amendment.number} of {application.reference}",
            payload={"decision": decision.pk, "amendment": amendment.number, "difference": str(difference)},
            idempotency_key=f"amend:{decision.pk}",
        )
    amendment.state, amendment.decided_by, amendment.decided_at = Amendment.State.APPROVED, by, timezone.now()
    amendment.decision_comment, amendment.decision = rationale.strip(), decision
    amendment.save()
    state_changed(amendment, by=by, application=application, from_state=Amendment.State.REQUESTED,
                  to_state=amendment.state, comment=rationale, book=book)
    notifications.after_amendment(application, outcome="approved", comment=rationale, link=_link(amendment))
    log_event(by=by, action="create", obj=decision, application=application,
              changes={"granted_amount": [str(previous.granted_amount), str(granted)]})
    return decision


def _join_and_leave(application, amendment: Amendment, *, by) -> None:
    """Rule A1: joining companies become partners; leaving partners report no work after today."""
    for row in amendment.added_partners:
        partner = Partner.objects.create(
            application=application, company_id=row["company"], planned_hours=parse_decimal(row["hours"]),
            hourly_rate=parse_decimal(row["hourly_rate"]), role_description=row["role_description"])
        log_event(by=by, action="create", obj=partner, application=application,
                  changes={"company": [None, row["org_number"]], "planned_hours": [None, row["hours"]],
                           "hourly_rate": [None, row["hourly_rate"]], "amendment": [None, amendment.number]})
    today = timezone.localdate()
    for partner in application.partners.filter(pk__in=[int(pk) for pk in amendment.leaving_partners]):
        Partner.objects.filter(pk=partner.pk).update(left_on=today)
        log_event(by=by, action="update", obj=partner, application=application,
                  changes={"left_on": [None, today.isoformat()], "amendment": [None, amendment.number]})


@transaction.atomic
def refuse_amendment(amendment: Amendment, *, by, rationale: str) -> Amendment:
    amendment, application = _lock(amendment, by)
    if not (rationale or "").strip():
        raise RuleViolation([_("Give the reason for refusing.")], {"comment": [_("Give the reason for refusing.")]})
    amendment.state, amendment.decided_by, amendment.decided_at = Amendment.State.REFUSED, by, timezone.now()
    amendment.decision_comment = rationale.strip()
    amendment.save()
    state_changed(amendment, by=by, application=application, from_state=Amendment.State.REQUESTED,
                  to_state=amendment.state, comment=rationale)
    notifications.after_amendment(application, outcome="refused", comment=rationale, link=_link(amendment))
    return amendment
