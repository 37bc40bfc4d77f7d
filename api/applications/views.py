"""REST API v1: organisations, calls, applications (+ transitions), partners, audit events and tokens.

Views translate HTTP to the services (services/) and back, nothing more: they find the object among
those the caller may see (404 otherwise), check the input's shape with a serializer, call the
service, and return the object as the caller now sees it.
"""
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from knox.models import AuthToken
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser
from rest_framework.response import Response
from rest_framework.views import APIView

from api.base import (
    IDEMPOTENCY_KEY,
    ApiViewMixin,
    BoundedJSONParser,
    SharedScopedRateThrottle,
    error_responses,
    validated,
)
from api.idempotency import idempotent
from applications import permissions, selectors
from ledger import selectors as ledger_selectors
from services import calls as call_services
from services import drafting, lifecycle, signin

from . import plain
from .filters import ApplicationFilter, AuditEventFilter, CallFilter, OrganisationFilter, PartnerFilter
from .serializers import (
    ApplicationCreateSerializer,
    ApplicationSerializer,
    ApplicationTransitionInputSerializer,
    ApplicationUpdateSerializer,
    AuditEventSerializer,
    CallCreateSerializer,
    CallSerializer,
    CallUpdateSerializer,
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
    otp_token = serializers.CharField(
        max_length=32, required=False, allow_blank=True,
        help_text=_("The current code of the user's authenticator app (or a recovery code): required for a "
                    "user with two-step sign-in."))


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()
    expiry = serializers.DateTimeField()


class SignInLocked(exceptions.APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "locked_out"

    def __init__(self):
        super().__init__(signin.lockout_message())
        self.wait = int(settings.AXES_COOLOFF_TIME.total_seconds())


class TokenView(ApiViewMixin, APIView):
    """Exchange a user name and password (and, for two-step sign-in, the current code) for a new API
    token for this device, valid until `expiry` (`Authorization: Token …`). Too many failed sign-ins lock
    the user name and the address (429)."""

    authentication_classes = []
    permission_classes = []
    parser_classes = [BoundedJSONParser, FormParser]
    throttle_classes = [SharedScopedRateThrottle]
    throttle_scope = "token"
    schema_error_codes = ("400", "415", "429")

    @extend_schema(
        tags=["auth"], operation_id="auth_token_create", auth=[], request=TokenRequestSerializer,
        responses={200: TokenResponseSerializer, **error_responses(400, 415, 429)},
    )
    def post(self, request):
        data = validated(TokenRequestSerializer, request)
        user = authenticate(request, username=data["username"], password=data["password"])
        if getattr(request, "axes_locked_out", False) or getattr(request._request, "axes_locked_out", False):
            raise SignInLocked()
        if user is None or not user.is_active:
            raise serializers.ValidationError({"non_field_errors": [_("Unable to sign in with these credentials.")]})
        if permissions.second_factor_required(user) or signin.has_second_factor(user):
            code = data.get("otp_token", "")
            if not code:
                raise serializers.ValidationError({"otp_token": [_("Two-step sign-in: give the current code of "
                                                                   "your authenticator app.")]})
            if signin.check_second_factor(user, code) is None:
                raise serializers.ValidationError({"otp_token": [_("That code is not valid.")]})
        instance, token = signin.issue_token(user)
        # As a sign-in does: the lockout count of this name and address starts again, last_login is set.
        user_logged_in.send(sender=user.__class__, request=request, user=user)
        return Response(TokenResponseSerializer({"token": token, "expiry": instance.expiry}).data)


class SignOutView(ApiViewMixin, APIView):
    """End the token this request carries (`all`: every token of the user)."""

    schema_error_codes = ("401",)
    everything = False

    @extend_schema(tags=["auth"], request=None, responses={204: None, **error_responses(401)})
    def post(self, request):
        if self.everything:
            signin.revoke_all_tokens(request.user, reason="signed out through the API")
        elif isinstance(request.auth, AuthToken):
            signin.revoke_token(by=request.user, token_key=request.auth.token_key)
        return Response(status=status.HTTP_204_NO_CONTENT)


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


CALL_TRANSITION_NAME = OpenApiParameter(
    "name", str, OpenApiParameter.PATH, enum=list(call_services.CALL_TRANSITIONS),
    description=_("open (opens the call's book with its fund budget), close or archive."))


@extend_schema_view(list=extend_schema(tags=["calls"]), retrieve=extend_schema(tags=["calls"]))
class CallViewSet(ApiViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Funding calls: open calls for everyone; all of its own body's calls for an officer; all for auditors.

    Officers of the regional body create calls (as drafts), change them while they are drafts, and open,
    close and archive them; anyone else is refused (403 on a call they can see, 404 on one they cannot).
    """

    serializer_class = CallSerializer
    filterset_class = CallFilter
    ordering_fields = ["opens_on", "closes_on", "title", "fund_budget"]
    ordering = ["-opens_on", "title", "id"]

    def get_queryset(self):
        return selectors.visible_calls(self.request.user).select_related("regional_body")

    def _read(self, call, status_code=status.HTTP_200_OK) -> Response:
        return Response(CallSerializer(self.get_queryset().get(pk=call.pk)).data, status=status_code)

    @extend_schema(tags=["calls"], request=CallCreateSerializer, responses={201: CallSerializer})
    def create(self, request):
        data = validated(CallCreateSerializer, request)
        call = call_services.create_call(regional_body=data.pop("regional_body"), by=request.user, **data)
        return self._read(call, status.HTTP_201_CREATED)

    @extend_schema(tags=["calls"], request=CallUpdateSerializer,
                   responses={200: CallSerializer, **error_responses(409)})
    def partial_update(self, request, pk=None):
        call = self.get_object()
        data = validated(CallUpdateSerializer, request)
        return self._read(call_services.update_call(call, by=request.user, **data))

    @extend_schema(tags=["calls"], operation_id="calls_transition", parameters=[CALL_TRANSITION_NAME],
                   request=None, responses={200: CallSerializer, **error_responses(409)})
    @action(detail=True, methods=["post"], url_path=r"transitions/(?P<name>[^/]+)", filter_backends=[])
    def transition(self, request, pk=None, name=None):
        """Open, close or archive the call. Wrong state → 409; not an officer of its body → 403."""
        call = self.get_object()
        if name not in call_services.CALL_TRANSITIONS:
            raise NotFound(_("No such transition."))
        return self._read(call_services.transition_call(call, name, by=request.user))


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
        return selectors.visible_applications(self.request.user).select_related("call", "applicant")

    def paginate_queryset(self, queryset):
        """A page of applications, with their partners, periods and decisions read as plain values."""
        page = super().paginate_queryset(queryset)
        if page is not None:
            plain.attach(page)
        return page

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
