"""Serializers for organisations, calls, applications, partners and audit events.

Reading serializers describe what a caller sees; writing serializers only check the shape of the
input (types, lengths, at most two decimals) and hand it to the services (services/), which check
every business rule.
"""
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api import fields
from api.applications.plain import related_of
from api.base import MAX_ID
from applications import permissions, selectors
from applications.deadlines import days_until
from applications.models import (
    Application,
    AuditEvent,
    Decision,
    FundingCall,
    Organisation,
    Partner,
    ReportingPeriod,
)
from core import clock
from ledger import matching
from services import lifecycle

MONEY, HOURS = fields.MONEY, fields.HOURS
COMMENT_MAX = 5000


def user_name(user) -> str | None:
    return user.get_username() if user is not None else None


class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A reference to an object the caller may name; others are 'does not exist', never a leak."""

    def __init__(self, scope, **kwargs):
        self.scope = scope
        kwargs.setdefault("queryset", None)
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.scope(self.context["request"].user)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (int, str)):
            self.fail("incorrect_type", data_type=type(data).__name__)
        try:
            value = int(data)
        except ValueError:
            self.fail("incorrect_type", data_type=type(data).__name__)
        if not 0 < value <= MAX_ID:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(value)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdField(ScopedPrimaryKeyField):
    pass


# ---------------------------------------------------------------- organisations and calls
class OrganisationSerializer(fields.ModelSerializer):
    is_public = serializers.BooleanField(read_only=True)

    class Meta:
        model = Organisation
        fields = ["id", "name", "org_number", "kind", "is_public"]


class CallSerializer(fields.ModelSerializer):
    regional_body_name = serializers.CharField(source="regional_body.name", read_only=True)

    class Meta:
        model = FundingCall
        fields = ["id", "title", "regional_body", "regional_body_name", "fund_project_reference", "fund_budget",
                  "opens_on", "closes_on", "eligible_from", "eligible_until", "fund_ratio", "inkind_ratio",
                  "max_hourly_rate", "max_grant", "max_hours_per_person_month", "four_eyes", "state",
                  "four_eyes_threshold", "attestation_by_second_user", "reporting_period_months", "grace_days",
                  "max_advance", "max_advance_ratio"]


RATIO = {"max_digits": 6, "decimal_places": 4}


class CallUpdateSerializer(fields.Serializer):
    """A call's settings (every field optional: PATCH changes what is given, while the call is a draft)."""

    title = serializers.CharField(max_length=200, required=False)
    fund_project_reference = serializers.CharField(max_length=50, required=False)
    fund_budget = fields.DecimalField(required=False, **MONEY)
    opens_on = serializers.DateField(required=False)
    closes_on = serializers.DateField(required=False)
    eligible_from = serializers.DateField(required=False)
    eligible_until = serializers.DateField(required=False)
    fund_ratio = fields.DecimalField(required=False, help_text=_("Share of the matched public cash the fund "
                                                                      "pays, at most 1 (rule E1)."), **RATIO)
    inkind_ratio = fields.DecimalField(required=False, **RATIO)
    max_hourly_rate = fields.DecimalField(required=False, **MONEY)
    max_grant = fields.DecimalField(required=False, **MONEY)
    max_hours_per_person_month = fields.DecimalField(required=False, **HOURS)
    four_eyes = serializers.BooleanField(required=False)
    four_eyes_threshold = fields.DecimalField(required=False, allow_null=True, **MONEY)
    attestation_by_second_user = serializers.BooleanField(required=False)
    max_advance = fields.DecimalField(required=False, help_text=_("At most 400 000 SEK (rule T6)."), **MONEY)
    max_advance_ratio = fields.DecimalField(required=False, help_text=_("At most 0.5 of the grant (rule T6)."),
                                            **RATIO)
    reporting_period_months = serializers.IntegerField(required=False, min_value=3, max_value=6)
    grace_days = serializers.IntegerField(required=False, min_value=0, max_value=365)


class CallCreateSerializer(CallUpdateSerializer):
    regional_body = IdField(scope=selectors.visible_organisations,
                            help_text=_("The regional body whose call it is; you must be one of its officers."))


# ---------------------------------------------------------------- applications
class DecisionSerializer(fields.ModelSerializer):
    decided_by = serializers.SerializerMethodField()

    class Meta:
        model = Decision
        fields = ["id", "granted_amount", "approved_public_cash", "approved_inkind_value", "approved_hours",
                  "fund_ratio", "inkind_ratio", "max_hourly_rate", "partner_rates", "rationale", "decided_by",
                  "decided_at", "amends"]

    def get_decided_by(self, decision) -> str:
        return user_name(decision.decided_by)


class ReportingPeriodSerializer(fields.ModelSerializer):
    """A reporting period and the due date of its claim (rule D1); `days_until_due` is negative once
    overdue."""

    days_until_due = serializers.SerializerMethodField()

    class Meta:
        model = ReportingPeriod
        fields = ["number", "starts_on", "ends_on", "due_on", "is_final", "days_until_due"]
        read_only_fields = fields

    def get_days_until_due(self, period) -> int:
        return days_until(period.due_on, clock.today())


