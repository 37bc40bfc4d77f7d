"""Receipt files for cash contributions: PDF or image, size-limited, checked by content not by name."""
import os
import uuid

from django.conf import settings
from django.utils.translation import gettext as _

SIGNATURES = {
    b"%PDF-": ".pdf",
    b"\x89PNG\r\n\x1a\n": ".png",
    b"\xff\xd8\xff": ".jpg",
}


def detected_extension(upload) -> str | None:
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for magic, extension in SIGNATURES.items():
        if head.startswith(magic):
            return extension
    return None


def problems(upload) -> list[str]:
    found = []
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, os.SEEK_END)
        size = upload.tell()
        upload.seek(0)
    if size > settings.RECEIPT_MAX_BYTES:
        found.append(_("The receipt is larger than %(mb)s MB.") % {"mb": settings.RECEIPT_MAX_BYTES // (1024 * 1024)})
    if size == 0:
        found.append(_("The receipt file is empty."))
    elif detected_extension(upload) is None:
        found.append(_("The receipt must be a PDF, PNG or JPEG file."))
    return found


def safe_name(upload) -> str:
    """A server-chosen name: never trust the uploaded file name."""
    return f"{uuid.uuid4().hex}{detected_extension(upload) or ''}"
