"""Registering a partner company by organisation number without an officer (rule S2, numbers of T9)."""
import pytest

from applications.models import AuditEvent, Organisation
from core.errors import NotPermitted, RuleViolation
from services import organisations

pytestmark = pytest.mark.django_db


def test_an_applicant_registers_a_new_company_normalised_and_audited(applicant):
    company, created = organisations.register_organisation(
        org_number="5560360793", name="Nya Sensor AB", contact_email="info@nyasensor.se", by=applicant)
    assert created and company.org_number == "556036-0793" and company.kind == Organisation.Kind.COMPANY
    assert company.registered_by == applicant and company.contact_email == "info@nyasensor.se"
    assert AuditEvent.objects.filter(action="create", object_type="organisation", actor=applicant).exists()


def test_a_duplicate_number_returns_the_existing_organisation_unchanged(applicant, company_rep):
    first, _ = organisations.register_organisation(org_number="556036-0793", name="Nya Sensor AB", by=applicant)
    again, created = organisations.register_organisation(org_number="16 556036 0793", name="Annat namn",
                                                          by=company_rep)
    assert not created and again == first and again.name == "Nya Sensor AB"
    assert Organisation.objects.filter(org_number="556036-0793").count() == 1


@pytest.mark.parametrize("number, words", [
    ("200000-0006", "third digit"),   # rule S2, T9: Luhn passes, a personal identity number
    ("556036-0794", "check digit"),   # T9: Luhn fails
    ("55603", "ten digits"),
])
def test_invalid_numbers_are_refused_with_the_reason(applicant, number, words):
    with pytest.raises(RuleViolation) as refused:
        organisations.register_organisation(org_number=number, name="X AB", by=applicant)
    assert words in refused.value.field_errors["org_number"][0]
    assert not Organisation.objects.filter(name="X AB").exists()


def test_name_and_email_are_checked(applicant):
    with pytest.raises(RuleViolation) as refused:
        organisations.register_organisation(org_number="556036-0793", name=" ", contact_email="nope", by=applicant)
    assert set(refused.value.field_errors) == {"name", "contact_email"}


def test_a_user_without_a_role_cannot_register(db):
    from tests.factories import UserFactory
    with pytest.raises(NotPermitted):
        organisations.register_organisation(org_number="556036-0793", name="X AB", by=UserFactory())


def test_only_an_officer_registers_other_kinds_than_companies(applicant, officer):
    with pytest.raises(NotPermitted):
        organisations.register_organisation(org_number="212000-0142", name="Kommun", kind="municipality",
                                            by=applicant)
    municipality, created = organisations.register_organisation(
        org_number="212000-0142", name="Kommun", kind="municipality", by=officer)
    assert created and municipality.kind == "municipality"
