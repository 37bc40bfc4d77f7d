"""Serializers for time reports, cash contributions, claims, ledger entries and balances.

Writing serializers check the shape of the input only; the services (services/) check every rule.
"""
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api import fields
from api.applications.serializers import COMMENT_MAX, HOURS, MONEY, IdField, user_name
from api.base import MAX_ID
from applications import selectors as app_selectors
from applications.models import Amendment
from core import clock
from ledger import grants, keys
from ledger.models import CashContribution, Checkpoint, Claim, ErrorType, JournalEntry, Posting, TimeReport
from services import deadlines


class UserNameField(serializers.Field):
    """A user shown by user name (null when nobody)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return user_name(value)


extend_schema_field({"type": "string", "nullable": True})(UserNameField)


# ---------------------------------------------------------------- time reports (rules M5, S1)
class TimeReportSerializer(fields.ModelSerializer):
    application = serializers.IntegerField(source="partner.application_id", read_only=True)
    company = serializers.IntegerField(source="partner.company_id", read_only=True)
    company_name = serializers.CharField(source="partner.company.name", read_only=True)
    value = fields.DecimalField(read_only=True, **MONEY)
    reported_by = UserNameField()
    attested_by = UserNameField()
    is_attested = serializers.BooleanField(read_only=True)

    class Meta:
        model = TimeReport
        fields = ["id", "application", "partner", "company", "company_name", "person_name", "month", "hours",
                  "hourly_rate", "value", "description", "reported_by", "reported_at", "is_attested",
                  "attested_by", "attested_at", "claim", "review_status", "review_reason"]
        read_only_fields = fields


class TimeReportCreateSerializer(fields.Serializer):
    partner = IdField(scope=app_selectors.visible_partners,
                      help_text=_("The partnership (company in an application) the hours are for."))
    person_name = serializers.CharField(max_length=150)
    month = serializers.DateField(help_text=_("Any day of the month; stored as its first day."))
    hours = fields.DecimalField(**HOURS)
    hourly_rate = fields.DecimalField(**MONEY)
    description = serializers.CharField(max_length=5000)


# ---------------------------------------------------------------- cash contributions (rule M2)
class CashContributionSerializer(fields.ModelSerializer):
    reported_by = UserNameField()
    receipt_url = serializers.SerializerMethodField()

    class Meta:
        model = CashContribution
        fields = ["id", "application", "amount", "paid_on", "voucher_reference", "receipt_url", "reported_by",
                  "reported_at", "claim", "review_status", "review_reason"]
        read_only_fields = fields

    @extend_schema_field({"type": "string", "format": "uri-reference", "nullable": True})
    def get_receipt_url(self, item):
        return reverse("api:cash-contribution-receipt", args=[item.pk]) if item.receipt else None


class CashContributionCreateSerializer(fields.Serializer):
    application = IdField(scope=app_selectors.visible_applications)
    amount = fields.DecimalField(**MONEY)
    paid_on = serializers.DateField()
    voucher_reference = serializers.CharField(max_length=100)
    receipt = serializers.FileField(required=False, help_text=_("PDF, PNG or JPEG, at most 10 MB."))


# ---------------------------------------------------------------- claims (rules E4, S3, T10)
DEDUCTION_TYPE_HELP = _("The error type of a deduction (rule V1), empty when there is none.")
VERIFICATION_FIELDS = ["eligible_value", "deduction", "deduction_type", "sampled", "parked_from"]


class ClaimTimeReportItemSerializer(fields.ModelSerializer):
    company_name = serializers.CharField(source="partner.company.name", read_only=True)
    value = fields.DecimalField(read_only=True, **MONEY)
    eligible_value = fields.DecimalField(read_only=True, help_text=_("What counts as verified (rule V1)."),
                                              **MONEY)
    deduction = fields.DecimalField(read_only=True, **MONEY)
    deduction_type = serializers.CharField(read_only=True, help_text=DEDUCTION_TYPE_HELP)

    class Meta:
        model = TimeReport
        fields = ["id", "partner", "company_name", "person_name", "month", "hours", "hourly_rate", "value",
                  "review_status", "review_reason", "eligible_hours", *VERIFICATION_FIELDS]
        read_only_fields = fields


class ClaimCashItemSerializer(fields.ModelSerializer):
    eligible_value = fields.DecimalField(read_only=True, **MONEY)
    deduction = fields.DecimalField(read_only=True, **MONEY)
    deduction_type = serializers.CharField(read_only=True, help_text=DEDUCTION_TYPE_HELP)

    class Meta:
        model = CashContribution
        fields = ["id", "amount", "paid_on", "voucher_reference", "review_status", "review_reason",
                  "eligible_amount", *VERIFICATION_FIELDS]
        read_only_fields = fields


class ClaimTotalsSerializer(fields.Serializer):
    """A claim's figures (ledger.grants.ClaimTotals), the same as on its page and in the statement."""

    claimed = fields.DecimalField(read_only=True, help_text=_("Everything in the claim as reported."), **MONEY)
    accepted = fields.DecimalField(read_only=True, help_text=_("The eligible part of accepted items."), **MONEY)
    rejected = fields.DecimalField(read_only=True, help_text=_("Items rejected in full."), **MONEY)
    deducted = fields.DecimalField(read_only=True, help_text=_("Ineligible parts of accepted items."), **MONEY)
    parked = fields.DecimalField(read_only=True, help_text=_("Items carried to the next claim."), **MONEY)
    pending = fields.DecimalField(read_only=True, **MONEY)
    payable = fields.DecimalField(read_only=True, allow_null=True, **MONEY)
    recovery = fields.DecimalField(read_only=True, allow_null=True, **MONEY)
    items = serializers.IntegerField(read_only=True)
    checked = serializers.IntegerField(read_only=True, help_text=_("Items checked on the spot or in a sample."))


