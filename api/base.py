"""What every endpoint of the REST API shares: authentication, errors, pagination, ids and the schema.

Refusals from the services map to HTTP the same way everywhere (DESIGN §2, STYLE):
RuleViolation → 400 {"errors": [every message], "fields": {field: [messages]}}, the same body as a
serializer's validation errors; TransitionConflict → 409 {"detail"}; NotPermitted on an object the
caller can see → 403 {"detail"}; an object the caller may not see → 404 {"detail"}, exactly as if it
did not exist. The schema documents these bodies on every operation (ApiSchema).
"""
import json
import re
from decimal import Decimal

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import SuspiciousOperation
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.utils import OpenApiParameter
from drf_spectacular.views import SpectacularSwaggerSplitView
from knox.auth import TokenAuthentication
from rest_framework import exceptions, serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import exception_handler as drf_exception_handler

from api.fields import DecimalField, TextChecks
from core.errors import NotPermitted, RuleViolation, TransitionConflict

# Ids in paths, filters and bodies: positive and within a signed 64-bit integer, so that no value a
# client sends can overflow the database driver (a 500) — anything else is simply "not found".
MAX_ID = 2**63 - 1


# ---------------------------------------------------------------- error bodies
class ValidationErrorSerializer(serializers.Serializer):
    """400: every unmet rule or invalid field, in words, and the same messages by field."""

    errors = serializers.ListField(child=serializers.CharField())
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class ErrorDetailSerializer(serializers.Serializer):
    """401/403/404/405/409/415/422/429: one sentence saying why."""

    detail = serializers.CharField()


def _flatten(detail, prefix="") -> dict:
    """DRF's nested error structure → {"field.sub": [messages]}."""
    if isinstance(detail, dict):
        found = {}
        for key, value in detail.items():
            key = "non_field_errors" if key in ("__all__", "non_field_errors") and not prefix else str(key)
            found.update(_flatten(value, f"{prefix}.{key}" if prefix else key))
        return found
    if isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            return {prefix or "non_field_errors": [str(item) for item in detail]}
        found = {}
        for index, item in enumerate(detail):
            if item:
                found.update(_flatten(item, f"{prefix}.{index}" if prefix else str(index)))
        return found
    return {prefix or "non_field_errors": [str(detail)]}


def validation_body(messages, fields) -> dict:
    fields = {("non_field_errors" if k == "__all__" else str(k)): [str(m) for m in v] for k, v in fields.items()}
    return {"errors": [str(m) for m in messages], "fields": fields}


def _field_messages(fields: dict) -> list[str]:
    messages = []
    for field, items in fields.items():
        for message in items:
            messages.append(message if field == "non_field_errors" else f"{field}: {message}")
    return messages


class IdempotencyConflict(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = gettext_lazy("This Idempotency-Key was already used with a different request.")
    default_code = "idempotency_key_reused"


def api_exception_handler(exc, context):
    """Map service refusals and DRF errors to the documented bodies; anything else stays a 500."""
    if isinstance(exc, RuleViolation):
        return Response(validation_body(exc.messages, exc.field_errors), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, TransitionConflict):
        return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, NotPermitted):
        return Response({"detail": str(exc)}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, SuspiciousOperation):  # e.g. a request body over DATA_UPLOAD_MAX_MEMORY_SIZE
        exc = exceptions.ParseError(str(exc))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if response.status_code == status.HTTP_400_BAD_REQUEST:
        fields = _flatten(response.data)
        if isinstance(response.data, dict) and set(response.data) == {"detail"}:
            response.data = validation_body([str(response.data["detail"])], {})
        else:
            response.data = validation_body(_field_messages(fields), fields)
    elif not (isinstance(response.data, dict) and set(response.data) == {"detail"}):
        response.data = {"detail": "; ".join(_field_messages(_flatten(response.data)))}
    return response


@csrf_exempt  # a JSON 404 for any method; there is nothing here for a forged request to do
def not_found(request, *args, **kwargs):
    """Every unknown URL under /api/ answers like the API does: JSON, not the HTML 404 page."""
    return JsonResponse({"detail": _("Not found.")}, status=404)


