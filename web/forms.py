"""Forms of the web interface: they parse and present input; every rule is checked by the services.

Money and hours are text fields parsed by `core.money.parse_money` / `parse_hours`, so both "400 000,50"
(Swedish) and "400000.50" are accepted. A service's RuleViolation is mapped back onto the
form with `add_violation`, so every error is shown next to the field it is about.
"""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.utils import formats, translation
from django.utils.translation import gettext_lazy as _

from applications.models import Application, NotificationPreference, Organisation
from core.display import hours, sek
from core.money import ZERO, AmountError, UnreadableAmount, parse_hours, parse_money
from core.text import control_character_problem
from ledger.models import JournalEntry
from services import notifications


class DecimalTextField(forms.CharField):
    """A number typed by a person: spaces and a decimal comma are fine, floats never happen.

    Parsed by the one parser (`parse`: core.money.parse_money or parse_hours): finite, fits the
    database column, rounded half-up to two decimals, at least `minimum` (0 by default: no form
    takes a negative figure); anything else is this field's error, never a 500.
    """

    parse = staticmethod(parse_money)

    def __init__(self, *args, minimum=ZERO, negative_message=None, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        self.minimum = minimum
        # The words of the draft rules (rules.draft_problems) for a negative figure, so the live check
        # and the save say the same thing.
        self.negative_message = negative_message
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        text = normalise_number(value)
        if self.negative_message and text.startswith("-"):
            raise forms.ValidationError(self.negative_message, code="min_value")
        try:
            return self.parse(text, minimum=self.minimum)
        except UnreadableAmount as exc:
            raise forms.ValidationError(
                _("Enter a number, for example %(example)s.") % {"example": formats.number_format(
                    Decimal("1234.50"), decimal_pos=2, use_l10n=True, force_grouping=True)},
                code="invalid") from exc
        except AmountError as exc:
            raise forms.ValidationError(str(exc), code="invalid") from exc


def normalise_number(text: str) -> str:
    """Drop grouping marks as people type them: "400 000,50", "400,000.50" and "400000.50" all work."""
    text = text.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if "," in text and "." in text:
        grouping = "." if text.rfind(",") > text.rfind(".") else ","
        text = text.replace(grouping, "")
    elif "," in text and formats.get_format("DECIMAL_SEPARATOR") == ".":
        # Under English "1,234,567" groups thousands; "400 000,50" is still a Swedish decimal comma.
        groups = text.lstrip("+-").split(",")
        if len(groups) > 1 and all(len(g) == 3 and g.isdigit() for g in groups[1:]):
            text = text.replace(",", "")
    return text


class MoneyField(DecimalTextField):
    parse = staticmethod(parse_money)


class HoursField(DecimalTextField):
    parse = staticmethod(parse_hours)


class TextChecks:
    """Every text field of a form refuses control characters (core.text); a Textarea may hold tab and newlines.

    Mixed into `Form` and `ModelForm` below, which every form of the web interface derives from.
    """

    def _post_clean(self):
        super()._post_clean()
        for name, field in self.fields.items():
            if not isinstance(field, forms.CharField) or isinstance(field, DecimalTextField):
                continue
            problem = control_character_problem(self.cleaned_data.get(name),
                                                multiline=isinstance(field.widget, forms.Textarea))
            if problem:
                self.add_error(name, problem)


class Form(TextChecks, forms.Form):
    pass


class ModelForm(TextChecks, forms.ModelForm):
    pass


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class MonthField(forms.DateField):
    """A month as the first day of it; `<input type="month">` sends YYYY-MM."""

    input_formats = ["%Y-%m", "%Y-%m-%d"]
    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")


def add_violation(form, violation) -> None:
    """Put a RuleViolation's messages on the fields they name, the rest above the form."""
    placed = set()
    for field, messages in (violation.field_errors or {}).items():
        for message in messages:
            message = str(message)
            placed.add(message)
            if field in form.fields and field != "__all__":
                form.add_error(field, message)
            else:
                form.add_error(None, message)
    for message in violation.messages:
        if message not in placed:
            form.add_error(None, message)


class ApplicationForm(Form):
    call = forms.ModelChoiceField(label=_("Call"), queryset=None, empty_label=None)
    applicant = forms.ModelChoiceField(label=_("Applicant organisation"), queryset=None, empty_label=None)
    title = forms.CharField(label=_("Title"), max_length=200)
    needs_analysis = forms.CharField(label=_("Needs analysis"), required=False,
                                     widget=forms.Textarea(attrs={"rows": 4}))
    testbed_description = forms.CharField(label=_("Testbed description"), required=False,
                                          widget=forms.Textarea(attrs={"rows": 4}))
    start_date = forms.DateField(label=_("Start date"), widget=DateInput())
    end_date = forms.DateField(label=_("End date"), widget=DateInput())
    public_cash = MoneyField(label=_("Planned public cash (SEK)"),
                             help_text=_("The cash your organisation puts in; the fund matches it."),
                             negative_message=_("The public cash cannot be negative."))

    def __init__(self, *args, calls=None, applicants=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            # The call and the applicant are fixed once the application exists.
            del self.fields["call"]
            del self.fields["applicant"]
        else:
            self.fields["call"].queryset = calls
            self.fields["applicant"].queryset = applicants


class PartnerForm(Form):
    # Taken from the stored partner, never from the post, so a row cannot be pointed at another partner.
    id = forms.IntegerField(widget=forms.HiddenInput, required=False, disabled=True)
    company = forms.ModelChoiceField(
        label=_("Company"), queryset=Organisation.objects.filter(kind=Organisation.Kind.COMPANY),
        empty_label=_("Choose a company"),
    )
    planned_hours = HoursField(label=_("Planned hours"), negative_message=_("Hours cannot be negative."))
    hourly_rate = MoneyField(label=_("Hourly rate (SEK)"), negative_message=_("The hourly rate cannot be negative."))
    role_description = forms.CharField(label=_("Role in the testbed"), required=False,
                                       widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.initial.get("id"):
            # An existing partner keeps its company; remove it and add another to change company.
            self.fields["company"].disabled = True


PartnerFormSet = forms.formset_factory(PartnerForm, extra=1, can_delete=True)


class CommentForm(Form):
    """An officer's comment: a message to the applicant or an internal note (DESIGN §2)."""

    text = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    kind = forms.ChoiceField(
        label=_("Who reads it"), widget=forms.RadioSelect, initial="message",
        choices=[("message", _("Message to the applicant (the applicant and partners see it)")),
                 ("internal", _("Internal note (only officers and auditors see it)"))])


class TransitionForm(Form):
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, name: str, comment_required: bool = False, requested=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.name = name
        if comment_required:
            self.fields["comment"].required = True
        if name == "approve":
            self.fields["comment"].label = _("Rationale")
            self.fields["comment"].required = True
            self.fields["granted"] = MoneyField(
                label=_("Granted fund amount (SEK)"), initial=requested,
                help_text=_("At most the requested amount and the call's remaining budget."),
            )
            # The amount first, then the rationale.
            self.order_fields(["granted", "comment"])


class TimeReportForm(Form):
    partner = forms.ModelChoiceField(label=_("Company"), queryset=None, empty_label=None)
    person_name = forms.CharField(label=_("Person"), max_length=150)
    month = MonthField(label=_("Month"))
    hours = HoursField(label=_("Hours"))
    hourly_rate = MoneyField(label=_("Hourly rate (SEK)"),
                             help_text=_("At most the rate approved for the company and the call's cap."))
    description = forms.CharField(label=_("Work description"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, partners=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners
        self.fields["partner"].label_from_instance = partner_label


def partner_label(partner) -> str:
    """The company's name; a partner that left by amendment (rule A1) still reports the months up to its
    leaving, and says so."""
    if partner.left_on is None:
        return partner.company.name
    return _("%(company)s (left the project on %(date)s)") % {
        "company": partner.company.name, "date": formats.date_format(partner.left_on, "SHORT_DATE_FORMAT")}


class CashContributionForm(Form):
    amount = MoneyField(label=_("Amount (SEK)"))
    paid_on = forms.DateField(label=_("Payment date"), widget=DateInput())
    voucher_reference = forms.CharField(label=_("Voucher reference"), max_length=100)
    receipt = forms.FileField(label=_("Receipt"), required=False,
                              help_text=_("PDF, PNG or JPEG, at most 10 MB."),
                              widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}))


class ClaimForm(Form):
    period_start = forms.DateField(label=_("Period start"), widget=DateInput())
    period_end = forms.DateField(label=_("Period end"), widget=DateInput())
    is_final = forms.BooleanField(label=_("This is the final claim"), required=False,
                                  help_text=_("Submitting the final claim starts the closing of the project."))
    time_reports = forms.ModelMultipleChoiceField(label=_("Attested time reports"), queryset=None, required=False,
                                                  widget=forms.CheckboxSelectMultiple)
    cash_items = forms.ModelMultipleChoiceField(label=_("Cash contributions"), queryset=None, required=False,
                                                widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, reports=None, cash=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_reports"].queryset = reports
        self.fields["time_reports"].label_from_instance = lambda r: (
            f"{r.partner.company.name}: {r.person_name} {r.month:%Y-%m}, {hours(r.hours)} × {sek(r.hourly_rate)}"
            f" = {sek(r.value)}")
        self.fields["cash_items"].queryset = cash
        self.fields["cash_items"].label_from_instance = lambda c: (
            f"{c.voucher_reference} {c.paid_on:%Y-%m-%d}: {sek(c.amount)}")


class ReviewItemForm(Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=1000)
    eligible = forms.CharField(label=_("Eligible"), required=False, max_length=20)
    deduction_type = forms.CharField(label=_("Error type"), required=False, max_length=30)
    sampled = forms.BooleanField(label=_("Checked on the spot or in a sample"), required=False)


class ReasonForm(Form):
    reason = forms.CharField(label=_("What must the applicant add or change?"),
                             widget=forms.Textarea(attrs={"rows": 3}))


class SearchForm(Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)


class ApplicationFilterForm(Form):
    q = forms.CharField(label=_("Reference, title or organisation"), required=False, max_length=100)
    state = forms.ChoiceField(label=_("State"), required=False)
    call = forms.ModelChoiceField(label=_("Call"), queryset=None, required=False, empty_label=_("All calls"))

    def __init__(self, *args, calls=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("All states"))] + list(Application.State.choices)
        self.fields["call"].queryset = calls


# ---------------------------------------------------------------- the ledger view's filters
class EntryFilterForm(Form):
    book = forms.ModelChoiceField(label=_("Call"), queryset=None, required=False, empty_label=_("All calls"))
    application = forms.CharField(label=_("Application reference"), required=False, max_length=20)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def __init__(self, *args, books=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["book"].queryset = books
        self.fields["book"].label_from_instance = lambda book: book.call.title
        self.fields["kind"].choices = [("", _("All kinds"))] + list(JournalEntry.Kind.choices)

    def filter(self, entries):
        data = self.cleaned_data
        if data.get("book"):
            entries = entries.filter(book=data["book"])
        if data.get("application"):
            entries = entries.filter(application__reference__iexact=data["application"].strip())
        if data.get("kind"):
            entries = entries.filter(kind=data["kind"])
        if data.get("date_from"):
            entries = entries.filter(occurred_at__date__gte=data["date_from"])
        if data.get("date_to"):
            entries = entries.filter(occurred_at__date__lte=data["date_to"])
        return entries


class NotificationPreferenceForm(ModelForm):
    """Which events one wants to hear about, whether also by e-mail, and in which language."""

    wanted_events = forms.MultipleChoiceField(
        label=_("Tell me when"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=lambda: list(notifications.EVENT_LABELS.items()))

    class Meta:
        model = NotificationPreference
        fields = ["language", "email", "digest"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        muted = set(self.instance.muted_events or [])
        self.fields["wanted_events"].initial = [e for e in notifications.EVENT_LABELS if e not in muted]

    def save(self, commit=True):
        wanted = set(self.cleaned_data["wanted_events"])
        self.instance.muted_events = sorted(e for e in notifications.EVENT_LABELS if e not in wanted)
        return super().save(commit)


# ---------------------------------------------------------------- calls, organisations, people
class CallForm(Form):
    """A call's settings; services.calls checks every rule (E1, S3, D1) and says which field is wrong."""

    regional_body = forms.ModelChoiceField(label=_("Regional body"), queryset=None, empty_label=None)
    title = forms.CharField(label=_("Title"), max_length=200)
    fund_project_reference = forms.CharField(
        label=_("Structural-fund project reference"), max_length=50,
        help_text=_("The project number the fund's managing authority gave the call, for example 20358563."))
    fund_budget = MoneyField(label=_("Fund budget (SEK)"))
    opens_on = forms.DateField(label=_("Opens on"), widget=DateInput())
    closes_on = forms.DateField(label=_("Closes on"), widget=DateInput())
    eligible_from = forms.DateField(label=_("Costs eligible from"), widget=DateInput())
    eligible_until = forms.DateField(label=_("Costs eligible until"), widget=DateInput())
    fund_ratio = DecimalTextField(
        label=_("Fund ratio"), initial="1",
        help_text=_("The share of the matched public cash the fund pays: 1 is krona for krona, 0.4 is 40 %."))
    inkind_ratio = DecimalTextField(
        label=_("In-kind ratio"), initial="1",
        help_text=_("The companies' in-kind time must be worth at least this share of the public cash."))
    max_hourly_rate = MoneyField(label=_("Maximum in-kind hourly rate (SEK)"))
    max_grant = MoneyField(label=_("Maximum grant per application (SEK)"))
    max_hours_per_person_month = HoursField(label=_("Maximum hours per person and month"), initial="200")
    max_advance = MoneyField(
        label=_("Maximum advance (SEK)"), initial="400000", required=False,
        help_text=_("At most 400 000 kr (rule T6); 0 means the call pays no advances."))
    max_advance_ratio = DecimalTextField(
        label=_("Maximum advance as a share of the grant"), initial="0.5", required=False,
        help_text=_("At most 0.5, half the grant (rule T6)."))
    four_eyes = forms.BooleanField(
        label=_("The officer who verifies a claim may not also pay it"), required=False, initial=True)
    four_eyes_threshold = MoneyField(
        label=_("Second officer confirms approvals above (SEK)"), required=False,
        help_text=_("Leave empty when one officer's approval is enough."))
    attestation_by_second_user = forms.BooleanField(
        label=_("A second company user attests time reports (rule V6)"), required=False)
    reporting_period_months = forms.TypedChoiceField(
        label=_("Reporting period"), coerce=int, initial=6,
        choices=[(3, _("3 months")), (4, _("4 months")), (5, _("5 months")), (6, _("6 months"))],
        help_text=_("A payment claim is due at the end of each period (rules D1, S3)."))
    grace_days = forms.IntegerField(label=_("Grace days after a period"), initial=30, min_value=0, max_value=365,
                                    help_text=_("Days after a period's end within which its claim is due."))

    def __init__(self, *args, bodies=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["regional_body"]
        else:
            self.fields["regional_body"].queryset = bodies


class OrganisationForm(Form):
    org_number = forms.CharField(
        label=_("Organisation number"), max_length=20,
        help_text=_("Ten digits, NNNNNN-NNNN, as in the Swedish Companies Registration Office."))
    name = forms.CharField(label=_("Name"), max_length=200)
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)


class InvitationForm(Form):
    email = forms.EmailField(label=_("E-mail address"))
    is_admin = forms.BooleanField(
        label=_("Organisation admin"), required=False,
        help_text=_("May invite people to the organisation and end their memberships."))
    language = forms.ChoiceField(label=_("Language of the invitation"), choices=settings.LANGUAGES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].initial = translation.get_language()


class AcceptInvitationForm(Form):
    """A new person's account: a user name and a password checked by Django's validators (in the service)."""

    username = forms.CharField(label=_("User name"), max_length=150,
                               widget=forms.TextInput(attrs={"autocomplete": "username"}))
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False,
                                 widget=forms.TextInput(attrs={"autocomplete": "given-name"}))
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False,
                                widget=forms.TextInput(attrs={"autocomplete": "family-name"}))
    password = forms.CharField(label=_("Password"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password_again = forms.CharField(label=_("Password again"), strip=False,
                                     widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password_again") and data["password"] != data["password_again"]:
            self.add_error("password_again", _("The two passwords differ."))
        return data


class LanguagePasswordResetForm(PasswordResetForm):
    """Django's password reset, with the e-mail in the recipient's language (their notification preference)."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email,
                  html_email_template_name=None):
        language = notifications.preference(context["user"]).language
        with translation.override(language):
            super().send_mail(subject_template_name, email_template_name, context, from_email, to_email,
                              html_email_template_name)
class AdvanceForm(Form):
    """An advance on the grant (rule T6)."""

    amount = MoneyField(label=_("Advance (SEK)"))
    reason = forms.CharField(label=_("Rationale"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class AmendmentForm(Form):
    """An amendment request (rule A1): the proposed plan, hours and rate per partner, a partner leaving,
    and a company joining (a replacement is one of each)."""

    reason = forms.CharField(label=_("Reason for the amendment"), widget=forms.Textarea(attrs={"rows": 4}),
                             max_length=2000)
    public_cash = MoneyField(label=_("Proposed public cash (SEK)"))
    end_date = forms.DateField(label=_("Proposed end date"), widget=DateInput())
    added_0_company = forms.ModelChoiceField(label=_("Company joining the project"), queryset=None, required=False,
                                             empty_label=_("No company joins"))
    added_0_hours = HoursField(label=_("Its planned hours"), required=False)
    added_0_hourly_rate = MoneyField(label=_("Its hourly rate (SEK)"), required=False)
    added_0_role_description = forms.CharField(label=_("Its role in the testbed"), required=False, max_length=2000)

    def __init__(self, *args, partners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.partners = [p for p in partners if p.left_on is None]
        for p in self.partners:
            self.fields[f"partner_{p.pk}_hours"] = HoursField(
                label=_("%(company)s: hours") % {"company": p.company.name}, initial=p.planned_hours)
            self.fields[f"partner_{p.pk}_hourly_rate"] = MoneyField(
                label=_("%(company)s: hourly rate (SEK)") % {"company": p.company.name}, initial=p.hourly_rate)
            self.fields[f"partner_{p.pk}_leaves"] = forms.BooleanField(
                label=_("%(company)s leaves the project (its hours: what it has done)")
                % {"company": p.company.name}, required=False)
        self.fields["added_0_company"].queryset = Organisation.objects.filter(
            kind=Organisation.Kind.COMPANY).exclude(pk__in=[p.company_id for p in partners]).order_by("name")

    def partner_fields(self):
        return [(self[f"partner_{p.pk}_hours"], self[f"partner_{p.pk}_hourly_rate"], self[f"partner_{p.pk}_leaves"])
                for p in self.partners]

    def proposed_partners(self) -> dict:
        return {p.pk: {"hours": self.cleaned_data[f"partner_{p.pk}_hours"],
                       "hourly_rate": self.cleaned_data[f"partner_{p.pk}_hourly_rate"]} for p in self.partners}

    def leaving_partners(self) -> list:
        return [p.pk for p in self.partners if self.cleaned_data.get(f"partner_{p.pk}_leaves")]

    def added_partners(self) -> list:
        data = self.cleaned_data
        if not data.get("added_0_company"):
            return []
        return [{"company": data["added_0_company"], "hours": data.get("added_0_hours"),
                 "hourly_rate": data.get("added_0_hourly_rate"),
                 "role_description": data.get("added_0_role_description", "")}]


class AmendmentDecisionForm(Form):
    granted = MoneyField(label=_("Granted fund after the amendment (SEK)"), required=False)
    comment = forms.CharField(label=_("Rationale"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class CorrectionForm(Form):
    """Part of a posted item found ineligible after verification (rule E7)."""

    amount = MoneyField(label=_("Ineligible amount (SEK)"))
    hours = HoursField(label=_("Ineligible hours"), required=False)
    reason = forms.CharField(label=_("Reason for the correction"), max_length=2000)
