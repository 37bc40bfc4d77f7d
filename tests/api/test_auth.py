"""Token and session authentication, and the throttle on the token endpoint."""
import pytest
from django.conf import settings
from rest_framework.test import APIClient

from tests.api.helpers import expect, url

PASSWORD = "test-password-123"  # tests.factories.UserFactory


@pytest.mark.django_db
def test_token_for_user_name_and_password_authenticates_later_calls(applicant, draft):
    client = APIClient()
    token = expect(client.post(url("auth/token"), {"username": "applicant", "password": PASSWORD}, format="json"),
                   200)["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert expect(client.get(url("applications")), 200)["count"] == 1


@pytest.mark.django_db
def test_each_token_request_gets_its_own_device_token_with_an_expiry(applicant):
    client = APIClient()
    first = expect(client.post(url("auth/token"), {"username": "applicant", "password": PASSWORD}, format="json"), 200)
    again = expect(client.post(url("auth/token"), {"username": "applicant", "password": PASSWORD}, format="json"), 200)
    assert set(first) == {"token", "expiry"} and first["token"] != again["token"] and first["expiry"]


@pytest.mark.django_db
def test_wrong_password_is_400_without_saying_which_part_was_wrong(applicant):
    body = expect(APIClient().post(url("auth/token"), {"username": "applicant", "password": "fel"}, format="json"),
                  400)
    assert body == {"errors": ["Unable to sign in with these credentials."],
                    "fields": {"non_field_errors": ["Unable to sign in with these credentials."]}}


@pytest.mark.django_db
def test_inactive_user_gets_no_token(applicant):
    applicant.is_active = False
    applicant.save()
    expect(APIClient().post(url("auth/token"), {"username": "applicant", "password": PASSWORD}, format="json"), 400)


@pytest.mark.django_db
def test_token_endpoint_is_throttled(applicant):
    allowed = int(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["token"].split("/")[0])
    client = APIClient()
    for _attempt in range(allowed):  # right passwords: wrong ones would meet the lockout first
        expect(client.post(url("auth/token"), {"username": "applicant", "password": PASSWORD}, format="json"), 200)
    response = client.post(url("auth/token"), {"username": "applicant", "password": PASSWORD}, format="json")
    body = expect(response, 429)
    assert body["detail"].startswith("Request was throttled") and int(response["Retry-After"]) > 0


@pytest.mark.django_db
def test_a_bad_token_is_401(draft):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert expect(client.get(url("applications")), 401) == {"detail": "Invalid token."}


@pytest.mark.django_db
def test_session_of_a_signed_in_user_works_too(applicant, draft):
    client = APIClient()
    client.force_login(applicant)
    assert expect(client.get(url("applications", draft.pk)), 200)["reference"] == draft.reference


@pytest.mark.django_db
def test_session_writes_need_the_csrf_token(applicant, draft):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(applicant)
    response = client.patch(url("applications", draft.pk), {"title": "Ny"}, format="json")
    assert expect(response, 403)["detail"].startswith("CSRF Failed")