class ClaimSerializer(fields.ModelSerializer):
    """A payment claim with its items and its payment clock."""

    application_reference = serializers.CharField(source="application.reference", read_only=True)
    created_by = UserNameField()
    verified_by = UserNameField()
    paid_by = UserNameField()
    time_reports = ClaimTimeReportItemSerializer(many=True, read_only=True)
    cash_contributions = ClaimCashItemSerializer(many=True, read_only=True)
    payment_clock = serializers.SerializerMethodField()
    totals = serializers.SerializerMethodField()

    class Meta:
        model = Claim
        fields = ["id", "application", "application_reference", "number", "period_start", "period_end",
                  "is_final", "state", "created_by", "created_at", "submitted_at", "verified_by", "verified_at",
                  "paid_by", "paid_at", "payable_amount", "recovery_amount", "return_reason", "time_reports",
                  "cash_contributions", "payment_clock", "totals"]
        read_only_fields = fields

    def get_payment_clock(self, claim):
        found = deadlines.clock_of(claim, clock.today())
        if found is None:
            return None
        return {"started_at": serializers.DateTimeField().to_representation(claim.clock_started_at),
                "days_elapsed": found.elapsed, "days_left": found.days_left, "paused": found.paused,
                "stopped": found.stopped, "warning": found.warning, "overdue": found.overdue}

    @extend_schema_field(ClaimTotalsSerializer)
    def get_totals(self, claim):
        return ClaimTotalsSerializer(grants.claim_totals(claim, grants.claim_items(claim))).data


PAYMENT_CLOCK_SCHEMA = {
    "type": "object", "nullable": True,
    "description": "The 80-day payment clock (rules T5, D2); null before the claim was submitted.",
    "properties": {"started_at": {"type": "string", "format": "date-time"},
                   "days_elapsed": {"type": "integer"}, "days_left": {"type": "integer"},
                   "paused": {"type": "boolean"}, "stopped": {"type": "boolean"},
                   "warning": {"type": "boolean"}, "overdue": {"type": "boolean"}},
}
extend_schema_field(PAYMENT_CLOCK_SCHEMA)(ClaimSerializer.get_payment_clock)


def _ids(**kwargs):
    return serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False,
                                 max_length=1000, **kwargs)


class ClaimCreateSerializer(fields.Serializer):
    application = IdField(scope=app_selectors.visible_applications)
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    is_final = serializers.BooleanField(required=False, default=False)
    time_reports = _ids(help_text=_("Attested, unclaimed time reports to include (default: all of them)."))
    cash_contributions = _ids(help_text=_("Unclaimed cash items to include (default: all of them)."))


class ClaimTransitionInputSerializer(fields.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=COMMENT_MAX,
                                    help_text=_("Required to return a claim: what the applicant must add or change."))


class ClaimTransitionSerializer(fields.Serializer):
    name = serializers.CharField()
    comment_required = serializers.BooleanField()


