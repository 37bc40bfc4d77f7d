"""Creating and editing applications with partners, errors next to their fields, and the live matching check."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from applications.models import Application, AuditEvent, Partner
from services import lifecycle
from tests.factories import CompanyFactory, MunicipalityFactory, PartnerFactory

D = Decimal


def form_data(call, municipality, partners=(), **overrides):
    """A posted application form with a partner formset (prefix "partners")."""
    data = {
        "call": call.pk, "applicant": municipality.pk, "title": "Sensorer i hemtjänsten",
        "needs_analysis": "Behov", "testbed_description": "Plattform",
        "start_date": date.today().isoformat(), "end_date": (date.today() + timedelta(days=300)).isoformat(),
        "public_cash": "400 000,00",
        "partners-TOTAL_FORMS": str(len(partners)), "partners-INITIAL_FORMS": "0",
        "partners-MIN_NUM_FORMS": "0", "partners-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(partners):
        for key, value in row.items():
            data[f"partners-{i}-{key}"] = value
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_applicant_creates_a_draft_with_partners(as_user, applicant, call, municipality, company):
    other = CompanyFactory(name="Smålandsdata AB")
    data = form_data(call, municipality, [
        {"company": company.pk, "planned_hours": "300", "hourly_rate": "800", "role_description": "Sensorer"},
        {"company": other.pk, "planned_hours": "250", "hourly_rate": "700,50"},
    ])
    response = as_user(applicant).post(reverse("web:application_create"), data)
    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("web:application_detail", args=[application.reference])
    assert (application.state, application.public_cash, application.created_by) == ("draft", D("400000.00"), applicant)
    assert sorted(application.partners.values_list("hourly_rate", flat=True)) == [D("700.50"), D("800.00")]


@pytest.mark.django_db
def test_missing_fields_are_marked_next_to_each_field(as_user, applicant, call, municipality):
    data = form_data(call, municipality, title="", public_cash="", start_date="")
    response = as_user(applicant).post(reverse("web:application_create"), data)
    html = response.content.decode()
    assert response.status_code == 200 and not Application.objects.exists()
    for field in ("title", "public_cash", "start_date"):
        assert f'<ul class="errorlist" id="id_{field}_error"><li>This field is required.</li></ul>' in html
        assert f'aria-describedby="id_{field}_' in html


@pytest.mark.django_db
def test_unreadable_amount_is_an_error_on_its_field(as_user, applicant, call, municipality):
    response = as_user(applicant).post(reverse("web:application_create"),
                                       form_data(call, municipality, public_cash="fyrahundra"))
    # issue 20: the example number is written the English way under English
    assert response.context["form"].errors["public_cash"] == ["Enter a number, for example 1,234.50."]


@pytest.mark.django_db
def test_service_rule_lands_on_its_field(as_user, applicant, call, municipality):
    end = date.today() - timedelta(days=1)
    response = as_user(applicant).post(reverse("web:application_create"),
                                       form_data(call, municipality, end_date=end.isoformat()))
    assert response.context["form"].errors["end_date"] == ["The end date must be after the start date."]
    assert not Application.objects.exists()


@pytest.mark.django_db
def test_partner_error_is_shown_on_its_row_and_nothing_is_saved(as_user, applicant, call, municipality, company):
    data = form_data(call, municipality, [
        {"company": company.pk, "planned_hours": "300", "hourly_rate": "800"},
        {"company": company.pk, "planned_hours": "10", "hourly_rate": "800"},
    ])
    response = as_user(applicant).post(reverse("web:application_create"), data)
    formset = response.context["formset"]
    assert formset.forms[1].errors["company"] == [f"{company.name} is already a partner in this application."]
    assert not formset.forms[0].errors
    assert not Application.objects.exists() and not Partner.objects.exists()


@pytest.mark.django_db
def test_applicant_cannot_apply_for_another_organisation(as_user, applicant, call):
    other = MunicipalityFactory()
    response = as_user(applicant).post(reverse("web:application_create"), form_data(call, other))
    assert "applicant" in response.context["form"].errors
    assert not Application.objects.exists()


def edit_data(application, rows, **overrides):
    data = {
        "title": application.title, "needs_analysis": application.needs_analysis,
        "testbed_description": application.testbed_description,
        "start_date": application.start_date.isoformat(), "end_date": application.end_date.isoformat(),
        "public_cash": str(application.public_cash),
        "partners-TOTAL_FORMS": str(len(rows)), "partners-INITIAL_FORMS": str(application.partners.count()),
        "partners-MIN_NUM_FORMS": "0", "partners-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"partners-{i}-{key}"] = value
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_edit_changes_fields_and_partners_and_logs_them(as_user, applicant, draft):
    kept = draft.partners.get()
    removed = PartnerFactory(application=draft, company=CompanyFactory())
    added = CompanyFactory(name="Ny partner AB")
    data = edit_data(draft, [
        {"planned_hours": "600", "hourly_rate": "750"},
        {"DELETE": "on", "planned_hours": "1", "hourly_rate": "1"},
        {"company": added.pk, "planned_hours": "10", "hourly_rate": "500"},
    ], public_cash="450000")
    response = as_user(applicant).post(reverse("web:application_edit", args=[draft.reference]), data)
    assert response.status_code == 302
    draft = Application.objects.get(pk=draft.pk)
    assert draft.public_cash == D("450000.00")
    assert {p.company_id: (p.planned_hours, p.hourly_rate) for p in draft.partners.all()} == {
        kept.company_id: (D("600.00"), D("750.00")), added.pk: (D("10.00"), D("500.00"))}
    assert not Partner.objects.filter(pk=removed.pk).exists()
    assert set(AuditEvent.objects.filter(application=draft).values_list("action", flat=True)) == {
        "update", "delete", "create"}


@pytest.mark.django_db
def test_an_existing_partner_row_keeps_its_company(as_user, applicant, draft):
    kept = draft.partners.get()
    other = CompanyFactory()
    data = edit_data(draft, [{"id": "999999", "company": other.pk, "planned_hours": "500", "hourly_rate": "800"}])
    as_user(applicant).post(reverse("web:application_edit", args=[draft.reference]), data)
    assert list(draft.partners.values_list("pk", "company_id")) == [(kept.pk, kept.company_id)]


@pytest.mark.django_db
def test_submitted_application_cannot_be_edited(as_user, applicant, draft):

    lifecycle.transition(draft, "submit", by=applicant)
    response = as_user(applicant).get(reverse("web:application_edit", args=[draft.reference]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("web:application_detail", args=[draft.reference])
    assert "can only be changed while it is a draft" in response.content.decode()


@pytest.mark.django_db
def test_edit_form_shows_the_matching_check_of_the_stored_application(as_user, applicant, draft):
    response = as_user(applicant).get(reverse("web:application_edit", args=[draft.reference]))
    check = response.context["check"]
    assert check["inkind_value"] == "400,000.00 kr" and check["inkind_ok"] is True and check["ok"] is True


# ---------------------------------------------------------------- the live matching check
@pytest.mark.django_db
def test_matching_check_answers_with_figures_and_unmet_rules(as_user, applicant, call, municipality, company):
    data = form_data(call, municipality, [{"company": company.pk, "planned_hours": "100", "hourly_rate": "800"}])
    answer = as_user(applicant).post(reverse("web:matching_check"), data).json()
    assert answer["inkind_value"] == "80,000.00 kr"
    assert answer["required_inkind"] == answer["requested_fund"] == "400,000.00 kr"
    assert answer["remaining_budget"] == "10,000,000.00 kr"
    assert answer["inkind_ok"] is False and answer["ok"] is False
    # rule M4, in the same words as a refused submission
    assert answer["problems"] == [
        "The in-kind value 80,000.00 kr is less than the required 400,000.00 kr (in-kind ratio 1 × public cash)."]


@pytest.mark.django_db
def test_matching_check_passes_a_valid_plan(as_user, applicant, call, municipality, company):
    data = form_data(call, municipality, [{"company": company.pk, "planned_hours": "500", "hourly_rate": "800"}])
    answer = as_user(applicant).post(reverse("web:matching_check"), data).json()
    assert answer["inkind_ok"] is True and answer["ok"] is True and answer["problems"] == []


@pytest.mark.django_db
def test_matching_check_ignores_deleted_rows_and_sees_the_call_cap(as_user, applicant, call, municipality, company):
    data = form_data(call, municipality, [
        {"company": company.pk, "planned_hours": "500", "hourly_rate": "950"},
        {"company": CompanyFactory().pk, "planned_hours": "9000", "hourly_rate": "800", "DELETE": "on"},
    ])
    answer = as_user(applicant).post(reverse("web:matching_check"), data).json()
    assert answer["inkind_value"] == "475,000.00 kr"
    assert any("above the call's cap of 900.00 kr" in p for p in answer["problems"])  # rule M5


@pytest.mark.django_db
def test_matching_check_of_an_edit_knows_the_stored_partners(as_user, applicant, draft):
    partner = draft.partners.get()
    data = edit_data(draft, [{"planned_hours": "100", "hourly_rate": "800"}])
    data["application"] = draft.reference
    data["partners-0-id"] = str(partner.pk)  # the hidden id the edit form renders for the script
    answer = as_user(applicant).post(reverse("web:matching_check"), data).json()
    assert answer["inkind_value"] == "80,000.00 kr"
    assert not any("must be a company" in p for p in answer["problems"])


@pytest.mark.django_db
def test_matching_check_is_not_for_other_organisations(as_user, outsider, draft):
    data = edit_data(draft, [])
    data["application"] = draft.reference
    assert as_user(outsider).post(reverse("web:matching_check"), data).status_code == 404


@pytest.mark.django_db
def test_matching_check_needs_an_applicant(as_user, officer, call, municipality):
    assert as_user(officer).post(reverse("web:matching_check"), form_data(call, municipality)).status_code == 404


@pytest.mark.parametrize("typed, language, expected", [
    ("400 000,50", "sv", "400000.50"), ("400\u00a0000,50", "sv", "400000.50"), ("400000.50", "sv", "400000.50"),
    ("400,000.50", "en", "400000.50"), ("400,000", "en", "400000"), ("400 000,50", "en", "400000.50"),
    ("1.234,50", "sv", "1234.50"), ("12,5", "en", "12.5"),
])
def test_amounts_are_read_as_people_type_them(typed, language, expected):
    from django.utils import translation

    from web.forms import MoneyField

    with translation.override(language):
        assert MoneyField().clean(typed) == D(expected)


# ---------------------------------------------------------------- one source of truth (issue 20, deliverable 2)
def _bad_plan(call, municipality, company):
    """−5 planned hours, the same company twice and an end before the start: three problems at once."""
    end = date.today() - timedelta(days=1)
    return form_data(call, municipality, [
        {"company": company.pk, "planned_hours": "-5", "hourly_rate": "800"},
        {"company": company.pk, "planned_hours": "500", "hourly_rate": "800"},
    ], end_date=end.isoformat())


@pytest.mark.django_db
def test_matching_check_refuses_what_the_save_refuses(as_user, applicant, call, municipality, company):
    answer = as_user(applicant).post(reverse("web:matching_check"), _bad_plan(call, municipality, company)).json()
    assert answer["ok"] is False
    assert "Hours cannot be negative." in answer["problems"]
    assert f"{company.name} is already a partner in this application." in answer["problems"]
    assert "The end date must be after the start date." in answer["problems"]


@pytest.mark.django_db
def test_matching_check_speaks_of_negative_hours_before_dates_are_typed(as_user, applicant, call, municipality,
                                                                       company):
    data = form_data(call, municipality, [{"company": company.pk, "planned_hours": "-5", "hourly_rate": "800"}],
                     start_date="", end_date="")
    answer = as_user(applicant).post(reverse("web:matching_check"), data).json()
    assert "Hours cannot be negative." in answer["problems"]


@pytest.mark.django_db
def test_failed_save_reports_every_problem_at_once(as_user, applicant, call, municipality, company):
    response = as_user(applicant).post(reverse("web:application_create"), _bad_plan(call, municipality, company))
    formset = response.context["formset"]
    assert response.context["form"].errors["end_date"] == ["The end date must be after the start date."]
    assert formset.forms[0].errors["planned_hours"] == ["Hours cannot be negative."]
    assert formset.forms[1].errors["company"] == [f"{company.name} is already a partner in this application."]
    assert not Application.objects.exists()


@pytest.mark.django_db
def test_failed_save_marks_partner_rows_even_when_a_field_above_is_unreadable(as_user, applicant, call, municipality,
                                                                            company):
    data = form_data(call, municipality, [{"company": company.pk, "planned_hours": "-5", "hourly_rate": "800"}],
                     title="")
    response = as_user(applicant).post(reverse("web:application_create"), data)
    assert "title" in response.context["form"].errors
    assert response.context["formset"].forms[0].errors["planned_hours"] == ["Hours cannot be negative."]


def test_submission_rules_include_the_draft_rules():
    from applications import rules
    from ledger import matching

    policy = rules.CallPolicy(fund_ratio=D(1), inkind_ratio=D(1), max_hourly_rate=D(900), max_grant=D(10**6),
                              eligible_from=date(2026, 1, 1), eligible_until=date(2027, 12, 31), is_open=True)
    partners = [rules.PartnerFacts("A", True, D(-5), D(800), company_id=1),
                rules.PartnerFacts("A", True, D(600), D(800), company_id=1)]
    budget = matching.plan(D(1000), [(p.hours, p.hourly_rate) for p in partners], fund_ratio=D(1), inkind_ratio=D(1))
    problems = rules.submission_problems(applicant_is_public=True, public_cash=D(1000), partners=partners,
                                         start_date=date(2026, 6, 1), end_date=date(2026, 5, 1), policy=policy,
                                         budget=budget)
    assert {"Hours cannot be negative.", "A is already a partner in this application.",
            "The end date must be after the start date."} <= set(problems)
