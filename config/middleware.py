"""Cross-cutting HTTP policies: everything behind login, and a strict CSP."""
from django.conf import settings
from django.contrib.auth.views import redirect_to_login

PUBLIC_PREFIXES = ("/accounts/login/", "/static/", "/api/", "/i18n/", "/admin/", "/healthz",
                   # a forgotten password and an invitation link are used before one can sign in
                   "/accounts/password_reset/", "/accounts/reset/", "/invitations/")


class LoginRequiredMiddleware:
    """Every page needs a signed-in user except the sign-in page (the API answers 401/403 itself)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.user.is_authenticated and not request.path.startswith(PUBLIC_PREFIXES):
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """Nothing is loaded from another origin: scripts, styles and fonts are served by the app."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response
