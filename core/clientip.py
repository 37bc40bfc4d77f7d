"""The client's address as the server can vouch for it (lockout per address, throttles, audit).

`X-Forwarded-For` is written by whoever sends the request; only the entries added by our own proxies
can be trusted. With `TRUSTED_PROXY_COUNT` = 0 (the default: the app is reached directly) the address
is `REMOTE_ADDR` and the header is ignored; with N proxies in front it is the N-th entry from the right,
the one the outermost of our proxies saw. DRF's throttles use the same rule (NUM_PROXIES = N).
"""
from django.conf import settings


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or ""
    count = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if not forwarded:
        return remote
    return forwarded[-min(count, len(forwarded))]


def axes_client_ip(request) -> str:
    """AXES_CLIENT_IP_CALLABLE: the same address for the lockout."""
    return client_ip(request)
