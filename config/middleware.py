"""Cross-cutting HTTP policies: everything behind login (and the second factor), sessions that end when
idle, a strict CSP and a Permissions-Policy."""
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from applications import permissions
from services import signin

PUBLIC_PREFIXES = ("/accounts/login/", "/static/", "/api/", "/i18n/", "/admin/", "/healthz",
                   # a forgotten password and an invitation link are used before one can sign in
                   "/accounts/password_reset/", "/accounts/reset/", "/invitations/")
# The API answers 401 itself; its docs page is a page for signed-in users like any other.
PRIVATE_UNDER_PUBLIC = ("/api/docs/",)
# What a user who still owes the second factor may reach: the verification pages and the way out.
SECOND_FACTOR_PREFIXES = ("/accounts/mfa/", "/accounts/logout/", "/static/", "/i18n/", "/healthz")


class LoginRequiredMiddleware:
    """Every page needs a signed-in user except the sign-in page (the API answers 401/403 itself)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        public = request.path.startswith(PUBLIC_PREFIXES) and not request.path.startswith(PRIVATE_UNDER_PUBLIC)
        if not request.user.is_authenticated and not public:
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        return self.get_response(request)


class SessionIdleMiddleware:
    """A session left alone longer than the user's roles allow (settings.SESSION_IDLE_MINUTES) ends.

    The clock starts when the session is written at sign-in and is moved at most once a minute, so
    pages cost no extra writes.
    """

    KEY = "last_seen"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        now = int(time.time())
        if user.is_authenticated and hasattr(request, "session"):
            last = request.session.get(self.KEY)
            limit = permissions.session_idle_minutes(user) * 60
            if last is not None and now - last > limit:
                logout(request)
                if not request.path.startswith("/api/"):
                    messages.info(request, _("You were signed out after %(minutes)d minutes without activity.")
                                  % {"minutes": limit // 60})
                    return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
            elif last is not None and now - last >= 60:
                request.session[self.KEY] = now
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.modified and request.user.is_authenticated and self.KEY not in session:
            session[self.KEY] = now  # a sign-in (the session is written anyway): the clock starts
        return response


class SecondFactorMiddleware:
    """A user who must use, or has enrolled, a second factor and has so far given only the password
    reaches the verification (or enrolment) page and nothing else; to the API such a session is anonymous."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (user.is_authenticated and not request.path.startswith(SECOND_FACTOR_PREFIXES)
                and signin.owes_second_factor(user)):
            if request.path.startswith("/api/"):
                request.user = AnonymousUser()
            else:
                target = "mfa_verify" if signin.has_second_factor(user) else "mfa_setup"
                return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """Nothing is loaded from another origin: scripts, styles and fonts are served by the app; browser
    features the app does not use (camera, microphone, location, payment …) are off."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response
