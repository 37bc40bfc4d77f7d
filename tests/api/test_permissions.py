"""Endpoint × role: who sees what through the API (DESIGN §2). An object the caller may not see is a 404
on detail, nested lists and filters, exactly like one that does not exist."""
import pytest

from services import amendments
from tests.api.helpers import expect, url
from tests.api.world import build_world
from tests.factories import RegionalBodyFactory, member

OK, HIDDEN, ANONYMOUS = 200, 404, 401

# name → (path of a GET on world A's objects, or a list filtered by one)
ENDPOINTS = {
    "application": lambda w: url("applications", w.application.pk),
    "application transitions": lambda w: url("applications", w.application.pk, "transitions"),
    "partners of application": lambda w: url("partners") + f"?application={w.application.pk}",
    "partner": lambda w: url("partners", w.x.pk),
    "time report of company X": lambda w: url("time-reports", w.x_report.pk),
    "time report of company Y": lambda w: url("time-reports", w.y_report.pk),
    "time reports of application": lambda w: url("time-reports") + f"?application={w.application.pk}",
    "cash contribution": lambda w: url("cash-contributions", w.cash_item.pk),
    "cash of application": lambda w: url("cash-contributions") + f"?application={w.application.pk}",
    "receipt": lambda w: url("cash-contributions", w.cash_item.pk, "receipt"),
    "claim": lambda w: url("claims", w.paid_claim.pk),
    "claim transitions": lambda w: url("claims", w.open_claim.pk, "transitions"),
    "claims of application": lambda w: url("claims") + f"?application={w.application.pk}",
    "ledger entry": lambda w: url("ledger/entries", w.entry.pk),
    "entries of application": lambda w: url("ledger/entries") + f"?application={w.application.pk}",
    "entries of claim": lambda w: url("ledger/entries") + f"?claim={w.paid_claim.pk}",
    "application balances": lambda w: url("ledger/balances/applications", w.application.pk),
    "call balances": lambda w: url("ledger/balances/calls", w.application.call_id),
    "audit events of application": lambda w: url("audit/events") + f"?application={w.application.pk}",
    "amendment": lambda w: url("amendments", w.amendment.pk),
}

# role → the endpoints it may read (everything else must be 404)
EVERYTHING = set(ENDPOINTS)
CAN_READ = {
    "applicant": EVERYTHING - {"call balances"},
    # rule P1: amendments are the applicant's and the officers' business, not a partner company's
    "company rep of X": {"application", "application transitions", "partners of application", "partner",
                         "time report of company X", "time reports of application", "application balances",
                         "audit events of application",
                         # its own slice: the application's summary entries and its own in-kind account (P1)
                         "entries of application"},
    "officer": EVERYTHING,
    "auditor": EVERYTHING,
    "applicant of B": set(),
    "officer of another region": set(),
}


@pytest.fixture
def world(draft, applicant, officer, second_officer, call):
    built = build_world(draft, applicant, officer, second_officer, call)
    built.amendment = amendments.request_amendment(built.application, by=applicant, reason="Förlängning.",
                                                   public_cash=None, end_date=None)
    return built


@pytest.fixture
def users(world, applicant, officer, auditor):
    return {
        "applicant": applicant, "company rep of X": world.reps[world.x.pk], "officer": officer,
        "auditor": auditor, "applicant of B": world.other_applicant,
        "officer of another region": member("officer", RegionalBodyFactory(name="Region Gotland"), "gotland"),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(CAN_READ))
def test_each_role_reads_exactly_what_design_section_2_allows(api, world, users, role):
    client = api(users[role])
    wrong = {}
    for endpoint, path in ENDPOINTS.items():
        expected = OK if endpoint in CAN_READ[role] else HIDDEN
        status = client.get(path(world)).status_code
        if status != expected:
            wrong[endpoint] = f"{status}, expected {expected}"
    assert wrong == {}


@pytest.mark.django_db
def test_anonymous_callers_are_told_to_authenticate(api, world):
    client = api(None)
    answers = {endpoint: client.get(path(world)) for endpoint, path in ENDPOINTS.items()}
    assert {e: r.status_code for e, r in answers.items() if r.status_code != ANONYMOUS} == {}
    assert {r["WWW-Authenticate"] for r in answers.values()} == {"Token"}


@pytest.mark.django_db
def test_applicant_of_b_lists_none_of_a(api, world):
    client = api(world.other_applicant)
    for resource in ("time-reports", "cash-contributions", "claims", "ledger/entries", "audit/events"):
        body = expect(client.get(url(resource)), 200)
        assert all(row.get("application") != world.application.pk for row in body["results"]), resource
    applications = expect(client.get(url("applications")), 200)["results"]
    assert [a["id"] for a in applications] == [world.other.pk]
    balances = expect(client.get(url("ledger/balances/applications")), 200)["results"]
    assert [b["application"] for b in balances] == [world.other.pk]


