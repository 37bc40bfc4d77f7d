"""Filters for contributions, claims, ledger entries and balances (unseen objects in a filter → 404)."""
import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from api.applications.filters import BooleanFilter, DateFilter, MomentFilter, StrictFilterSet, VisibleIdFilter
from applications import selectors as app_selectors
from applications.models import Application, FundingCall
from ledger import selectors as ledger_selectors
from ledger.models import CashContribution, Checkpoint, Claim, JournalEntry, ReviewStatus, TimeReport

MAX_SEQ = 2**62


@extend_schema_field({"type": "integer", "minimum": 0, "maximum": MAX_SEQ})
class SeqFilter(django_filters.NumberFilter):
    """A sequence number of a book: a whole number from 0."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=0, max_value=MAX_SEQ, **kwargs)


class TimeReportFilter(StrictFilterSet):
    application = VisibleIdFilter(field_name="partner__application_id", scope=app_selectors.visible_applications)
    partner = VisibleIdFilter(field_name="partner_id", scope=app_selectors.visible_partners)
    company = VisibleIdFilter(field_name="partner__company_id", scope=app_selectors.visible_organisations)
    claim = VisibleIdFilter(field_name="claim_id", scope=ledger_selectors.visible_claims)
    person_name = django_filters.CharFilter(lookup_expr="icontains", max_length=150)
    month_from = DateFilter(field_name="month", lookup_expr="gte")
    month_to = DateFilter(field_name="month", lookup_expr="lte")
    review_status = django_filters.ChoiceFilter(choices=ReviewStatus.choices)
    attested = BooleanFilter(field_name="attested_at", lookup_expr="isnull", exclude=True,
                                            help_text=_("true: attested reports only; false: not yet attested."))
    in_claim = BooleanFilter(field_name="claim", lookup_expr="isnull", exclude=True,
                                            help_text=_("true: already in a claim; false: not yet claimed."))

    class Meta:
        model = TimeReport
        fields = ["application", "partner", "company", "claim", "review_status"]


class CashContributionFilter(StrictFilterSet):
    application = VisibleIdFilter(field_name="application_id", scope=app_selectors.applications_seen_in_full)
    claim = VisibleIdFilter(field_name="claim_id", scope=ledger_selectors.visible_claims)
    review_status = django_filters.ChoiceFilter(choices=ReviewStatus.choices)
    voucher_reference = django_filters.CharFilter(max_length=100)
    paid_from = DateFilter(field_name="paid_on", lookup_expr="gte")
    paid_to = DateFilter(field_name="paid_on", lookup_expr="lte")
    in_claim = BooleanFilter(field_name="claim", lookup_expr="isnull", exclude=True)

    class Meta:
        model = CashContribution
        fields = ["application", "claim", "review_status", "voucher_reference"]


class ClaimFilter(StrictFilterSet):
    application = VisibleIdFilter(field_name="application_id", scope=app_selectors.applications_seen_in_full)
    call = VisibleIdFilter(field_name="application__call_id", scope=app_selectors.visible_calls)
    state = django_filters.MultipleChoiceFilter(choices=Claim.State.choices)
    is_final = BooleanFilter()

    class Meta:
        model = Claim
        fields = ["application", "call", "state", "is_final"]


class JournalEntryFilter(StrictFilterSet):
    call = VisibleIdFilter(field_name="book__call_id", scope=app_selectors.visible_calls)
    application = VisibleIdFilter(field_name="application_id", scope=app_selectors.visible_applications)
    claim = VisibleIdFilter(field_name="claim_id", scope=ledger_selectors.visible_claims)
    corrects = VisibleIdFilter(field_name="corrects_id", scope=ledger_selectors.visible_entries,
                               help_text=_("Corrections of this entry."))
    kind = django_filters.MultipleChoiceFilter(choices=JournalEntry.Kind.choices)
    seq_from = SeqFilter(field_name="seq", lookup_expr="gte")
    seq_to = SeqFilter(field_name="seq", lookup_expr="lte")
    occurred_after = MomentFilter(field_name="occurred_at", lookup_expr="gte")
    occurred_before = MomentFilter(field_name="occurred_at", lookup_expr="lt")

    class Meta:
        model = JournalEntry
        fields = ["call", "application", "claim", "kind"]


class ApplicationBalancesFilter(StrictFilterSet):
    call = VisibleIdFilter(field_name="call_id", scope=app_selectors.visible_calls)
    state = django_filters.MultipleChoiceFilter(choices=Application.State.choices)
    reference = django_filters.CharFilter(max_length=20)

    class Meta:
        model = Application
        fields = ["call", "state", "reference"]


class CallBalancesFilter(StrictFilterSet):
    state = django_filters.MultipleChoiceFilter(choices=FundingCall.State.choices)

    class Meta:
        model = FundingCall
        fields = ["state"]


class CheckpointFilter(StrictFilterSet):
    book = VisibleIdFilter(field_name="book_id", scope=ledger_selectors.verifiable_books)
    log = django_filters.CharFilter(max_length=40, help_text=_("book-<id>, audit or runs."))
    size_from = SeqFilter(field_name="size", lookup_expr="gte")

    class Meta:
        model = Checkpoint
        fields = ["book", "log"]
