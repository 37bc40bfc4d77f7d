"""Read-only admin for the ledger: entries and postings are append-only, so nothing is editable here."""
from django.contrib import admin

from .models import Account, Book, CashContribution, Claim, JournalEntry, Posting, TimeReport


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PostingInline(admin.TabularInline):
    model = Posting
    extra = 0
    fields = ("ordinal", "account", "amount", "hours")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Book)
class BookAdmin(ReadOnlyAdmin):
    list_display = ("pk", "call", "head_seq", "head_hash")


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ("code", "kind", "book")
    list_filter = ("kind",)
    search_fields = ("code",)


@admin.register(JournalEntry)
class JournalEntryAdmin(ReadOnlyAdmin):
    list_display = ("seq", "book", "kind", "occurred_at", "application", "actor_name", "hash")
    list_filter = ("kind", "book")
    search_fields = ("hash", "application__reference", "memo")
    inlines = [PostingInline]


@admin.register(TimeReport)
class TimeReportAdmin(ReadOnlyAdmin):
    list_display = ("partner", "person_name", "month", "hours", "hourly_rate", "attested_at", "review_status")
    list_filter = ("review_status",)


@admin.register(CashContribution)
class CashContributionAdmin(ReadOnlyAdmin):
    list_display = ("application", "amount", "paid_on", "voucher_reference", "review_status")
    list_filter = ("review_status",)


@admin.register(Claim)
class ClaimAdmin(ReadOnlyAdmin):
    list_display = ("application", "number", "state", "payable_amount", "recovery_amount")
    list_filter = ("state",)
