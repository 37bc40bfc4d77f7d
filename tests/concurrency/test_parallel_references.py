"""Twenty parallel creates get twenty distinct references on PostgreSQL (issue 15, item 6).

The probe: twenty parallel POST /api/v1/applications/ gave four 500s (next_reference took max+1
without a lock, so two transactions inserted the same reference). Each worker is a thread with its
own database connection, through the real API view; the tests commit for real.
"""
import json
from decimal import Decimal

import pytest
from django.db import connection
from knox.models import AuthToken
from rest_framework.test import APIClient

from applications.models import Application
from tests.concurrency.test_parallel_workers import run_parallel

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_twenty_parallel_creates_get_twenty_distinct_references(call, municipality, applicant):
    assert connection.vendor == "postgresql"
    _instance, token = AuthToken.objects.create(user=applicant)
    body = {"call": call.pk, "applicant": municipality.pk, "title": "Parallell", "start_date": "2027-01-01",
            "end_date": "2027-12-31", "public_cash": "1000.00"}

    def create(i):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        response = client.post("/api/v1/applications/", json.dumps({**body, "title": f"Parallell {i}"}),
                               content_type="application/json")
        return response.status_code, response.json().get("reference")

    results, errors = run_parallel([(lambda i=i: create(i)) for i in range(20)])
    assert errors == [None] * 20
    assert [status for status, _ref in results] == [201] * 20
    references = {reference for _status, reference in results}
    assert len(references) == 20
    assert set(Application.objects.values_list("reference", flat=True)) == references
    assert all(Application.objects.filter(public_cash=Decimal("1000.00")).values_list("pk", flat=True))
