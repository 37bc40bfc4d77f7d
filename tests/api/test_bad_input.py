"""Bad input to every API endpoint that takes input: a 400 with a field error, never a 5xx (issue 15, item 7).

Hostile values: 1e30, forty 9s, NaN, -0.001, 12345678901234567.89, ESC, wrong types; deep and huge
JSON bodies. Also the probes: the cash list and the statements keep answering 200 afterwards, and the
partners API prints planned_value half-up like the statement (rule M8).
"""
import json
from decimal import Decimal

import pytest
from rest_framework import serializers as drf_serializers

from api import fields as api_fields
from api.applications import serializers as app_serializers
from api.ledger import serializers as ledger_serializers
from applications.models import Application, Partner
from ledger.models import CashContribution, JournalEntry, TimeReport
from services import claims as claim_services
from tests.api.helpers import expect, url
from tests.conftest import move
from tests.factories import ApplicationFactory, PartnerFactory
from tests.scenarios import cash, report

D = Decimal
HOSTILE_NUMBERS = ["1e30", "9" * 40, "NaN", "Infinity", "-0.001", "12345678901234567.89", "1e20", "\x1b", "12,3,4",
                   1e30, 10**40, [], {"a": 1}, True]
HOSTILE_TEXT = ["Rapport\x1b[31m", "Ljud\x07", "nul\x00byte"]


@pytest.fixture
def world(active, applicant, officer, second_officer, company_rep, call, municipality, company):
    """An active application with a paid claim (one in-kind entry of 100 h, one cash entry), a draft
    and an application under review, so every endpoint has something to act on."""
    partner = active.partners.get()
    reps = {partner.pk: company_rep}
    report(partner, reps, active.start_date.replace(day=1), "100", person="Anna")
    cash(active, applicant, "100000", "VER-1")
    claim = claim_services.create_claim(active, by=applicant, period_start=active.start_date,
                                        period_end=active.end_date)
    claim = claim_services.submit_claim(claim, by=applicant)
    for item in list(claim.time_reports.all()) + list(claim.cash_contributions.all()):
        claim_services.review_item(claim, item, by=officer, accept=True)
    claim = claim_services.verify_claim(claim, by=officer)
    claim_services.pay_claim(claim, by=second_officer)
    draft = ApplicationFactory(call=call, applicant=municipality, public_cash=D("400000.00"))
    draft_partner = PartnerFactory(application=draft, company=company)
    review = ApplicationFactory(call=call, applicant=municipality, public_cash=D("400000.00"))
    PartnerFactory(application=review, company=company, planned_hours=D("500"), hourly_rate=D("800"))
    review = move(review, "submit", "start_review", by_applicant=applicant, by_officer=officer)
    cash(active, applicant, "1000", "VER-2")
    draft_claim = claim_services.create_claim(active, by=applicant, period_start=active.start_date,
                                              period_end=active.end_date)
    return {
        "active": active, "partner": partner, "draft": draft, "draft_partner": draft_partner, "review": review,
        "claim": draft_claim,
        "inkind": JournalEntry.objects.get(kind=JournalEntry.Kind.INKIND_CONTRIBUTION),
        "cash_entry": JournalEntry.objects.get(kind=JournalEntry.Kind.CASH_CONTRIBUTION),
    }


def _bodies(w, call, municipality):
    """(who, method, path, valid body, decimal fields, text fields) for every endpoint that takes figures or text."""
    return [
        ("applicant", "post", url("applications"),
         {"call": call.pk, "applicant": municipality.pk, "title": "T", "start_date": "2027-01-01",
          "end_date": "2027-12-31", "public_cash": "1000.00"}, ["public_cash"], ["title", "needs_analysis"]),
        ("applicant", "patch", url("applications", w["draft"].pk), {"public_cash": "1000.00"},
         ["public_cash"], ["title", "testbed_description"]),
        ("applicant", "post", url("partners"),
         {"application": w["draft"].pk, "company": w["draft_partner"].company_id, "planned_hours": "10",
          "hourly_rate": "500"}, ["planned_hours", "hourly_rate"], ["role_description"]),
        ("applicant", "patch", url("partners", w["draft_partner"].pk), {"planned_hours": "10"},
         ["planned_hours", "hourly_rate"], ["role_description"]),
        ("officer", "post", url("applications", w["review"].pk, "transitions", "approve"),
         {"comment": "Ok.", "granted": "1.00"}, ["granted"], ["comment"]),
        ("company_rep", "post", url("time-reports"),
         {"partner": w["partner"].pk, "person_name": "Anna", "month": str(w["active"].start_date),
          "hours": "1", "hourly_rate": "800", "description": "Arbete"}, ["hours", "hourly_rate"],
         ["person_name", "description"]),
        ("officer", "post", url("ledger/entries", w["inkind"].pk, "corrections"),
         {"amount": "1.00", "reason": "Fel.", "hours": "1"}, ["amount", "hours"], ["reason"]),
        ("applicant", "post", url("claims", w["claim"].pk, "transitions", "submit"), {"comment": ""}, [], ["comment"]),
    ]


