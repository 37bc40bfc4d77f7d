"""API of life after approval: partial verification, totals, bulk accept, advances, amendments, 409 on a
second payment (rules V1–V3, T6, A1–A3)."""
from decimal import Decimal

import pytest

from ledger.models import JournalEntry
from services import claims as claim_services
from services import contributions
from tests.api.helpers import expect, url
from tests.factories import CompanyFactory
from tests.scenarios import cash, claim_and_pay, months, report

D = Decimal


@pytest.fixture
def submitted(example, applicant):
    application, x, _y, reps = example
    cash(application, applicant, "120000.00", "V1")
    report(x, reps, months(application, 0), "100")
    claim = claim_services.create_claim(application, by=applicant, period_start=application.start_date,
                                        period_end=application.end_date)
    return claim_services.submit_claim(claim, by=applicant)


@pytest.mark.django_db
def test_partial_accept_and_totals_through_the_api(api, submitted, officer):
    # rule V1: 120 000 claimed, 100 000 eligible; 100 h at 800 bulk-accepted
    client = api(officer)
    item = submitted.cash_contributions.get()
    body = expect(client.post(url("claims", submitted.pk, "items", "cash-contributions", item.pk, "review"),
                              {"decision": "accept", "eligible": "100000.00", "deduction_type": "missing_evidence",
                               "reason": "Kvitto saknas.", "sampled": True}, format="json"), 200)
    assert body["cash_contributions"][0]["deduction"] == "20000.00"
    body = expect(client.post(url("claims", submitted.pk, "bulk-accept"),
                              {"time_reports": [submitted.time_reports.get().pk]}, format="json"), 200)
    assert body["totals"] == {"claimed": "200000.00", "accepted": "180000.00", "rejected": "0.00",
                              "deducted": "20000.00", "parked": "0.00", "pending": "0.00", "payable": None,
                              "recovery": None, "items": 2, "checked": 1}


@pytest.mark.django_db
def test_partial_accept_without_error_type_is_400(api, submitted, officer):
    item = submitted.time_reports.get()
    body = expect(api(officer).post(url("claims", submitted.pk, "items", "time-reports", item.pk, "review"),
                                    {"decision": "accept", "eligible": "80", "reason": "x"}, format="json"), 400)
    assert "deduction_type" in str(body)


@pytest.mark.django_db
def test_second_payment_with_a_new_key_is_409(api, submitted, officer, second_officer):
    for item in list(submitted.time_reports.all()) + list(submitted.cash_contributions.all()):
        claim_services.review_item(submitted, item, by=officer, accept=True)
    claim_services.verify_claim(submitted, by=officer)
    client = api(second_officer)
    path = url("claims", submitted.pk, "transitions", "pay")
    expect(client.post(path, {}, format="json", HTTP_IDEMPOTENCY_KEY="first"), 200)
    replay = client.post(path, {}, format="json", HTTP_IDEMPOTENCY_KEY="first")
    assert replay.status_code == 200
    body = expect(client.post(path, {}, format="json", HTTP_IDEMPOTENCY_KEY="second"), 409)
    assert "already paid" in body["detail"]
    assert JournalEntry.objects.filter(kind=JournalEntry.Kind.FUND_PAYMENT).count() == 1


@pytest.mark.django_db
def test_advance_through_the_api(api, example, officer, applicant):
    # rule T6
    application = example[0]
    expect(api(applicant).post(url("advances"), {"application": application.pk, "amount": "1000.00",
                                                 "reason": "x"}, format="json"), 403)
    body = expect(api(officer).post(url("advances"), {"application": application.pk, "amount": "200000.01",
                                                      "reason": "Uppstart."}, format="json"), 400)
    assert "amount" in str(body)
    body = expect(api(officer).post(url("advances"), {"application": application.pk, "amount": "150000.00",
                                                      "reason": "Uppstart."}, format="json"), 201)
    assert body["kind"] == "advance"
    balances = expect(api(applicant).get(url("ledger/balances/applications", application.pk)), 200)
    assert (balances["advanced"], balances["net_paid"]) == ("150000.00", "150000.00")


