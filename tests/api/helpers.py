"""Small helpers for API tests: URLs, status checks with readable failures, a receipt file."""
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import receipt_pdf

BASE = "/api/v1"
PDF = receipt_pdf()


def url(*parts) -> str:
    return "/".join([BASE, *(str(p).strip("/") for p in parts)]) + "/"


def expect(response, status: int):
    """The response's JSON body, after checking its status (the body is shown when it differs)."""
    body = response.json() if response.content and response["Content-Type"].startswith("application/json") else None
    assert response.status_code == status, f"{response.status_code} != {status}: {body or response.content[:500]}"
    return body


def receipt(name="kvitto.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")
