"""Every transition tried by every role from every state: allowed, or refused with the reason (DESIGN §5)."""
import pytest

from applications.models import Application, AuditEvent
from core.errors import NotPermitted, RuleViolation, TransitionConflict
from ledger.models import JournalEntry
from services import lifecycle
from tests.factories import ApplicationFactory, PartnerFactory

S = Application.State
# transition -> (sources, target, role that may take it)
LIFE_CYCLE = {
    "submit": ({S.DRAFT, S.CHANGES_REQUESTED}, S.SUBMITTED, "applicant"),
    "start_review": ({S.SUBMITTED}, S.UNDER_REVIEW, "officer"),
    "request_changes": ({S.UNDER_REVIEW}, S.CHANGES_REQUESTED, "officer"),
    "approve": ({S.UNDER_REVIEW}, S.APPROVED, "officer"),
    "reject": ({S.UNDER_REVIEW}, S.REJECTED, "officer"),
    "withdraw": ({S.DRAFT, S.SUBMITTED, S.UNDER_REVIEW, S.CHANGES_REQUESTED}, S.WITHDRAWN, "applicant"),
    "activate": ({S.APPROVED}, S.ACTIVE, "applicant"),
    "begin_closing": ({S.ACTIVE}, S.CLOSING, "applicant"),
    "close": ({S.CLOSING}, S.CLOSED, "officer"),
    "terminate": ({S.ACTIVE}, S.TERMINATED, "officer"),
}
ROLES = ["applicant", "company", "officer", "auditor", "outsider"]


@pytest.fixture
def actors(applicant, company_rep, officer, auditor, outsider):
    return {"applicant": applicant, "company": company_rep, "officer": officer, "auditor": auditor,
            "outsider": outsider}


@pytest.mark.django_db
@pytest.mark.parametrize("name", LIFE_CYCLE)
@pytest.mark.parametrize("state", list(S))
@pytest.mark.parametrize("role", ROLES)
def test_transition_matrix(name, state, role, call, municipality, company, actors):
    sources, target, allowed_role = LIFE_CYCLE[name]
    application = ApplicationFactory(call=call, applicant=municipality, state=state)
    PartnerFactory(application=application, company=company)
    user = actors[role]
    if state not in sources:
        with pytest.raises(TransitionConflict, match=str(application.get_state_display())):
            lifecycle.transition(application, name, by=user, comment="Kommentar.", granted="400000.00")
    elif role != allowed_role:
        with pytest.raises(NotPermitted, match="role"):
            lifecycle.transition(application, name, by=user, comment="Kommentar.", granted="400000.00")
    elif name == "begin_closing":
        # Closing is started by the final claim, not by hand.
        with pytest.raises(RuleViolation, match="final payment claim"):
            lifecycle.transition(application, name, by=user, comment="Kommentar.")
    else:
        lifecycle.transition(application, name, by=user, comment="Kommentar.", granted="400000.00")
        application = Application.objects.get(pk=application.pk)
        assert application.state == target
        event = AuditEvent.objects.get(action="transition", object_id=str(application.pk))
        assert (event.actor, event.from_state, event.to_state, event.comment) == (user, state, target, "Kommentar.")
        chained = JournalEntry.objects.get(kind=JournalEntry.Kind.TRANSITION, application=application)
        assert chained.payload["from"] == state and chained.payload["to"] == target
    if state not in sources or role != allowed_role:
        assert Application.objects.get(pk=application.pk).state == state
        assert not AuditEvent.objects.filter(action="transition").exists()


@pytest.mark.django_db
def test_state_field_cannot_be_set_directly(draft):
    with pytest.raises(AttributeError):
        draft.state = Application.State.APPROVED


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["request_changes", "reject"])
def test_officer_decisions_against_the_applicant_need_a_comment(name, draft, applicant, officer):
    lifecycle.transition(draft, "submit", by=applicant)
    lifecycle.transition(draft, "start_review", by=officer)
    with pytest.raises(RuleViolation, match="comment is required"):
        lifecycle.transition(draft, name, by=officer, comment="  ")
    assert Application.objects.get(pk=draft.pk).state == S.UNDER_REVIEW


@pytest.mark.django_db
def test_available_transitions_follow_state_and_role(draft, applicant, officer, company_rep):
    assert lifecycle.available_transitions(draft, applicant) == ["submit", "withdraw"]
    assert lifecycle.available_transitions(draft, officer) == []
    assert lifecycle.available_transitions(draft, company_rep) == []
