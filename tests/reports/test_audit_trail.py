"""The audit trail export: every event with who, when, what, from → to and old → new."""
import csv
import io

import pytest

from applications.models import AuditEvent
from reports import audit_trail
from reports.access import audit_events
from services import drafting, lifecycle


def rows(user, reference=None):
    events, _application = audit_events(user, reference)
    text = b"".join(audit_trail.csv_lines(events)).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.mark.django_db
def test_audit_trail_has_every_event_oldest_first(paid, auditor):
    exported = rows(auditor)
    assert list(exported[0]) == audit_trail.AUDIT_COLUMNS
    assert [int(r["id"]) for r in exported] == list(AuditEvent.objects.order_by("occurred_at", "id")
                                                     .values_list("id", flat=True))


@pytest.mark.django_db
def test_audit_trail_shows_transitions_with_who_and_states(paid, auditor, applicant):
    submitted = next(r for r in rows(auditor) if r["action"] == "transition" and r["to_state"] == "submitted"
                     and r["object_type"] == "application")
    assert submitted["actor"] == applicant.username and submitted["from_state"] == "draft"
    assert submitted["application"] == paid.reference and submitted["occurred_at"].endswith("Z")


@pytest.mark.django_db
def test_audit_trail_shows_changes_old_to_new(draft, applicant, auditor):
    drafting.update_application(draft, by=applicant, public_cash="350000.00", title="Ny titel")
    lifecycle.transition(draft, "submit", by=applicant)  # auditors see an application from submission on
    update = next(r for r in rows(auditor) if r["action"] == "update")
    assert "public_cash: 400000.00 → 350000.00" in update["changes"]
    assert update["changes"].index("public_cash") < update["changes"].index("title")
    assert '"public_cash":["400000.00","350000.00"]' in update["changes_json"]


@pytest.mark.django_db
def test_audit_trail_of_one_application_only(paid, draft, auditor):
    exported = rows(auditor, paid.reference)
    assert exported and {r["application"] for r in exported} == {paid.reference}


def test_describe_changes_marks_missing_values():
    assert audit_trail.describe_changes({"b": [None, "2"], "a": ["1", None]}) == "a: 1 → ∅; b: ∅ → 2"
