"""Reporting and attesting hours, reporting cash with a receipt, and getting the receipt back."""
from decimal import Decimal

import pytest
from django.urls import reverse

from applications.models import AuditEvent
from ledger.models import CashContribution, TimeReport
from services import contributions
from tests.web.conftest import PDF

D = Decimal


def hours_data(partner, **overrides):
    data = {"partner": partner.pk, "person_name": "Anna Lindqvist",
            "month": f"{partner.application.start_date:%Y-%m}", "hours": "100", "hourly_rate": "800",
            "description": "Installation"}
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_company_rep_reports_hours(as_user, company_rep, partner):
    response = as_user(company_rep).post(reverse("web:time_report_create", args=[partner.application.reference]),
                                         hours_data(partner, hours="100,5"))
    assert response.status_code == 302
    report = TimeReport.objects.get()
    assert (report.hours, report.month, report.is_attested) == (D("100.50"), partner.application.start_date.replace(day=1), False)


@pytest.mark.django_db
def test_time_report_form_suggests_the_partner_rate(as_user, company_rep, partner):
    response = as_user(company_rep).get(reverse("web:time_report_create", args=[partner.application.reference]))
    assert response.context["form"].initial["hourly_rate"] == D("800.00")
    assert 'type="month"' in response.content.decode()


@pytest.mark.django_db
def test_rate_above_the_partner_rate_is_an_error_on_the_rate(as_user, company_rep, partner):
    # rule M5
    response = as_user(company_rep).post(reverse("web:time_report_create", args=[partner.application.reference]),
                                         hours_data(partner, hourly_rate="850"))
    assert "approved for this partner" in response.context["form"].errors["hourly_rate"][0]
    assert 'id="id_hourly_rate_error"' in response.content.decode()
    assert not TimeReport.objects.exists()


@pytest.mark.django_db
def test_hours_while_not_active_are_refused_above_the_form(as_user, company_rep, draft):
    partner = draft.partners.get()
    response = as_user(company_rep).post(reverse("web:time_report_create", args=[draft.reference]),
                                         hours_data(partner))
    assert any("only while the project is active" in e for e in response.context["form"].non_field_errors())