def _send(client, method, path, body):
    return getattr(client, method)(path, json.dumps(body), content_type="application/json")


@pytest.mark.django_db
def test_hostile_figures_in_every_decimal_field_are_400_with_that_fields_error(api, world, call, municipality,
                                                                              applicant, officer, company_rep):
    users = {"applicant": applicant, "officer": officer, "company_rep": company_rep}
    checked = 0
    for who, method, path, valid, decimals, _texts in _bodies(world, call, municipality):
        client = api(users[who])
        for field in decimals:
            for value in HOSTILE_NUMBERS:
                response = _send(client, method, path, {**valid, field: value})
                assert response.status_code == 400, (path, field, value, response.status_code, response.content[:300])
                assert field in response.json()["fields"], (path, field, value, response.json())
                checked += 1
    assert checked >= 9 * len(HOSTILE_NUMBERS)
    # Nothing of it was stored: no figure beyond the columns, no NaN.
    assert not Application.objects.filter(public_cash__gte=D("1e12")).exists()
    assert not Partner.objects.filter(planned_hours__gte=D("1e8")).exists()


@pytest.mark.django_db
def test_control_characters_in_every_text_field_are_400_with_that_fields_error(api, world, call, municipality,
                                                                              applicant, officer, company_rep):
    users = {"applicant": applicant, "officer": officer, "company_rep": company_rep}
    for who, method, path, valid, _decimals, texts in _bodies(world, call, municipality):
        client = api(users[who])
        for field in texts:
            for value in HOSTILE_TEXT:
                response = _send(client, method, path, {**valid, field: value})
                assert response.status_code == 400, (path, field, value, response.status_code, response.content[:300])
                assert field in response.json()["fields"], (path, field, value)
                expected = "Null characters" if "\x00" in value else "control characters"  # DRF refuses NUL itself
                assert expected in " ".join(response.json()["fields"][field]), (path, field, value)


@pytest.mark.django_db
def test_a_multiline_text_keeps_its_newlines_and_tabs(api, world, applicant):
    body = {"needs_analysis": "Rad ett\r\n\tRad två"}
    expect(_send(api(applicant), "patch", url("applications", world["draft"].pk), body), 200)
    assert Application.objects.get(pk=world["draft"].pk).needs_analysis == "Rad ett\r\n\tRad två"


@pytest.mark.django_db
def test_hostile_cash_uploads_are_400_and_the_cash_list_keeps_answering_200(api, world, applicant):
    client = api(applicant)
    for value in ["1e20", "12345678901234567.89", "9" * 40, "NaN", "-0.001"]:
        response = client.post(url("cash-contributions"), {"application": world["active"].pk, "amount": value,
                                                            "paid_on": str(world["active"].start_date),
                                                            "voucher_reference": "V-2"}, format="multipart")
        assert response.status_code == 400 and "amount" in response.json()["fields"], value
    assert CashContribution.objects.count() == 2
    expect(client.get(url("cash-contributions")), 200)
    reference = world["active"].reference
    for name in ("statement.pdf", "statement.xlsx"):
        response = client.get(f"/api/v1/reports/applications/{reference}/{name}")
        assert response.status_code == 200, name


@pytest.mark.django_db
def test_a_hundred_thousand_deep_json_body_is_400_not_a_recursion_error(api, world, applicant):
    deep = "[" * 100_000 + "]" * 100_000
    response = api(applicant).patch(url("applications", world["draft"].pk), deep, content_type="application/json")
    body = expect(response, 400)
    assert "deeper" in body["errors"][0]


@pytest.mark.django_db
def test_a_json_body_over_a_megabyte_is_400(api, world, applicant):
    huge = json.dumps({"title": "x", "needs_analysis": "y" * (1024 * 1024 + 10)})
    response = api(applicant).patch(url("applications", world["draft"].pk), huge, content_type="application/json")
    assert expect(response, 400)["errors"][0].startswith("The request body is larger")


@pytest.mark.django_db
@pytest.mark.parametrize("text", ['{"public_cash": NaN}', '{"public_cash": Infinity}', '{"public_cash": 1e400}',
                                  '{"public_cash": -0.001}', "{", '"\\ud800"', "\xff\xfe"])
def test_malformed_or_non_finite_json_is_400(api, world, applicant, text):
    response = api(applicant).patch(url("applications", world["draft"].pk), text.encode("utf-8", "surrogatepass"),
                                    content_type="application/json")
    assert response.status_code == 400, response.content


@pytest.mark.django_db
def test_an_amount_as_a_json_number_is_400_as_the_schema_says_text(api, world, applicant):
    # issue 22: the schema says amounts are text ("1234.55"); a number is refused on its field.
    response = api(applicant).patch(url("applications", world["draft"].pk), '{"public_cash": 1234.55}',
                                    content_type="application/json")
    assert "public_cash" in expect(response, 400)["fields"]