# ---------------------------------------------------------------- the schema
# Text fields refuse control characters (core.text: Unicode category Cc); a multi-line text may hold tab,
# LF and CR. A required text must hold something besides white space (DRF trims it). Written without
# look-arounds or \\s, so that ECMA, Python and the schema's readers agree on every character.
CONTROL = "\\u0000-\\u001f\\u007f-\\u009f"
CONTROL_MULTILINE = "\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f"
SPACE = " \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\t\\n\\r"


def text_pattern(*, multiline: bool, blank: bool) -> str:
    refused = CONTROL_MULTILINE if multiline else CONTROL
    if blank:
        return f"^[^{refused}]*$"
    return f"^[^{refused}]*[^{refused}{SPACE}][^{refused}]*$"


class ApiSchema(AutoSchema):
    """Adds the error responses each operation can give, with their bodies, to the generated schema,
    and says of decimals and texts exactly what the API takes (api.fields)."""

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, DecimalField) and schema is not None:
            schema = {key: value for key, value in schema.items() if key not in ("multipleOf", "maximum", "minimum")}
            schema.update({"type": "string", "format": "decimal", "pattern": field.pattern})
        elif (isinstance(field, serializers.CharField) and not field.read_only and schema is not None
              and isinstance(field.parent, TextChecks) and "enum" not in schema):
            limit = getattr(field, "max_length", None)
            schema["pattern"] = text_pattern(multiline=limit is None or limit > 200, blank=field.allow_blank)
        return schema

    def _error_codes(self) -> set[str]:
        view = self.view
        if getattr(view, "schema_error_codes", None) is not None:
            return set(view.schema_error_codes)
        codes = set() if not view.permission_classes else {"401"}
        has_path_id = "{" in self.path
        if self.method == "GET":
            codes.add("404")  # invisible or missing object, invisible filter value, page past the end
            if getattr(view, "action", None) == "list" and (getattr(view, "filterset_class", None) is not None
                                                             or getattr(view, "pagination_class", None) is not None):
                codes.add("400")  # a filter or page_size the API cannot take
        else:
            codes |= {"400", "403"}
            if has_path_id:
                codes.add("404")
            if self.method in ("POST", "PUT", "PATCH"):
                codes.add("415")
        return codes

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in sorted(self._error_codes()):
            if code not in responses:
                body = ValidationErrorSerializer if code == "400" else ErrorDetailSerializer
                responses[code] = self._get_response_for_code(body, code, direction=direction)
        return responses


def error_responses(*codes: int) -> dict:
    """Extra documented error responses for extend_schema(responses=...)."""
    return {code: ValidationErrorSerializer if code == 400 else ErrorDetailSerializer for code in codes}


IDEMPOTENCY_KEY = OpenApiParameter(
    name="Idempotency-Key", location=OpenApiParameter.HEADER, required=False,
    type={"type": "string", "minLength": 1, "maxLength": 100, "pattern": r"^[\x21-\x7e]{1,100}$"},
    description=gettext_lazy(
        "Makes the request safe to retry: a repeat with the same key and the same body returns the first "
        "response and changes nothing; the same key with another body is refused with 422. Printable "
        "ASCII without spaces, at most 100 characters (a UUID is a good choice)."),
)


# ---------------------------------------------------------------- request bodies
MAX_JSON_DEPTH = 32  # our deepest body nests 3 levels; the stdlib parser recurses per level
MAX_JSON_BYTES = 1024 * 1024  # 1 MiB: the largest real body (a claim's item lists) is a few kB


STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
BRACKET = re.compile(r"[\[\]{}]")


def json_depth(text: str) -> int:
    """How deeply arrays and objects nest in `text`, brackets inside strings not counted (no recursion)."""
    depth = deepest = 0
    for match in BRACKET.finditer(STRING.sub("", text)):
        if match.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _refuse_constant(name):
    raise ValueError(_("%(name)s is not a number JSON allows.") % {"name": name})


