"""REST API v1: organisations, calls, applications (+ transitions), partners, audit events and tokens.

Views translate HTTP to the services (services/) and back, nothing more: they find the object among
those the caller may see (404 otherwise), check the input's shape with a serializer, call the
service, and return the object as the caller now sees it.
"""
from django.contrib.auth import authenticate
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from api.base import IDEMPOTENCY_KEY, ApiViewMixin, BoundedJSONParser, error_responses, validated
from api.idempotency import idempotent
from applications import selectors
from applications.models import Decision
from ledger import selectors as ledger_selectors
from services import drafting, lifecycle

from .filters import ApplicationFilter, AuditEventFilter, CallFilter, OrganisationFilter, PartnerFilter
from .serializers import (
    ApplicationCreateSerializer,
    ApplicationSerializer,
    ApplicationTransitionInputSerializer,
    ApplicationUpdateSerializer,
    AuditEventSerializer,
    CallSerializer,
    OrganisationSerializer,
    PartnerCreateSerializer,
    PartnerSerializer,
    PartnerUpdateSerializer,
    TransitionSerializer,
    application_transitions,
)


# ---------------------------------------------------------------- tokens
class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})


class TokenView(ApiViewMixin, APIView):
    """Exchange a user name and password for the user's API token (`Authorization: Token …`)."""

    authentication_classes = []
    permission_classes = []
    parser_classes = [BoundedJSONParser, FormParser]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"
    schema_error_codes = ("400", "415", "429")

    @extend_schema(
        tags=["auth"], operation_id="auth_token_create", auth=[], request=TokenRequestSerializer,
        responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()}),
                   **error_responses(400, 415, 429)},
    )
    def post(self, request):
        data = validated(TokenRequestSerializer, request)
        user = authenticate(request, username=data["username"], password=data["password"])
        if user is None or not user.is_active:
            raise serializers.ValidationError({"non_field_errors": [_("Unable to sign in with these credentials.")]})
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


# ---------------------------------------------------------------- organisations and calls
@extend_schema_view(list=extend_schema(tags=["organisations"]), retrieve=extend_schema(tags=["organisations"]))
class OrganisationViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Organisations: public actors, companies, regional bodies (public facts, visible to every user)."""

    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilter
    ordering_fields = ["name", "org_number", "kind"]
    ordering = ["name", "id"]

    def get_queryset(self):
        return selectors.visible_organisations(self.request.user)


@extend_schema_view(list=extend_schema(tags=["calls"]), retrieve=extend_schema(tags=["calls"]))
class CallViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Funding calls: open calls for everyone; all of its own body's calls for an officer; all for auditors."""

    serializer_class = CallSerializer
    filterset_class = CallFilter
    ordering_fields = ["opens_on", "closes_on", "title", "fund_budget"]
    ordering = ["-opens_on", "title", "id"]

    def get_queryset(self):
        return selectors.visible_calls(self.request.user).select_related("regional_body")


# ---------------------------------------------------------------- applications
TRANSITION_NAME = OpenApiParameter(
    "name", str, OpenApiParameter.PATH, enum=list(lifecycle.TRANSITION_NAMES),
    description=_("The transition (DESIGN §5); GET …/transitions/ lists those the caller may take now."))
APPLICATION_TAGS = ["applications"]


