"""The worked example of the ledger issue (tests/ledger/test_worked_example.py), driven only through the API.

C 400 000; X 300 h × 800 and Y 250 h × 700 (K 415 000); granted 400 000. Claim 1 pays 122 000,
claim 2 pays 278 000, a correction of 25 000 recovers 25 000, and closing releases the unused 25 000
(rules M3, M4, M6, M7, E4, E7).
"""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command

from tests.api.helpers import expect, receipt, url
from tests.factories import CompanyFactory, member

D = Decimal


class Actors:
    def __init__(self, api, applicant, officer, payer, reps):
        self.applicant, self.officer, self.payer = api(applicant), api(officer), api(payer)
        self.reps = {name: api(user) for name, user in reps.items()}


def _create_application(actors, call, municipality, x_company, y_company) -> dict:
    start = (date.today() - timedelta(days=365)).replace(day=1)
    application = expect(actors.applicant.post(url("applications"), {
        "call": call.pk, "applicant": municipality.pk, "title": "Trygg hemtjänst",
        "needs_analysis": "Behov av digital tillsyn.", "testbed_description": "Sensorer i tio lägenheter.",
        "start_date": start.isoformat(), "end_date": (date.today() + timedelta(days=365)).isoformat(),
        "public_cash": "400000.00"}, format="json"), 201)
    for company, hours, rate in ((x_company, "300.00", "800.00"), (y_company, "250.00", "700.00")):
        expect(actors.applicant.post(url("partners"), {
            "application": application["id"], "company": company.pk, "planned_hours": hours,
            "hourly_rate": rate, "role_description": "Bygger plattformen."}, format="json"), 201)
    return expect(actors.applicant.get(url("applications", application["id"])), 200)


def _transition(client, application_id, name, key=None, **body):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return expect(client.post(url("applications", application_id, "transitions", name),
                              {"comment": "Kommentar.", **body}, format="json", **headers), 200)


def _cash(actors, application, amount, voucher):
    return expect(actors.applicant.post(url("cash-contributions"), {
        "application": application["id"], "amount": amount, "paid_on": application["start_date"],
        "voucher_reference": voucher, "receipt": receipt()}, format="multipart"), 201)


def _hours(actors, company, partner_id, month, hours, person):
    client = actors.reps[company]
    report = expect(client.post(url("time-reports"), {
        "partner": partner_id, "person_name": person, "month": month.isoformat(), "hours": hours,
        "hourly_rate": "800.00" if company == "X" else "700.00", "description": "Plattformsutveckling"},
        format="json"), 201)
    return expect(client.post(url("time-reports", report["id"], "attest")), 200)


def _claim_and_pay(actors, application, final=False) -> dict:
    claim = expect(actors.applicant.post(url("claims"), {
        "application": application["id"], "period_start": application["start_date"],
        "period_end": application["end_date"], "is_final": final}, format="json"), 201)
    expect(actors.applicant.post(url("claims", claim["id"], "transitions", "submit"), {}, format="json"), 200)
    for kind, key in (("time-reports", "time_reports"), ("cash-contributions", "cash_contributions")):
        for item in claim[key]:
            expect(actors.officer.post(url("claims", claim["id"], "items", kind, item["id"], "review"),
                                       {"accept": True}, format="json"), 200)
    verified = expect(actors.officer.post(url("claims", claim["id"], "transitions", "verify"), {}, format="json"),
                      200)
    assert verified["state"] == "verified"
    return expect(actors.payer.post(url("claims", claim["id"], "transitions", "pay"), {}, format="json",
                                    HTTP_IDEMPOTENCY_KEY=f"pay-{claim['id']}"), 200)


def _balances(actors, application) -> dict:
    return expect(actors.applicant.get(url("ledger/balances/applications", application["id"])), 200)


