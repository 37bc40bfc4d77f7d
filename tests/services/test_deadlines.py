"""Reporting periods, claim due dates and the 80-day payment clock, with a fixed clock (rules D1, D2, S3, T5)."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import translation

from applications.deadlines import due_label, plan_periods, reminder_stage
from applications.models import Application
from core import clock as core_clock
from core.clock import add_months
from ledger.models import Claim
from services import claims as claim_services
from services import contributions, deadlines
from tests.conftest import ROLES
from tests.factories import member

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------- pure date rules
def test_periods_of_six_months_are_due_after_the_grace_days():  # rule D1
    periods = plan_periods(date(2026, 1, 1), date(2027, 6, 30), months=6, grace_days=30)
    assert [(p.starts_on, p.ends_on, p.due_on) for p in periods] == [
        (date(2026, 1, 1), date(2026, 6, 30), date(2026, 7, 30)),
        (date(2026, 7, 1), date(2026, 12, 31), date(2027, 1, 30)),
        (date(2027, 1, 1), date(2027, 6, 30), date(2027, 7, 30)),
    ]


def test_the_last_period_is_the_final_claim_due_after_the_end_date():  # rules D1, S3
    periods = plan_periods(date(2026, 2, 1), date(2026, 11, 15), months=3, grace_days=20)
    assert [p.is_final for p in periods] == [False, False, False, True]
    assert periods[-1].ends_on == date(2026, 11, 15)  # a short last period ends with the project
    assert periods[-1].due_on == date(2026, 12, 5)


def test_periods_cover_the_project_without_gaps():  # rule D1
    periods = plan_periods(date(2026, 1, 31), date(2028, 3, 1), months=4, grace_days=0)
    for before, after in zip(periods, periods[1:], strict=False):
        assert after.starts_on == before.ends_on + timedelta(days=1)
    assert periods[0].starts_on == date(2026, 1, 31) and periods[-1].ends_on == date(2028, 3, 1)


def test_month_arithmetic_clamps_to_the_end_of_a_shorter_month():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)


def test_due_labels_count_days_before_and_after():
    today = date(2027, 3, 1)
    assert due_label(date(2027, 3, 13), today) == "due in 12 days"
    assert due_label(date(2027, 3, 2), today) == "due in 1 day"
    assert due_label(date(2027, 3, 1), today) == "due today"
    assert due_label(date(2027, 2, 26), today) == "overdue 3 days"


def test_due_labels_in_swedish_use_the_swedish_plural():
    today = date(2027, 3, 1)
    with translation.override("sv"):
        assert due_label(date(2027, 3, 13), today) == "förfaller om 12 dagar"
        assert due_label(date(2027, 3, 2), today) == "förfaller om 1 dag"
        assert due_label(date(2027, 3, 1), today) == "förfaller i dag"
        assert due_label(date(2027, 2, 28), today) == "försenad 1 dag"
        assert due_label(date(2027, 2, 26), today) == "försenad 3 dagar"


@pytest.mark.parametrize(("days_before", "stage"), [(20, None), (15, None), (14, 14), (4, 14), (3, 3), (0, 3),
                                                    (-1, 0), (-30, 0)])
def test_the_reminder_stage_follows_the_days_left(days_before, stage):
    due = date(2027, 5, 31)
    assert reminder_stage(due, due - timedelta(days=days_before)) == stage


# ---------------------------------------------------------------- periods of an application
def test_activation_generates_the_reporting_periods(active):  # rule D1
    periods = list(active.reporting_periods.all())
    call = active.call
    assert periods and periods[0].starts_on == active.start_date and periods[-1].ends_on == active.end_date
    assert periods[-1].is_final and not any(p.is_final for p in periods[:-1])
    assert periods[0].ends_on == add_months(active.start_date, call.reporting_period_months) - timedelta(days=1)
    assert all(p.due_on == p.ends_on + timedelta(days=call.grace_days) for p in periods)


def test_the_calls_period_length_and_grace_days_are_used(draft, applicant, officer):  # rule D1
    from tests.conftest import move

    type(draft.call).objects.filter(pk=draft.call_id).update(reporting_period_months=3, grace_days=10)
    draft = Application.objects.get(pk=draft.pk)
    active = move(draft, "submit", "start_review", "approve", "activate", by_applicant=applicant, by_officer=officer)
    first = active.reporting_periods.first()
    assert first.ends_on == add_months(active.start_date, 3) - timedelta(days=1)
    assert first.due_on == first.ends_on + timedelta(days=10)


def test_regenerate_periods_follows_a_longer_project_period(active):  # rules A1, D1
    before = list(active.reporting_periods.all())
    Application.objects.filter(pk=active.pk).update(end_date=active.end_date + timedelta(days=365))
    active = Application.objects.get(pk=active.pk)
    after = deadlines.regenerate_periods(active)
    assert len(after) == len(before) + 2  # a year more of six-month periods
    assert after[-1].ends_on == active.end_date and after[-1].is_final
    assert [p.is_final for p in after].count(True) == 1
    assert [p.pk for p in after[:len(before) - 1]] == [p.pk for p in before[:-1]]  # the same rows, moved in place


def test_regenerate_periods_keeps_reminders_of_unmoved_periods_and_forgets_moved_ones(active):  # rules A1, D1
    first, *_, last = active.reporting_periods.all()
    first.reminders.create(days_before=14)
    last.reminders.create(days_before=14)
    Application.objects.filter(pk=active.pk).update(end_date=active.end_date + timedelta(days=200))
    active = Application.objects.get(pk=active.pk)
    deadlines.regenerate_periods(active)
    assert first.reminders.count() == 1
    assert not last.reminders.exists()  # its due date moved: its reminders are sent again


def test_regenerate_periods_removes_periods_after_a_shorter_end(active):  # rule D1
    count = active.reporting_periods.count()
    Application.objects.filter(pk=active.pk).update(end_date=active.start_date + timedelta(days=200))
    active = Application.objects.get(pk=active.pk)
    periods = deadlines.regenerate_periods(active)
    assert len(periods) == 2 < count and active.reporting_periods.count() == 2
    assert periods[-1].is_final and periods[-1].ends_on == active.end_date


def test_regenerate_periods_does_nothing_before_activation(draft):
    assert deadlines.regenerate_periods(draft) == []
    assert not draft.reporting_periods.exists()


def test_a_submitted_claim_closes_the_periods_it_reaches_into(active, applicant, company_rep, fixed_clock):  # D1
    first = active.reporting_periods.first()
    assert deadlines.next_due_periods([active])[active.pk] == first
    claim = _submitted_claim(active, applicant, company_rep, fixed_clock, period_end=first.ends_on)
    assert claim.state == Claim.State.SUBMITTED
    assert deadlines.next_due_periods([active])[active.pk].number == 2


# ---------------------------------------------------------------- the payment clock (time travel)
def _submitted_claim(application, applicant, company_rep, fixed_clock, period_end=None):
    partner = application.partners.get()
    fixed_clock.set(application.start_date + timedelta(days=70))
    report = contributions.report_time(partner, by=company_rep, person_name="Anna Lindqvist",
                                       month=application.start_date, hours=Decimal("10"),
                                       hourly_rate=partner.hourly_rate, description="Sensorer")
    contributions.attest_time_report(report, by=member(ROLES.COMPANY, partner.company, "attester"))
    claim = claim_services.create_claim(application, by=applicant, period_start=application.start_date,
                                        period_end=period_end or application.start_date + timedelta(days=60))
    return claim_services.submit_claim(claim, by=applicant)


def _clock(claim):
    return deadlines.clock_of(Claim.objects.get(pk=claim.pk), core_clock.today())


def test_the_clock_starts_at_submission_with_80_days_left(active, applicant, company_rep, fixed_clock):  # D2, T5
    claim = _submitted_claim(active, applicant, company_rep, fixed_clock)
    assert claim.clock_started_at == fixed_clock.now()
    clock = _clock(claim)
    assert (clock.elapsed, clock.days_left, clock.paused, clock.warning) == (0, 80, False, False)
    fixed_clock.advance(days=30)
    assert _clock(claim).days_left == 50


def test_a_draft_claim_has_no_clock(active, applicant, company_rep, fixed_clock):  # rule D2
    partner = active.partners.get()
    fixed_clock.set(active.start_date + timedelta(days=70))
    contributions.report_cash(active, by=applicant, amount=Decimal("1000.00"), paid_on=active.start_date,
                              voucher_reference="V-1")
    claim = claim_services.create_claim(active, by=applicant, period_start=active.start_date,
                                        period_end=active.start_date + timedelta(days=60))
    assert partner and _clock(claim) is None


def test_the_clock_pauses_while_the_claim_is_returned(active, applicant, company_rep, officer, fixed_clock):  # T5
    claim = _submitted_claim(active, applicant, company_rep, fixed_clock)
    fixed_clock.advance(days=20)
    claim_services.return_claim(claim, by=officer, reason="Bifoga lönebesked.")
    fixed_clock.advance(days=15)
    paused = _clock(claim)
    assert (paused.elapsed, paused.days_left, paused.paused) == (20, 60, True)
    claim_services.submit_claim(Claim.objects.get(pk=claim.pk), by=applicant)
    resumed = _clock(claim)
    assert (resumed.elapsed, resumed.days_left, resumed.paused) == (20, 60, False)
    fixed_clock.advance(days=5)
    assert _clock(claim).days_left == 55
    assert Claim.objects.get(pk=claim.pk).clock_paused_days == 15


def test_the_clock_warns_from_day_60_and_is_overdue_after_80(active, applicant, company_rep, fixed_clock):  # T5
    claim = _submitted_claim(active, applicant, company_rep, fixed_clock)
    fixed_clock.advance(days=59)
    assert not _clock(claim).warning
    fixed_clock.advance(days=1)
    assert _clock(claim).warning and not _clock(claim).overdue
    fixed_clock.advance(days=20)
    assert _clock(claim).days_left == 0 and not _clock(claim).overdue
    fixed_clock.advance(days=1)
    clock = _clock(claim)
    assert clock.overdue and clock.days_beyond == 1


def test_the_clock_stops_when_the_claim_is_paid(active, applicant, company_rep, officer, second_officer,
                                                fixed_clock):  # T5
    claim = _submitted_claim(active, applicant, company_rep, fixed_clock)
    fixed_clock.advance(days=30)
    for item in claim.time_reports.all():
        claim_services.review_item(claim, item, by=officer, accept=True)
    claim_services.verify_claim(claim, by=officer)
    fixed_clock.advance(days=10)
    claim_services.pay_claim(Claim.objects.get(pk=claim.pk), by=second_officer)
    fixed_clock.advance(days=100)
    clock = _clock(claim)
    assert (clock.stopped, clock.elapsed, clock.warning, clock.overdue) == (True, 40, False, False)


def test_clock_counts_split_claims_within_and_beyond_80_days(active, applicant, company_rep, fixed_clock):  # T5
    claim = _submitted_claim(active, applicant, company_rep, fixed_clock)
    today = fixed_clock.today()
    claims = Claim.objects.filter(pk=claim.pk)
    assert deadlines.clock_counts(claims, today)[active.call_id] == {"within": 1, "beyond": 0, "warning": 0}
    assert deadlines.clock_counts(claims, today + timedelta(days=65))[active.call_id]["warning"] == 1
    assert deadlines.clock_counts(claims, today + timedelta(days=81))[active.call_id] == {
        "within": 0, "beyond": 1, "warning": 0}


def test_claims_on_the_clock_are_sorted_by_days_left(active, applicant, company_rep, fixed_clock):  # rule D2
    claim = _submitted_claim(active, applicant, company_rep, fixed_clock)
    today = fixed_clock.today() + timedelta(days=7)
    [found] = deadlines.with_clocks(Claim.objects.filter(pk=claim.pk), today)
    assert found.case_age == 7 and found.clock.days_left == 73
