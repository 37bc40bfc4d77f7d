"""Signing in on the web and in the admin (issue 15, DESIGN §7a): lockout visible on the form and
lifted by an officer, the second factor by role, sessions that end when idle, tokens the owner sees
and ends, passwords that are not the first guesses."""
import time

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from applications.models import AuditEvent
from tests.factories import UserFactory
from tests.otp import totp

PASSWORD = "test-password-123"  # tests.factories.UserFactory


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def guess(client, path, username, password):
    return client.post(path, {"username": username, "password": password, "next": "/"})


# ---------------------------------------------------------------- lockout
@pytest.mark.django_db
def test_sixty_wrong_passwords_then_the_right_one_is_refused_on_the_web_login(applicant):
    client = Client()
    for n in range(60):
        guess(client, "/accounts/login/", "applicant", f"guess-{n}")
    response = guess(client, "/accounts/login/", "applicant", PASSWORD)
    assert response.status_code == 429 and not signed_in(client)
    assert "locked for 15 minutes" in response.content.decode()
    assert 'role="alert"' in response.content.decode()  # the message is on the form, announced


@pytest.mark.django_db
def test_sixty_wrong_passwords_then_the_right_one_is_refused_on_the_admin_login():
    UserFactory(username="operator", is_staff=True, is_superuser=True)
    client = Client()
    for n in range(60):
        guess(client, "/admin/login/", "operator", f"guess-{n}")
    response = guess(client, "/admin/login/", "operator", PASSWORD)
    assert response.status_code == 429 and not signed_in(client)
    assert "locked for 15 minutes" in response.content.decode()


@pytest.mark.django_db
def test_a_random_forwarded_for_per_request_does_not_escape_the_web_lockout(applicant):
    client = Client()
    for n in range(30):
        client.post("/accounts/login/", {"username": "applicant", "password": f"guess-{n}"},
                    HTTP_X_FORWARDED_FOR=f"203.0.113.{n + 1}")
    response = client.post("/accounts/login/", {"username": "applicant", "password": PASSWORD},
                           HTTP_X_FORWARDED_FOR="198.51.100.77")
    assert response.status_code == 429 and not signed_in(client)


@pytest.mark.django_db
def test_the_lockout_message_is_in_swedish_for_a_swedish_reader(applicant):
    client = Client(HTTP_ACCEPT_LANGUAGE="sv")
    for n in range(11):
        guess(client, "/accounts/login/", "applicant", f"guess-{n}")
    assert "låst i 15 minuter" in guess(client, "/accounts/login/", "applicant", PASSWORD).content.decode()


@pytest.mark.django_db
def test_a_web_lockout_is_recorded_in_the_audit_log(applicant):
    client = Client()
    for n in range(20):
        guess(client, "/accounts/login/", "applicant", f"guess-{n}")
    event = AuditEvent.objects.get(action="sign_in_locked")
    assert event.object_type == "user" and event.object_id == str(applicant.pk) and event.actor is None


@pytest.mark.django_db
def test_an_officer_lifts_a_lock_and_it_is_audited(applicant, officer, as_user):
    for n in range(12):
        guess(Client(), "/accounts/login/", "applicant", f"guess-{n}")
    page = as_user(officer)
    assert "applicant" in page.get("/accounts/lockouts/").content.decode()
    page.post("/accounts/lockouts/", {"username": "applicant"})
    page.post("/accounts/lockouts/", {"ip_address": "127.0.0.1"})
    client = Client()
    guess(client, "/accounts/login/", "applicant", PASSWORD)
    assert signed_in(client)
    assert AuditEvent.objects.filter(action="sign_in_unlocked", actor=officer).count() == 2


@pytest.mark.django_db
def test_the_lockouts_page_is_not_found_for_applicants(applicant, as_user):
    assert as_user(applicant).get("/accounts/lockouts/").status_code == 404
    as_user(applicant).post("/accounts/lockouts/", {"username": "applicant"})
    assert not AuditEvent.objects.filter(action="sign_in_unlocked").exists()


# ---------------------------------------------------------------- the second factor
@pytest.fixture
def mfa_roles(settings):
    settings.MFA_REQUIRED_ROLES = ["officer", "auditor", "admin"]


