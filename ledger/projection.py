"""Projection checks (DESIGN §7): what the tables say must follow from the verified chain.

The chain holds every state transition, every money movement and, for entries written since
migration 0006_checkpoints, the amounts of each decision and the hash of each transition's audit event.
`Projection` is fed the verified entry dicts of one book as they stream past the verifier and then
`problems()` compares its re-derivation with the tables, naming object and field:

* application and claim `state`: the `to` of the last chained transition (draft if none);
* decision amounts: `granted_amount`, `approved_public_cash`, `approved_inkind_value`, `approved_hours`
  carried by the commitment entry; for older commitments (which carry only the decision id), the
  granted amount is the commitment's leg on the application's fund_committed account;
* balances: per account, the sum of the chained legs equals the sum of the stored postings of the
  book (a posting outside the chain changes a balance), and the account's kind and application are
  the ones its chained code names (the balances are grouped by them);
* account totals (what the balance pages read): per account and entry kind, the stored total, hours
  and number of postings equal those of the postings (an edited total is named, never believed);
* audit events of transitions: the event the transition names still exists with the same hash.
"""
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Sum

from applications.models import Application, AuditEvent, Decision
from core.money import round_hours, round_ore

from . import checkpoints
from .models import Account, AccountTotal, Book, Claim, Posting

DECISION_FIELDS = ("granted_amount", "approved_public_cash", "approved_inkind_value", "approved_hours")