class BoundedJSONParser(JSONParser):
    """JSON bodies within a sane size and depth, numbers as exact Decimals, never NaN or Infinity.

    A 100 000-deep body would make the stdlib parser raise RecursionError (a 500); here it is a 400
    before parsing starts. Numbers with a fraction or exponent become Decimal, not float, so the
    money module sees exactly what the client wrote (core.money refuses floats).
    """

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read(MAX_JSON_BYTES + 1) if stream is not None else b""
        if len(raw) > MAX_JSON_BYTES:
            raise exceptions.ParseError(_("The request body is larger than %(kb)s kB.") % {"kb": MAX_JSON_BYTES // 1024})
        encoding = (parser_context or {}).get("encoding") or settings.DEFAULT_CHARSET
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise exceptions.ParseError(_("The request body is not valid UTF-8 text.")) from exc
        if json_depth(text) > MAX_JSON_DEPTH:
            raise exceptions.ParseError(_("The JSON body nests deeper than %(depth)s levels.") % {"depth": MAX_JSON_DEPTH})
        try:
            return json.loads(text, parse_float=Decimal, parse_constant=_refuse_constant)
        except (ValueError, RecursionError) as exc:
            raise exceptions.ParseError(_("The request body is not valid JSON: %(error)s") % {"error": exc}) from exc


# ---------------------------------------------------------------- views
class SharedScopedRateThrottle(ScopedRateThrottle):
    """DRF's scoped throttle counted in the database cache ("throttle" in settings.CACHES), so every
    worker and server counts together; the client address follows TRUSTED_PROXY_COUNT (NUM_PROXIES)."""

    @property
    def cache(self):
        return caches["throttle"]

    @property
    def THROTTLE_RATES(self):  # noqa: N802 (DRF's name) — read when used, so settings changes apply
        return api_settings.DEFAULT_THROTTLE_RATES


class Pagination(PageNumberPagination):
    """?page=N (from 1; past the end is a 404) and ?page_size=N (1 to 200; anything else is a 400)."""

    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        values = request.query_params.getlist(self.page_size_query_param)
        if not values:
            return self.page_size
        value = values[-1]
        if len(values) > 1 or not (value.isascii() and value.isdigit()) or not 0 < int(value) <= self.max_page_size:
            raise exceptions.ValidationError({self.page_size_query_param: [
                _("Give a whole number from 1 to %(max)s.") % {"max": self.max_page_size}]})
        return int(value)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update({"minimum": 1, "maximum": self.max_page_size})
            elif parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
        return parameters


class ApiViewMixin:
    """Policies shared by every API view: token then session auth (so an anonymous call is a 401),
    JSON in and out, our error bodies, our schema, bounded ids."""

    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer]
    parser_classes = [BoundedJSONParser]
    pagination_class = Pagination
    schema = ApiSchema()

    def get_exception_handler(self):
        return api_exception_handler

    def get_object(self):
        lookup = self.lookup_url_kwarg or self.lookup_field
        value = str(self.kwargs.get(lookup, ""))
        if not value.isascii() or not value.isdigit() or not 0 < int(value) <= MAX_ID:
            raise exceptions.NotFound()
        return super().get_object()


def validated(serializer_class, request, **kwargs) -> dict:
    """The request body checked by `serializer_class` (400 with every problem otherwise)."""
    serializer = serializer_class(data=request.data, context={"request": request}, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def parse_id(value) -> int:
    """A path segment that must be an id; anything else is a 404."""
    value = str(value)
    if not value.isascii() or not value.isdigit() or not 0 < int(value) <= MAX_ID:
        raise exceptions.NotFound()
    return int(value)


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI from the bundled sidecar assets; its init script is a file, so script-src 'self' holds.

    The online validator badge is switched off: it would send the schema's URL to validator.swagger.io.
    """

    def _dump(self, data):
        if data is spectacular_settings.SWAGGER_UI_SETTINGS and isinstance(data, dict):
            data = {**data, "validatorUrl": None}
        return super()._dump(data)
