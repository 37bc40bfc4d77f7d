"""Sign-in settings (issue 15): MFA roles by environment, client addresses from trusted proxies only,
the Permissions-Policy header."""
import pytest
from django.test import RequestFactory
from rest_framework.settings import api_settings

from core.clientip import client_ip
from tests.config.test_production_settings import manage

PRODUCTION = {"DJANGO_DEBUG": "0", "DJANGO_ALLOWED_HOSTS": "ledger.example.se",
              "DJANGO_SECRET_KEY": "k" * 20 + "-production-secret-from-the-environment-0123456789"}


def setting(name, **env) -> str:
    result = manage("shell", "-c", f"from django.conf import settings; print(settings.{name})", **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_production_requires_mfa_of_officers_auditors_and_admins():
    assert setting("MFA_REQUIRED_ROLES", **PRODUCTION) == "['officer', 'auditor', 'admin']"


def test_development_requires_no_mfa_so_the_demo_logins_work():
    assert setting("MFA_REQUIRED_ROLES", DJANGO_DEBUG="1") == "[]"


def test_the_roles_come_from_the_environment():
    assert setting("MFA_REQUIRED_ROLES", MFA_REQUIRED_ROLES="officer, applicant", **PRODUCTION) == \
        "['officer', 'applicant']"


def request_from(remote, forwarded=None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


def test_without_trusted_proxies_the_address_is_remote_addr(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request_from("192.0.2.1", "203.0.113.9")) == "192.0.2.1"


@pytest.mark.parametrize(("count", "expected"), [(1, "198.51.100.2"), (2, "203.0.113.9"), (5, "1.2.3.4")])
def test_with_trusted_proxies_the_address_is_counted_from_the_right(settings, count, expected):
    settings.TRUSTED_PROXY_COUNT = count
    assert client_ip(request_from("10.0.0.1", "1.2.3.4, 203.0.113.9, 198.51.100.2")) == expected


def test_drf_counts_the_same_proxies(settings):
    assert api_settings.NUM_PROXIES == settings.TRUSTED_PROXY_COUNT


@pytest.mark.django_db
def test_pages_carry_a_permissions_policy(client):
    policy = client.get("/accounts/login/").headers["Permissions-Policy"]
    assert "camera=()" in policy and "geolocation=()" in policy and "microphone=()" in policy
