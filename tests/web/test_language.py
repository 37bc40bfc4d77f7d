"""Swedish and English: a complete translation, a switcher, and Swedish amounts under Swedish."""
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

PO = Path(settings.BASE_DIR) / "config" / "locale" / "sv" / "LC_MESSAGES" / "django.po"


def po_entries():
    """(msgid, [msgstr…], flags) of every entry after the header, read without a library."""
    text = PO.read_text(encoding="utf-8")
    entries = []
    for block in text.strip().split("\n\n")[1:]:
        flags = " ".join(line for line in block.splitlines() if line.startswith("#,"))
        fields = {}
        key = None
        for line in block.splitlines():
            match = re.match(r'^(msgid_plural|msgid|msgstr(?:\[\d\])?|msgctxt) "(.*)"$', line)
            if match:
                key = match.group(1)
                fields[key] = match.group(2)
            elif line.startswith('"') and key:
                fields[key] += line[1:-1]
        strs = [v for k, v in fields.items() if k.startswith("msgstr")]
        entries.append((fields.get("msgid", ""), strs, flags))
    return entries


def test_every_message_has_a_swedish_translation():
    entries = po_entries()
    assert len(entries) > 500
    untranslated = [msgid for msgid, strs, _ in entries if not all(strs)]
    fuzzy = [msgid for msgid, _, flags in entries if "fuzzy" in flags]
    assert untranslated == [] and fuzzy == []


def test_translations_keep_their_placeholders():
    placeholder = re.compile(r"%\(\w+\)[sd]|\{\w+\}")
    for msgid, strs, _ in po_entries():
        for msgstr in strs:
            assert sorted(placeholder.findall(msgstr)) == sorted(placeholder.findall(msgid)), msgid


@pytest.mark.parametrize("language, expected", [("sv", "1\u00a0234\u00a0567,89 kr"), ("en", "1,234,567.89 kr")])
def test_sek_filter_formats_for_the_language(language, expected):
    with translation.override(language):
        rendered = Template("{% load web %}{{ amount|sek }}").render(Context({"amount": Decimal("1234567.891")}))
    assert rendered == expected


@pytest.mark.django_db
def test_switcher_sets_the_language_and_returns_to_the_page(client, applicant, active):
    client.force_login(applicant)
    page = reverse("web:application_detail", args=[active.reference])
    response = client.post(reverse("set_language"), {"language": "sv", "next": page})
    assert response.status_code == 302 and response["Location"] == page
    html = client.get(page).content.decode()
    assert '<html lang="sv">' in html
    assert "<h2 id=\"decision-heading\">Beslut</h2>" in html
    assert "400\u00a0000,00 kr" in html  # Swedish grouping and decimal comma


@pytest.mark.django_db
def test_switcher_marks_the_current_language(client, applicant):
    client.force_login(applicant)
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    assert re.search(r'value="sv" lang="sv" class="link"\s+aria-pressed="true"', html)


@pytest.mark.django_db
def test_service_messages_come_in_swedish(client, applicant, draft):
    from applications.models import Application

    Application.objects.filter(pk=draft.pk).update(public_cash=Decimal("5000000"))
    client.force_login(applicant)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sv"
    response = client.post(reverse("web:application_transition", args=[draft.reference, "submit"]))
    errors = " ".join(response.context["action"]["form"].non_field_errors())
    assert "är mindre än de 5\u00a0000\u00a0000,00 kr som krävs" in errors
