"""Role dashboards, the application list and search: the right rows for each role, in few queries."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications.models import Membership
from ledger import journal
from services import calls as call_services
from services import contributions
from tests.factories import (
    ApplicationFactory,
    FundingCallFactory,
    MembershipFactory,
    MunicipalityFactory,
    PartnerFactory,
)


@pytest.fixture
def many(call, municipality, company):
    """Twelve more applications of the same parties, so an N+1 query would show."""
    applications = []
    for state in ["draft", "submitted", "under_review", "approved"] * 3:
        application = ApplicationFactory(call=call, applicant=municipality, state=state)
        PartnerFactory(application=application, company=company)
        applications.append(application)
    return applications


@pytest.mark.django_db
def test_applicant_dashboard_lists_own_applications_with_next_step(as_user, applicant, draft, claim):
    ApplicationFactory()  # another organisation's
    section = as_user(applicant).get("/").context["applicant"]
    steps = {a.reference: str(a.next_step) for a in section["applications"]}
    assert steps == {draft.reference: "Complete the application and submit it.",
                     claim.application.reference: "Submit claim 1."}


@pytest.mark.django_db
def test_company_dashboard_lists_partnered_applications_and_reports_to_attest(as_user, company_rep, active, partner):

    report = contributions.report_time(partner, by=company_rep, person_name="Anna", month=active.start_date,
                                  hours="10", hourly_rate="800", description="Arbete")
    section = as_user(company_rep).get("/").context["company"]
    assert list(section["applications"]) == [active]
    assert list(section["to_attest"]) == [report]


@pytest.mark.django_db
def test_officer_dashboard_has_queue_claims_and_budget(as_user, officer, submitted_claim, many):
    response = as_user(officer).get("/")
    section = response.context["officer"]
    assert {a.state for a in section["queue"]} == {"submitted", "under_review"} and len(section["queue"]) == 6
    assert list(section["to_verify"]) == [submitted_claim]
    (call, balance), = section["budgets"]
    assert balance.totals.approved == 400000 and balance.uncommitted == call.fund_budget - 400000
    html = response.content.decode()
    assert "Remaining to grant" in html and "9,600,000.00 kr" in html


@pytest.mark.django_db
def test_auditor_dashboard_offers_search_and_reports(as_user, auditor, active):
    html = as_user(auditor).get("/").content.decode()
    assert 'action="/search/"' in html
    assert f'/reports/calls/{active.call_id}/summary.pdf' in html and "/reports/audit-trail.csv" in html


@pytest.mark.django_db
def test_user_with_several_roles_sees_each_section(as_user, applicant, region, company, draft):
    MembershipFactory(user=applicant, organisation=region, role=Membership.Role.OFFICER)
    MembershipFactory(user=applicant, organisation=company, role=Membership.Role.COMPANY)
    context = as_user(applicant).get("/").context
    assert context["applicant"] and context["company"] and context["officer"]
    assert "auditor" not in context


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["applicant", "company_rep", "officer", "auditor"])
def test_dashboard_queries_do_not_grow_with_applications(role, request, as_user, claim, many,
                                                         django_assert_max_num_queries):
    client = as_user(request.getfixturevalue(role))
    with django_assert_max_num_queries(10):
        assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_officer_dashboard_queries_do_not_grow_with_calls(as_user, officer, region):
    """Each call links its book: read with the calls, not one query per call (bench/, query counts)."""
    client = as_user(officer)
    counts = []
    for _ in range(3):
        journal.book_for_call(FundingCallFactory(regional_body=region))
        client.get("/")
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/").status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1] == counts[2], counts


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["applicant", "officer", "auditor"])
def test_application_list_queries_do_not_grow(role, request, as_user, many, django_assert_max_num_queries):
    client = as_user(request.getfixturevalue(role))
    with django_assert_max_num_queries(8):
        response = client.get(reverse("web:application_list"))
    # The applicant sees its drafts; officers and auditors see applications from submission on.
    assert len(response.context["page"].object_list) == (12 if role == "applicant" else 9)


@pytest.mark.django_db
def test_application_list_filters_by_state_and_text(as_user, officer, many):
    client = as_user(officer)
    page = client.get(reverse("web:application_list"), {"state": "approved"}).context["page"]
    assert {a.state for a in page.object_list} == {"approved"} and page.paginator.count == 3
    page = client.get(reverse("web:application_list"), {"q": many[1].reference}).context["page"]
    assert list(page.object_list) == [many[1]]
    page = client.get(reverse("web:application_list"), {"q": many[0].reference}).context["page"]
    assert list(page.object_list) == []  # a draft


@pytest.mark.django_db
def test_application_list_shows_only_what_the_user_may_see(as_user, outsider, many):
    own = ApplicationFactory(applicant=MunicipalityFactory(name="Annan kommun 2"))
    outsider.memberships.update(organisation=own.applicant)
    page = as_user(outsider).get(reverse("web:application_list")).context["page"]
    assert list(page.object_list) == [own]


@pytest.mark.django_db
def test_application_list_is_paginated(as_user, auditor, call, municipality):
    for _ in range(27):
        ApplicationFactory(call=call, applicant=municipality, state="submitted")
    client = as_user(auditor)
    first = client.get(reverse("web:application_list")).context["page"]
    second = client.get(reverse("web:application_list"), {"page": 2}).context["page"]
    assert (len(first.object_list), len(second.object_list)) == (25, 2)


@pytest.mark.django_db
def test_auditor_search_finds_applications_calls_organisations_and_entries(as_user, auditor, active):
    from ledger.models import JournalEntry

    client = as_user(auditor)
    results = client.get(reverse("web:search"), {"q": active.applicant.org_number}).context["results"]
    assert list(results["applications"]) == [active] and list(results["organisations"]) == [active.applicant]
    results = client.get(reverse("web:search"), {"q": active.call.title}).context["results"]
    assert list(results["calls"]) == [active.call]
    entry = JournalEntry.objects.filter(kind="commitment").get()
    results = client.get(reverse("web:search"), {"q": entry.hash[:12]}).context["results"]
    assert list(results["entries"]) == [entry]


@pytest.mark.django_db
def test_search_stays_inside_what_the_user_may_see(as_user, outsider, active):
    results = as_user(outsider).get(reverse("web:search"), {"q": active.reference}).context["results"]
    assert not results["applications"] and not results["entries"] and results["organisations"] is None


@pytest.mark.django_db
def test_search_queries_are_bounded(as_user, auditor, many, django_assert_max_num_queries):
    client = as_user(auditor)
    with django_assert_max_num_queries(10):
        client.get(reverse("web:search"), {"q": "TB"})


@pytest.mark.django_db
def test_officer_closes_a_call_from_the_dashboard(as_user, officer, call):
    from applications.models import FundingCall

    client = as_user(officer)
    assert [a["name"] for a in client.get("/").context["officer"]["budgets"][0][0].web_actions] == ["close"]
    response = client.post(reverse("web:call_transition", args=[call.pk, "close"]), follow=True)
    assert FundingCall.objects.get(pk=call.pk).state == "closed"
    assert "is now Closed" in response.content.decode()


@pytest.mark.django_db
def test_archiving_a_call_with_running_applications_is_refused_with_the_reason(as_user, officer, active):
    from applications.models import FundingCall

    call_services.transition_call(active.call, "close", by=officer)
    response = as_user(officer).post(reverse("web:call_transition", args=[active.call_id, "archive"]), follow=True)
    assert "every application in it is finished" in response.content.decode()
    assert FundingCall.objects.get(pk=active.call_id).state == "closed"


@pytest.mark.django_db
def test_only_officers_of_the_call_change_it(as_user, applicant, auditor, call):
    for user in (applicant, auditor):
        assert as_user(user).post(reverse("web:call_transition", args=[call.pk, "close"])).status_code == 404


@pytest.mark.django_db
def test_officer_dashboard_shows_a_long_queue_a_page_at_a_time(as_user, officer, call):
    from tests.factories import bulk_applications
    from web.views.common import ROWS_PER_PAGE

    bulk_applications(call, ROWS_PER_PAGE + 3)
    client = as_user(officer)
    first = client.get("/")
    assert len(first.context["officer"]["queue"]) == ROWS_PER_PAGE
    assert "queue_page=2#officer-heading" in first.content.decode()
    second = client.get("/", {"queue_page": "2"})
    assert len(second.context["officer"]["queue"]) == 3
    shown = {a.reference for page in (first, second) for a in page.context["officer"]["queue"]}
    assert len(shown) == ROWS_PER_PAGE + 3