class ItemReviewSerializer(fields.Serializer):
    """One of `decision` and `accept` must be given (the service answers 400 on `decision` otherwise)."""

    accept = serializers.BooleanField(required=False, allow_null=True, default=None,
                                      help_text=_("Short for decision accept (true) or reject (false)."))
    decision = serializers.ChoiceField(choices=["accept", "reject", "park"], required=False, allow_null=True,
                                       default=None, help_text=_("accept (in full or in part), reject, or park."))
    eligible = fields.DecimalField(
        required=False, allow_null=True, default=None, max_digits=14, decimal_places=2,
        help_text=_("Accept in part (rule V1): the eligible hours of a time report or amount of a cash item."))
    deduction_type = serializers.ChoiceField(choices=ErrorType.choices, required=False, allow_blank=True, default="")
    sampled = serializers.BooleanField(required=False, allow_null=True, default=None,
                                       help_text=_("Checked on the spot or in a sample (rule V3)."))
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=COMMENT_MAX,
                                   help_text=_("Required when the item is rejected, parked or accepted in part."))


class BulkAcceptSerializer(fields.Serializer):
    time_reports = _ids(default=list)
    cash_contributions = _ids(default=list)


class AdvanceSerializer(fields.Serializer):
    application = IdField(scope=app_selectors.applications_seen_in_full)
    amount = fields.DecimalField(help_text=_("At most half the grant and the call's maximum (rule T6)."),
                                      **MONEY)
    reason = serializers.CharField(max_length=COMMENT_MAX)


class TimeReportUpdateSerializer(fields.Serializer):
    person_name = serializers.CharField(max_length=150)
    month = serializers.DateField()
    hours = fields.DecimalField(**HOURS)
    hourly_rate = fields.DecimalField(**MONEY)
    description = serializers.CharField(max_length=5000)


class CashUpdateSerializer(fields.Serializer):
    amount = fields.DecimalField(**MONEY)
    paid_on = serializers.DateField()
    voucher_reference = serializers.CharField(max_length=100)


class AmendmentSerializer(fields.ModelSerializer):
    application_reference = serializers.CharField(source="application.reference", read_only=True)
    requested_by = UserNameField()
    decided_by = UserNameField()
    granted_amount = fields.DecimalField(source="decision.granted_amount", read_only=True, allow_null=True,
                                              default=None, **MONEY)

    class Meta:
        model = Amendment
        fields = ["id", "application", "application_reference", "number", "state", "reason",
                  "current_public_cash", "current_end_date", "current_granted", "current_partners",
                  "proposed_public_cash", "proposed_end_date", "proposed_partners", "added_partners",
                  "leaving_partners", "requested_by", "requested_at",
                  "decided_by", "decided_at", "decision_comment", "decision", "granted_amount"]
        read_only_fields = fields


class AmendmentPartnerSerializer(fields.Serializer):
    hours = fields.DecimalField(required=False, **HOURS)
    hourly_rate = fields.DecimalField(required=False, **MONEY)


class AmendmentJoiningSerializer(fields.Serializer):
    company = IdField(scope=app_selectors.visible_organisations, help_text=_("The id of a registered company."))
    hours = fields.DecimalField(**HOURS)
    hourly_rate = fields.DecimalField(**MONEY)
    role_description = serializers.CharField(max_length=COMMENT_MAX, required=False, default="", allow_blank=True)


class AmendmentCreateSerializer(fields.Serializer):
    application = IdField(scope=app_selectors.applications_seen_in_full)
    reason = serializers.CharField(max_length=COMMENT_MAX)
    public_cash = fields.DecimalField(required=False, allow_null=True, default=None, **MONEY)
    end_date = serializers.DateField(required=False, allow_null=True, default=None)
    partners = serializers.DictField(child=AmendmentPartnerSerializer(), required=False, default=dict,
                                     help_text=_("{partner id: {hours, hourly_rate}}; partners left out keep "
                                                 "their plan."))
    added_partners = AmendmentJoiningSerializer(many=True, required=False, default=list,
                                                help_text=_("Companies joining the project (rule A1)."))
    leaving_partners = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False,
                                             default=list, help_text=_("Ids of partners leaving the project; a "
                                                                       "replacement is one leaving and one joining."))


class AmendmentDecisionSerializer(fields.Serializer):
    approve = serializers.BooleanField()
    comment = serializers.CharField(max_length=COMMENT_MAX, help_text=_("The rationale, or the reason to refuse."))
    granted = fields.DecimalField(required=False, allow_null=True, default=None, **MONEY)


