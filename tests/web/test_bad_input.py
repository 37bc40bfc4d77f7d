"""Bad input to every web form: the field's error on the re-shown form, never a 5xx (issue 15, item 7).

The probes: 1e30 or forty 9s in the cash, time report, application edit, matching check and approval
forms gave 500 InvalidOperation; 1e20 and 12345678901234567.89 were stored on SQLite, after which the
statement PDF/XLSX answered 500. Control characters in text are refused at input (core.text).
"""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications.models import Application, Decision, Partner
from ledger.models import CashContribution, TimeReport
from tests.conftest import move
from tests.web.conftest import PDF

D = Decimal
HOSTILE_NUMBERS = ["1e30", "9" * 40, "NaN", "inf", "-0.001", "12345678901234567.89", "1e20", "\x1b", "1" * 500, "-5"]
HOSTILE_TEXT = ["Titel\x1b[31m", "Ljud\x07"]


def application_data(call, municipality, **overrides):
    data = {"call": call.pk, "applicant": municipality.pk, "title": "Sensorer", "needs_analysis": "Behov",
            "testbed_description": "Plattform", "start_date": date.today().isoformat(),
            "end_date": (date.today() + timedelta(days=300)).isoformat(), "public_cash": "400 000,00",
            "partners-TOTAL_FORMS": "1", "partners-INITIAL_FORMS": "0", "partners-MIN_NUM_FORMS": "0",
            "partners-MAX_NUM_FORMS": "1000", "partners-0-planned_hours": "500", "partners-0-hourly_rate": "800"}
    data.update(overrides)
    return data


def assert_field_error(response, field_id):
    assert response.status_code in (200, 400), response.status_code
    assert f'id="id_{field_id}_error"' in response.content.decode(), field_id


@pytest.mark.django_db
def test_hostile_figures_on_the_application_forms_are_field_errors(as_user, applicant, call, municipality, company,
                                                                   draft):
    client = as_user(applicant)
    for path, extra in ((reverse("web:application_create"), {}),
                        (reverse("web:application_edit", args=[draft.reference]), {})):
        for field in ("public_cash", "partners-0-planned_hours", "partners-0-hourly_rate"):
            for value in HOSTILE_NUMBERS:
                data = application_data(call, municipality, **{"partners-0-company": company.pk, field: value}, **extra)
                assert_field_error(client.post(path, data), field)
    assert Application.objects.count() == 1
    assert not Partner.objects.filter(planned_hours__gte=D("1e8")).exists()


@pytest.mark.django_db
def test_control_characters_in_application_text_are_field_errors(as_user, applicant, call, municipality, company):
    client = as_user(applicant)
    for field in ("title", "needs_analysis", "partners-0-role_description"):
        for value in HOSTILE_TEXT:
            data = application_data(call, municipality, **{"partners-0-company": company.pk, field: value})
            response = client.post(reverse("web:application_create"), data)
            assert_field_error(response, field)
            assert "control characters" in response.content.decode()
    assert not Application.objects.exists()


@pytest.mark.django_db
def test_a_multiline_description_keeps_its_line_breaks(as_user, applicant, call, municipality, company):
    data = application_data(call, municipality, **{"partners-0-company": company.pk,
                                                   "needs_analysis": "Rad ett\r\n\tRad två"})
    assert as_user(applicant).post(reverse("web:application_create"), data).status_code == 302
    assert Application.objects.get().needs_analysis == "Rad ett\r\n\tRad två"


@pytest.mark.django_db
def test_the_matching_check_answers_hostile_figures_with_problems_not_a_500(as_user, applicant, call, municipality,
                                                                            company):
    client = as_user(applicant)
    for field in ("public_cash", "partners-0-planned_hours", "partners-0-hourly_rate"):
        for value in HOSTILE_NUMBERS:
            data = application_data(call, municipality, **{"partners-0-company": company.pk, field: value})
            response = client.post(reverse("web:matching_check"), data)
            assert response.status_code == 200, (field, value)
            assert "problems" in response.json()


@pytest.mark.django_db
def test_hostile_granted_amounts_are_errors_on_the_approval_form(as_user, draft, applicant, officer):
    application = move(draft, "submit", "start_review", by_applicant=applicant, by_officer=officer)
    client = as_user(officer)
    for value in HOSTILE_NUMBERS:
        response = client.post(reverse("web:application_transition", args=[application.reference, "approve"]),
                               {"granted": value, "comment": "Bra."})
        assert_field_error(response, "approve_granted")
    assert not Decision.objects.exists()


