"""Read-replica routing (core/replica.py): DATABASE_REPLICA_URL adds a `replica` alias and a router; reports
and verification read through it outside transactions; writes and everything else stay on `default`."""
import json
import os
import subprocess
import sys
from pathlib import Path

from core import replica

ROOT = Path(__file__).resolve().parents[2]
SHOW = ("import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps([sorted(settings.DATABASES), list(getattr(settings, 'DATABASE_ROUTERS', [])), "
        "settings.DATABASES.get('replica', {}).get('TEST', {})]))")


def configured(**env) -> list:
    child = {key: value for key, value in os.environ.items() if key != "DATABASE_REPLICA_URL"}
    child.update(env, DJANGO_SETTINGS_MODULE="config.settings")
    done = subprocess.run([sys.executable, "-c", SHOW], cwd=ROOT, env=child, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_without_the_variable_there_is_one_database_and_no_router():
    assert configured() == [["default"], [], {}]


def test_the_variable_adds_a_replica_alias_and_the_router(tmp_path):
    aliases, routers, test = configured(DATABASE_REPLICA_URL=f"sqlite:///{tmp_path / 'replica.sqlite3'}")
    assert aliases == ["default", "replica"]
    assert routers == ["core.replica.ReplicaRouter"]
    assert test["MIRROR"] == "default"


def test_without_a_replica_alias_reads_stay_on_default():
    with replica.reads():
        assert replica.alias_for_reads() == "default"
