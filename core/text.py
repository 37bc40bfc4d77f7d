"""Text typed by people: control characters are refused at input, not stripped.

Refused, so that what is stored is what the person sees and nothing is silently changed. ESC, BEL,
NUL and the rest of the C0 and C1 controls (Unicode category Cc) have no place in a title, a
reason or a description; a multi-line text may hold tab, line feed and carriage return. The web
forms (web.forms.Form) and the API serializers (api.fields.Serializer) run every text field through
`control_character_problem`; exports escape what still gets in by other ways (reports.cells).
"""
import unicodedata

from django.utils.translation import gettext as _

MULTILINE_ALLOWED = frozenset("\t\n\r")


def control_characters(text: str, *, multiline: bool) -> list[str]:
    """The control characters in `text` (tab, LF, CR allowed when multi-line), in order, no repeats."""
    found = []
    for char in text:
        if unicodedata.category(char) == "Cc" and not (multiline and char in MULTILINE_ALLOWED):
            if char not in found:
                found.append(char)
    return found


def control_character_problem(text, *, multiline: bool) -> str | None:
    """A message for the field when `text` holds control characters, else None."""
    if not isinstance(text, str):
        return None
    found = control_characters(text, multiline=multiline)
    if not found:
        return None
    return _("Remove the control characters (%(codes)s); they cannot be stored.") % {
        "codes": ", ".join(f"U+{ord(c):04X}" for c in found)}
