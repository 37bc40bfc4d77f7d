"""API test helpers: a client signed in with a user's token, and a clean throttle for every test."""
import pytest
from django.core.cache import caches
from knox.models import AuthToken
from rest_framework.test import APIClient


@pytest.fixture(autouse=True)
def _fresh_throttle():
    """The token endpoint's throttle counts in the cache; each test starts from zero."""
    for alias in ("default", "throttle"):
        caches[alias].clear()
    yield
    for alias in ("default", "throttle"):
        caches[alias].clear()


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        _instance, token = AuthToken.objects.create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.fixture
def api():
    """api(user) → an APIClient authenticated with the user's token (api(None): anonymous)."""
    return client_for
