"""Signing in and the account's security (DESIGN §7a): the second factor (enrolment, verification,
recovery codes), one's API tokens, sign-out and password change that end them, lifting lockouts, and
the answer given while a user name or address is locked."""
import base64

import qrcode
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.forms.utils import ErrorDict
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from qrcode.image.svg import SvgPathImage

from applications import permissions
from services import signin


# ---------------------------------------------------------------- lockout
def lockout_response(request, response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: 429 with the reason — JSON from the API, the sign-in form again elsewhere."""
    message = signin.lockout_message()
    retry_after = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=429, headers={"Retry-After": retry_after})
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    if request.path.startswith("/admin/"):
        form = (admin.site.login_form or AdminAuthenticationForm)(request, initial={"username": username})
        template, context = "admin/login.html", {**admin.site.each_context(request), "title": _("Log in")}
    else:
        form = AuthenticationForm(request, initial={"username": username})
        template, context = "registration/login.html", {}
    form._errors = ErrorDict({"__all__": form.error_class([message])})
    context.update(form=form, next=request.POST.get("next", ""))
    response = TemplateResponse(request, template, context, status=429, headers={"Retry-After": retry_after})
    return response.render()


class LockoutForm(forms.Form):
    username = forms.CharField(required=False, max_length=150)
    ip_address = forms.GenericIPAddressField(required=False)


def lockouts(request):
    """Officers and admins see what is locked now and lift a lock (audited)."""
    if not permissions.may_unlock_sign_in(request.user):
        raise Http404
    if request.method == "POST":
        form = LockoutForm(request.POST)
        if form.is_valid() and (form.cleaned_data["username"] or form.cleaned_data["ip_address"]):
            signin.unlock(by=request.user, username=form.cleaned_data["username"],
                          ip_address=form.cleaned_data["ip_address"] or "")
            messages.success(request, _("The lock is lifted: %(what)s.") % {
                "what": form.cleaned_data["username"] or form.cleaned_data["ip_address"]})
        return redirect("lockouts")
    users, addresses = signin.current_lockouts()
    return render(request, "web/lockouts.html", {"locked_users": users, "locked_addresses": addresses,
                                                 "limit": settings.AXES_FAILURE_LIMIT})


# ---------------------------------------------------------------- the second factor
class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"), max_length=32, strip=True,
        help_text=gettext_lazy("The six digits your authenticator app shows now, or one of your recovery codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}))


class EnrolmentForm(CodeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = _("The six digits your authenticator app shows now.")
        self.fields["code"].widget.attrs["inputmode"] = "numeric"


def _next(request, default="web:dashboard") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default


def qr_data_uri(text: str) -> str:
    """The QR code as an SVG data URI: drawn here, so the secret never goes to another server."""
    image = qrcode.make(text, image_factory=SvgPathImage, box_size=10, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode()


def mfa_setup(request):
    """Enrolment: a QR code (and the key as text) for an authenticator app, then a code from it.
    Replacing an authenticator needs the old one first (the verification step)."""
    if signin.has_second_factor(request.user) and not request.user.is_verified():
        return redirect("mfa_verify")
    device = signin.enrolment_device(request.user)
    form = EnrolmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = signin.confirm_enrolment(request, device, form.cleaned_data["code"])
        if codes is not None:
            return render(request, "web/mfa_recovery_codes.html", {"codes": codes, "next": _next(request)})
        form.add_error("code", _("That code is not the one the app shows now. Check the app and try again."))
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(request, "web/mfa_setup.html", {
        "form": form, "qr": qr_data_uri(device.config_url), "key": " ".join(key[i:i + 4] for i in range(0, len(key), 4)),
        "required": permissions.second_factor_required(request.user), "next": _next(request, ""),
        "replacing": signin.has_second_factor(request.user),
    })


def mfa_verify(request):
    """The step after the password for a user with a second factor."""
    if not signin.has_second_factor(request.user):
        return redirect("mfa_setup")
    if request.user.is_verified():
        return redirect(_next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if signin.verify_second_factor(request, form.cleaned_data["code"]):
            return redirect(_next(request))
        form.add_error("code", _("That code is not valid. Use the code the app shows now or an unused recovery code."))
    return render(request, "web/mfa_verify.html", {"form": form, "next": _next(request, "")})


# ---------------------------------------------------------------- the account's security page
def security(request):
    """Second factor and recovery codes; API tokens, each revocable by its owner."""
    return render(request, "web/security.html", {
        "has_second_factor": signin.has_second_factor(request.user),
        "required": permissions.second_factor_required(request.user),
        "recovery_codes_left": signin.recovery_codes_left(request.user),
        "tokens": signin.tokens_of(request.user),
        "idle_minutes": permissions.session_idle_minutes(request.user),
        "may_unlock": permissions.may_unlock_sign_in(request.user),
    })


@require_POST
def recovery_codes(request):
    if not signin.has_second_factor(request.user):
        return redirect("security")
    codes = signin.replace_recovery_codes(by=request.user)
    return render(request, "web/mfa_recovery_codes.html", {"codes": codes, "next": ""})


@require_POST
def token_revoke(request):
    key = request.POST.get("token_key", "")
    if key == "all":
        signin.revoke_all_tokens(request.user, reason="revoked by its owner")
        messages.success(request, _("All your API tokens are revoked."))
    elif signin.revoke_token(by=request.user, token_key=key[:40]):
        messages.success(request, _("The API token is revoked."))
    return redirect("security")


class SignOutView(auth_views.LogoutView):
    """Signing out ends the session and every API token of the user (DESIGN §7a)."""

    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            signin.revoke_all_tokens(request.user, reason="signed out")
        return super().post(request, *args, **kwargs)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """A password set from a reset e-mail ends every API token too: whoever reset it may be recovering
    an account someone else had."""

    template_name = "registration/reset_password_confirm.html"

    def form_valid(self, form):
        response = super().form_valid(form)
        signin.revoke_all_tokens(form.user, reason="password reset")
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """A new password ends every API token (other sessions end by Django's session hash)."""

    template_name = "registration/change_password.html"

    def form_valid(self, form):
        response = super().form_valid(form)
        signin.revoke_all_tokens(self.request.user, reason="password changed")
        return response