class ApplicationSerializer(fields.ModelSerializer):
    """An application as its readers see it, with the planned figures of the matching rule (M3, M4)."""

    applicant_name = serializers.CharField(source="applicant.name", read_only=True)
    call_title = serializers.CharField(source="call.title", read_only=True)
    partners = serializers.SerializerMethodField()
    planned_inkind_value = serializers.SerializerMethodField()
    requested_fund = serializers.SerializerMethodField()
    decision = serializers.SerializerMethodField()
    reporting_periods = serializers.SerializerMethodField()

    class Meta:
        model = Application
        fields = ["id", "reference", "call", "call_title", "applicant", "applicant_name", "title",
                  "needs_analysis", "testbed_description", "start_date", "end_date", "public_cash", "state",
                  "partners", "planned_inkind_value", "requested_fund", "decision", "reporting_periods", "created_at",
                  "updated_at"]
        read_only_fields = fields

    def _plan(self, application) -> matching.PlannedBudget:
        cache = self.context.setdefault("_plans", {})
        if application.pk not in cache:
            cache[application.pk] = matching.plan(
                application.public_cash, [(hours, rate) for _pk, hours, rate in related_of(application).partners],
                fund_ratio=application.call.fund_ratio, inkind_ratio=application.call.inkind_ratio)
        return cache[application.pk]

    def get_partners(self, application) -> list[int]:
        return [pk for pk, _hours, _rate in related_of(application).partners]

    @extend_schema_field(fields.DecimalField(**MONEY))
    def get_planned_inkind_value(self, application):
        return f"{self._plan(application).inkind_value:.2f}"

    @extend_schema_field(fields.DecimalField(**MONEY))
    def get_requested_fund(self, application):
        return f"{self._plan(application).requested_fund:.2f}"

    @extend_schema_field(ReportingPeriodSerializer(many=True, allow_null=True))
    def get_reporting_periods(self, application):
        """The claim due dates (rule D1), for those who see the claims; null for a partner company (P1).
        Plain values in ReportingPeriodSerializer's shape (api/applications/plain.py)."""
        request = self.context.get("request")
        if request is None or not permissions.sees_everything_of(request.user, application):
            return None
        return related_of(application).periods

    @extend_schema_field(DecisionSerializer(allow_null=True))
    def get_decision(self, application):
        decision = related_of(application).decision
        if decision is None:
            return None
        # One DecisionSerializer per response, not per row: building a serializer's fields is
        # most of the cost of a list page (bench/: 4× faster applications list).
        serializer = self.context.get("_decision_serializer")
        if serializer is None:
            serializer = self.context["_decision_serializer"] = DecisionSerializer()
        return serializer.to_representation(decision)


class ApplicationCreateSerializer(fields.Serializer):
    call = IdField(scope=selectors.visible_calls)
    applicant = IdField(scope=selectors.visible_organisations,
                        help_text=_("The public organisation you apply for; you must be its applicant."))
    title = serializers.CharField(max_length=200)
    needs_analysis = serializers.CharField(required=False, allow_blank=True, default="", max_length=20000)
    testbed_description = serializers.CharField(required=False, allow_blank=True, default="", max_length=20000)
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    public_cash = fields.DecimalField(**MONEY)


class ApplicationUpdateSerializer(fields.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    needs_analysis = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    testbed_description = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    start_date = serializers.DateField(required=False)
    end_date = serializers.DateField(required=False)
    public_cash = fields.DecimalField(required=False, **MONEY)


class TransitionSerializer(fields.Serializer):
    """A transition the caller may take now (rules are checked when it is taken)."""

    name = serializers.CharField()
    comment_required = serializers.BooleanField()
    takes_granted = serializers.BooleanField(help_text=_("Approval: the granted amount may be given."))


class ApplicationTransitionInputSerializer(fields.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=COMMENT_MAX,
                                    help_text=_("Required to request changes, reject, withdraw or terminate; "
                                                "the rationale of an approval."))
    granted = fields.DecimalField(required=False, allow_null=True, default=None, **MONEY,
                                       help_text=_("Approval only: the granted fund amount (default: requested)."))


def application_transitions(application, user) -> list[dict]:
    return [{"name": name, "comment_required": name in lifecycle.COMMENT_REQUIRED, "takes_granted": name == "approve"}
            for name in lifecycle.available_transitions(application, user)]


# ---------------------------------------------------------------- partners
class PartnerSerializer(fields.ModelSerializer):
    company_name = serializers.CharField(source="company.name", read_only=True)
    planned_value = fields.DecimalField(read_only=True, **MONEY)

    class Meta:
        model = Partner
        fields = ["id", "application", "company", "company_name", "planned_hours", "hourly_rate", "planned_value",
                  "role_description"]
        read_only_fields = fields


class PartnerCreateSerializer(fields.Serializer):
    application = IdField(scope=selectors.visible_applications)
    company = IdField(scope=selectors.visible_organisations)
    planned_hours = fields.DecimalField(**HOURS)
    hourly_rate = fields.DecimalField(**MONEY)
    role_description = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class PartnerUpdateSerializer(fields.Serializer):
    planned_hours = fields.DecimalField(required=False, **HOURS)
    hourly_rate = fields.DecimalField(required=False, **MONEY)
    role_description = serializers.CharField(required=False, allow_blank=True, max_length=5000)


# ---------------------------------------------------------------- audit
class AuditEventSerializer(fields.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = ["id", "occurred_at", "actor_name", "action", "object_type", "object_id", "object_repr",
                  "application", "from_state", "to_state", "comment", "changes"]
        read_only_fields = fields
