"""The token endpoint hardened (issue 15, DESIGN §7a): lockout counted in the database, addresses only
from trusted proxies, expiring per-device tokens that die with sign-out, and TOTP for MFA users."""
import random
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken
from rest_framework.test import APIClient

from applications.models import AuditEvent
from tests.api.helpers import expect, url
from tests.otp import totp

PASSWORD = "test-password-123"  # tests.factories.UserFactory


def ask(client, username="applicant", password=PASSWORD, otp_token=None, **headers):
    body = {"username": username, "password": password} | ({"otp_token": otp_token} if otp_token else {})
    return client.post(url("auth/token"), body, format="json", **headers)


def random_address() -> str:
    return ".".join(str(random.randint(1, 254)) for _ in range(4))


@pytest.fixture(autouse=True)
def generous_throttle(settings):
    """These tests are about the lockout; the per-minute throttle would answer 429 first."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"token": "1000/min"}}


@pytest.mark.django_db
def test_sixty_wrong_passwords_then_the_right_one_is_refused(applicant):
    client = APIClient()
    answers = [ask(client, password=f"guess-{n}").status_code for n in range(60)]
    response = ask(client)
    body = expect(response, 429)
    assert answers[:9] == [400] * 9 and set(answers[10:]) == {429}
    assert "locked" in body["detail"] and int(response["Retry-After"]) > 0
    assert not AuthToken.objects.filter(user=applicant).exists()


@pytest.mark.django_db
def test_a_random_forwarded_for_per_request_does_not_escape_the_lockout(applicant):
    client = APIClient()
    for n in range(30):
        ask(client, password=f"guess-{n}", HTTP_X_FORWARDED_FOR=random_address())
    response = client.post(url("auth/token"), {"username": "applicant", "password": PASSWORD}, format="json",
                           HTTP_X_FORWARDED_FOR=random_address())
    expect(response, 429)


@pytest.mark.django_db
def test_an_address_guessing_many_user_names_is_locked_too(applicant):
    client = APIClient()
    for n in range(12):
        ask(client, username=f"someone-{n}", password="guess")
    expect(ask(client), 429)  # a user name without failures, from the locked address


@pytest.mark.django_db
def test_the_user_name_is_locked_from_every_address(applicant):
    for n in range(12):
        APIClient(REMOTE_ADDR=f"10.0.0.{n + 1}").post(
            url("auth/token"), {"username": "applicant", "password": "guess"}, format="json")
    expect(APIClient(REMOTE_ADDR="10.9.9.9").post(
        url("auth/token"), {"username": "applicant", "password": PASSWORD}, format="json"), 429)


@pytest.mark.django_db
def test_with_one_trusted_proxy_the_address_it_saw_is_counted(applicant, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    client = APIClient(REMOTE_ADDR="10.0.0.1")  # the proxy
    for n in range(12):  # the client forges an address in front of the one our proxy appends
        ask(client, username=f"someone-{n}", password="guess",
            HTTP_X_FORWARDED_FOR=f"{random_address()}, 192.0.2.7")
    expect(ask(client, HTTP_X_FORWARDED_FOR="192.0.2.7"), 429)
    expect(ask(client, HTTP_X_FORWARDED_FOR="192.0.2.8"), 200)


@pytest.mark.django_db
def test_a_lockout_is_recorded_once_in_the_audit_log(applicant):
    client = APIClient()
    for n in range(25):
        ask(client, password=f"guess-{n}")
    events = AuditEvent.objects.filter(action="sign_in_locked")
    assert events.count() == 1
    assert events.get().object_id == str(applicant.pk) and events.get().changes["username"] == "applicant"


@pytest.mark.django_db
def test_a_success_before_the_limit_clears_the_count(applicant):
    client = APIClient()
    for _round in range(3):
        for n in range(8):
            ask(client, password=f"guess-{n}")
        expect(ask(client), 200)


@pytest.mark.django_db
def test_token_expires(applicant, draft):
    client = APIClient()
    body = expect(ask(client), 200)
    client.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    expect(client.get(url("applications")), 200)
    AuthToken.objects.filter(user=applicant).update(expiry=timezone.now() - timedelta(seconds=1))
    assert expect(client.get(url("applications")), 401) == {"detail": "Invalid token."}


@pytest.mark.django_db
def test_token_lives_as_long_as_the_setting_says(applicant, settings):
    before = timezone.now()
    body = expect(ask(APIClient()), 200)
    token = AuthToken.objects.get(user=applicant)
    assert token.expiry - before == pytest.approx(settings.REST_KNOX["TOKEN_TTL"], abs=timedelta(seconds=5))
    assert body["expiry"].startswith(timezone.localtime(token.expiry).strftime("%Y-%m-%dT%H:%M"))


@pytest.mark.django_db
def test_api_logout_ends_only_the_token_it_carries(applicant, draft):
    laptop, phone = APIClient(), APIClient()
    for client in (laptop, phone):
        client.credentials(HTTP_AUTHORIZATION=f"Token {expect(ask(APIClient()), 200)['token']}")
    expect(laptop.post(url("auth/logout")), 204)
    expect(laptop.get(url("applications")), 401)
    expect(phone.get(url("applications")), 200)


@pytest.mark.django_db
def test_api_logoutall_ends_every_token_of_the_user(applicant, draft):
    laptop, phone = APIClient(), APIClient()
    for client in (laptop, phone):
        client.credentials(HTTP_AUTHORIZATION=f"Token {expect(ask(APIClient()), 200)['token']}")
    expect(laptop.post(url("auth/logoutall")), 204)
    expect(phone.get(url("applications")), 401)


@pytest.mark.django_db
def test_token_dies_on_web_sign_out(applicant, draft, client):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {expect(ask(APIClient()), 200)['token']}")
    client.force_login(applicant)
    client.post("/accounts/logout/")
    expect(api.get(url("applications")), 401)


@pytest.mark.django_db
def test_token_dies_on_password_change(applicant, draft, client):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {expect(ask(APIClient()), 200)['token']}")
    client.force_login(applicant)
    response = client.post("/accounts/password_change/", {
        "old_password": PASSWORD, "new_password1": "Lingon-Kvarn-Fyra-77", "new_password2": "Lingon-Kvarn-Fyra-77"})
    assert response.status_code == 302
    expect(api.get(url("applications")), 401)


# ---------------------------------------------------------------- two-step sign-in
@pytest.fixture
def mfa_officer(officer, settings):
    settings.MFA_REQUIRED_ROLES = ["officer", "auditor", "admin"]
    return officer


def enrol(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


@pytest.mark.django_db
def test_mfa_user_without_a_code_gets_no_token(mfa_officer):
    enrol(mfa_officer)
    body = expect(ask(APIClient(), username="officer"), 400)
    assert list(body["fields"]) == ["otp_token"]


@pytest.mark.django_db
def test_mfa_user_with_a_wrong_code_gets_no_token(mfa_officer):
    device = enrol(mfa_officer)
    wrong = str((int(totp(device.bin_key)) + 1) % 10**6).zfill(6)
    expect(ask(APIClient(), username="officer", otp_token=wrong), 400)
    assert not AuthToken.objects.exists()


@pytest.mark.django_db
def test_mfa_user_with_the_current_code_gets_a_token(mfa_officer):
    device = enrol(mfa_officer)
    body = expect(ask(APIClient(), username="officer", otp_token=totp(device.bin_key)), 200)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    expect(api.get(url("applications")), 200)


@pytest.mark.django_db
def test_mfa_required_by_role_without_an_authenticator_gets_no_token(mfa_officer):
    expect(ask(APIClient(), username="officer"), 400)


@pytest.mark.django_db
def test_a_recovery_code_works_once_for_a_token(mfa_officer):
    enrol(mfa_officer)
    StaticToken.objects.create(device=StaticDevice.objects.create(user=mfa_officer, name="recovery"), token="abcd2345")
    expect(ask(APIClient(), username="officer", otp_token="abcd2345"), 200)
    expect(ask(APIClient(), username="officer", otp_token="abcd2345"), 400)


@pytest.mark.django_db
def test_roles_outside_the_setting_need_no_code(applicant, settings):
    settings.MFA_REQUIRED_ROLES = ["officer", "auditor", "admin"]
    expect(ask(APIClient()), 200)


@pytest.mark.django_db
def test_an_unverified_session_of_an_mfa_user_is_anonymous_to_the_api(mfa_officer, client):
    enrol(mfa_officer)
    client.force_login(mfa_officer)
    assert client.get(url("applications")).status_code in (401, 403)


# ---------------------------------------------------------------- the throttle is shared
@pytest.mark.django_db
def test_the_token_throttle_counts_in_the_database(applicant, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"token": "3/min"}}
    for _attempt in range(3):
        expect(ask(APIClient()), 200)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM throttle_cache")
        assert cursor.fetchone()[0] >= 1
    expect(ask(APIClient()), 429)
