"""REST API v1: time reports, cash contributions, claims (+ transitions and item review), the ledger.

Every money-creating POST honours Idempotency-Key (api.idempotency). Views translate HTTP to
the services (services/) and back; objects the caller may not see are 404 (ledger.selectors).
"""
import mimetypes
import os

from django.db.models import Prefetch
from django.http import FileResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from api.base import IDEMPOTENCY_KEY, ApiViewMixin, error_responses, parse_id, validated
from api.idempotency import idempotent, service_key
from applications import selectors as app_selectors
from ledger import selectors as ledger_selectors
from ledger.models import JournalEntry, Posting, TimeReport
from ledger.selectors import application_balances, balances_by_application, balances_by_call, call_balances
from services import advances, amendments, contributions, corrections
from services import claims as claim_services
from services.effects import log_event

from .filters import (
    ApplicationBalancesFilter,
    CallBalancesFilter,
    CashContributionFilter,
    CheckpointFilter,
    ClaimFilter,
    JournalEntryFilter,
    TimeReportFilter,
)
from .serializers import (
    AdvanceSerializer,
    AmendmentCreateSerializer,
    AmendmentDecisionSerializer,
    AmendmentSerializer,
    ApplicationBalancesSerializer,
    BulkAcceptSerializer,
    CallBalancesSerializer,
    CashContributionCreateSerializer,
    CashContributionSerializer,
    CashUpdateSerializer,
    CheckpointSerializer,
    ClaimCreateSerializer,
    ClaimSerializer,
    ClaimTransitionInputSerializer,
    ClaimTransitionSerializer,
    CorrectionSerializer,
    ItemReviewSerializer,
    JournalEntrySerializer,
    TimeReportCreateSerializer,
    TimeReportSerializer,
    TimeReportUpdateSerializer,
)


def _tagged(tag: str):
    return extend_schema_view(list=extend_schema(tags=[tag]), retrieve=extend_schema(tags=[tag]))


