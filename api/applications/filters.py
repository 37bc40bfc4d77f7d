"""Filters on the fields users search by; a filter naming an object the caller may not see is a 404."""
from datetime import UTC

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import NotFound

from api.base import MAX_ID
from applications import selectors
from applications.models import Application, AuditEvent, FundingCall, Organisation, Partner


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class VisibleIdFilter(django_filters.Filter):
    """Filter by the id of a related object that must be visible to the caller, else 404 (DESIGN §2).

    `scope(user)` gives the related objects the caller may name here; a missing id and an invisible
    one answer the same, so nobody learns what exists.
    """

    field_class = forms.IntegerField

    def __init__(self, *args, scope, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)
        self.scope = scope

    def filter(self, qs, value):
        if value is None:
            return qs
        if not self.scope(self.parent.request.user).filter(pk=value).exists():
            raise NotFound(_("No such object."))
        qs = qs.filter(**{self.field_name: value})
        return qs.distinct() if self.distinct else qs


class MomentFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 moment, compared in UTC: any offset a client writes (even -23:54, which PostgreSQL
    refuses as a time zone) names one instant, and the database only ever sees that instant in UTC."""

    def filter(self, qs, value):
        if value is not None and value.utcoffset() is not None:
            value = value.astimezone(UTC)
        return super().filter(qs, value)


class SearchFilter(django_filters.CharFilter):
    """Case-insensitive search across several text fields."""

    def __init__(self, *args, fields, **kwargs):
        kwargs.setdefault("max_length", 200)
        super().__init__(*args, **kwargs)
        self.search_fields = fields

    def filter(self, qs, value):
        value = (value or "").strip()
        if not value:
            return qs
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__icontains": value})
        return qs.filter(condition)


class OrganisationFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Organisation.Kind.choices)
    org_number = django_filters.CharFilter(max_length=11, help_text=_("Exact organisation number, NNNNNN-NNNN."))
    q = SearchFilter(fields=("name", "org_number"), help_text=_("Part of the name or organisation number."))

    class Meta:
        model = Organisation
        fields = ["kind", "org_number"]


class CallFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=FundingCall.State.choices)
    regional_body = VisibleIdFilter(field_name="regional_body_id", scope=selectors.visible_organisations)
    open_on = django_filters.DateFilter(method="filter_open_on", help_text=_("Calls open for applications on this date."))
    q = SearchFilter(fields=("title", "fund_project_reference"))

    class Meta:
        model = FundingCall
        fields = ["state", "regional_body"]

    def filter_open_on(self, qs, name, value):
        return qs.filter(opens_on__lte=value, closes_on__gte=value)


class ApplicationFilter(django_filters.FilterSet):
    state = django_filters.MultipleChoiceFilter(choices=Application.State.choices)
    call = VisibleIdFilter(field_name="call_id", scope=selectors.visible_calls)
    applicant = VisibleIdFilter(field_name="applicant_id", scope=selectors.visible_organisations)
    company = VisibleIdFilter(field_name="partners__company_id", scope=selectors.visible_organisations,
                              distinct=True, help_text=_("Applications this company is a partner in."))
    reference = django_filters.CharFilter(max_length=20)
    q = SearchFilter(fields=("reference", "title", "applicant__name", "applicant__org_number"),
                     help_text=_("Part of the reference, title or applicant's name or number."))
    created_after = MomentFilter(field_name="created_at", lookup_expr="gte")
    created_before = MomentFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Application
        fields = ["state", "call", "applicant", "reference"]


class PartnerFilter(django_filters.FilterSet):
    application = VisibleIdFilter(field_name="application_id", scope=selectors.visible_applications)
    company = VisibleIdFilter(field_name="company_id", scope=selectors.visible_organisations)

    class Meta:
        model = Partner
        fields = ["application", "company"]


class AuditEventFilter(django_filters.FilterSet):
    application = VisibleIdFilter(field_name="application_id", scope=selectors.visible_applications)
    action = django_filters.CharFilter(max_length=30)
    object_type = django_filters.CharFilter(max_length=30)
    object_id = django_filters.CharFilter(max_length=40)
    actor = django_filters.CharFilter(field_name="actor_name", max_length=150, help_text=_("User name of the actor."))
    occurred_after = MomentFilter(field_name="occurred_at", lookup_expr="gte")
    occurred_before = MomentFilter(field_name="occurred_at", lookup_expr="lt")

    class Meta:
        model = AuditEvent
        fields = ["application", "action", "object_type", "object_id"]
