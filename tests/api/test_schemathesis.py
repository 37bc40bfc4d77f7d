"""Schemathesis against the live schema at /api/schema/: no 5xx, and every response as documented.

Every operation of the schema is tested twice — with an officer's token and with an applicant's —
in the normal test run (`make test`). Schemathesis runs its deterministic coverage phase (boundary
and invalid values for every parameter and body field) and then EXAMPLES generated cases per
operation (derandomized, so every run sends the same requests).

The data is tests.api.world: an active application with ledger history, a paid and a submitted
claim, a receipt, and another organisation's application. Half of the generated path ids and body
references are replaced by ids of these objects, so requests reach real objects, visible and not.

Checks: not_a_server_error, status_code_conformance, content_type_conformance,
response_headers_conformance, response_schema_conformance.
"""
import json
import os

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import strategies as st
from knox.models import AuthToken
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from applications.models import Application, AuditEvent, FundingCall, Organisation, Partner
from config.wsgi import application as wsgi_application
from ledger.models import CashContribution, Claim, JournalEntry, TimeReport
from tests.api.world import build_world
from tests.factories import ApplicationFactory

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", 15))  # generated cases per operation and role
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]

# Which existing objects a path id or a body reference may be replaced with.
PATH_MODELS = [
    ("/api/v1/organisations/", Organisation), ("/api/v1/calls/", FundingCall),
    ("/api/v1/applications/", Application), ("/api/v1/partners/", Partner),
    ("/api/v1/time-reports/", TimeReport), ("/api/v1/cash-contributions/", CashContribution),
    ("/api/v1/claims/", Claim), ("/api/v1/ledger/entries/", JournalEntry),
    ("/api/v1/ledger/balances/applications/", Application), ("/api/v1/ledger/balances/calls/", FundingCall),
    ("/api/v1/audit/events/", AuditEvent),
]
BODY_MODELS = {"application": Application, "partner": Partner, "call": FundingCall, "company": Organisation,
               "regional_body": Organisation,
               "applicant": Organisation}


@pytest.fixture
def fuzz_world(draft, applicant, officer, second_officer, call):
    world = build_world(draft, applicant, officer, second_officer, call)
    ApplicationFactory(call=call, applicant=world.application.applicant)  # a draft of our own too
    return world


def _ids(model) -> list[int]:
    return list(model.objects.order_by("pk").values_list("pk", flat=True))


# The ids of the current test's objects, read by the hooks while examples are generated.
WORLD: dict = {}


@pytest.fixture
def world_ids(fuzz_world):
    WORLD.update(path_ids=[(prefix, _ids(model)) for prefix, model in PATH_MODELS],
                 body_ids={field: _ids(model) for field, model in BODY_MODELS.items()},
                 item_ids=_ids(TimeReport) + _ids(CashContribution))
    yield WORLD
    WORLD.clear()


@pytest.fixture
def _wsgi_in_test_transaction():
    # Django's handler closes "old" connections at the end of each request; inside the test's
    # transaction that would abort it. Django's test client disconnects the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _served_schema() -> dict:
    """The schema /api/schema/ serves (to signed-in users only, so generated here the same way)."""
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated, renderer_context={}))


schema = schemathesis.openapi.from_dict(_served_schema())
schema.app = wsgi_application  # calls go to the app in-process, as from_wsgi would arrange


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    path = context.operation.path if context.operation else ""
    ids = next((ids for prefix, ids in WORLD.get("path_ids", []) if path.startswith(prefix)), [])
    if not ids or not path_parameters or "id" not in path_parameters:
        return st.just(path_parameters)
    real = {"id": st.sampled_from(ids)}
    if "item_id" in path_parameters and WORLD["item_ids"]:
        real["item_id"] = st.sampled_from(WORLD["item_ids"])
    return st.one_of(st.just(path_parameters),
                     st.fixed_dictionaries(real).map(lambda chosen: {**path_parameters, **chosen}))


@schema.hook
def flatmap_body(context, body):
    if not isinstance(body, dict):
        return st.just(body)
    known = WORLD.get("body_ids", {})
    fields = {k: st.sampled_from(known[k]) for k in body if known.get(k)}
    if not fields:
        return st.just(body)
    return st.one_of(st.just(body), st.fixed_dictionaries(fields).map(lambda chosen: {**body, **chosen}))


def _token(user) -> dict:
    _instance, token = AuthToken.objects.create(user=user)
    return {"Authorization": f"Token {token}"}


SETTINGS = hypothesis.settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                               suppress_health_check=list(hypothesis.HealthCheck), print_blob=False)


@schema.parametrize()
@SETTINGS
@pytest.mark.django_db
def test_api_as_officer(case, world_ids, officer, _wsgi_in_test_transaction):
    case.call_and_validate(headers=_token(officer), checks=CHECKS)


@schema.parametrize()
@SETTINGS
@pytest.mark.django_db
def test_api_as_applicant(case, world_ids, applicant, _wsgi_in_test_transaction):
    case.call_and_validate(headers=_token(applicant), checks=CHECKS)
