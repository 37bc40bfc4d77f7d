"""Who applies for what: organisations, calls, applications, partners, decisions.

The database holds what must never be false (CHECK and UNIQUE constraints); the
application's life cycle is a protected django-fsm field whose transitions change
state only. Rules and side effects live in `rules.py` and `services.py`.
"""
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from core import money

from . import orgnumber
from .permissions import applicant_may, call_officer_may, officer_may

MONEY = {"max_digits": money.MONEY_DIGITS, "decimal_places": money.MONEY_PLACES}
HOURS = {"max_digits": money.HOURS_DIGITS, "decimal_places": money.HOURS_PLACES}
RATIO = {"max_digits": money.RATIO_DIGITS, "decimal_places": money.RATIO_PLACES}


def validate_org_number(value: str) -> None:
    try:
        orgnumber.normalise(value)
    except orgnumber.InvalidOrganisationNumber as exc:
        raise ValidationError(str(exc), code="invalid_org_number") from exc


class Organisation(models.Model):
    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("Municipality")
        REGION = "region", _("Region")
        PUBLIC_COMPANY = "public_company", _("Public company")
        PUBLIC_HOUSING = "public_housing", _("Public housing company")
        COMPANY = "company", _("Company")
        REGIONAL_BODY = "regional_body", _("Regional body")
        AUDIT_AUTHORITY = "audit_authority", _("Audit authority")

    PUBLIC_KINDS = frozenset({Kind.MUNICIPALITY, Kind.REGION, Kind.PUBLIC_COMPANY, Kind.PUBLIC_HOUSING})

    name = models.CharField(_("name"), max_length=200)
    org_number = models.CharField(
        _("organisation number"), max_length=11, unique=True, validators=[validate_org_number]
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("registered by"),
        help_text=_("Who added the organisation; they may invite its first member."))

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.CheckConstraint(
                condition=Q(org_number__regex=r"^\d{6}-\d{4}$"), name="organisation_number_normalised"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.org_number})"

    def save(self, *args, **kwargs):
        self.org_number = orgnumber.normalise(self.org_number)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.org_number:
            try:
                self.org_number = orgnumber.normalise(self.org_number)
            except orgnumber.InvalidOrganisationNumber as exc:
                raise ValidationError({"org_number": str(exc)}) from exc

    @property
    def is_public(self) -> bool:
        return self.kind in self.PUBLIC_KINDS

    @property
    def is_company(self) -> bool:
        return self.kind == self.Kind.COMPANY


class Membership(models.Model):
    class Role(models.TextChoices):
        APPLICANT = "applicant", _("Applicant")
        COMPANY = "company", _("Company representative")
        OFFICER = "officer", _("Officer")
        AUDITOR = "auditor", _("Auditor")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    is_admin = models.BooleanField(
        _("organisation admin"), default=False,
        help_text=_("An organisation admin invites people to the organisation and ends their memberships."))
    ended_at = models.DateTimeField(
        _("ended"), null=True, blank=True,
        help_text=_("An ended membership gives no access; it is kept so the person's history stays readable."))

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            # One active membership per user, organisation and role; ended ones are history.
            models.UniqueConstraint(fields=["user", "organisation", "role"], condition=Q(ended_at__isnull=True),
                                    name="membership_unique_active")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} @ {self.organisation.name}"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None


class Invitation(models.Model):
    """An invitation by e-mail to join an organisation in a role (single use, expires after 7 days).

    Only the SHA-256 of the link's random token is stored, so someone who reads the database cannot
    accept an invitation; the link in the e-mail is the only copy of the token.
    """

    email = models.EmailField(_("e-mail"))
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations",
                                     verbose_name=_("organisation"))
    role = models.CharField(_("role"), max_length=20, choices=Membership.Role.choices)
    is_admin = models.BooleanField(_("organisation admin"), default=False)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES,
                                default=settings.LANGUAGE_CODE)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation.name} ({self.get_role_display()})"


