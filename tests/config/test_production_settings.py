"""Production settings: `check --deploy` is clean, and DEBUG off without a secret refuses to start."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def manage(*args, **env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update(env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=120)


PRODUCTION = {"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "k" * 20 + "-production-secret-from-the-environment-0123456789",
              "DJANGO_ALLOWED_HOSTS": "ledger.example.se"}


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION,
                    LEDGER_SIGNING_KEY="ab" * 32, LEDGER_WITNESS_DIR=str(tmp_path / "witness"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_names_a_missing_signing_key_and_witness():
    """DESIGN §7: in production the key and the witness live outside the database and must be configured."""
    result = manage("check", "--deploy", **PRODUCTION)
    assert result.returncode != 0
    assert "ledger.E001" in result.stderr and "ledger.E002" in result.stderr


def test_production_refuses_to_start_without_a_secret():
    result = manage("check", DJANGO_DEBUG="0")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get("/healthz")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
