"""What an application's representation needs of its partners, reporting periods and decisions, read as
plain values for a whole page of applications in three queries (bench/: building ~500 model instances per
list page through prefetching was the largest part of a request)."""
from collections import defaultdict
from dataclasses import dataclass

from applications.deadlines import days_until
from applications.models import Decision, Partner, ReportingPeriod
from core import clock


@dataclass(frozen=True)
class Related:
    partners: list      # (partner id, planned hours, hourly rate), in partner order
    periods: list       # ReportingPeriodSerializer's representation of each period, in period order
    decision: object    # the newest Decision (decided_by loaded), or None


def attach(applications) -> None:
    """Give each application (a page of them) its `plain_related`."""
    ids = [application.pk for application in applications]
    partners, periods, decisions = defaultdict(list), defaultdict(list), {}
    for application_id, pk, hours, rate in (Partner.objects.filter(application_id__in=ids).order_by("id")
                                            .values_list("application_id", "id", "planned_hours", "hourly_rate")):
        partners[application_id].append((pk, hours, rate))
    today = clock.today()
    for application_id, number, starts_on, ends_on, due_on, is_final in (
            ReportingPeriod.objects.filter(application_id__in=ids).order_by("application_id", "number")
            .values_list("application_id", "number", "starts_on", "ends_on", "due_on", "is_final")):
        periods[application_id].append({
            "number": number, "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat(),
            "due_on": due_on.isoformat(), "is_final": is_final, "days_until_due": days_until(due_on, today)})
    for decision in (Decision.objects.filter(application_id__in=ids).select_related("decided_by")
                     .order_by("application_id", "-decided_at", "-id")):
        decisions.setdefault(decision.application_id, decision)
    for application in applications:
        application.plain_related = Related(partners[application.pk], periods[application.pk],
                                            decisions.get(application.pk))


def related_of(application) -> Related:
    """The application's plain related values, read now if its page did not attach them."""
    if getattr(application, "plain_related", None) is None:
        attach([application])
    return application.plain_related