@pytest.mark.django_db
def test_company_rep_lists_only_own_company_time_reports(api, world):
    rows = expect(api(world.reps[world.x.pk]).get(url("time-reports")), 200)["results"]
    assert rows and {r["company"] for r in rows} == {world.x.company_id}


@pytest.mark.django_db
def test_filter_by_unknown_id_is_404_like_an_invisible_one(api, world, applicant):
    response = api(applicant).get(url("claims") + "?application=999999")
    assert expect(response, 404) == {"detail": "No such object."}


@pytest.mark.django_db
@pytest.mark.parametrize("method, path, body", [
    ("post", lambda w: url("applications", w.application.pk, "transitions", "terminate"), {"comment": "x"}),
    ("patch", lambda w: url("applications", w.application.pk), {"title": "x"}),
    ("post", lambda w: url("claims", w.open_claim.pk, "transitions", "verify"), {}),
    ("post", lambda w: url("time-reports", w.x_report.pk, "attest"), None),
    ("post", lambda w: url("ledger/entries", w.entry.pk, "corrections"), {"amount": "1.00", "reason": "x"}),
    ("delete", lambda w: url("partners", w.x.pk), None),
    ("post", lambda w: url("amendments", w.amendment.pk, "decide"), {"approve": False, "comment": "x"}),
    ("post", lambda w: url("claims", w.open_claim.pk, "bulk-accept"), {"time_reports": [1]}),
    ("delete", lambda w: url("time-reports", w.x_report.pk), None),
])
def test_writes_on_invisible_objects_are_404(api, world, method, path, body):
    client = api(world.other_applicant)
    response = getattr(client, method)(path(world), body, format="json")
    assert response.status_code == 404


@pytest.mark.django_db
def test_role_without_the_right_gets_403_on_a_visible_object(api, world, applicant):
    response = api(applicant).post(url("ledger/entries", world.entry.pk, "corrections"),
                                   {"amount": "1.00", "reason": "Fel."}, format="json")
    assert expect(response, 403) == {"detail": "Only an officer of the call's regional body records corrections."}


@pytest.mark.django_db
def test_company_rep_cannot_report_cash(api, world):
    response = api(world.reps[world.x.pk]).post(url("cash-contributions"), {
        "application": world.application.pk, "amount": "10.00", "paid_on": str(world.application.start_date),
        "voucher_reference": "X1"}, format="multipart")
    assert response.status_code == 403


@pytest.mark.django_db
def test_reference_to_an_invisible_object_in_a_body_is_does_not_exist(api, world):
    response = api(world.other_applicant).post(url("claims"), {
        "application": world.application.pk, "period_start": "2026-01-01", "period_end": "2026-02-01"},
        format="json")
    body = expect(response, 400)
    assert body["fields"]["application"] == [f'Invalid pk "{world.application.pk}" - object does not exist.']


# ---------------------------------------------------------------- writing calls (issue 16)
CALL_BODY = {"title": "Ny utlysning", "fund_project_reference": "20399999", "fund_budget": "1000000.00",
             "opens_on": "2027-01-01", "closes_on": "2027-06-30", "eligible_from": "2027-01-01",
             "eligible_until": "2028-12-31", "fund_ratio": "0.4", "inkind_ratio": "0.5", "max_hourly_rate": "900",
             "max_grant": "500000"}
# role → (create a call of the world's region, PATCH a draft call of it, open that draft call)
CALL_WRITES = {
    "officer": (201, 200, 200),
    "applicant": (403, 404, 404),
    "company rep of X": (403, 404, 404),
    "auditor": (403, 403, 403),  # auditors see every call, and may change none
    "applicant of B": (403, 404, 404),
    "officer of another region": (403, 404, 404),
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(CALL_WRITES))
def test_only_officers_of_the_body_create_edit_and_open_its_calls(api, world, users, role):
    from tests.factories import FundingCallFactory
    region = world.application.call.regional_body
    draft_call = FundingCallFactory(regional_body=region, fund_project_reference="20398888", state="draft")
    client = api(users[role])
    created = client.post(url("calls"), {**CALL_BODY, "regional_body": region.pk}, format="json").status_code
    patched = client.patch(url("calls", draft_call.pk), {"title": "Ändrad"}, format="json").status_code
    opened = client.post(url("calls", draft_call.pk, "transitions", "open"), format="json").status_code
    assert (created, patched, opened) == CALL_WRITES[role]