@pytest.mark.django_db
@pytest.mark.parametrize("text", ["1234.555", " 12", "1,5", "1e3", "", "+5", "1 234"])
def test_an_amount_outside_the_documented_pattern_is_400(api, world, applicant, text):
    response = api(applicant).patch(url("applications", world["draft"].pk), {"public_cash": text}, format="json")
    assert "public_cash" in expect(response, 400)["fields"]


@pytest.mark.django_db
def test_correction_hours_beyond_the_entry_are_400_on_the_hours_field(api, world, officer):
    # The probe: -5000 h on a 100 h entry was a 201 and pushed the verified hours negative.
    path = url("ledger/entries", world["inkind"].pk, "corrections")
    for hours in ("-5000", "100.01", "5000"):
        body = expect(_send(api(officer), "post", path, {"amount": "1.00", "reason": "Fel.", "hours": hours}), 400)
        assert "hours" in body["fields"], hours
    assert not JournalEntry.objects.filter(kind=JournalEntry.Kind.CORRECTION).exists()
    expect(_send(api(officer), "post", path, {"amount": "800.00", "reason": "Fel.", "hours": "1"}), 201)


@pytest.mark.django_db
def test_partners_planned_value_rounds_half_up_like_the_statement(api, world, applicant):
    # 3.333 h is not storable; 1.50 h × 0.33 kr = 0.495 kr → 0.50 half-up (half-even would print 0.49).
    partner = world["draft_partner"]
    Partner.objects.filter(pk=partner.pk).update(planned_hours=D("1.50"), hourly_rate=D("0.33"))
    body = expect(api(applicant).get(url("partners", partner.pk)), 200)
    assert body["planned_value"] == "0.50"
    assert TimeReport(hours=D("1.50"), hourly_rate=D("0.33")).value == D("0.50")  # the statement's figure


def _all_fields(serializer):
    for field in serializer.fields.values():
        yield field
        field = getattr(field, "child", field)
        if isinstance(field, drf_serializers.Serializer):
            yield from _all_fields(field)


@pytest.mark.django_db  # the API tests share a throttle cache in the database (tests/api/conftest.py)
def test_no_serializer_prints_with_drfs_half_even_decimal_field():
    classes = [c for module in (app_serializers, ledger_serializers) for c in vars(module).values()
               if isinstance(c, type) and issubclass(c, drf_serializers.BaseSerializer) and c.__module__ == module.__name__]
    assert len(classes) > 15
    for serializer_class in classes:
        for field in _all_fields(serializer_class()):
            if isinstance(field, drf_serializers.DecimalField):
                assert isinstance(field, api_fields.DecimalField), (serializer_class, field)


# ---------------------------------------------------------------- query parameters as documented (issue 22)
@pytest.mark.django_db
@pytest.mark.parametrize("value", ["0", "201", "abc", "0.5", "true", ""])
def test_a_page_size_outside_1_to_200_or_not_a_whole_number_is_400(api, officer, value):
    body = expect(api(officer).get(url("applications"), {"page_size": value}), 400)
    assert "page_size" in body["fields"]


@pytest.mark.django_db
@pytest.mark.parametrize("query", [{"in_claim": "2"}, {"in_claim": "yes"}, {"month_from": ""},
                                   {"month_from": "12/01/2026"}, {"month_from": "2026-1-1"}])
def test_a_boolean_or_date_filter_not_written_as_documented_is_400(api, officer, query):
    body = expect(api(officer).get(url("time-reports"), query), 400)
    assert set(body["fields"]) == set(query)


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["2026-12-07", "2026-12-07T08:30", "2026-12-07T08:30:00", ""])
def test_a_moment_filter_without_seconds_and_offset_is_400(api, officer, value):
    body = expect(api(officer).get(url("applications"), {"created_after": value}), 400)
    assert "created_after" in body["fields"]


@pytest.mark.django_db
def test_a_moment_filter_in_rfc_3339_is_taken(api, officer):
    expect(api(officer).get(url("applications"), {"created_after": "2026-12-07T08:30:00+01:00"}), 200)
    expect(api(officer).get(url("applications"), {"created_after": "2026-12-07T08:30:00.5Z"}), 200)


@pytest.mark.django_db
def test_a_sequence_filter_with_a_fraction_is_400(api, officer):
    assert "seq_to" in expect(api(officer).get(url("ledger/entries"), {"seq_to": "0.5"}), 400)["fields"]


@pytest.mark.django_db
def test_a_filter_given_twice_is_400_unless_it_is_a_list(api, officer):
    assert "in_claim" in expect(api(officer).get("/api/v1/time-reports/?in_claim=true&in_claim=true"), 400)["fields"]
    expect(api(officer).get("/api/v1/applications/?state=draft&state=active"), 200)