@pytest.mark.django_db
def test_worked_example_through_the_api(api, call, municipality, applicant, officer, second_officer):
    x_company, y_company = CompanyFactory(name="X AB"), CompanyFactory(name="Y AB")
    actors = Actors(api, applicant, officer, second_officer,
                    {"X": member("company", x_company), "Y": member("company", y_company)})
    application = _create_application(actors, call, municipality, x_company, y_company)
    assert (application["planned_inkind_value"], application["requested_fund"]) == ("415000.00", "400000.00")
    app_id = application["id"]
    _transition(actors.applicant, app_id, "submit")
    _transition(actors.officer, app_id, "start_review")
    approved = _transition(actors.officer, app_id, "approve", key="approve-1", granted="400000.00")
    assert approved["state"] == "approved" and approved["decision"]["granted_amount"] == "400000.00"
    application = _transition(actors.applicant, app_id, "activate")
    x_id, y_id = application["partners"]
    start = date.fromisoformat(application["start_date"])

    def month(n):
        return date(start.year + (start.month - 1 + n) // 12, (start.month - 1 + n) % 12 + 1, 1)

    # Claim 1: cash 150 000 + 50 000; X 100 h, Y 60 h → Cv 200 000, Kv 122 000 → pays 122 000.
    _cash(actors, application, "150000.00", "V1")
    _cash(actors, application, "50000.00", "V2")
    _hours(actors, "X", x_id, month(0), "100.00", "Anna")
    _hours(actors, "Y", y_id, month(0), "60.00", "Bo")
    first = _claim_and_pay(actors, application)
    assert (first["state"], first["payable_amount"]) == ("paid", "122000.00")
    balances = _balances(actors, application)
    assert (balances["verified_cash"], balances["verified_inkind"]) == ("200000.00", "122000.00")
    assert balances["net_paid"] == "122000.00"

    # Claim 2: cash 200 000; X 200 h, Y 190 h → Cv 400 000, Kv 415 000 → pays 278 000 (total 400 000).
    _cash(actors, application, "200000.00", "V3")
    _hours(actors, "X", x_id, month(1), "100.00", "Anna")
    _hours(actors, "X", x_id, month(2), "100.00", "Anna")
    _hours(actors, "Y", y_id, month(1), "190.00", "Bo")
    second = _claim_and_pay(actors, application)
    assert second["payable_amount"] == "278000.00"
    balances = _balances(actors, application)
    assert (balances["verified_cash"], balances["verified_inkind"]) == ("400000.00", "415000.00")
    assert (balances["net_paid"], balances["verified_hours"]) == ("400000.00", "550.00")

    # Correction: 25 000 of claim 2's cash is ineligible → Cv 375 000 → recovery of 25 000.
    entries = expect(actors.officer.get(url("ledger/entries"), {"claim": second["id"], "kind": "cash_contribution"}),
                     200)
    assert entries["count"] == 1
    entry = entries["results"][0]
    correction = expect(actors.officer.post(url("ledger/entries", entry["id"], "corrections"), {
        "amount": "25000.00", "reason": "Ej stödberättigande."}, format="json", HTTP_IDEMPOTENCY_KEY="corr-1"), 201)
    assert (correction["kind"], correction["corrects"], correction["corrects_seq"]) == (
        "correction", entry["id"], entry["seq"])
    balances = _balances(actors, application)
    assert balances["verified_cash"] == "375000.00"
    assert (balances["recovered"], balances["net_paid"]) == ("25000.00", "375000.00")

    # Close: a final claim with one more hour; the unused 25 000 returns to the call budget.
    before = expect(actors.officer.get(url("ledger/balances/calls", call.pk)), 200)
    _hours(actors, "X", x_id, month(3), "1.00", "Anna")
    _claim_and_pay(actors, application, final=True)
    assert expect(actors.applicant.get(url("applications", app_id)), 200)["state"] == "closing"
    closed = _transition(actors.officer, app_id, "close")
    assert closed["state"] == "closed"
    after = expect(actors.officer.get(url("ledger/balances/calls", call.pk)), 200)
    assert D(after["uncommitted"]) - D(before["uncommitted"]) == D("25000.00")
    balances = _balances(actors, application)
    assert (balances["committed"], balances["released"]) == ("0.00", "25000.00")
    call_command("verify_ledger")


@pytest.mark.django_db
def test_entries_from_the_api_form_an_unbroken_chain(api, example, applicant, officer, second_officer):
    application, x, _y, reps = example
    client = api(officer)
    listing = expect(client.get(url("ledger/entries"), {"call": application.call_id, "page_size": 200}), 200)
    entries = listing["results"]
    assert [e["seq"] for e in entries] == list(range(1, len(entries) + 1))
    for earlier, later in zip(entries, entries[1:], strict=False):
        assert later["prev_hash"] == earlier["hash"]
    commitment = next(e for e in entries if e["kind"] == "commitment")
    assert sum(D(leg["amount"]) for leg in commitment["legs"]) == 0
    assert {leg["account_kind"] for leg in commitment["legs"]} == {"fund_committed", "fund_budget"}
