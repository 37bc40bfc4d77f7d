"""Admin for operators: state is read-only; transitions run as actions through the same services."""
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from applications.models import (
    Application,
    AuditEvent,
    Decision,
    FundingCall,
    Membership,
    Organisation,
    Partner,
)
from core.errors import NotPermitted, RuleViolation, TransitionConflict
from services import calls as call_services
from services import drafting, lifecycle


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "org_number", "kind")
    list_filter = ("kind",)
    search_fields = ("name", "org_number")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "organisation", "role", "is_admin", "ended_at")
    list_filter = ("role", "is_admin")
    search_fields = ("user__username", "organisation__name")
    autocomplete_fields = ("organisation",)


@admin.register(FundingCall)
class FundingCallAdmin(admin.ModelAdmin):
    list_display = ("title", "regional_body", "fund_project_reference", "fund_budget", "state")
    list_filter = ("state",)
    readonly_fields = ("state",)
    actions = ["open_calls"]

    @admin.action(description=_("Open the selected calls"))
    def open_calls(self, request, queryset):
        for call in queryset:
            try:
                call_services.open_call(call, by=request.user)
            except (RuleViolation, TransitionConflict, NotPermitted) as exc:
                self.message_user(request, f"{call}: {exc}", messages.ERROR)


class PartnerInline(admin.TabularInline):
    model = Partner
    extra = 0
    can_delete = False
    readonly_fields = ("company", "planned_hours", "hourly_rate", "role_description")

    def has_add_permission(self, request, obj=None):
        return False


class DecisionInline(admin.TabularInline):
    model = Decision
    fk_name = "application"
    extra = 0
    can_delete = False
    readonly_fields = ("granted_amount", "rationale", "decided_by", "decided_at")
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


def _transition_action(name: str, label):
    def action(modeladmin, request, queryset):
        for application in queryset:
            try:
                if name == "approve":
                    lifecycle.approve(application, by=request.user, granted=None,
                                     rationale=str(_("Approved in the admin for the requested amount.")))
                else:
                    lifecycle.transition(application, name, by=request.user,
                                        comment=str(_("Done in the admin.")))
                modeladmin.message_user(request, f"{application.reference}: {label}")
            except RuleViolation as exc:
                modeladmin.message_user(request, f"{application.reference}: {' '.join(exc.messages)}", messages.ERROR)
            except (TransitionConflict, NotPermitted) as exc:
                modeladmin.message_user(request, f"{application.reference}: {exc}", messages.ERROR)

    action.__name__ = f"do_{name}"
    return admin.action(description=label)(action)


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ("reference", "title", "applicant", "call", "public_cash", "state")
    list_filter = ("state", "call")
    search_fields = ("reference", "title", "applicant__name")
    readonly_fields = ("state", "reference", "created_by", "created_at", "updated_at")
    inlines = [PartnerInline, DecisionInline]
    actions = [
        _transition_action("start_review", _("Start review")),
        _transition_action("approve", _("Approve for the requested amount")),
        _transition_action("close", _("Close")),
    ]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            drafting.update_application(obj, by=request.user, **{f: form.cleaned_data[f] for f in form.changed_data
                                                                  if f in drafting.APPLICATION_FIELDS})
        else:
            super().save_model(request, obj, form, change)


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ("application", "company", "planned_hours", "hourly_rate")
    search_fields = ("application__reference", "company__name")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ("application", "granted_amount", "decided_by", "decided_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("occurred_at", "actor_name", "action", "object_type", "object_repr", "from_state", "to_state")
    list_filter = ("action", "object_type")
    search_fields = ("object_repr", "actor_name")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