@pytest.mark.django_db
def test_amendment_requested_and_approved_through_the_api(api, example, applicant, officer):
    # rules A1, A2
    application, x, _y, _reps = example
    body = expect(api(applicant).post(url("amendments"), {
        "application": application.pk, "reason": "Större pilot.", "public_cash": "450000.00",
        "partners": {str(x.pk): {"hours": "350"}}}, format="json"), 201)
    assert (body["current_public_cash"], body["proposed_public_cash"]) == ("400000.00", "450000.00")
    expect(api(applicant).post(url("amendments", body["id"], "decide"), {"approve": True, "comment": "x"},
                               format="json"), 403)
    decided = expect(api(officer).post(url("amendments", body["id"], "decide"),
                                       {"approve": True, "comment": "Ryms.", "granted": "450000.00"},
                                       format="json"), 200)
    assert (decided["state"], decided["granted_amount"]) == ("approved", "450000.00")
    balances = expect(api(officer).get(url("ledger/balances/applications", application.pk)), 200)
    assert balances["approved"] == "450000.00"


@pytest.mark.django_db
def test_reporter_deletes_an_unattested_time_report(api, example):
    application, x, _y, reps = example
    item = contributions.report_time(x, by=reps[x.pk], person_name="Cia", month=months(application, 0),
                                     hours="199", hourly_rate="800", description="Skrivfel")
    client = api(reps[x.pk])
    body = expect(client.put(url("time-reports", item.pk), {"person_name": "Cia", "month": str(item.month),
                                                            "hours": "9.00", "hourly_rate": "800.00",
                                                            "description": "Rättat"}, format="json"), 200)
    assert body["hours"] == "9.00"
    expect(client.delete(url("time-reports", item.pk)), 204)


@pytest.mark.django_db
def test_amendment_replacing_a_partner_through_the_api(api, example, applicant, officer):
    # rule A1: one leaving, one joining; approval makes the joining company a partner
    application, _x, y, _reps = example
    newcomer = CompanyFactory(name="Z AB")
    body = expect(api(applicant).post(url("amendments"), {
        "application": application.pk, "reason": "Y ersätts av Z.", "partners": {str(y.pk): {"hours": "0"}},
        "leaving_partners": [y.pk],
        "added_partners": [{"company": newcomer.pk, "hours": "250", "hourly_rate": "700.00"}]}, format="json"), 201)
    assert body["leaving_partners"] == [str(y.pk)]
    assert body["added_partners"][0]["org_number"] == newcomer.org_number
    expect(api(officer).post(url("amendments", body["id"], "decide"), {"approve": True, "comment": "Ja."},
                             format="json"), 200)
    partners = expect(api(applicant).get(url("partners"), {"application": application.pk}), 200)
    assert newcomer.pk in [p["company"] for p in partners["results"]]


@pytest.mark.django_db
def test_amendment_joining_company_that_does_not_exist_is_400(api, example, applicant):
    application, _x, _y, _reps = example
    response = api(applicant).post(url("amendments"), {
        "application": application.pk, "reason": "Z.",
        "added_partners": [{"company": 999999, "hours": "250", "hourly_rate": "700.00"}]}, format="json")
    assert response.status_code == 400 and "added_partners.0.company" in response.json()["fields"]


@pytest.mark.django_db
def test_returned_payment_corrected_through_the_api(api, example, applicant, officer, second_officer):
    # rule E7: the payment entry is corrected like a contribution; the amount is owed again
    application, x, _y, reps = example
    cash(application, applicant, "100000.00", "V1")
    report(x, reps, months(application, 0), "80")
    claim = claim_and_pay(application, applicant, officer, second_officer)
    payment = claim.journal_entries.get(kind=JournalEntry.Kind.FUND_PAYMENT)
    body = expect(api(officer).post(url("ledger/entries", payment.pk, "corrections"),
                                    {"amount": "14000.00", "reason": "Returnerad av banken."}, format="json"), 201)
    assert body["kind"] == "correction"
    balances = expect(api(officer).get(url("ledger/balances/applications", application.pk)), 200)
    assert balances["net_paid"] == "50000.00"
    expect(api(officer).post(url("ledger/entries", payment.pk, "corrections"),
                             {"amount": "50000.01", "reason": "Igen."}, format="json"), 400)