# ---------------------------------------------------------------- time reports (rules M5, S1)
@_tagged("time-reports")
class TimeReportViewSet(ApiViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Hours reported by company representatives, attested by them, then claimed and verified."""

    serializer_class = TimeReportSerializer
    filterset_class = TimeReportFilter
    ordering_fields = ["month", "person_name", "hours", "reported_at", "id"]
    ordering = ["month", "person_name", "id"]

    def get_queryset(self):
        return (ledger_selectors.visible_time_reports(self.request.user)
                .select_related("partner__company", "reported_by", "attested_by"))

    def _read(self, report, status_code=status.HTTP_200_OK) -> Response:
        return Response(TimeReportSerializer(self.get_queryset().get(pk=report.pk)).data, status=status_code)

    @extend_schema(tags=["time-reports"], parameters=[IDEMPOTENCY_KEY], request=TimeReportCreateSerializer,
                   responses={201: TimeReportSerializer, **error_responses(422)})
    @idempotent("time-report")
    def create(self, request):
        """Report one person's hours for one month (company representatives of the partner)."""
        data = validated(TimeReportCreateSerializer, request)
        report = contributions.report_time(data.pop("partner"), by=request.user,
                                      idempotency_key=service_key(request, "time-report"), **data)
        return self._read(report, status.HTTP_201_CREATED)

    @extend_schema(tags=["time-reports"], request=TimeReportUpdateSerializer,
                   responses={200: TimeReportSerializer, **error_responses(409, 422)})
    def update(self, request, pk=None):
        """Change a time report (its reporter, until it is attested or in a claim; rule V4)."""
        data = validated(TimeReportUpdateSerializer, request)
        report = contributions.update_time_report(self.get_object(), by=request.user, **data)
        return self._read(report)

    @extend_schema(tags=["time-reports"], responses={204: None, **error_responses(409)})
    def destroy(self, request, pk=None):
        """Delete a time report (its reporter, until it is attested or in a claim; rule V4)."""
        contributions.delete_time_report(self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(tags=["time-reports"], request=None, responses={200: TimeReportSerializer, **error_responses(409)})
    @action(detail=True, methods=["post"], filter_backends=[])
    def attest(self, request, pk=None):
        """The employer attests the hours (rule S1); attested reports can go into a claim."""
        report = contributions.attest_time_report(self.get_object(), by=request.user)
        return self._read(report)


# ---------------------------------------------------------------- cash contributions (rule M2)
RECEIPT_RESPONSES = {
    (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description=_("The receipt file.")),
    (200, "image/png"): OpenApiTypes.BINARY,
    (200, "image/jpeg"): OpenApiTypes.BINARY,
}


@_tagged("cash-contributions")
class CashContributionViewSet(ApiViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                              viewsets.GenericViewSet):
    """Public cash the applicant paid into the testbed, each with its voucher and receipt."""

    serializer_class = CashContributionSerializer
    filterset_class = CashContributionFilter
    ordering_fields = ["paid_on", "amount", "reported_at", "id"]
    ordering = ["paid_on", "id"]

    def get_queryset(self):
        return ledger_selectors.visible_cash(self.request.user).select_related("reported_by")

    parser_classes = [MultiPartParser]  # its one write is the upload of a contribution with its receipt

    def perform_content_negotiation(self, request, force=False):
        # The receipt is sent whatever the Accept header says; errors come back as JSON.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(tags=["cash-contributions"], parameters=[IDEMPOTENCY_KEY],
                   request={"multipart/form-data": CashContributionCreateSerializer},
                   responses={201: CashContributionSerializer, **error_responses(422)})
    @idempotent("cash-contribution")
    def create(self, request):
        """Report a cash contribution with its receipt (multipart/form-data; the applicant only)."""
        data = validated(CashContributionCreateSerializer, request)
        item = contributions.report_cash(data.pop("application"), by=request.user, receipt=data.pop("receipt", None),
                                    idempotency_key=service_key(request, "cash-contribution"), **data)
        return Response(CashContributionSerializer(self.get_queryset().get(pk=item.pk)).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(tags=["cash-contributions"], request={"multipart/form-data": CashUpdateSerializer},
                   responses={200: CashContributionSerializer, **error_responses(409, 422)})
    def update(self, request, pk=None):
        """Change a cash item (its reporter, until it is in a submitted claim; rule V4)."""
        data = validated(CashUpdateSerializer, request)
        item = contributions.update_cash(self.get_object(), by=request.user, **data)
        return Response(CashContributionSerializer(self.get_queryset().get(pk=item.pk)).data)

    @extend_schema(tags=["cash-contributions"], responses={204: None, **error_responses(409)})
    def destroy(self, request, pk=None):
        """Delete a cash item (its reporter, until it is in a submitted claim; rule V4)."""
        contributions.delete_cash(self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(tags=["cash-contributions"], responses=RECEIPT_RESPONSES)
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def receipt(self, request, pk=None):
        """Download the receipt (the download is logged, rule E5); 404 when there is none."""
        item = self.get_object()
        if not item.receipt:
            raise NotFound(_("This cash contribution has no receipt."))
        log_event(by=request.user, action="download", obj=item, application=item.application,
                  changes={"file": "receipt"})
        name = f"{item.voucher_reference}{os.path.splitext(item.receipt.name)[1]}"
        content_type = mimetypes.guess_type(item.receipt.name)[0] or "application/octet-stream"
        return FileResponse(item.receipt.open("rb"), filename=name, content_type=content_type)


# ---------------------------------------------------------------- claims (rules E4, S3, T10)
CLAIM_TRANSITIONS = ("submit", "return_to_applicant", "verify", "pay")
CLAIM_TRANSITION_NAME = OpenApiParameter(
    "name", str, OpenApiParameter.PATH, enum=list(CLAIM_TRANSITIONS),
    description=_("submit (applicant), return_to_applicant, verify, pay (officers; four eyes: not the verifier)."))
ITEM_KINDS = {"time-reports": "time_reports", "cash-contributions": "cash_contributions"}
ITEM_KIND = OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=list(ITEM_KINDS))
ITEM_ID = OpenApiParameter("item_id", {"type": "integer", "minimum": 1}, OpenApiParameter.PATH)


@_tagged("claims")
class ClaimViewSet(ApiViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Payment claims: assembled and submitted by the applicant, verified item by item, then paid."""

    serializer_class = ClaimSerializer
    filterset_class = ClaimFilter
    ordering_fields = ["number", "created_at", "submitted_at", "id"]
    ordering = ["application_id", "number"]

    def get_queryset(self):
        return (ledger_selectors.visible_claims(self.request.user)
                .select_related("application__call", "application__applicant", "created_by", "verified_by",
                                "paid_by")
                .prefetch_related(Prefetch("time_reports", queryset=TimeReport.objects.select_related("partner__company")),
                                  Prefetch("parked_timereport",
                                           queryset=TimeReport.objects.select_related("partner__company")),
                                  "cash_contributions", "parked_cashcontribution"))

    def _read(self, claim, status_code=status.HTTP_200_OK) -> Response:
        return Response(ClaimSerializer(self.get_queryset().get(pk=claim.pk)).data, status=status_code)

    @extend_schema(tags=["claims"], parameters=[IDEMPOTENCY_KEY], request=ClaimCreateSerializer,
                   responses={201: ClaimSerializer, **error_responses(422)})
    @idempotent("claim")
    def create(self, request):
        """Gather attested time reports and cash items into a new draft claim (the applicant only)."""
        data = validated(ClaimCreateSerializer, request)
        claim = claim_services.create_claim(
            data["application"], by=request.user, period_start=data["period_start"], period_end=data["period_end"],
            is_final=data["is_final"], time_report_ids=data.get("time_reports"),
            cash_ids=data.get("cash_contributions"))
        return self._read(claim, status.HTTP_201_CREATED)

    @extend_schema(tags=["claims"], responses={200: ClaimTransitionSerializer(many=True)})
    @action(detail=True, methods=["get"], url_path="transitions", pagination_class=None, filter_backends=[])
    def transitions(self, request, pk=None):
        """The transitions the caller may take now (state and role; rules are checked on taking one)."""
        claim = self.get_object()
        names = [t.name for t in claim.get_available_user_state_transitions(request.user)]
        return Response(ClaimTransitionSerializer(
            [{"name": n, "comment_required": n == "return_to_applicant"} for n in names], many=True).data)

    @extend_schema(tags=["claims"], operation_id="claims_transition",
                   parameters=[CLAIM_TRANSITION_NAME, IDEMPOTENCY_KEY], request=ClaimTransitionInputSerializer,
                   responses={200: ClaimSerializer, **error_responses(409, 422)})
    @action(detail=True, methods=["post"], url_path=r"transitions/(?P<name>[^/]+)", filter_backends=[])
    @idempotent("claim-transition")
    def transition(self, request, pk=None, name=None):
        """Submit, return (comment = what to add or change), verify (posts accepted items) or pay (rule M7)."""
        claim = self.get_object()
        if name not in CLAIM_TRANSITIONS:
            raise NotFound(_("No such transition."))
        data = validated(ClaimTransitionInputSerializer, request)
        if name == "submit":
            claim_services.submit_claim(claim, by=request.user)
        elif name == "return_to_applicant":
            claim_services.return_claim(claim, by=request.user, reason=data["comment"])
        elif name == "verify":
            claim_services.verify_claim(claim, by=request.user)
        else:
            claim_services.pay_claim(claim, by=request.user, idempotency_key=service_key(request, "claim-pay"))
        return self._read(claim)

    @extend_schema(tags=["claims"], operation_id="claims_review_item", parameters=[ITEM_KIND, ITEM_ID],
                   request=ItemReviewSerializer, responses={200: ClaimSerializer, **error_responses(409)})
    @action(detail=True, methods=["post"], url_path=r"items/(?P<kind>[^/]+)/(?P<item_id>[^/]+)/review",
            filter_backends=[])
    def review_item(self, request, pk=None, kind=None, item_id=None):
        """Accept or reject one time report or cash item of a submitted claim (officers; rule E4).

        Rules across fields (400 naming the field): `decision` or `accept` must be given; a rejection or
        a parked item needs a `reason`; accepting in part (`eligible` below the claimed figure) needs a
        `deduction_type` and a `reason`; `eligible` lies between 0 and the claimed hours or amount.
        The claim must be submitted (409 otherwise)."""
        claim = self.get_object()
        if kind not in ITEM_KINDS:
            raise NotFound(_("No such kind of item."))
        item = getattr(claim, ITEM_KINDS[kind]).filter(pk=parse_id(item_id)).first()
        if item is None:
            raise NotFound(_("The claim has no such item."))
        data = validated(ItemReviewSerializer, request)
        claim_services.review_item(claim, item, by=request.user, decision=data["decision"], accept=data["accept"],
                                   reason=data["reason"],
                                   eligible=data["eligible"], deduction_type=data["deduction_type"],
                                   sampled=data["sampled"])
        return self._read(claim)

    @extend_schema(tags=["claims"], operation_id="claims_bulk_accept", request=BulkAcceptSerializer,
                   responses={200: ClaimSerializer, **error_responses(409)})
    @action(detail=True, methods=["post"], url_path="bulk-accept", filter_backends=[])
    def bulk_accept(self, request, pk=None):
        """Accept the selected pending items in full (officers; rule E4)."""
        claim = self.get_object()
        data = validated(BulkAcceptSerializer, request)
        items = (list(claim.time_reports.filter(pk__in=data["time_reports"]))
                 + list(claim.cash_contributions.filter(pk__in=data["cash_contributions"])))
        claim_services.bulk_accept(claim, items, by=request.user)
        return self._read(claim)


# ---------------------------------------------------------------- advances (rule T6)
@extend_schema_view(list=extend_schema(tags=["advances"]))
class AdvanceViewSet(ApiViewMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Advances: decided and paid by an officer, offset against the following claims (rule T6)."""

    serializer_class = JournalEntrySerializer
    ordering = ["book_id", "seq"]

    def get_queryset(self):
        return (ledger_selectors.visible_entries(self.request.user).filter(kind=JournalEntry.Kind.ADVANCE)
                .select_related("book", "application", "corrects")
                .prefetch_related(Prefetch("postings", queryset=Posting.objects.select_related("account")
                                           .order_by("ordinal"))))

    @extend_schema(tags=["advances"], request=AdvanceSerializer,
                   responses={201: JournalEntrySerializer, **error_responses(409, 422)})
    def create(self, request):
        """Pay an advance on an approved or active grant: ≤ half the grant and ≤ the call's maximum (officers)."""
        data = validated(AdvanceSerializer, request)
        entry = advances.pay_advance(data["application"], by=request.user, amount=data["amount"],
                                     reason=data["reason"])
        return Response(JournalEntrySerializer(self.get_queryset().get(pk=entry.pk)).data,
                        status=status.HTTP_201_CREATED)


# ---------------------------------------------------------------- amendments (rules A1–A3)
@_tagged("amendments")
class AmendmentViewSet(ApiViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Amendments of active projects: requested by the applicant, decided by an officer."""

    serializer_class = AmendmentSerializer
    ordering = ["application_id", "number"]

    def get_queryset(self):
        return app_selectors.visible_amendments(self.request.user).select_related(
            "application", "requested_by", "decided_by", "decision")

    @extend_schema(tags=["amendments"], request=AmendmentCreateSerializer,
                   responses={201: AmendmentSerializer, **error_responses(409, 422)})
    def create(self, request):
        """Request an amendment with a reason and the proposed plan (the applicant; rule A1)."""
        data = validated(AmendmentCreateSerializer, request)
        amendment = amendments.request_amendment(
            data["application"], by=request.user, reason=data["reason"], public_cash=data["public_cash"],
            end_date=data["end_date"], partners={k: {f: v for f, v in row.items()} for k, row in data["partners"].items()},
            added_partners=[dict(row) for row in data["added_partners"]], leaving_partners=data["leaving_partners"])
        return Response(AmendmentSerializer(self.get_queryset().get(pk=amendment.pk)).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(tags=["amendments"], request=AmendmentDecisionSerializer,
                   responses={200: AmendmentSerializer, **error_responses(409, 422)})
    @action(detail=True, methods=["post"], filter_backends=[])
    def decide(self, request, pk=None):
        """Approve (a new amending decision; the commitment moves by the difference) or refuse (officers)."""
        amendment = self.get_object()
        data = validated(AmendmentDecisionSerializer, request)
        if data["approve"]:
            amendments.approve_amendment(amendment, by=request.user, rationale=data["comment"],
                                         granted=data["granted"])
        else:
            amendments.refuse_amendment(amendment, by=request.user, rationale=data["comment"])
        return Response(AmendmentSerializer(self.get_queryset().get(pk=amendment.pk)).data)


# ---------------------------------------------------------------- the ledger
@_tagged("ledger")
class JournalEntryViewSet(ApiViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The hash-chained journal, read-only: each entry with its legs, seq, prev_hash and hash."""

    serializer_class = JournalEntrySerializer
    filterset_class = JournalEntryFilter
    ordering_fields = ["seq", "occurred_at", "id"]
    ordering = ["book_id", "seq"]

    def get_queryset(self):
        return (ledger_selectors.visible_entries(self.request.user)
                .select_related("book", "application", "corrects")
                .prefetch_related(Prefetch("postings", queryset=Posting.objects.select_related("account")
                                           .order_by("ordinal"))))

    @extend_schema(tags=["ledger"], parameters=[IDEMPOTENCY_KEY], request=CorrectionSerializer,
                   responses={201: JournalEntrySerializer, **error_responses(422)})
    @action(detail=True, methods=["post"], filter_backends=[])
    @idempotent("correction")
    def corrections(self, request, pk=None):
        """Correct a posted entry by a reversing entry (rule E7).

        A contribution: the amount (and hours) declared ineligible, then any recovery of fund paid beyond
        what the matching rule now allows. A fund payment or advance (while the project runs): the amount
        that did not reach the beneficiary goes back to the commitment and is paid with the next payment.
        """
        entry = self.get_object()
        data = validated(CorrectionSerializer, request)
        correction = corrections.record_correction(entry, by=request.user, amount=data["amount"], reason=data["reason"],
                                                hours=data["hours"], idempotency_key=service_key(request, "correction"))
        return Response(JournalEntrySerializer(self.get_queryset().get(pk=correction.pk)).data,
                        status=status.HTTP_201_CREATED)


@_tagged("ledger")
class CheckpointViewSet(ApiViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Signed checkpoints, read-only: what an auditor checks a journal export or a statement against
    (DESIGN §7). Officers see those of their calls' books; auditors every book's and the audit and
    runs logs'. Nobody else sees any (a 404 for one, an empty list)."""

    serializer_class = CheckpointSerializer
    filterset_class = CheckpointFilter
    ordering_fields = ["size", "signed_at", "id"]
    ordering = ["log", "size", "id"]

    def get_queryset(self):
        return ledger_selectors.visible_checkpoints(self.request.user)


@_tagged("ledger")
class ApplicationBalancesViewSet(ApiViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                                 viewsets.GenericViewSet):
    """Per application: approved, committed, verified cash and in-kind, paid, recovered (ledger.selectors)."""

    serializer_class = ApplicationBalancesSerializer
    filterset_class = ApplicationBalancesFilter
    ordering_fields = ["reference", "created_at", "id"]
    ordering = ["reference", "id"]

    def get_queryset(self):
        return app_selectors.visible_applications(self.request.user)

    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        balances = balances_by_application(page)
        return self.get_paginated_response(
            ApplicationBalancesSerializer([(a, balances[a.pk]) for a in page], many=True).data)

    def retrieve(self, request, pk=None):
        application = self.get_object()
        return Response(ApplicationBalancesSerializer((application, application_balances(application))).data)


@_tagged("ledger")
class CallBalancesViewSet(ApiViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Per call: budget, still uncommitted, and the totals of its applications (officers and auditors)."""

    serializer_class = CallBalancesSerializer
    filterset_class = CallBalancesFilter
    ordering_fields = ["title", "opens_on", "id"]
    ordering = ["-opens_on", "id"]

    def get_queryset(self):
        return app_selectors.calls_seen_in_full(self.request.user)

    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        balances = balances_by_call(page)
        return self.get_paginated_response(CallBalancesSerializer([(c, balances[c.pk]) for c in page], many=True).data)

    def retrieve(self, request, pk=None):
        call = self.get_object()
        return Response(CallBalancesSerializer((call, call_balances(call))).data)