@pytest.mark.django_db
def test_company_rep_attests_from_the_dashboard(as_user, company_rep, partner):
    report = contributions.report_time(partner, by=company_rep, person_name="Anna", month=partner.application.start_date,
                                  hours="10", hourly_rate="800", description="Arbete")
    client = as_user(company_rep)
    assert report in client.get("/").context["company"]["to_attest"]
    response = client.post(reverse("web:time_report_attest", args=[report.pk]), {"next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert TimeReport.objects.get().is_attested


@pytest.mark.django_db
def test_attesting_twice_is_a_message(as_user, company_rep, partner):
    report = contributions.report_time(partner, by=company_rep, person_name="Anna", month=partner.application.start_date,
                                  hours="10", hourly_rate="800", description="Arbete")
    client = as_user(company_rep)
    client.post(reverse("web:time_report_attest", args=[report.pk]))
    response = client.post(reverse("web:time_report_attest", args=[report.pk]), follow=True)
    assert "already attested" in response.content.decode()


@pytest.mark.django_db
def test_attest_redirect_stays_on_this_site(as_user, company_rep, partner):
    report = contributions.report_time(partner, by=company_rep, person_name="Anna", month=partner.application.start_date,
                                  hours="10", hourly_rate="800", description="Arbete")
    response = as_user(company_rep).post(reverse("web:time_report_attest", args=[report.pk]),
                                         {"next": "https://evil.example/"})
    assert response["Location"] == reverse("web:dashboard")


@pytest.mark.django_db
def test_only_the_company_attests_its_reports(as_user, applicant, officer, company_rep, partner):
    report = contributions.report_time(partner, by=company_rep, person_name="Anna", month=partner.application.start_date,
                                  hours="10", hourly_rate="800", description="Arbete")
    for user in (applicant, officer):
        assert as_user(user).post(reverse("web:time_report_attest", args=[report.pk])).status_code == 404
    assert not TimeReport.objects.get().is_attested


def cash_data(application, **overrides):
    data = {"amount": "100 000", "paid_on": application.start_date.isoformat(), "voucher_reference": "VER-7"}
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_applicant_reports_cash_with_a_receipt(as_user, applicant, active):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = cash_data(active, receipt=SimpleUploadedFile("kvitto.pdf", PDF, "application/pdf"))
    response = as_user(applicant).post(reverse("web:cash_create", args=[active.reference]), data)
    assert response.status_code == 302
    item = CashContribution.objects.get()
    assert item.amount == D("100000.00") and item.receipt.name.endswith(".pdf")


@pytest.mark.django_db
def test_a_receipt_that_is_not_a_document_is_an_error_on_the_receipt(as_user, applicant, active):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = cash_data(active, receipt=SimpleUploadedFile("kvitto.pdf", b"MZ\x90 program", "application/pdf"))
    response = as_user(applicant).post(reverse("web:cash_create", args=[active.reference]), data)
    assert response.context["form"].errors["receipt"] == ["The receipt must be a PDF, PNG or JPEG file."]
    assert 'id="id_receipt_error"' in response.content.decode()
    assert not CashContribution.objects.exists()


@pytest.mark.django_db
def test_every_cash_rule_is_shown_on_its_field(as_user, applicant, active):
    contributions.report_cash(active, by=applicant, amount="1", paid_on=active.start_date, voucher_reference="VER-7")
    data = cash_data(active, amount="0", paid_on=(active.end_date.replace(year=active.end_date.year + 1)).isoformat())
    errors = as_user(applicant).post(reverse("web:cash_create", args=[active.reference]), data).context["form"].errors
    assert set(errors) == {"amount", "paid_on", "voucher_reference"}


@pytest.mark.django_db
def test_officer_opens_the_receipt_and_the_download_is_logged(as_user, applicant, officer, active):
    from django.core.files.uploadedfile import SimpleUploadedFile

    item = contributions.report_cash(active, by=applicant, amount="10", paid_on=active.start_date, voucher_reference="V",
                                receipt=SimpleUploadedFile("k.pdf", PDF, "application/pdf"))
    response = as_user(officer).get(reverse("web:receipt_download", args=[item.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF
    assert AuditEvent.objects.filter(action="download", actor=officer).exists()


@pytest.mark.django_db
def test_receipt_is_not_found_for_partners_and_outsiders(as_user, applicant, company_rep, outsider, active):
    from django.core.files.uploadedfile import SimpleUploadedFile

    item = contributions.report_cash(active, by=applicant, amount="10", paid_on=active.start_date, voucher_reference="V",
                                receipt=SimpleUploadedFile("k.pdf", PDF, "application/pdf"))
    for user in (company_rep, outsider):
        assert as_user(user).get(reverse("web:receipt_download", args=[item.pk])).status_code == 404


# ---------------------------------------------------------------- hygiene on the web (rules V4, V6)
@pytest.mark.django_db
def test_reporter_changes_and_deletes_a_typo(as_user, company_rep, partner):
    # rule V4: a 999 999 typo is fixed by the one who entered it
    from django.urls import reverse

    from services import contributions
    report = contributions.report_time(partner, by=company_rep, person_name="Anna",
                                       month=partner.application.start_date, hours="199", hourly_rate="800",
                                       description="Skrivfel")
    client = as_user(company_rep)
    response = client.post(reverse("web:time_report_edit", args=[report.pk]), {
        "partner": partner.pk, "person_name": "Anna", "month": f"{report.month:%Y-%m}", "hours": "19",
        "hourly_rate": "800", "description": "Rättat"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.hours == D("19.00")
    client.post(reverse("web:time_report_delete", args=[report.pk]))
    assert not type(report).objects.filter(pk=report.pk).exists()


@pytest.mark.django_db
def test_attest_asks_for_confirmation_first(as_user, company_rep, partner):
    from django.urls import reverse

    from services import contributions
    report = contributions.report_time(partner, by=company_rep, person_name="Anna",
                                       month=partner.application.start_date, hours="10", hourly_rate="800",
                                       description="Arbete")
    page = as_user(company_rep).get(reverse("web:application_detail", args=[partner.application.reference])
                                     + f"?confirm=attest-{report.pk}").content.decode()
    assert f'id="confirm-attest-{report.pk}" aria-labelledby="confirm-attest-{report.pk}-title" open' in page
    assert "Attested reports can no longer be changed." in page


@pytest.mark.django_db
def test_a_partner_that_left_is_named_so_in_the_form_and_refused_after_it_left(as_user, company_rep, partner):
    # rule A1: it still reports the months up to its leaving, and the form says when it left
    from datetime import date

    from applications.models import Partner
    from web.forms import partner_label

    Partner.objects.filter(pk=partner.pk).update(left_on=date(2026, 5, 31))
    partner.refresh_from_db()
    assert partner_label(partner) == f"{partner.company.name} (left the project on 2026-05-31)"
    client = as_user(company_rep)
    client.cookies["django_language"] = "sv"
    page = client.get(reverse("web:time_report_create", args=[partner.application.reference]),
                      HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    assert f"{partner.company.name} (lämnade projektet 2026-05-31)" in page