@extend_schema_view(
    list=extend_schema(tags=APPLICATION_TAGS),
    retrieve=extend_schema(tags=APPLICATION_TAGS),
)
class ApplicationViewSet(ApiViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Applications the caller may see (DESIGN §2); drafts are created and edited by the applicant."""

    serializer_class = ApplicationSerializer
    filterset_class = ApplicationFilter
    ordering_fields = ["reference", "title", "state", "public_cash", "start_date", "created_at", "updated_at"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        return (selectors.visible_applications(self.request.user)
                .select_related("call", "applicant")
                .prefetch_related("partners", Prefetch(
                    "decisions", queryset=Decision.objects.select_related("decided_by").order_by("-decided_at", "-id"))))

    def _read(self, application, status_code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=application.pk)
        return Response(ApplicationSerializer(fresh, context=self.get_serializer_context()).data, status=status_code)

    @extend_schema(tags=APPLICATION_TAGS, request=ApplicationCreateSerializer,
                   responses={201: ApplicationSerializer})
    def create(self, request):
        data = validated(ApplicationCreateSerializer, request)
        application = drafting.create_application(call=data.pop("call"), applicant=data.pop("applicant"),
                                                  by=request.user, **data)
        return self._read(application, status.HTTP_201_CREATED)

    @extend_schema(tags=APPLICATION_TAGS, request=ApplicationUpdateSerializer,
                   responses={200: ApplicationSerializer, **error_responses(409)})
    def partial_update(self, request, pk=None):
        application = self.get_object()
        data = validated(ApplicationUpdateSerializer, request)
        application = drafting.update_application(application, by=request.user, **data)
        return self._read(application)

    @extend_schema(tags=APPLICATION_TAGS, responses={200: TransitionSerializer(many=True)})
    @action(detail=True, methods=["get"], url_path="transitions", pagination_class=None, filter_backends=[])
    def transitions(self, request, pk=None):
        """The transitions the caller may take now (state and role; the rules are checked on taking one)."""
        application = self.get_object()
        return Response(TransitionSerializer(application_transitions(application, request.user), many=True).data)

    @extend_schema(tags=APPLICATION_TAGS, operation_id="applications_transition", parameters=[TRANSITION_NAME,
                   IDEMPOTENCY_KEY], request=ApplicationTransitionInputSerializer,
                   responses={200: ApplicationSerializer, **error_responses(409, 422)})
    @action(detail=True, methods=["post"], url_path=r"transitions/(?P<name>[^/]+)", filter_backends=[])
    @idempotent("application-transition")
    def transition(self, request, pk=None, name=None):
        """Take one transition; `approve` commits the granted amount (default: the requested fund).

        Wrong state → 409 with the reason; unmet rules → 400 listing every one.
        """
        application = self.get_object()
        if name not in lifecycle.TRANSITION_NAMES:
            raise NotFound(_("No such transition."))
        data = validated(ApplicationTransitionInputSerializer, request)
        if name == "approve":
            lifecycle.approve(application, by=request.user, granted=data["granted"], rationale=data["comment"])
        else:
            lifecycle.transition(application, name, by=request.user, comment=data["comment"])
        return self._read(application)


# ---------------------------------------------------------------- partners
PARTNER_TAGS = ["partners"]


@extend_schema_view(list=extend_schema(tags=PARTNER_TAGS), retrieve=extend_schema(tags=PARTNER_TAGS))
class PartnerViewSet(ApiViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Companies taking part in applications with in-kind hours (rules M1, M2, M5)."""

    serializer_class = PartnerSerializer
    filterset_class = PartnerFilter
    ordering_fields = ["id", "planned_hours", "hourly_rate"]
    ordering = ["application_id", "id"]

    def get_queryset(self):
        return selectors.visible_partners(self.request.user).select_related("company")

    def _read(self, partner, status_code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=partner.pk)
        return Response(PartnerSerializer(fresh).data, status=status_code)

    @extend_schema(tags=PARTNER_TAGS, request=PartnerCreateSerializer,
                   responses={201: PartnerSerializer, **error_responses(409)})
    def create(self, request):
        data = validated(PartnerCreateSerializer, request)
        partner = drafting.add_partner(data.pop("application"), by=request.user, **data)
        return self._read(partner, status.HTTP_201_CREATED)

    @extend_schema(tags=PARTNER_TAGS, request=PartnerUpdateSerializer,
                   responses={200: PartnerSerializer, **error_responses(409)})
    def partial_update(self, request, pk=None):
        partner = self.get_object()
        data = validated(PartnerUpdateSerializer, request)
        partner = drafting.update_partner(
            partner, by=request.user, planned_hours=data.get("planned_hours", partner.planned_hours),
            hourly_rate=data.get("hourly_rate", partner.hourly_rate), role_description=data.get("role_description"))
        return self._read(partner)

    @extend_schema(tags=PARTNER_TAGS, responses={204: None, **error_responses(409)})
    def destroy(self, request, pk=None):
        drafting.remove_partner(self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# ---------------------------------------------------------------- audit
@extend_schema_view(list=extend_schema(tags=["audit"]), retrieve=extend_schema(tags=["audit"]))
class AuditEventViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Who did what and when (rule E5), for the applications the caller may see."""

    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilter
    ordering_fields = ["occurred_at", "id"]
    ordering = ["occurred_at", "id"]

    def get_queryset(self):
        return ledger_selectors.visible_events(self.request.user)
