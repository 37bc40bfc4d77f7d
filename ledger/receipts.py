"""Receipt files for cash contributions: PDF or image, size-limited, checked by content not by name.

A receipt is accepted only when it is what it claims to be: the first bytes name the type, and then
the whole file must parse as that type. A PDF is read by pypdf (every object reachable from its
trailer is visited) and refused when it carries JavaScript (/JS, /JavaScript, an action of type
/JavaScript) or a launch action (/Launch); "%PDF-" followed by HTML does not parse and is refused.
A PNG or JPEG is decoded by Pillow, with a cap on its pixels (no decompression bombs). Receipts
are always served as attachments with nosniff (web.views.contributions.receipt_download).
"""
import io
import os
import uuid

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

SIGNATURES = {
    b"%PDF-": ".pdf",
    b"\x89PNG\r\n\x1a\n": ".png",
    b"\xff\xd8\xff": ".jpg",
}
IMAGE_FORMATS = {".png": "PNG", ".jpg": "JPEG"}
MAX_PIXELS = 50_000_000  # a 600 dpi A3 scan is ~70 MB of pixels at most; 50 Mpx is plenty for a receipt
MAX_PDF_OBJECTS = 200_000
ACTIVE_KEYS = {"/JS", "/JavaScript", "/Launch"}
ACTIVE_ACTIONS = {"/JavaScript", "/Launch"}


def detected_extension(upload) -> str | None:
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for magic, extension in SIGNATURES.items():
        if head.startswith(magic):
            return extension
    return None


class ActiveContent(Exception):
    pass


def _dictionaries(root):
    """Every dictionary reachable from `root`, each indirect object once, without recursion."""
    seen, stack, visited = set(), [root], 0
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in seen:
                continue
            seen.add(key)
            obj = obj.get_object()
        visited += 1
        if visited > MAX_PDF_OBJECTS:
            raise ValueError("too many objects")
        if isinstance(obj, DictionaryObject):  # streams too
            yield obj
            stack.extend(obj.values())
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)


def _pdf_problems(upload) -> list[str]:
    try:
        reader = PdfReader(io.BytesIO(upload.read()), strict=False)
        if reader.is_encrypted:
            return [_("The PDF is encrypted; upload it without a password.")]
        if len(reader.pages) == 0:
            raise ValueError("no pages")
        for dictionary in _dictionaries(reader.trailer):
            if ACTIVE_KEYS & set(dictionary.keys()):
                raise ActiveContent
            action = dictionary.get("/S")
            if isinstance(action, NameObject) and action in ACTIVE_ACTIONS:
                raise ActiveContent
    except ActiveContent:
        return [_("The PDF contains JavaScript or a launch action; upload a plain PDF (print it to PDF again).")]
    except Exception:  # noqa: BLE001 - whatever pypdf raises, the file is not a readable PDF
        return [_("The receipt is not a readable PDF file.")]
    finally:
        upload.seek(0)
    return []


def _image_problems(upload, extension: str) -> list[str]:
    try:
        with Image.open(upload) as image:
            if image.format != IMAGE_FORMATS[extension]:
                raise ValueError(image.format)
            width, height = image.size
            if width * height > MAX_PIXELS:
                return [_("The image is too large (more than 50 megapixels).")]
            # verify() reads the whole file and fails on truncation or bad checksums even though WeasyPrint
            # sets ImageFile.LOAD_TRUNCATED_IMAGES for the whole process; load() then decodes every pixel.
            image.verify()
        upload.seek(0)
        with Image.open(upload) as image:
            image.load()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return [_("The receipt is not a readable PNG or JPEG image.")]
    finally:
        upload.seek(0)
    return []


def problems(upload) -> list[str]:
    found = []
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, os.SEEK_END)
        size = upload.tell()
        upload.seek(0)
    if size > settings.RECEIPT_MAX_BYTES:
        found.append(_("The receipt is larger than %(mb)s MB.") % {"mb": settings.RECEIPT_MAX_BYTES // (1024 * 1024)})
        return found
    if size == 0:
        found.append(_("The receipt file is empty."))
        return found
    extension = detected_extension(upload)
    if extension is None:
        found.append(_("The receipt must be a PDF, PNG or JPEG file."))
    elif extension == ".pdf":
        found.extend(_pdf_problems(upload))
    else:
        found.extend(_image_problems(upload, extension))
    return found


def safe_name(upload) -> str:
    """A server-chosen name: never trust the uploaded file name."""
    return f"{uuid.uuid4().hex}{detected_extension(upload) or ''}"