@pytest.mark.django_db
def test_hostile_time_reports_are_field_errors(as_user, company_rep, partner):
    client = as_user(company_rep)
    path = reverse("web:time_report_create", args=[partner.application.reference])
    valid = {"partner": partner.pk, "person_name": "Anna", "month": f"{partner.application.start_date:%Y-%m}",
             "hours": "10", "hourly_rate": "800", "description": "Installation"}
    for field in ("hours", "hourly_rate"):
        for value in HOSTILE_NUMBERS:
            assert_field_error(client.post(path, {**valid, field: value}), field)
    for field in ("person_name", "description"):
        for value in HOSTILE_TEXT:
            assert_field_error(client.post(path, {**valid, field: value}), field)
    assert not TimeReport.objects.exists()


@pytest.mark.django_db
def test_hostile_cash_is_refused_and_the_statements_keep_answering_200(as_user, applicant, active):
    client = as_user(applicant)
    path = reverse("web:cash_create", args=[active.reference])
    valid = {"amount": "1000", "paid_on": active.start_date.isoformat(), "voucher_reference": "VER-1"}
    for value in HOSTILE_NUMBERS:
        assert_field_error(client.post(path, {**valid, "amount": value}), "amount")
    for value in HOSTILE_TEXT:
        assert_field_error(client.post(path, {**valid, "voucher_reference": value}), "voucher_reference")
    assert not CashContribution.objects.exists()
    receipt = SimpleUploadedFile("k.pdf", PDF, content_type="application/pdf")
    assert client.post(path, {**valid, "receipt": receipt}).status_code == 302
    for name in ("reports:statement_pdf", "reports:statement_xlsx"):
        assert client.get(reverse(name, args=[active.reference])).status_code == 200, name


@pytest.mark.django_db
def test_hostile_receipts_are_errors_on_the_receipt_field(as_user, applicant, active):
    client = as_user(applicant)
    path = reverse("web:cash_create", args=[active.reference])
    valid = {"amount": "1000", "paid_on": active.start_date.isoformat(), "voucher_reference": "VER-1"}
    for content in (b"%PDF-1.7\n<html><script>alert(1)</script></html>", b"\x89PNG\r\n\x1a\n<html>"):
        receipt = SimpleUploadedFile("k.pdf", content, content_type="application/pdf")
        assert_field_error(client.post(path, {**valid, "receipt": receipt}), "receipt")
    assert not CashContribution.objects.exists()


@pytest.mark.django_db
def test_a_review_reason_with_control_characters_is_not_a_500(as_user, officer, submitted_claim):
    item = submitted_claim.cash_contributions.get()
    path = reverse("web:claim_review_item", args=[submitted_claim.application.reference, submitted_claim.number,
                                                  "cash", item.pk])
    response = as_user(officer).post(path, {"decision": "reject", "reason": "Saknas\x1b"})
    assert response.status_code == 400
    item.refresh_from_db()
    assert "\x1b" not in item.review_reason


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["\x1b", "9" * 40, "%00", "\x00"])
def test_search_and_filters_with_hostile_text_are_not_a_500(as_user, officer, query):
    client = as_user(officer)
    for path in (reverse("web:search"), reverse("web:application_list"), reverse("ledger:entry_list")):
        response = client.get(path, {"q": query, "application": query, "date_from": query})
        assert response.status_code < 500, path


@pytest.mark.django_db
def test_the_field_errors_are_in_swedish_for_a_swedish_user(as_user, company_rep, partner, settings):
    client = as_user(company_rep)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sv"
    path = reverse("web:time_report_create", args=[partner.application.reference])
    valid = {"partner": partner.pk, "person_name": "Anna", "month": f"{partner.application.start_date:%Y-%m}",
             "hours": "9" * 40, "hourly_rate": "800", "description": "Installation\x1b"}
    html = client.post(path, valid).content.decode()
    assert "Talet är för stort: högst 8 siffror före decimaltecknet." in html
    assert "Ta bort styrtecknen (U+001B); de kan inte sparas." in html
