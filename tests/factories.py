"""factory-boy factories for every model; valid by default, so a test states only what it is about."""
import io
from datetime import date, timedelta
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from pypdf import PdfWriter

from applications.models import Application, Decision, FundingCall, Membership, Organisation, Partner
from applications.orgnumber import with_check_digit


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.se")
    password = factory.django.Password("test-password-123")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    # Third digit ≥ 2, Luhn check digit computed (rule S2).
    org_number = factory.Sequence(lambda n: with_check_digit(f"55{6000000 + n:07d}"))
    kind = Organisation.Kind.COMPANY


class MunicipalityFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"Kommun {n}")
    org_number = factory.Sequence(lambda n: with_check_digit(f"21{2000000 + n:07d}"))
    kind = Organisation.Kind.MUNICIPALITY


class CompanyFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"Företag {n} AB")


class RegionalBodyFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"Regionförbund {n}")
    org_number = factory.Sequence(lambda n: with_check_digit(f"22{2000000 + n:07d}"))
    kind = Organisation.Kind.REGIONAL_BODY


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Membership.Role.APPLICANT


class FundingCallFactory(factory.django.DjangoModelFactory):
    """An open call with the demo policy: f = k = 1.00, cap 900 SEK/h, max grant 2 MSEK."""

    class Meta:
        model = FundingCall

    regional_body = factory.SubFactory(RegionalBodyFactory)
    title = factory.Sequence(lambda n: f"Testbäddar {n}")
    fund_project_reference = factory.Sequence(lambda n: f"20{n:06d}")
    fund_budget = Decimal("10000000.00")
    # Relative to today, so the call stays open whenever the suite runs.
    opens_on = factory.LazyFunction(lambda: date.today() - timedelta(days=400))
    closes_on = factory.LazyFunction(lambda: date.today() + timedelta(days=365))
    eligible_from = factory.LazyFunction(lambda: date.today() - timedelta(days=400))
    eligible_until = factory.LazyFunction(lambda: date.today() + timedelta(days=3 * 365))
    fund_ratio = Decimal("1.00")
    inkind_ratio = Decimal("1.00")
    max_hourly_rate = Decimal("900.00")
    max_grant = Decimal("2000000.00")
    state = FundingCall.State.OPEN

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # The state field is protected: set it through the queryset, as a fixture.
        state = kwargs.pop("state")
        obj = super()._create(model_class, *args, **kwargs)
        model_class.objects.filter(pk=obj.pk).update(state=state)
        obj = model_class.objects.get(pk=obj.pk)
        return obj


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    call = factory.SubFactory(FundingCallFactory)
    applicant = factory.SubFactory(MunicipalityFactory)
    reference = factory.Sequence(lambda n: f"TB-2026-{n + 1:04d}")
    title = factory.Sequence(lambda n: f"Testbädd {n}")
    needs_analysis = "Behov av digital tillsyn i hemtjänsten."
    testbed_description = "Sensorplattform i tio lägenheter."
    # Started about a year ago (so past months can be reported), ends in a year.
    start_date = factory.LazyFunction(lambda: (date.today() - timedelta(days=365)).replace(day=1))
    end_date = factory.LazyFunction(lambda: date.today() + timedelta(days=365))
    public_cash = Decimal("400000.00")
    state = Application.State.DRAFT

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        state = kwargs.pop("state")
        obj = super()._create(model_class, *args, **kwargs)
        if state != Application.State.DRAFT:
            model_class.objects.filter(pk=obj.pk).update(state=state)
            obj = model_class.objects.get(pk=obj.pk)
        return obj


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    application = factory.SubFactory(ApplicationFactory)
    company = factory.SubFactory(CompanyFactory)
    planned_hours = Decimal("500.00")
    hourly_rate = Decimal("800.00")
    role_description = "Bygger plattformen."


class DecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Decision

    application = factory.SubFactory(ApplicationFactory)
    approved_public_cash = Decimal("400000.00")
    approved_inkind_value = Decimal("400000.00")
    approved_hours = Decimal("500.00")
    granted_amount = Decimal("400000.00")
    fund_ratio = Decimal("1.00")
    inkind_ratio = Decimal("1.00")
    max_hourly_rate = Decimal("900.00")
    rationale = "Uppfyller kriterierna."
    decided_by = factory.SubFactory(UserFactory)


def member(role: str, organisation, username: str | None = None):
    """A user with one membership; the common setup of permission tests."""
    user = UserFactory(username=username) if username else UserFactory()
    MembershipFactory(user=user, organisation=organisation, role=role)
    return user


def receipt_pdf() -> bytes:
    """A real one-page PDF (receipts are parsed by pypdf before they are accepted)."""
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
def bulk_applications(call, count: int, *, state=Application.State.SUBMITTED, reference_year: int = 2099):
    """`count` applications of `call`, each with one company partner, in a few INSERTs (not
    `count` × the factories' round trips): enough for documents of any size in a second or two."""
    applicant = MunicipalityFactory()
    company = CompanyFactory()
    start = (date.today() - timedelta(days=365)).replace(day=1)
    applications = Application.objects.bulk_create(
        Application(call=call, applicant=applicant, reference=f"TB-{reference_year}-{n:04d}",
                    title=f"Testbädd {n}", needs_analysis="Behov.", testbed_description="Plattform.",
                    start_date=start, end_date=date.today() + timedelta(days=365),
                    public_cash=Decimal("100000.00"), state=state)
        for n in range(1, count + 1))
    if not applications[0].pk:  # engines that do not return keys from a bulk insert
        applications = list(Application.objects.filter(call=call, reference__startswith=f"TB-{reference_year}-"))
    Partner.objects.bulk_create(
        Partner(application=application, company=company, planned_hours=Decimal("125.00"),
                hourly_rate=Decimal("800.00"), role_description="Bygger plattformen.")
        for application in applications)
    return applications
