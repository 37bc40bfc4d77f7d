"""API test helpers: a client signed in with a user's token, and a clean throttle for every test."""
import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


@pytest.fixture(autouse=True)
def _fresh_throttle():
    """The token endpoint's throttle counts in the cache; each test starts from zero."""
    cache.clear()
    yield
    cache.clear()


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        token, _created = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def api():
    """api(user) → an APIClient authenticated with the user's token (api(None): anonymous)."""
    return client_for
