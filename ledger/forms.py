"""Filters of the ledger view."""
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import JournalEntry


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class EntryFilterForm(forms.Form):
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
