"""Filters on the fields users search by; a filter naming an object the caller may not see is a 404.

Every filter takes exactly what the schema says, and anything else is a 400 naming the parameter
(StrictFilterSet): dates as YYYY-MM-DD, moments as RFC 3339 date-times, booleans as true/false, ids
and numbers as whole numbers in range, choices from their enum; a parameter that is not a list is
given once, and only a text may be empty.
"""
import re
from datetime import UTC

import django_filters
from django import forms
from django.db.models import Q
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import NotFound

from api.base import MAX_ID
from applications import selectors
from applications.models import Application, AuditEvent, FundingCall, Organisation, Partner

FULL_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
DATE_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})")


class IsoDateField(forms.DateField):
    """A date as RFC 3339 full-date (YYYY-MM-DD), nothing else."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if not isinstance(value, str) or not FULL_DATE.fullmatch(value):
            raise forms.ValidationError(_("Enter a date as YYYY-MM-DD."), code="invalid")
        return super().to_python(value)


class RfcDateTimeField(forms.DateTimeField):
    """A moment as an RFC 3339 date-time with its offset (2026-12-07T08:30:00+01:00 or …Z)."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if not isinstance(value, str) or not DATE_TIME.fullmatch(value):
            raise forms.ValidationError(_("Enter a moment as YYYY-MM-DDThh:mm:ss with its offset, "
                                          "e.g. 2026-12-07T08:30:00+01:00."), code="invalid")
        try:
            moment = parse_datetime(value.upper())
        except ValueError:
            moment = None
        if moment is None:
            raise forms.ValidationError(_("Enter a moment as YYYY-MM-DDThh:mm:ss with its offset, "
                                          "e.g. 2026-12-07T08:30:00+01:00."), code="invalid")
        return moment


class TrueFalseField(forms.Field):
    """true or false, as the schema's booleans are written in a query."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if value not in ("true", "false"):
            raise forms.ValidationError(_("Give true or false."), code="invalid")
        return value == "true"


class DateFilter(django_filters.DateFilter):
    field_class = IsoDateField


class BooleanFilter(django_filters.BooleanFilter):
    field_class = TrueFalseField


class StrictFilterSet(django_filters.FilterSet):
    """Refuses what its schema does not allow: an empty value (but for texts) and a repeated parameter
    that is not a list."""

    def is_valid(self):
        valid = super().is_valid()
        for name, filter_ in self.filters.items():
            values = self.data.getlist(name) if hasattr(self.data, "getlist") else []
            if not values:
                continue
            if len(values) > 1 and not isinstance(filter_, django_filters.MultipleChoiceFilter):
                self.form.add_error(name, _("Give this parameter once."))
                valid = False
            elif any(value == "" for value in values) and not isinstance(filter_, django_filters.CharFilter):
                self.form.add_error(name, _("This parameter cannot be empty."))
                valid = False
        return valid


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

    field_class = RfcDateTimeField

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


class OrganisationFilter(StrictFilterSet):
    kind = django_filters.ChoiceFilter(choices=Organisation.Kind.choices)
    org_number = django_filters.CharFilter(max_length=11, help_text=_("Exact organisation number, NNNNNN-NNNN."))
    q = SearchFilter(fields=("name", "org_number"), help_text=_("Part of the name or organisation number."))

    class Meta:
        model = Organisation
        fields = ["kind", "org_number"]


class CallFilter(StrictFilterSet):
    state = django_filters.ChoiceFilter(choices=FundingCall.State.choices)
    regional_body = VisibleIdFilter(field_name="regional_body_id", scope=selectors.visible_organisations)
    open_on = DateFilter(method="filter_open_on", help_text=_("Calls open for applications on this date."))
    q = SearchFilter(fields=("title", "fund_project_reference"))

    class Meta:
        model = FundingCall
        fields = ["state", "regional_body"]

    def filter_open_on(self, qs, name, value):
        return qs.filter(opens_on__lte=value, closes_on__gte=value)


class ApplicationFilter(StrictFilterSet):
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


class PartnerFilter(StrictFilterSet):
    application = VisibleIdFilter(field_name="application_id", scope=selectors.visible_applications)
    company = VisibleIdFilter(field_name="company_id", scope=selectors.visible_organisations)

    class Meta:
        model = Partner
        fields = ["application", "company"]


class AuditEventFilter(StrictFilterSet):
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
