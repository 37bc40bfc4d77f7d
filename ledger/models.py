"""What happened with money and hours: the journal, and the items it is fed from.

`JournalEntry` and `Posting` are append-only (model layer here, database triggers
in migration 0002); the chain fields (`seq`, `prev_hash`, `hash`) are computed by
`ledger.journal` under a lock on the `Book`. Contributions and claims are the
documents that entries are posted from once an officer has verified them.
"""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, F, Max, OuterRef, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from applications import retention
from applications.models import HOURS, MONEY, Application, FundingCall, Partner
from applications.permissions import claim_applicant_may, claim_officer_may
from core import clock
from core.money import round_ore

# A total adds up many postings: room for a country's worth of them (a posting holds 14 digits).
TOTAL_DIGITS = 20


class AppendOnlyError(ValidationError):
    """Raised when code tries to change or remove a ledger record."""


class Book(models.Model):
    """One chained journal per funding call; its row is the lock that serialises appends."""

    call = models.OneToOneField(FundingCall, on_delete=models.PROTECT, related_name="book")
    head_seq = models.PositiveBigIntegerField(default=0)
    head_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"Book {self.pk} ({self.call})"


class Account(models.Model):
    class Kind(models.TextChoices):
        FUND_SOURCE = "fund_source", _("Structural-fund allocation")
        FUND_BUDGET = "fund_budget", _("Call fund budget (uncommitted)")
        FUND_COMMITTED = "fund_committed", _("Fund committed to application")
        FUND_PAID = "fund_paid", _("Fund paid")
        FUND_RECOVERED = "fund_recovered", _("Fund recovered")
        PUBLIC_CASH = "public_cash", _("Public cash co-financing")
        INKIND = "inkind", _("In-kind contribution (non-cash financing)")
        TESTBED_COST = "testbed_cost", _("Testbed cost")

    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="accounts")
    code = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    application = models.ForeignKey(Application, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["book", "code"], name="account_code_unique_per_book")]

    def __str__(self) -> str:
        return self.code