class Projection:
    """Collects, from verified entry dicts, what the tables must agree with."""

    def __init__(self) -> None:
        self.states: dict[tuple[str, str], str] = {}
        self.decisions: dict[int, dict] = {}
        self.committed_legs: dict[int, Decimal] = {}
        self.audit: dict[int, tuple[str, int]] = {}
        self.balances: dict[str, Decimal] = defaultdict(Decimal)
        self.hours: dict[str, Decimal] = defaultdict(Decimal)

    def feed(self, entries):
        """Pass entries through unchanged, noting what the projection needs."""
        for entry in entries:
            self._note(entry)
            yield entry

    def _note(self, entry: dict) -> None:
        for leg in entry.get("legs") or []:
            if isinstance(leg, dict) and isinstance(leg.get("amount"), str):
                try:
                    self.balances[leg["account"]] += Decimal(leg["amount"])
                    if leg.get("hours"):
                        self.hours[leg["account"]] += Decimal(leg["hours"])
                except (ArithmeticError, TypeError, KeyError):
                    pass  # the verifier names a malformed leg
        payload = entry.get("payload") if isinstance(entry.get("payload"), dict) else {}
        if entry.get("kind") == "transition" and payload.get("object") in ("application", "claim"):
            self.states[(payload["object"], str(payload.get("id")))] = str(payload.get("to"))
        if entry.get("kind") == "transition":  # an amendment's transition names its audit event too
            audit = payload.get("audit")
            if isinstance(audit, dict) and isinstance(audit.get("id"), int):
                self.audit[audit["id"]] = (str(audit.get("hash")), entry.get("seq"))
        if entry.get("kind") == "commitment" and isinstance(payload.get("decision"), int):
            decision = payload["decision"]
            carried = {field: payload[field] for field in DECISION_FIELDS if field in payload}
            if carried:
                self.decisions[decision] = dict(carried, seq=entry.get("seq"))
            code_prefix = "fund_committed:"
            for leg in entry.get("legs") or []:
                if isinstance(leg, dict) and str(leg.get("account", "")).startswith(code_prefix):
                    self.committed_legs[decision] = Decimal(leg["amount"])
                    self.decisions.setdefault(decision, {"seq": entry.get("seq")})

    def merge(self, later: "Projection") -> None:
        """Take in what `later` noted from the entries that follow ours (`ledger.parallel`): the same
        state as one Projection fed both streams in order."""
        self.states.update(later.states)
        self.audit.update(later.audit)
        self.committed_legs.update(later.committed_legs)
        for decision, carried in later.decisions.items():
            # A later entry only "setdefault"s a decision it carries no amounts for.
            if decision not in self.decisions or set(carried) - {"seq"}:
                self.decisions[decision] = carried
        for code, amount in later.balances.items():
            self.balances[code] += amount
        for code, hours in later.hours.items():
            self.hours[code] += hours

    # --- comparison -----------------------------------------------------------------------------

    def problems(self, book: Book) -> list[str]:
        """Every disagreement between tables and chain, each naming object and field."""
        return (self._state_problems(book) + self._decision_problems(book) + self._balance_problems(book)
                + self._audit_problems())

    def problems_for(self, application: Application) -> list[str]:
        """The same comparison for one application fed with only its own entries (a statement)."""
        return (self._state_problems(None, application) + self._decision_problems(None, application)
                + self._audit_problems())

    def _state_problems(self, book: Book | None, application: Application | None = None) -> list[str]:
        out = []
        if application is not None:
            applications = Application.objects.filter(pk=application.pk)
            claims = Claim.objects.filter(application=application)
        else:
            applications = Application.objects.filter(call_id=book.call_id)
            claims = Claim.objects.filter(application__call_id=book.call_id)
        for reference, state in applications.order_by("pk").values_list("reference", "state"):
            derived = self.states.get(("application", reference), "draft")
            if state != derived:
                out.append(f"application {reference} field state: the table says {state!r}, "
                           f"the chain says {derived!r}")
        for pk, number, reference, state in claims.order_by("pk").values_list("pk", "number", "application__reference", "state"):
            derived = self.states.get(("claim", str(pk)), "draft")
            if state != derived:
                out.append(f"claim {pk} ({reference} no. {number}) field state: the table says {state!r}, "
                           f"the chain says {derived!r}")
        return out

    def _decision_problems(self, book: Book | None, application: Application | None = None) -> list[str]:
        out = []
        decisions = (Decision.objects.filter(application=application) if application is not None
                     else Decision.objects.filter(application__call_id=book.call_id))
        decisions = decisions.filter(pk__in=list(self.decisions)).select_related("application")
        for decision in decisions.order_by("pk"):
            carried = self.decisions[decision.pk]
            expected = {field: carried[field] for field in DECISION_FIELDS if field in carried}
            if not expected and decision.amends_id is None and decision.pk in self.committed_legs:
                expected = {"granted_amount": str(self.committed_legs[decision.pk])}
            for field, value in expected.items():
                stored = getattr(decision, field)
                try:
                    same = Decimal(str(value)) == stored
                except ArithmeticError:
                    same = False
                if not same:
                    out.append(f"decision {decision.pk} ({decision.application.reference}) field {field}: the table "
                               f"says {stored}, the chain (entry seq {carried['seq']}) says {value}")
        missing = set(self.decisions) - set(decisions.values_list("pk", flat=True))
        out += [f"decision {pk} field id: the chain (entry seq {self.decisions[pk]['seq']}) commits it, "
                f"the table has no such decision" for pk in sorted(missing)]
        return out

    def _balance_problems(self, book: Book) -> list[str]:
        out = []
        # One pass over the book's postings, grouped as the account totals are, summed per account below
        # (SQLite's SUM of decimals comes back unscaled: rounded once, as the balance selectors do).
        grouped = {(code, kind, corrected or ""): (round_ore(amount or 0), round_hours(hours or 0), count)
                   for code, kind, corrected, amount, hours, count in
                   Posting.objects.filter(entry__book=book)
                   .values("account__code", "entry__kind", "entry__corrects__kind")
                   .annotate(amount=Sum("amount"), hours=Sum("hours"), n=Count("id")).order_by()
                   .values_list("account__code", "entry__kind", "entry__corrects__kind", "amount", "hours", "n")}
        stored = defaultdict(lambda: (Decimal(0), Decimal(0)))
        for (code, _kind, _corrected), (amount, hours, _count) in grouped.items():
            stored[code] = (stored[code][0] + amount, stored[code][1] + hours)
        for code in sorted(set(stored) | set(self.balances)):
            amount, hours = stored.get(code, (Decimal("0.00"), Decimal("0.00")))
            if amount != round_ore(self.balances.get(code, 0)):
                out.append(f"account {code} field balance: the postings add up to {amount}, "
                           f"the chain to {round_ore(self.balances.get(code, 0))}")
            elif hours != round_hours(self.hours.get(code, 0)):
                out.append(f"account {code} field hours: the postings add up to {hours}, "
                           f"the chain to {round_hours(self.hours.get(code, 0))}")
        out += self._total_problems(book, grouped)
        for code, kind, reference in (Account.objects.filter(book=book).order_by("code")
                                      .values_list("code", "kind", "application__reference")):
            parts = code.split(":")
            if kind != parts[0]:
                out.append(f"account {code} field kind: the table says {kind!r}, its chained code says {parts[0]!r}")
            named = parts[1] if len(parts) > 1 else None
            if reference != named and not (named and reference is None and parts[0] in ("fund_budget", "fund_source")):
                out.append(f"account {code} field application: the table says {reference!r}, "
                           f"its chained code says {named!r}")
        return out

    @staticmethod
    def _total_problems(book: Book, grouped: dict) -> list[str]:
        """The account totals the balance pages read must be the sums of the postings they stand for."""
        out = []
        totals = {(code, kind, corrected): (round_ore(amount), round_hours(hours), count)
                  for code, kind, corrected, amount, hours, count in
                  AccountTotal.objects.filter(account__book=book)
                  .values_list("account__code", "entry_kind", "corrected_kind", "amount", "hours", "postings")}
        for key in sorted(set(grouped) | set(totals)):
            code, kind, corrected = key
            what = kind + (f" correcting {corrected}" if corrected else "")
            stored, summed = totals.get(key), grouped.get(key)
            if stored is None:
                out.append(f"account {code} field total ({what}): the account totals have no row, "
                           f"the postings add up to {summed[0]} in {summed[2]} posting(s)")
            elif summed is None:
                out.append(f"account {code} field total ({what}): the account totals say {stored[0]}, "
                           f"no posting stands behind it")
            elif stored != summed:
                out.append(f"account {code} field total ({what}): the account totals say {stored[0]} "
                           f"({stored[1]} h, {stored[2]} posting(s)), the postings add up to {summed[0]} "
                           f"({summed[1]} h, {summed[2]} posting(s))")
        return out

    def _audit_problems(self) -> list[str]:
        out = []
        events = AuditEvent.objects.in_bulk(list(self.audit))
        for pk, (expected, seq) in sorted(self.audit.items()):
            event = events.get(pk)
            if event is None:
                out.append(f"audit event {pk} field id: the transition at entry seq {seq} names it, "
                           f"the table has no such event (deleted)")
            elif checkpoints.audit_event_hash(event) != expected:
                out.append(f"audit event {pk} field hash: it no longer has the hash chained at entry seq {seq} "
                           f"(altered)")
        return out
