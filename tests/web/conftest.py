"""Fixtures of the web tests: signed-in clients per role and an application at each stage of a claim."""
import pytest
from django.test import Client

from services import claims as claim_services
from tests.factories import receipt_pdf
from tests.scenarios import cash, report

PDF = receipt_pdf()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def as_user():
    """A fresh client signed in as `user` (several roles can act in one test)."""
    def sign_in(user):
        client = Client()
        client.force_login(user)
        return client
    return sign_in


@pytest.fixture
def partner(active):
    return active.partners.get()


@pytest.fixture
def reps(partner, company_rep):
    return {partner.pk: company_rep}


@pytest.fixture
def claim(active, applicant, partner, reps):
    """A draft claim with one attested time report (100 h × 800) and one cash item (100 000)."""
    report(partner, reps, active.start_date.replace(day=1), "100", person="Anna Lindqvist")
    cash(active, applicant, "100000", "VER-1")
    return claim_services.create_claim(active, by=applicant, period_start=active.start_date, period_end=active.end_date)


@pytest.fixture
def submitted_claim(claim, applicant):
    return claim_services.submit_claim(claim, by=applicant)


@pytest.fixture
def verified_claim(submitted_claim, officer):
    for item in list(submitted_claim.time_reports.all()) + list(submitted_claim.cash_contributions.all()):
        claim_services.review_item(submitted_claim, item, by=officer, accept=True)
    return claim_services.verify_claim(submitted_claim, by=officer)
