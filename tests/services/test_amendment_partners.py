"""Amendments that change who takes part (rule A1): a company joins, a partner leaves, a replacement;
and what is already verified stays (rule T10)."""
from decimal import Decimal

import pytest
from django.utils import timezone

from applications.models import Amendment, AuditEvent, Partner
from core.errors import RuleViolation
from ledger import grants
from ledger.models import JournalEntry
from ledger.selectors import application_balances
from services import amendments
from services import claims as claim_services
from tests.factories import CompanyFactory, MunicipalityFactory, member
from tests.scenarios import months, report

D = Decimal


@pytest.fixture
def newcomer():
    return CompanyFactory(name="Z AB")


def _replace_y_by_z(application, applicant, y, newcomer, **extra):
    return amendments.request_amendment(
        application, by=applicant, reason="Y AB lämnar, Z AB tar över.", public_cash=None, end_date=None,
        partners={y.pk: {"hours": "0"}}, leaving_partners=[y.pk],
        added_partners=[{"company": newcomer, "hours": "250", "hourly_rate": "700.00",
                         "role_description": "Sensorer"}], **extra)


@pytest.mark.django_db
def test_replacement_moves_the_plan_to_the_joining_company(example, applicant, officer, newcomer):
    # rule A1: Y leaves having done nothing, Z joins with Y's 250 h × 700; K stays 415 000
    application, x, y, _reps = example
    amendment = _replace_y_by_z(application, applicant, y, newcomer)
    before, after = amendments.sides(amendment)
    assert after.budget.inkind_value == before.budget.inkind_value == D("415000.00")
    rows = amendments.plan_rows(before, after)
    assert [(name, now is None, proposed.get("joining", False), proposed.get("leaving", False))
            for name, now, proposed in rows] == [("X AB", False, False, False), ("Y AB", False, False, True),
                                                 ("Z AB", True, True, False)]

    decision = amendments.approve_amendment(amendment, by=officer, rationale="Ersättare godtas.")

    z = Partner.objects.get(application=application, company=newcomer)
    assert (z.planned_hours, z.hourly_rate, z.role_description) == (D("250.00"), D("700.00"), "Sensorer")
    y.refresh_from_db()
    assert (y.left_on, y.planned_hours) == (timezone.localdate(), D("0.00"))
    assert decision.partner_rates[newcomer.org_number] == "700.00"
    assert decision.approved_hours == D("550.00")
    assert grants.latest_decision(application) == decision
    # the grant did not change, so the commitment does not move
    assert application_balances(application).approved == D("400000.00")
    assert not JournalEntry.objects.filter(kind=JournalEntry.Kind.AMENDMENT).exists()
    joined = AuditEvent.objects.get(object_type="partner", object_id=str(z.pk), action="create")
    assert joined.changes["amendment"] == [None, 1]


@pytest.mark.django_db
def test_joining_company_reports_hours_after_approval(example, applicant, officer, newcomer):
    # rule A1: the new partner is a partner like the others
    application, _x, y, _reps = example
    amendments.approve_amendment(_replace_y_by_z(application, applicant, y, newcomer), by=officer, rationale="Ja.")
    z = Partner.objects.get(application=application, company=newcomer)
    item = report(z, {z.pk: member("company", newcomer)}, months(application, 2), "20")
    assert item.partner == z and item.value == D("14000.00")


@pytest.mark.django_db
def test_partner_that_left_reports_no_month_after_it_left(example):
    # rule A1: work before leaving can still be reported; work after it cannot
    application, _x, y, reps = example
    Partner.objects.filter(pk=y.pk).update(left_on=months(application, 2).replace(day=15))
    y.refresh_from_db()
    report(y, reps, months(application, 2), "10")
    with pytest.raises(RuleViolation, match="Y AB left the project on") as exc:
        report(y, reps, months(application, 3), "10")
    assert "month" in exc.value.field_errors


@pytest.mark.django_db
def test_joining_organisation_must_be_a_company_not_yet_a_partner(example, applicant):
    # rules A1, M2
    application, x, _y, _reps = example
    kommun = MunicipalityFactory(name="Annan kommun")
    with pytest.raises(RuleViolation) as exc:
        amendments.request_amendment(
            application, by=applicant, reason="Fler.", public_cash=None, end_date=None,
            added_partners=[{"company": kommun, "hours": "10", "hourly_rate": "500"},
                            {"company": x.company, "hours": "10", "hourly_rate": "500"},
                            {"company": CompanyFactory(), "hours": "0", "hourly_rate": "500"}])
    errors = exc.value.field_errors
    assert "is not a company" in errors["added_0_company"][0]
    assert "already a partner" in errors["added_1_company"][0]
    assert "more than zero hours" in errors["added_2_hours"][0]
    assert not Amendment.objects.exists()


@pytest.mark.django_db
def test_every_partner_leaving_without_a_replacement_is_refused(example, applicant):
    # rules A1, M1: at least one company stays or joins
    application, x, y, _reps = example
    with pytest.raises(RuleViolation, match="At least one company must stay"):
        amendments.request_amendment(application, by=applicant, reason="Alla går.", public_cash=None,
                                     end_date=None, leaving_partners=[x.pk, y.pk])


@pytest.mark.django_db
def test_plan_cannot_go_below_verified_hours(example, applicant, officer):
    # rule T10: what is verified stays; Y has 40 verified hours, so its plan cannot drop to 30
    application, _x, y, reps = example
    report(y, reps, months(application, 0), "40")
    claim = claim_services.create_claim(application, by=applicant, period_start=application.start_date,
                                        period_end=application.end_date)
    claim_services.submit_claim(claim, by=applicant)
    claim_services.review_item(claim, claim.time_reports.get(), by=officer, accept=True)
    with pytest.raises(RuleViolation) as exc:
        amendments.request_amendment(application, by=applicant, reason="Y lämnar.", public_cash=None,
                                     end_date=None, partners={y.pk: {"hours": "30"}}, leaving_partners=[y.pk],
                                     added_partners=[{"company": CompanyFactory(), "hours": "220",
                                                      "hourly_rate": "700"}])
    assert "40.00 h verified" in exc.value.field_errors[f"partner_{y.pk}_hours"][0]
    # its 40 verified hours are a valid plan for a leaving partner
    amendment = amendments.request_amendment(
        application, by=applicant, reason="Y lämnar.", public_cash=None, end_date=None,
        partners={y.pk: {"hours": "40"}}, leaving_partners=[y.pk],
        added_partners=[{"company": CompanyFactory(), "hours": "210", "hourly_rate": "700"}])
    assert amendment.leaving_partners == [str(y.pk)]


@pytest.mark.django_db
def test_company_that_joined_elsewhere_since_the_request_is_refused_at_approval(
        example, applicant, officer, newcomer):
    # rule A1: approval re-checks that the joining company is not a partner by now
    application, _x, y, _reps = example
    amendment = _replace_y_by_z(application, applicant, y, newcomer)
    Partner.objects.create(application=application, company=newcomer, planned_hours=D("1"), hourly_rate=D("1"))
    with pytest.raises(RuleViolation, match="Z AB is already a partner"):
        amendments.approve_amendment(amendment, by=officer, rationale="Ja.")
    assert Amendment.objects.get(pk=amendment.pk).state == Amendment.State.REQUESTED