# ---------------------------------------------------------------- ledger
class LegSerializer(fields.ModelSerializer):
    account = serializers.CharField(source="account.code", read_only=True)
    account_kind = serializers.CharField(source="account.kind", read_only=True)

    class Meta:
        model = Posting
        fields = ["ordinal", "account", "account_kind", "amount", "hours"]
        read_only_fields = fields


class JournalEntrySerializer(fields.ModelSerializer):
    """One chained entry: hash = SHA-256 over its canonical form with its legs and prev_hash."""

    call = serializers.IntegerField(source="book.call_id", read_only=True)
    application_reference = serializers.CharField(source="application.reference", read_only=True, allow_null=True,
                                                  default=None)
    corrects_seq = serializers.IntegerField(source="corrects.seq", read_only=True, allow_null=True, default=None)
    legs = LegSerializer(source="postings", many=True, read_only=True)

    class Meta:
        model = JournalEntry
        fields = ["id", "book", "call", "seq", "kind", "occurred_at", "application", "application_reference",
                  "claim", "corrects", "corrects_seq", "actor_name", "memo", "payload", "legs", "prev_hash", "hash"]
        read_only_fields = fields


class CorrectionSerializer(fields.Serializer):
    amount = fields.DecimalField(help_text=_("The ineligible amount to reverse (SEK)."), **MONEY)
    reason = serializers.CharField(max_length=2000)
    hours = fields.DecimalField(required=False, allow_null=True, default=None,
                                     help_text=_("In-kind entries: the hours reversed with the amount."), **HOURS)


class BalanceFigures(fields.Serializer):
    approved = fields.DecimalField(read_only=True, help_text=_("Granted fund committed by decisions."), **MONEY)
    committed = fields.DecimalField(read_only=True, help_text=_("Commitment still outstanding."), **MONEY)
    released = fields.DecimalField(read_only=True, help_text=_("Commitment returned to the call budget."), **MONEY)
    verified_cash = fields.DecimalField(read_only=True, **MONEY)
    verified_inkind = fields.DecimalField(read_only=True, **MONEY)
    verified_hours = fields.DecimalField(read_only=True, **HOURS)
    paid = fields.DecimalField(read_only=True, help_text=_("Gross fund paid."), **MONEY)
    advanced = fields.DecimalField(read_only=True, help_text=_("Advances paid, part of paid (rule T6)."),
                                        **MONEY)
    recovered = fields.DecimalField(read_only=True, **MONEY)
    net_paid = fields.DecimalField(read_only=True, **MONEY)
    remaining = fields.DecimalField(read_only=True, help_text=_("Granted, not yet paid, not released."), **MONEY)


class ApplicationBalancesSerializer(BalanceFigures):
    """Balances of one application from the ledger (ledger.selectors.Balances)."""

    application = serializers.IntegerField(read_only=True)
    reference = serializers.CharField(read_only=True)
    call = serializers.IntegerField(read_only=True)
    state = serializers.CharField(read_only=True)

    def to_representation(self, pair):
        application, balances = pair
        data = BalanceFigures(context=self.context).to_representation(balances)
        return {"application": application.pk, "reference": application.reference, "call": application.call_id,
                "state": application.state, **data}


class CallBalancesSerializer(BalanceFigures):
    """Totals of one call (ledger.selectors.CallBalances): its budget, what is still free, and the sums."""

    call = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    budget = fields.DecimalField(read_only=True, **MONEY)
    uncommitted = fields.DecimalField(read_only=True, **MONEY)

    def to_representation(self, pair):
        call, balances = pair
        data = BalanceFigures(context=self.context).to_representation(balances.totals)
        return {"call": call.pk, "title": call.title, "budget": f"{balances.budget:.2f}",
                "uncommitted": f"{balances.uncommitted:.2f}", **data}



class CheckpointSerializer(fields.ModelSerializer):
    """A signed checkpoint: log `log` of ledger instance `instance_id` had `size` leaves with Merkle root
    `root` at `signed_at`, signed with Ed25519 by the key `key_fingerprint` names (reports/EXPORT_FORMAT.md
    §4 gives the signed message). `public_key` is that key (current or retired), or null when this server
    does not know it — itself a finding."""

    public_key = serializers.SerializerMethodField()

    class Meta:
        model = Checkpoint
        fields = ["id", "log", "book", "instance_id", "size", "root", "signed_at", "key_fingerprint", "signature",
                  "public_key"]
        read_only_fields = fields

    def get_public_key(self, checkpoint) -> str | None:
        found = keys.public_key_named(checkpoint.key_fingerprint)
        return None if found is None else found.hex()