@pytest.mark.django_db
def test_mfa_is_required_for_an_officer_when_the_setting_says_so(officer, mfa_roles):
    client = Client()
    guess(client, "/accounts/login/", "officer", PASSWORD)
    response = client.get("/applications/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/mfa/setup/")


@pytest.mark.django_db
def test_no_mfa_is_required_when_the_setting_names_no_role(officer, settings):
    settings.MFA_REQUIRED_ROLES = []
    client = Client()
    guess(client, "/accounts/login/", "officer", PASSWORD)
    assert client.get("/applications/").status_code == 200


@pytest.mark.django_db
def test_an_applicant_is_not_asked_for_mfa_when_only_officers_need_it(applicant, mfa_roles):
    client = Client()
    guess(client, "/accounts/login/", "applicant", PASSWORD)
    assert client.get("/applications/").status_code == 200


@pytest.mark.django_db
def test_staff_count_as_admins_for_mfa(mfa_roles):
    UserFactory(username="operator", is_staff=True, is_superuser=True)
    client = Client()
    guess(client, "/admin/login/", "operator", PASSWORD)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/mfa/setup/")


@pytest.mark.django_db
def test_enrolment_with_the_right_code_turns_mfa_on_and_shows_recovery_codes(officer, mfa_roles):
    client = Client()
    guess(client, "/accounts/login/", "officer", PASSWORD)
    page = client.get("/accounts/mfa/setup/").content.decode()
    assert 'src="data:image/svg+xml;base64,' in page  # the QR code is drawn here, not fetched
    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    response = client.post("/accounts/mfa/setup/", {"code": totp(device.bin_key)})
    assert response.status_code == 200 and len(response.context["codes"]) == 10
    assert client.get("/applications/").status_code == 200
    assert AuditEvent.objects.filter(action="mfa_enrolled", actor=officer).exists()


@pytest.mark.django_db
def test_enrolment_with_a_wrong_code_leaves_mfa_off(officer, mfa_roles):
    client = Client()
    guess(client, "/accounts/login/", "officer", PASSWORD)
    client.get("/accounts/mfa/setup/")
    response = client.post("/accounts/mfa/setup/", {"code": "000000"})
    assert response.status_code == 200 and response.context["form"].errors
    assert not TOTPDevice.objects.filter(user=officer, confirmed=True).exists()


@pytest.fixture
def enrolled(officer):
    device = TOTPDevice.objects.create(user=officer, name="authenticator", confirmed=True)
    recovery = StaticDevice.objects.create(user=officer, name="recovery")
    StaticToken.objects.create(device=recovery, token="abcd2345")
    return device


@pytest.mark.django_db
def test_after_the_password_an_enrolled_user_must_give_the_code(officer, enrolled):
    client = Client()
    guess(client, "/accounts/login/", "officer", PASSWORD)
    response = client.get("/applications/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/mfa/verify/")
    response = client.post("/accounts/mfa/verify/", {"code": totp(enrolled.bin_key), "next": "/applications/"})
    assert response["Location"] == "/applications/"
    assert client.get("/applications/").status_code == 200


@pytest.mark.django_db
def test_a_wrong_code_keeps_the_user_at_the_verification_step(officer, enrolled):
    client = Client()
    guess(client, "/accounts/login/", "officer", PASSWORD)
    response = client.post("/accounts/mfa/verify/", {"code": "12345x"})
    assert response.status_code == 200 and response.context["form"].errors
    assert client.get("/applications/").status_code == 302


@pytest.mark.django_db
def test_a_recovery_code_verifies_once(officer, enrolled):
    first, second = Client(), Client()
    for client in (first, second):
        guess(client, "/accounts/login/", "officer", PASSWORD)
    first.post("/accounts/mfa/verify/", {"code": "ABCD 2345"})
    second.post("/accounts/mfa/verify/", {"code": "abcd2345"})
    assert first.get("/applications/").status_code == 200
    assert second.get("/applications/").status_code == 302
    assert AuditEvent.objects.filter(action="mfa_recovery_used").count() == 1


@pytest.mark.django_db
def test_an_unverified_user_cannot_replace_the_authenticator(officer, enrolled):
    client = Client()
    guess(client, "/accounts/login/", "officer", PASSWORD)
    response = client.get("/accounts/mfa/setup/")
    assert response.status_code == 302 and response["Location"] == "/accounts/mfa/verify/"


