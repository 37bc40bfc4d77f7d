"""Organisations and people: the registry (officers), registering a partner company (applicants), an
organisation's members and invitations, accepting an invitation, ending a membership."""
from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from applications import permissions, selectors
from applications.models import Membership
from core.errors import RuleViolation, TransitionConflict
from services import organisations as organisation_services
from services import people
from web.forms import AcceptInvitationForm, InvitationForm, OrganisationForm, add_violation

from .common import require


def organisation_list(request):
    """Officers see the whole registry; everyone else the organisations they belong to or registered."""
    user = request.user
    registry = permissions.is_officer(user) or permissions.is_auditor(user)
    organisations = (selectors.visible_organisations(user) if registry else selectors.own_organisations(user))
    query = request.GET.get("q", "").strip()[:100]
    if query:
        organisations = organisations.filter(name__icontains=query) | organisations.filter(
            org_number__icontains=query)
    return render(request, "web/organisation_list.html", {
        "organisations": organisations.order_by("name", "id")[:500], "registry": registry, "q": query,
        "may_register": organisation_services.may_register(user)})


def organisation_create(request):
    """Register a partner company by its organisation number; a known number shows the existing one."""
    require(organisation_services.may_register(request.user))
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation, created = organisation_services.register_organisation(by=request.user, **form.cleaned_data)
        except RuleViolation as exc:
            add_violation(form, exc)
        else:
            if created:
                messages.success(request, _("%(name)s is registered. Invite its representative below.")
                                 % {"name": organisation.name})
            else:
                messages.info(request, _("%(number)s is already registered as %(name)s; here it is.")
                              % {"number": organisation.org_number, "name": organisation.name})
            return redirect("web:organisation_detail", organisation.pk)
    return render(request, "web/organisation_form.html", {"form": form})


def organisation_detail(request, pk):
    user = request.user
    organisation = get_object_or_404(selectors.visible_organisations(user), pk=pk)
    is_member = organisation.pk in permissions.member_org_ids(user)
    may_manage = people.may_manage(user, organisation)
    members = (selectors.visible_memberships(user).filter(organisation=organisation).select_related("user")
               .order_by("ended_at", "user__username") if is_member else Membership.objects.none())
    invitations = (selectors.visible_invitations(user).filter(organisation=organisation, accepted_at__isnull=True)
                   if may_manage else [])
    form = InvitationForm(request.POST or None) if may_manage else None
    if request.method == "POST":
        require(may_manage)
        if form.is_valid():
            try:
                people.invite(organisation=organisation, by=user, **form.cleaned_data)
            except RuleViolation as exc:
                add_violation(form, exc)
            else:
                messages.success(request, _("An invitation was sent to %(email)s.") % form.cleaned_data)
                return redirect("web:organisation_detail", organisation.pk)
    return render(request, "web/organisation_detail.html", {
        "organisation": organisation, "is_member": is_member, "may_manage": may_manage, "members": members,
        "invitations": invitations, "form": form, "role": people.role_for(organisation)})


@require_POST
def membership_end(request, pk):
    membership = get_object_or_404(selectors.visible_memberships(request.user).select_related("organisation"), pk=pk)
    require(people.may_manage(request.user, membership.organisation))
    try:
        people.end_membership(membership, by=request.user)
    except (RuleViolation, TransitionConflict) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The membership of %(user)s has ended.") % {"user": membership.user.get_username()})
    return redirect("web:organisation_detail", membership.organisation_id)


def invitation_accept(request, token):
    """The invitation link: a new person sets a password; someone signed in accepts with their account."""
    invitation = people.find_invitation(token)
    problem = people.invitation_problem(invitation)
    if problem:
        return render(request, "web/invitation_accept.html", {"problem": problem}, status=410 if invitation else 404)
    user = request.user
    form = None if user.is_authenticated else AcceptInvitationForm(request.POST or None,
                                                                   initial={"username": invitation.email})
    if request.method == "POST":
        try:
            if user.is_authenticated:
                people.accept_as_existing_user(token, user=user)
            elif form.is_valid():
                data = form.cleaned_data
                membership = people.accept_as_new_user(
                    token, username=data["username"], password=data["password"], first_name=data["first_name"],
                    last_name=data["last_name"])
                login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
            else:
                raise RuleViolation([])
        except RuleViolation as exc:
            if form is not None:
                add_violation(form, exc)
        except TransitionConflict as exc:
            return render(request, "web/invitation_accept.html", {"problem": str(exc)}, status=409)
        else:
            messages.success(request, _("Welcome to %(organisation)s.") % {"organisation": invitation.organisation.name})
            return redirect("web:dashboard")
    return render(request, "web/invitation_accept.html", {"invitation": invitation, "form": form})
