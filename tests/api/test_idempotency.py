"""Idempotency-Key on money-creating POSTs: a retry replays the first response and posts nothing twice;
the same key with another body is a 422."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from applications.models import Decision
from ledger.models import CashContribution, IdempotencyRecord, JournalEntry, TimeReport
from services import claims as claim_services
from tests.api.helpers import PDF, expect, url
from tests.scenarios import cash, months, report

KEY = "3f1c2a9e-5b7d-4c1e-9a2b-7d6e5f4a3b2c"


def _hours_body(partner, application, hours="10.00"):
    return {"partner": partner.pk, "person_name": "Anna", "month": str(months(application, 0)), "hours": hours,
            "hourly_rate": "800.00", "description": "Plattformsutveckling"}


def _post(client, path, body, key=KEY, **kwargs):
    return client.post(path, body, format=kwargs.pop("format", "json"), HTTP_IDEMPOTENCY_KEY=key, **kwargs)


@pytest.fixture
def x_rep(api, example):
    application, x, _y, reps = example
    return api(reps[x.pk])


@pytest.mark.django_db
def test_repeated_time_report_replays_the_first_response_and_stores_one(example, x_rep):
    application, x, _y, _reps = example
    first = _post(x_rep, url("time-reports"), _hours_body(x, application))
    again = _post(x_rep, url("time-reports"), _hours_body(x, application))
    assert expect(again, 201) == expect(first, 201)
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert TimeReport.objects.filter(partner=x).count() == 1


@pytest.mark.django_db
def test_same_key_with_another_body_is_422_and_stores_nothing(example, x_rep):
    application, x, _y, _reps = example
    expect(_post(x_rep, url("time-reports"), _hours_body(x, application)), 201)
    body = expect(_post(x_rep, url("time-reports"), _hours_body(x, application, hours="11.00")), 422)
    assert body == {"detail": "This Idempotency-Key was already used with a different request."}
    assert list(TimeReport.objects.filter(partner=x).values_list("hours", flat=True)) == [10]


@pytest.mark.django_db
def test_a_refused_request_keeps_the_key_free_for_the_corrected_retry(example, x_rep):
    application, x, _y, _reps = example
    expect(_post(x_rep, url("time-reports"), _hours_body(x, application, hours="0.00")), 400)
    expect(_post(x_rep, url("time-reports"), _hours_body(x, application)), 201)
    assert TimeReport.objects.filter(partner=x).count() == 1


@pytest.mark.django_db
def test_keys_are_per_user(api, example):
    application, x, y, reps = example
    expect(_post(api(reps[x.pk]), url("time-reports"), _hours_body(x, application)), 201)
    expect(_post(api(reps[y.pk]), url("time-reports"), {**_hours_body(y, application), "hourly_rate": "700.00"}),
           201)
    assert TimeReport.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["with space", "x" * 101, "åäö"])
def test_a_malformed_key_is_400(example, x_rep, key):
    application, x, _y, _reps = example
    body = expect(x_rep.post(url("time-reports"), _hours_body(x, application), format="json",
                             HTTP_IDEMPOTENCY_KEY=key.encode().decode("latin-1")), 400)
    assert list(body["fields"]) == ["Idempotency-Key"]
    assert not TimeReport.objects.exists()


def _cash_body(application, content=PDF):
    return {"application": application.pk, "amount": "1000.00", "paid_on": str(application.start_date),
            "voucher_reference": "V9", "receipt": SimpleUploadedFile("kvitto.pdf", content)}


@pytest.mark.django_db
def test_repeated_cash_upload_stores_one_item(api, example, applicant):
    application = example[0]
    client = api(applicant)
    first = expect(_post(client, url("cash-contributions"), _cash_body(application), format="multipart"), 201)
    again = expect(_post(client, url("cash-contributions"), _cash_body(application), format="multipart"), 201)
    assert again == first and CashContribution.objects.count() == 1


@pytest.mark.django_db
def test_same_key_with_another_receipt_file_is_422(api, example, applicant):
    application = example[0]
    client = api(applicant)
    expect(_post(client, url("cash-contributions"), _cash_body(application), format="multipart"), 201)
    other = _cash_body(application, content=PDF + b"% another file\n")
    expect(_post(client, url("cash-contributions"), other, format="multipart"), 422)
    assert CashContribution.objects.count() == 1


@pytest.fixture
def verified_claim(example, applicant, officer):
    application, x, _y, reps = example
    cash(application, applicant, "100000.00", "V1")
    report(x, reps, months(application, 0), "50")
    claim = claim_services.create_claim(application, by=applicant, period_start=application.start_date,
                                  period_end=application.end_date)
    claim_services.submit_claim(claim, by=applicant)
    for item in list(claim.time_reports.all()) + list(claim.cash_contributions.all()):
        claim_services.review_item(claim, item, by=officer, accept=True)
    return claim_services.verify_claim(claim, by=officer)


@pytest.mark.django_db
def test_repeated_payment_pays_once(api, verified_claim, second_officer):
    client = api(second_officer)
    path = url("claims", verified_claim.pk, "transitions", "pay")
    first = expect(_post(client, path, {}), 200)
    again = expect(_post(client, path, {}), 200)
    assert again == first and first["payable_amount"] == "40000.00"
    assert JournalEntry.objects.filter(kind=JournalEntry.Kind.FUND_PAYMENT).count() == 1


@pytest.mark.django_db
def test_payment_repeated_without_a_key_is_a_409(api, verified_claim, second_officer):
    client = api(second_officer)
    path = url("claims", verified_claim.pk, "transitions", "pay")
    expect(client.post(path, {}, format="json"), 200)
    body = expect(client.post(path, {}, format="json"), 409)
    assert "paid" in body["detail"].lower()
    assert JournalEntry.objects.filter(kind=JournalEntry.Kind.FUND_PAYMENT).count() == 1


@pytest.mark.django_db
def test_repeated_correction_reverses_once(api, verified_claim, second_officer, officer):
    claim_services.pay_claim(verified_claim, by=second_officer)
    entry = verified_claim.journal_entries.get(kind=JournalEntry.Kind.CASH_CONTRIBUTION)
    client = api(officer)
    path = url("ledger/entries", entry.pk, "corrections")
    first = expect(_post(client, path, {"amount": "5000.00", "reason": "Ej stödberättigande."}), 201)
    again = expect(_post(client, path, {"amount": "5000.00", "reason": "Ej stödberättigande."}), 201)
    assert again == first
    expect(_post(client, path, {"amount": "6000.00", "reason": "Ej stödberättigande."}), 422)
    assert JournalEntry.objects.filter(kind=JournalEntry.Kind.CORRECTION).count() == 1


@pytest.mark.django_db
def test_repeated_approval_commits_once(api, draft, applicant, officer):
    from tests.conftest import move

    application = move(draft, "submit", "start_review", by_applicant=applicant, by_officer=officer)
    client = api(officer)
    path = url("applications", application.pk, "transitions", "approve")
    body = {"comment": "Uppfyller kriterierna.", "granted": "350000.00"}
    first = expect(_post(client, path, body), 200)
    again = expect(_post(client, path, body), 200)
    assert again == first and first["decision"]["granted_amount"] == "350000.00"
    assert Decision.objects.count() == 1
    assert JournalEntry.objects.filter(kind=JournalEntry.Kind.COMMITMENT).count() == 1
    assert IdempotencyRecord.objects.get().response_status == 200