# ---------------------------------------------------------------- sessions
@pytest.mark.django_db
def test_an_officer_session_ends_after_thirty_idle_minutes(officer, monkeypatch):
    client = Client()
    guess(client, "/accounts/login/", "officer", PASSWORD)
    assert client.get("/applications/").status_code == 200
    later = time.time() + 31 * 60
    monkeypatch.setattr(time, "time", lambda: later)
    response = client.get("/applications/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not signed_in(client)


@pytest.mark.django_db
def test_an_applicant_session_ends_after_sixty_one_idle_minutes(applicant, monkeypatch):
    client = Client()
    guess(client, "/accounts/login/", "applicant", PASSWORD)
    later = time.time() + 61 * 60
    monkeypatch.setattr(time, "time", lambda: later)
    assert client.get("/applications/").status_code == 302 and not signed_in(client)


@pytest.mark.django_db
def test_an_applicant_session_survives_thirty_one_idle_minutes(applicant, monkeypatch):
    client = Client()
    guess(client, "/accounts/login/", "applicant", PASSWORD)
    client.get("/applications/")
    later = time.time() + 31 * 60
    monkeypatch.setattr(time, "time", lambda: later)
    assert client.get("/applications/").status_code == 200


@pytest.mark.django_db
def test_sessions_last_at_most_a_working_day(settings):
    assert settings.SESSION_COOKIE_AGE == 12 * 3600


# ---------------------------------------------------------------- tokens and passwords
@pytest.mark.django_db
def test_the_owner_sees_and_revokes_their_tokens(applicant, as_user):
    mine, _ = AuthToken.objects.create(user=applicant)
    other, _ = AuthToken.objects.create(user=UserFactory(username="someone"))
    client = as_user(applicant)
    page = client.get("/accounts/security/").content.decode()
    assert mine.token_key[:8] in page and other.token_key[:8] not in page
    client.post("/accounts/security/tokens/revoke/", {"token_key": other.token_key})
    client.post("/accounts/security/tokens/revoke/", {"token_key": mine.token_key})
    assert list(AuthToken.objects.values_list("token_key", flat=True)) == [other.token_key]


@pytest.mark.django_db
def test_sommar2026_is_refused_as_a_new_password(applicant, as_user):
    response = as_user(applicant).post("/accounts/password_change/", {
        "old_password": PASSWORD, "new_password1": "Sommar2026", "new_password2": "Sommar2026"})
    assert response.status_code == 200 and "new_password2" in response.context["form"].errors
    applicant.refresh_from_db()
    assert applicant.check_password(PASSWORD)


@pytest.mark.django_db
def test_a_password_change_ends_every_token(applicant, as_user):
    AuthToken.objects.create(user=applicant)
    AuthToken.objects.create(user=applicant)
    as_user(applicant).post("/accounts/password_change/", {
        "old_password": PASSWORD, "new_password1": "Lingon-Kvarn-Fyra-77", "new_password2": "Lingon-Kvarn-Fyra-77"})
    assert not AuthToken.objects.filter(user=applicant).exists()
    assert AuditEvent.objects.filter(action="tokens_revoked", comment="password changed").exists()


@pytest.mark.django_db
def test_sign_out_ends_every_token(applicant, as_user):
    AuthToken.objects.create(user=applicant)
    as_user(applicant).post("/accounts/logout/")
    assert not AuthToken.objects.filter(user=applicant).exists()


@pytest.mark.django_db
def test_a_password_reset_ends_every_token(applicant):
    # the reset link of the e-mail, followed to the end: the old tokens stop working
    AuthToken.objects.create(user=applicant)
    client = Client()
    uid = urlsafe_base64_encode(force_bytes(applicant.pk))
    start = client.get(f"/accounts/reset/{uid}/{default_token_generator.make_token(applicant)}/")
    response = client.post(start["Location"], {"new_password1": "Lingon-Kvarn-Fyra-77",
                                               "new_password2": "Lingon-Kvarn-Fyra-77"})
    assert response.status_code == 302
    assert not AuthToken.objects.filter(user=applicant).exists()
    assert AuditEvent.objects.filter(action="tokens_revoked", comment="password reset").exists()
