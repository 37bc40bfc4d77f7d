"""Idempotency-Key for money-creating POSTs: a retry returns the first response and posts nothing twice.

The first successful response to (scope, user, key) is stored in an IdempotencyRecord in the same
transaction as the change it describes, with a fingerprint of the request (SHA-256 over method, path
and the canonical body). A repeat with the same key:

- and the same fingerprint → the stored response again (header `Idempotent-Replayed: true`);
- and another fingerprint → 422, nothing done.

A refused request (4xx) stores nothing, so it may be corrected and retried with the same key. Two
identical requests at the same moment queue on the record's unique constraint: the second one sees
the first's committed record and replays it.
"""
import functools
import hashlib
import json
import re

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from api.base import IdempotencyConflict
from ledger.models import IdempotencyRecord

HEADER = "Idempotency-Key"
KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,100}$")
REPLAYED_HEADER = "Idempotent-Replayed"


def _file_digest(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def canonical_body(data) -> str:
    """The request body in one canonical text: JSON with sorted keys; form fields as sorted lists,
    uploaded files by the SHA-256 of their content."""
    if hasattr(data, "lists"):  # QueryDict (multipart or form)
        data = {
            key: sorted(f"sha256:{_file_digest(v)}" if isinstance(v, UploadedFile) else str(v) for v in values)
            for key, values in data.lists()
        }
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def request_fingerprint(request) -> str:
    text = "\n".join([request.method.upper(), request.path, canonical_body(request.data)])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def request_key(request) -> str | None:
    """The client's key, checked; None when the request has none."""
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not KEY_PATTERN.match(key):
        raise exceptions.ValidationError({HEADER: [_(
            "The Idempotency-Key must be 1 to 100 printable ASCII characters without spaces.")]})
    return key


def service_key(request, scope: str) -> str | None:
    """A key for the service layer's own duplicate guard, unique per user, scope and client key."""
    key = request_key(request)
    if key is None:
        return None
    digest = hashlib.sha256(f"{scope}\n{request.user.pk}\n{key}".encode()).hexdigest()
    return f"api:{digest[:48]}"


class InFlight(exceptions.APIException):
    status_code = 409
    default_detail = _lazy("The first request with this Idempotency-Key is still being processed; retry later.")
    default_code = "idempotency_key_in_flight"


def _replay(record: IdempotencyRecord) -> Response:
    return Response(record.response_body, status=record.response_status, headers={REPLAYED_HEADER: "true"})


def idempotent(scope: str):
    """Decorate a view method that creates money: honour the Idempotency-Key header (see module)."""

    def decorator(method):
        @functools.wraps(method)
        def wrapper(view, request, *args, **kwargs):
            key = request_key(request)
            if key is None:
                return method(view, request, *args, **kwargs)
            fingerprint = request_fingerprint(request)
            with transaction.atomic():
                try:
                    with transaction.atomic():
                        record = IdempotencyRecord.objects.create(
                            scope=scope, user=request.user, key=key, request_fingerprint=fingerprint)
                except IntegrityError:
                    record = IdempotencyRecord.objects.get(scope=scope, user=request.user, key=key)
                    if record.request_fingerprint != fingerprint:
                        raise IdempotencyConflict() from None
                    if record.response_status is None:
                        raise InFlight() from None
                    return _replay(record)
                response = method(view, request, *args, **kwargs)
                if 200 <= response.status_code < 300:
                    body = json.loads(JSONRenderer().render(response.data) or b"null")
                    IdempotencyRecord.objects.filter(pk=record.pk).update(
                        response_status=response.status_code, response_body=body)
                else:
                    record.delete()
                return response

        return wrapper

    return decorator
