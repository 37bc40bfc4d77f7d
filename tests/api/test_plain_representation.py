"""The applications list reads partners, reporting periods and decisions as plain values for a whole page
(api/applications/plain.py); what it prints must be exactly what the serializers print from the models,
and the number of queries must not grow with the page."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.applications.serializers import DecisionSerializer, ReportingPeriodSerializer
from applications.models import Application
from tests.api.helpers import expect, url
from tests.factories import ApplicationFactory, PartnerFactory


@pytest.mark.django_db
def test_periods_decision_and_partners_are_what_the_serializers_print(api, example, applicant, officer):
    application, x, _y, _reps = example
    amended = expect(api(applicant).post(url("amendments"), {
        "application": application.pk, "reason": "Större pilot.", "public_cash": "450000.00",
        "partners": {str(x.pk): {"hours": "350"}}}, format="json"), 201)
    expect(api(officer).post(url("amendments", amended["id"], "decide"),
                             {"approve": True, "comment": "Ryms.", "granted": "450000.00"}, format="json"), 200)
    listed = next(row for row in expect(api(officer).get(url("applications")), 200)["results"]
                  if row["id"] == application.pk)
    detail = expect(api(officer).get(url("applications", application.pk)), 200)
    application = Application.objects.get(pk=application.pk)
    newest = application.decisions.order_by("-decided_at", "-id").first()
    for shown in (listed, detail):
        assert shown["reporting_periods"] == ReportingPeriodSerializer(application.reporting_periods.all(),
                                                                       many=True).data
        assert shown["reporting_periods"], "an active application has its periods"
        assert shown["decision"] == DecisionSerializer(newest).data
        assert shown["decision"]["amends"] is not None  # the amendment's decision is the newest
        assert shown["partners"] == list(application.partners.order_by("id").values_list("id", flat=True))
        assert shown["requested_fund"] == "450000.00"


@pytest.mark.django_db
def test_the_list_reads_a_page_in_the_same_number_of_queries_whatever_its_size(api, call, municipality, company,
                                                                               officer):
    def count(n):
        for _ in range(n):
            PartnerFactory(application=ApplicationFactory(call=call, applicant=municipality, state="submitted"),
                           company=company)
        client = api(officer)
        expect(client.get(url("applications")), 200)
        with CaptureQueriesContext(connection) as queries:
            body = expect(client.get(url("applications")), 200)
        return len(queries), len(body["results"])

    few, shown_few = count(2)
    many, shown_many = count(20)
    assert (shown_few, shown_many) == (2, 22)
    assert many == few