class FundingCall(models.Model):
    """A call for applications (utlysning) with its matching policy and budget."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        ARCHIVED = "archived", _("Archived")

    regional_body = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="calls", verbose_name=_("regional body")
    )
    title = models.CharField(_("title"), max_length=200)
    fund_project_reference = models.CharField(_("structural-fund project reference"), max_length=50, unique=True)
    fund_budget = models.DecimalField(_("fund budget (SEK)"), **MONEY)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    eligible_from = models.DateField(_("eligible from"))
    eligible_until = models.DateField(_("eligible until"))
    fund_ratio = models.DecimalField(_("fund ratio"), default=Decimal("1.0000"), **RATIO)
    inkind_ratio = models.DecimalField(_("in-kind ratio"), default=Decimal("1.0000"), **RATIO)
    max_hourly_rate = models.DecimalField(_("maximum in-kind hourly rate (SEK)"), **MONEY)
    max_grant = models.DecimalField(_("maximum grant per application (SEK)"), **MONEY)
    max_hours_per_person_month = models.DecimalField(
        _("maximum hours per person and month"), default=Decimal("200.00"), **HOURS
    )
    four_eyes = models.BooleanField(
        _("verifier and payer must differ"), default=True,
        help_text=_("The officer who verifies a claim may not also pay it."),
    )
    attestation_by_second_user = models.BooleanField(
        _("a second company user attests time reports"), default=False,
        help_text=_("The company user who attests a time report may not be the one who entered it (rule V6)."),
    )
    max_advance = models.DecimalField(
        _("maximum advance (SEK)"), default=Decimal("400000.00"),
        help_text=_("An advance is at most this amount (rule T6: 400 000 SEK)."), **MONEY,
    )
    max_advance_ratio = models.DecimalField(
        _("maximum advance as a share of the grant"), default=Decimal("0.5000"),
        help_text=_("An advance is at most this share of the grant (rule T6: half)."), **RATIO,
    )
    four_eyes_threshold = models.DecimalField(
        _("four-eyes threshold for approvals (SEK)"), null=True, blank=True,
        help_text=_("A second officer confirms an approval whose granted amount is above this; empty: never."),
        **MONEY,
    )
    reporting_period_months = models.PositiveSmallIntegerField(
        _("reporting period (months)"), default=6,
        help_text=_("A payment claim is due at the end of each period (rules D1, S3: every 3–6 months)."),
    )
    grace_days = models.PositiveSmallIntegerField(
        _("grace days after a reporting period"), default=30,
        help_text=_("Days after the end of a reporting period within which its claim is due (rule D1)."),
    )
    state = FSMField(_("state"), default=State.DRAFT, choices=State.choices, protected=True)
    sie_accounts = models.JSONField(
        _("SIE chart of accounts"), default=dict, blank=True,
        help_text=_("Overrides of the SIE export: {\"series\": \"A\", \"accounts\": {\"fund_paid\": "
                    "[\"4010\", \"Name\"]}}; anything left out uses the BAS defaults (settings.SIE_ACCOUNTS)."),
    )

    class Meta:
        ordering = ["-opens_on", "title"]
        verbose_name = _("funding call")
        verbose_name_plural = _("funding calls")
        constraints = [
            models.CheckConstraint(condition=Q(fund_budget__gte=0), name="call_budget_non_negative"),
            models.CheckConstraint(condition=Q(max_hourly_rate__gt=0), name="call_rate_cap_positive"),
            models.CheckConstraint(condition=Q(max_grant__gte=0), name="call_max_grant_non_negative"),
            models.CheckConstraint(condition=Q(fund_ratio__gt=0), name="call_fund_ratio_positive"),
            # rule E1: the fund may not exceed the cash expenditure it matches, so f ≤ 1.
            models.CheckConstraint(condition=Q(fund_ratio__lte=1), name="call_fund_ratio_at_most_one"),
            models.CheckConstraint(condition=Q(inkind_ratio__gt=0), name="call_inkind_ratio_positive"),
            models.CheckConstraint(condition=Q(max_hours_per_person_month__gt=0), name="call_max_hours_positive"),
            models.CheckConstraint(condition=Q(closes_on__gte=F("opens_on")), name="call_closes_after_opening"),
            models.CheckConstraint(
                condition=Q(eligible_until__gt=F("eligible_from")), name="call_eligibility_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(four_eyes_threshold__isnull=True) | Q(four_eyes_threshold__gte=0),
                name="call_four_eyes_threshold_non_negative",
            ),
            # rule S3: claims every 3–6 months.
            models.CheckConstraint(
                condition=Q(reporting_period_months__gte=3, reporting_period_months__lte=6),
                name="call_reporting_period_three_to_six_months",
            ),
            models.CheckConstraint(condition=Q(grace_days__lte=365), name="call_grace_days_at_most_a_year"),
            models.CheckConstraint(condition=Q(max_advance__gte=0), name="call_max_advance_non_negative"),
            models.CheckConstraint(condition=Q(max_advance_ratio__gte=0, max_advance_ratio__lte=1),
                                   name="call_max_advance_ratio_zero_to_one"),
        ]

    def __str__(self) -> str:
        return self.title

    @transition(field=state, source=State.DRAFT, target=State.OPEN, permission=call_officer_may)
    def open(self):
        """Accept applications."""

    @transition(field=state, source=State.OPEN, target=State.CLOSED, permission=call_officer_may)
    def close(self):
        """Stop accepting applications; running projects go on."""

    @transition(field=state, source=State.CLOSED, target=State.ARCHIVED, permission=call_officer_may)
    def archive(self):
        """Nothing more happens in this call."""


class Application(models.Model):
    """An application for co-financing of one testbed; its state is the life cycle of DESIGN §5."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        UNDER_REVIEW = "under_review", _("Under review")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        APPROVED = "approved", _("Approved")
        ACTIVE = "active", _("Active")
        CLOSING = "closing", _("Closing")
        CLOSED = "closed", _("Closed")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        TERMINATED = "terminated", _("Terminated")

    EDITABLE_STATES = frozenset({State.DRAFT, State.CHANGES_REQUESTED})
    FINAL_STATES = frozenset({State.CLOSED, State.REJECTED, State.WITHDRAWN, State.TERMINATED})

    call = models.ForeignKey(FundingCall, on_delete=models.PROTECT, related_name="applications", verbose_name=_("call"))
    applicant = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="applications", verbose_name=_("applicant")
    )
    reference = models.CharField(_("reference"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=200)
    needs_analysis = models.TextField(_("needs analysis"), blank=True)
    testbed_description = models.TextField(_("testbed description"), blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    public_cash = models.DecimalField(_("planned public cash (SEK)"), **MONEY)
    state = FSMField(_("state"), default=State.DRAFT, choices=State.choices, protected=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.CheckConstraint(condition=Q(public_cash__gte=0), name="application_cash_non_negative"),
            models.CheckConstraint(condition=Q(end_date__gt=F("start_date")), name="application_end_after_start"),
        ]
        indexes = [models.Index(fields=["state"]), models.Index(fields=["call", "state"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def is_editable(self) -> bool:
        return self.state in self.EDITABLE_STATES

    # Transitions change the state and nothing else; services.py checks roles and rules,
    # writes the decision, the ledger entries and the log in the same transaction.
    @transition(field=state, source=[State.DRAFT, State.CHANGES_REQUESTED], target=State.SUBMITTED, permission=applicant_may)
    def submit(self):
        """The applicant hands the application in."""

    @transition(field=state, source=State.SUBMITTED, target=State.UNDER_REVIEW, permission=officer_may)
    def start_review(self):
        """An officer takes the application up."""

    @transition(field=state, source=State.UNDER_REVIEW, target=State.CHANGES_REQUESTED, permission=officer_may)
    def request_changes(self):
        """Sent back to the applicant with a comment."""

    @transition(field=state, source=State.UNDER_REVIEW, target=State.APPROVED, permission=officer_may)
    def approve(self):
        """Granted; the money is committed in the ledger."""

    @transition(field=state, source=State.UNDER_REVIEW, target=State.REJECTED, permission=officer_may)
    def reject(self):
        """Refused, final."""

    @transition(field=state, source=[State.DRAFT, State.SUBMITTED, State.UNDER_REVIEW, State.CHANGES_REQUESTED],
                target=State.WITHDRAWN, permission=applicant_may)
    def withdraw(self):
        """The applicant gives up, final."""

    @transition(field=state, source=State.APPROVED, target=State.ACTIVE, permission=applicant_may)
    def activate(self):
        """The applicant accepts the grant and the project starts."""

    @transition(field=state, source=State.ACTIVE, target=State.CLOSING, permission=applicant_may)
    def begin_closing(self):
        """The final payment claim has been submitted."""

    @transition(field=state, source=State.CLOSING, target=State.CLOSED, permission=officer_may)
    def close(self):
        """Final claim paid; the unused commitment is released."""

    @transition(field=state, source=State.ACTIVE, target=State.TERMINATED, permission=officer_may)
    def terminate(self):
        """Stopped early; commitment released and overpaid fund recovered."""


class Partner(models.Model):
    """A company taking part with in-kind hours at an hourly rate (rule M5)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="partners")
    company = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="partnerships", verbose_name=_("company")
    )
    planned_hours = models.DecimalField(_("planned hours"), **HOURS)
    hourly_rate = models.DecimalField(_("hourly rate (SEK)"), **MONEY)
    role_description = models.TextField(_("role in the testbed"), blank=True)
    # Rule S4/T8: the company benefits from the testbed as state aid (a de minimis declaration is on file);
    # the application's records are then kept ten years, not five (rule T7).
    has_state_aid = models.BooleanField(_("state aid (de minimis declaration)"), default=False)
    # Rule A1: a partner replaced by an amendment leaves the project; it reports no work after the month
    # it left, and what it has done stays (rule T10).
    left_on = models.DateField(_("left the project on"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        constraints = [
            models.UniqueConstraint(fields=["application", "company"], name="partner_unique_per_application"),
            models.CheckConstraint(condition=Q(planned_hours__gte=0), name="partner_hours_non_negative"),
            models.CheckConstraint(condition=Q(hourly_rate__gte=0), name="partner_rate_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.company.name} in {self.application.reference}"

    @property
    def planned_value(self) -> Decimal:
        return self.planned_hours * self.hourly_rate


class Decision(models.Model):
    """An approval with its granted amount and a frozen copy of the policy it was made under.

    Immutable once written: an amendment is a new Decision that names the one it amends.
    """

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="decisions")
    approved_public_cash = models.DecimalField(_("approved public cash (SEK)"), **MONEY)
    approved_inkind_value = models.DecimalField(_("approved in-kind value (SEK)"), **MONEY)
    approved_hours = models.DecimalField(_("approved hours"), **HOURS)
    granted_amount = models.DecimalField(_("granted fund amount (SEK)"), **MONEY)
    fund_ratio = models.DecimalField(_("fund ratio"), **RATIO)
    inkind_ratio = models.DecimalField(_("in-kind ratio"), **RATIO)
    max_hourly_rate = models.DecimalField(_("maximum hourly rate (SEK)"), **MONEY)
    partner_rates = models.JSONField(_("approved partner rates"), default=dict)
    rationale = models.TextField(_("rationale"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)
    amends = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="amendments")

    class Meta:
        ordering = ["-decided_at", "-id"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        constraints = [
            models.CheckConstraint(
                condition=Q(approved_public_cash__gte=0, approved_inkind_value__gte=0, approved_hours__gte=0),
                name="decision_amounts_non_negative",
            ),
            models.CheckConstraint(condition=Q(granted_amount__gte=0), name="decision_grant_non_negative"),
            models.CheckConstraint(condition=Q(fund_ratio__gt=0, inkind_ratio__gt=0), name="decision_ratios_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.application.reference}: {self.granted_amount} SEK"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("A decision is immutable; record an amendment instead."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("A decision is immutable and cannot be deleted."))


class Amendment(models.Model):
    """A change of an active project's plan (ändringsansökan, rules A1–A3).

    The applicant requests it with a reason and the proposed plan; the current plan is copied beside it
    so both can be read side by side even after the change. An officer approves it (a new amending
    `Decision`, the commitment moved by the difference) or refuses it.
    """

    class State(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="amendments")
    number = models.PositiveIntegerField()
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.REQUESTED)
    reason = models.TextField(_("reason"))
    current_public_cash = models.DecimalField(_("current public cash (SEK)"), **MONEY)
    current_end_date = models.DateField(_("current end date"))
    current_granted = models.DecimalField(_("current grant (SEK)"), **MONEY)
    current_partners = models.JSONField(_("current partners"), default=dict)
    proposed_public_cash = models.DecimalField(_("proposed public cash (SEK)"), **MONEY)
    proposed_end_date = models.DateField(_("proposed end date"))
    # {partner id: {"hours": "…", "hourly_rate": "…"}} for every partner of the application.
    proposed_partners = models.JSONField(_("proposed partners"), default=dict)
    # Rule A1: companies joining [{"company": id, "org_number", "name", "hours", "hourly_rate",
    # "role_description"}] and partner ids leaving the project (a replacement is one of each).
    added_partners = models.JSONField(_("partners joining"), default=list, blank=True)
    leaving_partners = models.JSONField(_("partners leaving"), default=list, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(_("rationale"), blank=True)
    decision = models.OneToOneField(Decision, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="amendment")

    class Meta:
        ordering = ["application", "number"]
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")
        constraints = [
            models.UniqueConstraint(fields=["application", "number"], name="amendment_number_unique"),
            models.CheckConstraint(condition=Q(proposed_public_cash__gte=0), name="amendment_cash_non_negative"),
            # Only one amendment waits for a decision at a time.
            models.UniqueConstraint(fields=["application"], condition=Q(state="requested"),
                                    name="amendment_one_open_per_application"),
        ]

    def __str__(self) -> str:
        return f"{self.application.reference} amendment {self.number}"


class AuditEvent(models.Model):
    """Who did what to which object and when (rule E5): transitions, changes, downloads.

    Written in the same transaction as the change it describes, never afterwards.
    """

    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    actor_name = models.CharField(max_length=150)
    action = models.CharField(max_length=30, db_index=True)  # transition, create, update, delete, download
    object_type = models.CharField(max_length=30)
    object_id = models.CharField(max_length=40)
    object_repr = models.CharField(max_length=200)
    application = models.ForeignKey(Application, on_delete=models.PROTECT, null=True, related_name="audit_events")
    from_state = models.CharField(max_length=30, blank=True)
    to_state = models.CharField(max_length=30, blank=True)
    comment = models.TextField(blank=True)
    changes = models.JSONField(default=dict, blank=True)

    class CommentKind(models.TextChoices):
        # DESIGN §2: officers write a message to the applicant, or an internal note for officers and auditors.
        MESSAGE = "message", _("Message to the applicant")
        INTERNAL = "internal", _("Internal note")

    comment_kind = models.CharField(max_length=10, choices=CommentKind.choices, default=CommentKind.MESSAGE)

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Audit events are append-only.")

    @property
    def is_internal(self) -> bool:
        return self.comment_kind == self.CommentKind.INTERNAL


class ReportingPeriod(models.Model):
    """A period of an active project whose payment claim is due on `due_on` (rule D1).

    Generated when the application becomes active, from the call's period length and grace days;
    the last period ends on the project's end date and is the one of the final claim.
    """

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="reporting_periods")
    number = models.PositiveSmallIntegerField()
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    due_on = models.DateField(_("claim due on"))
    is_final = models.BooleanField(_("final claim"), default=False)

    class Meta:
        ordering = ["application", "number"]
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        constraints = [
            models.UniqueConstraint(fields=["application", "number"], name="reporting_period_number_unique"),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="reporting_period_ends_after_start"),
            models.CheckConstraint(condition=Q(due_on__gte=F("ends_on")), name="reporting_period_due_after_end"),
        ]

    def __str__(self) -> str:
        return f"{self.application.reference} period {self.number} (due {self.due_on})"


class Reminder(models.Model):
    """That the reminder `days_before` the due date of a period was sent (0: the day it passed).

    The unique constraint makes the reminder job idempotent: however often it runs, each
    reminder is sent once.
    """

    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="reminders")
    days_before = models.SmallIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["period", "-days_before"]
        constraints = [
            models.UniqueConstraint(fields=["period", "days_before"], name="reminder_once_per_period_and_day")
        ]

    def __str__(self) -> str:
        return f"{self.period}: {self.days_before} days before"


class Notification(models.Model):
    """One event told to one person: shown in the app (the bell) and, by preference, e-mailed.

    The text is not stored: `event` and `params` are rendered in the reader's language when shown
    and in the recipient's language when e-mailed. `key` makes a notification idempotent.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    event = models.CharField(max_length=40)
    application = models.ForeignKey(Application, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    params = models.JSONField(default=dict, blank=True)
    link = models.CharField(max_length=300, blank=True)
    key = models.CharField(max_length=120, null=True, blank=True)  # noqa: DJ001 - NULL: many without a key
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="notification_key_unique_per_user")]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return f"{self.user} {self.event} {self.created_at:%Y-%m-%d}"


class NotificationPreference(models.Model):
    """What one person wants to hear about, how, and in which language."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="notification_preference")
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES,
                                default=settings.LANGUAGE_CODE)
    email = models.BooleanField(_("also by e-mail"), default=True)
    digest = models.BooleanField(_("one e-mail a day (daily digest) instead of one per event"), default=False)
    muted_events = models.JSONField(_("events I do not want"), default=list, blank=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user} ({self.language})"


class ReferenceCounter(models.Model):
    """The last application number handed out in a year (TB-<year>-<number>).

    services.drafting.next_reference increments it in one statement (INSERT … ON CONFLICT DO UPDATE),
    which locks the year's row until the creating transaction ends: parallel creates queue there and
    never hand out the same reference, on PostgreSQL and SQLite alike.
    """

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("application reference counter")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"