class JournalEntry(models.Model):
    class Kind(models.TextChoices):
        OPENING = "opening", _("Opening budget")
        COMMITMENT = "commitment", _("Commitment")
        CASH_CONTRIBUTION = "cash_contribution", _("Cash contribution")
        INKIND_CONTRIBUTION = "inkind_contribution", _("In-kind contribution")
        FUND_PAYMENT = "fund_payment", _("Fund payment")
        CORRECTION = "correction", _("Correction")
        DECOMMITMENT = "decommitment", _("Release of commitment")
        RECOVERY = "recovery", _("Recovery")
        TRANSITION = "transition", _("State transition")
        ADVANCE = "advance", _("Advance payment")
        AMENDMENT = "amendment", _("Amendment of commitment")

    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="entries")
    seq = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=30, choices=Kind.choices)
    occurred_at = models.DateTimeField()
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, null=True, blank=True, related_name="journal_entries"
    )
    claim = models.ForeignKey("Claim", on_delete=models.PROTECT, null=True, blank=True, related_name="journal_entries")
    corrects = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    actor_name = models.CharField(max_length=150)
    memo = models.CharField(max_length=500, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    # NULL, not "", when absent: the unique constraint must allow many entries without a key.
    idempotency_key = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["book", "seq"]
        verbose_name_plural = "journal entries"
        constraints = [
            models.UniqueConstraint(fields=["book", "seq"], name="entry_seq_unique_per_book"),
            models.UniqueConstraint(fields=["book", "idempotency_key"], name="entry_idempotency_key_unique"),
            models.CheckConstraint(condition=Q(seq__gte=1), name="entry_seq_positive"),
        ]
        indexes = [models.Index(fields=["application", "kind"]), models.Index(fields=["occurred_at"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.kind}"

    def save(self, *args, **kwargs):
        if self.pk is not None or kwargs.get("force_update"):
            raise AppendOnlyError(_("Journal entries are append-only; record a correction instead."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(_("Journal entries are append-only; record a correction instead."))


class Posting(models.Model):
    """One leg of an entry: a signed amount on an account (debit positive); in-kind legs carry hours."""

    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="postings")
    ordinal = models.PositiveSmallIntegerField()
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="postings")
    amount = models.DecimalField(**MONEY)
    hours = models.DecimalField(null=True, blank=True, **HOURS)

    class Meta:
        ordering = ["entry", "ordinal"]
        constraints = [models.UniqueConstraint(fields=["entry", "ordinal"], name="posting_ordinal_unique")]

    def __str__(self) -> str:
        return f"{self.account.code} {self.amount}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError(_("Postings are append-only."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(_("Postings are append-only."))


class AccountTotal(models.Model):
    """The running sum of the postings on one account from entries of one kind (for a correction, also
    the kind of the entry it corrects): the balance pages read these few rows instead of summing every
    posting of a project or a call. Written in the append's transaction under the book lock
    (`ledger.rows.add_to_totals`); a cache, not a record — verification checks it against the postings
    (`ledger.projection`), so an edited total is reported, never believed."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="totals")
    entry_kind = models.CharField(max_length=30, choices=JournalEntry.Kind.choices)
    corrected_kind = models.CharField(max_length=30, blank=True, default="")
    amount = models.DecimalField(max_digits=TOTAL_DIGITS, decimal_places=2, default=0)
    hours = models.DecimalField(max_digits=TOTAL_DIGITS, decimal_places=2, default=0)
    postings = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "entry_kind", "corrected_kind"],
                                               name="account_total_unique")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.entry_kind} {self.amount}"


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    PARKED = "parked", _("Parked to the next claim")  # rule V2


class ErrorType(models.TextChoices):
    """Why part of an item was deducted at verification (rule V1)."""

    INELIGIBLE_PERIOD = "ineligible_period", _("Ineligible period")
    MISSING_EVIDENCE = "missing_evidence", _("Missing evidence")
    RATE_ABOVE_CAP = "rate_above_cap", _("Rate above cap")
    ARITHMETIC_ERROR = "arithmetic_error", _("Arithmetic error")
    DOUBLE_CLAIMED = "double_claimed", _("Double claimed")
    HOURS_ABOVE_ANNUAL = "hours_above_annual", _("Hours above annual hours")
    OTHER = "other", _("Other")


class VerificationMixin(models.Model):
    """What an officer found when checking one item (rules V1–V3): the eligible part, the deduction
    with its error type, whether it was checked on the spot or in a sample, and a parked claim."""

    deduction_type = models.CharField(_("error type"), max_length=30, choices=ErrorType.choices, blank=True)
    sampled = models.BooleanField(_("checked on the spot or in a sample"), default=False)
    parked_from = models.ForeignKey(
        "Claim", on_delete=models.PROTECT, null=True, blank=True, related_name="parked_%(class)s",
        verbose_name=_("parked from claim"),
    )

    class Meta:
        abstract = True

    # Each item says what it claimed: `claimed_value` (hours × rate, or the cash amount) and
    # `_eligible_value()` (the part an officer found eligible).

    @property
    def eligible_value(self):
        """What counts as verified (rule V1): the eligible part of an accepted item, else nothing."""
        if self.review_status != ReviewStatus.ACCEPTED:
            return round_ore(0)
        return self._eligible_value()

    @property
    def deduction(self):
        """Claimed minus eligible, for an accepted item (a rejected one is rejected, not deducted)."""
        if self.review_status != ReviewStatus.ACCEPTED:
            return round_ore(0)
        return self.claimed_value - self._eligible_value()

    @property
    def is_partly_accepted(self) -> bool:
        return self.review_status == ReviewStatus.ACCEPTED and self.deduction > 0


class Claim(models.Model):
    """A payment claim (ansökan om utbetalning): a period's time reports and cash items (rule E4)."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned")
        VERIFIED = "verified", _("Verified")
        PAID = "paid", _("Paid")

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="claims")
    number = models.PositiveIntegerField()
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    is_final = models.BooleanField(_("final claim"), default=False)
    state = FSMField(default=State.DRAFT, choices=State.choices, protected=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    paid_at = models.DateTimeField(null=True, blank=True)
    payable_amount = models.DecimalField(null=True, blank=True, **MONEY)
    # The key the payment was made with, so a retry with the same key is answered and any other is a conflict.
    pay_key = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001
    recovery_amount = models.DecimalField(null=True, blank=True, **MONEY)
    return_reason = models.TextField(blank=True)
    # The payment clock (rules T5, D2): started at the first submission of the complete claim,
    # paused while the claim is returned; `clock_paused_days` sums the finished pauses.
    clock_started_at = models.DateTimeField(null=True, blank=True)
    clock_paused_at = models.DateTimeField(null=True, blank=True)
    clock_paused_days = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["application", "number"]
        constraints = [
            models.UniqueConstraint(fields=["application", "number"], name="claim_number_unique"),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="claim_period_end_after_start"),
            models.CheckConstraint(
                condition=Q(payable_amount__isnull=True) | Q(payable_amount__gte=0), name="claim_payable_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(recovery_amount__isnull=True) | Q(recovery_amount__gte=0),
                name="claim_recovery_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application.reference} claim {self.number}"

    @transition(field=state, source=[State.DRAFT, State.RETURNED], target=State.SUBMITTED, permission=claim_applicant_may)
    def submit(self):
        """The applicant hands the claim in; its items are frozen (rule T10)."""

    @transition(field=state, source=State.SUBMITTED, target=State.RETURNED, permission=claim_officer_may)
    def return_to_applicant(self):
        """The officer needs more from the applicant."""

    @transition(field=state, source=State.SUBMITTED, target=State.VERIFIED, permission=claim_officer_may)
    def verify(self):
        """Every item checked; accepted items posted (rule E4)."""

    @transition(field=state, source=State.VERIFIED, target=State.PAID, permission=claim_officer_may)
    def pay(self):
        """The payable amount is paid out (or the excess recovered)."""


class TimeReport(VerificationMixin):
    """Hours one person at a partner company worked in one month (tidrapport, rule S1)."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="time_reports")
    person_name = models.CharField(_("person"), max_length=150)
    month = models.DateField(_("month"), help_text=_("First day of the month."))
    hours = models.DecimalField(_("hours"), **HOURS)
    hourly_rate = models.DecimalField(_("hourly rate (SEK)"), **MONEY)
    description = models.TextField(_("work description"))
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(auto_now_add=True)
    attested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    attested_at = models.DateTimeField(null=True, blank=True)
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, null=True, blank=True, related_name="time_reports")
    review_status = models.CharField(max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PENDING)
    review_reason = models.TextField(blank=True)
    eligible_hours = models.DecimalField(_("eligible hours"), null=True, blank=True, **HOURS)  # rule V1
    idempotency_key = models.CharField(max_length=200, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["month", "person_name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0), name="time_report_hours_positive"),
            models.CheckConstraint(condition=Q(hourly_rate__gte=0), name="time_report_rate_non_negative"),
            models.CheckConstraint(condition=Q(month__day=1), name="time_report_month_first_day"),
            # rule V1: the eligible part lies between nothing and what was claimed.
            models.CheckConstraint(
                condition=Q(eligible_hours__isnull=True) | Q(eligible_hours__gte=0, eligible_hours__lte=F("hours")),
                name="time_report_eligible_within_claimed"),
            # rule V4: one time report per person, partner and month (a rejected one may be reported again).
            models.UniqueConstraint(
                Lower("person_name"), "partner", "month", condition=~Q(review_status="rejected"),
                name="time_report_one_per_person_partner_month",
                violation_error_message=_("There is already a time report for this person and month."),
            ),
        ]
        indexes = [models.Index(fields=["partner", "person_name", "month"])]

    def __str__(self) -> str:
        return f"{self.person_name} {self.month:%Y-%m} {self.hours} h"

    @property
    def value(self):
        return round_ore(self.hours * self.hourly_rate)

    claimed_value = value

    @property
    def verified_hours(self):
        """The hours that count as verified (rule V1)."""
        if self.review_status != ReviewStatus.ACCEPTED:
            return round_ore(0)
        return self.hours if self.eligible_hours is None else self.eligible_hours

    def _eligible_value(self):
        return self.value if self.eligible_hours is None else round_ore(self.eligible_hours * self.hourly_rate)

    @property
    def is_attested(self) -> bool:
        return self.attested_at is not None


class CashContribution(VerificationMixin):
    """Public cash the applicant has paid into the testbed (rule M2)."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="cash_contributions")
    amount = models.DecimalField(_("amount (SEK)"), **MONEY)
    paid_on = models.DateField(_("payment date"))
    voucher_reference = models.CharField(_("voucher reference"), max_length=100)
    receipt = models.FileField(_("receipt"), upload_to="receipts/%Y/%m/", blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(auto_now_add=True)
    claim = models.ForeignKey(
        Claim, on_delete=models.PROTECT, null=True, blank=True, related_name="cash_contributions"
    )
    review_status = models.CharField(max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PENDING)
    review_reason = models.TextField(blank=True)
    eligible_amount = models.DecimalField(_("eligible amount (SEK)"), null=True, blank=True, **MONEY)  # rule V1
    idempotency_key = models.CharField(max_length=200, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["paid_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="cash_amount_positive"),
            models.CheckConstraint(
                condition=Q(eligible_amount__isnull=True) | Q(eligible_amount__gte=0, eligible_amount__lte=F("amount")),
                name="cash_eligible_within_claimed"),
            models.UniqueConstraint(fields=["application", "voucher_reference"], name="cash_voucher_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.voucher_reference} {self.amount} SEK"

    def delete(self, *args, **kwargs):
        # Rules E6, T7: a claimed item and its receipt are kept until the application's retention ends
        # (a trigger refuses the same in SQL: ledger.triggers.RETENTION).
        if self.claim_id is not None and not retention_has_ended(self.application):
            raise AppendOnlyError(_("A claimed cash item and its receipt are kept until the application's "
                                    "retention period ends (rule E6)."))
        return super().delete(*args, **kwargs)

    @property
    def claimed_value(self):
        return self.amount

    def _eligible_value(self):
        return self.amount if self.eligible_amount is None else self.eligible_amount


class IdempotencyRecord(models.Model):
    """The first result of a money-creating call, so a retry returns it and posts nothing."""

    key = models.CharField(max_length=200)
    scope = models.CharField(max_length=60)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="+")
    request_fingerprint = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "user", "key"], name="idempotency_unique")]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"


class VerificationRun(models.Model):
    """One full verification of a book (verify_ledger, "verify now"), kept as evidence.

    A statement re-verifies only what is newer than the last intact run and cites that run,
    so a download stays fast however long the book grows (bench/, measurement 5).
    """

    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="verification_runs")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    actor_name = models.CharField(max_length=150)
    ok = models.BooleanField()
    entries_checked = models.PositiveBigIntegerField()
    through_seq = models.PositiveBigIntegerField(help_text=_("The last sequence number found intact."))
    head_hash = models.CharField(max_length=64)
    damage = models.CharField(max_length=20, blank=True)
    message = models.TextField(blank=True)
    # Ed25519 over `ledger.checkpoints.run_bytes(run)`: a run forged in SQL has no valid signature.
    signature = models.CharField(max_length=128, blank=True)

    class Meta:
        ordering = ["-finished_at", "-id"]
        indexes = [models.Index(fields=["book", "ok", "finished_at"])]

    def __str__(self) -> str:
        return f"{self.book} verified {self.finished_at:%Y-%m-%d %H:%M}: {'OK' if self.ok else self.damage}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError(_("Verification runs are append-only."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(_("Verification runs are append-only."))


class LedgerInstance(models.Model):
    """The identity of this database's ledger (DESIGN §7): a random id made with the database.

    Checkpoints sign it and the witness's file names carry it, so the witnesses of several databases
    on one machine (tests, demo, benchmarks) never mix. `adopted_heads` are the books (id → head seq)
    that already had entries when the id was made: they get their first checkpoint from verify_ledger
    on trust; any other book with entries and no checkpoint at all is a finding.
    """

    instance_id = models.CharField(max_length=36, unique=True)
    created_at = models.DateTimeField()
    adopted_heads = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return self.instance_id


class Checkpoint(models.Model):
    """A signed statement "log L of instance I had `size` leaves with Merkle root `root` at `signed_at`".

    `log` is `book-<id>` for a book's journal, `audit` for the audit events, `runs` for the
    verification runs. The message that is signed is `ledger.checkpoints.message` (documented in
    reports/EXPORT_FORMAT.md §4); every checkpoint is also appended to the witness log outside the
    database. `frontier` is the tree's compact range, so the next checkpoint extends it in O(log n);
    it is not signed and never trusted beyond folding to the signed root. Append-only (triggers).
    """

    log = models.CharField(max_length=40)
    book = models.ForeignKey(Book, on_delete=models.PROTECT, null=True, blank=True, related_name="checkpoints")
    instance_id = models.CharField(max_length=36)
    size = models.PositiveBigIntegerField()
    root = models.CharField(max_length=64)
    signed_at = models.DateTimeField()
    key_fingerprint = models.CharField(max_length=64)
    signature = models.CharField(max_length=128)
    frontier = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["log", "size", "id"]
        indexes = [models.Index(fields=["log", "size"])]

    def __str__(self) -> str:
        return f"{self.log} checkpoint {self.size} {self.root[:12]}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError(_("Checkpoints are append-only."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(_("Checkpoints are append-only."))


# ---------------------------------------------------------------- retention (rules E6, T7)
def pays_fund() -> Exists:
    """The entry debits a fund-paid account (a payment or an advance). An EXISTS probes the entry's own
    legs by index; a join of the application's entries to every posting made PostgreSQL scan all postings
    (bench/national: 164 ms at 0.5 M postings, growing with the country)."""
    return Exists(Posting.objects.filter(entry=OuterRef("pk"), account__kind=Account.Kind.FUND_PAID, amount__gt=0))


def last_payment_date(application):
    """The day of the last fund payment to the application (a debit on its fund-paid account), or None.

    An application that ended without any payment counts from its last chained entry (its final
    transition), so its records too have an end.
    """
    paid = (JournalEntry.objects.filter(pays_fund(), application=application)
            .aggregate(at=Max("occurred_at"))["at"])
    if paid is None and application.state in Application.FINAL_STATES:
        paid = JournalEntry.objects.filter(application=application).aggregate(at=Max("occurred_at"))["at"]
    return None if paid is None else timezone.localdate(paid)


def retention_end_of(application):
    """31 December of the fifth (state aid: tenth) year after the last payment, or None (rule T7)."""
    state_aid = application.partners.filter(has_state_aid=True).exists()
    return retention.retention_end(last_payment_date(application), state_aid=state_aid)


def retention_has_ended(application) -> bool:
    return retention.has_ended(retention_end_of(application), clock.today())

