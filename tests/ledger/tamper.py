"""Raw-SQL tampering for tests: switch the append-only triggers off inside the test's transaction."""
from contextlib import contextmanager

from django.db import connection

TABLES = ("ledger_journalentry", "ledger_posting")


@contextmanager
def triggers_disabled():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for table in TABLES:
                for op in ("update", "delete"):
                    cursor.execute(f"DROP TRIGGER {table}_no_{op}")
        else:
            for table in TABLES:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
        yield cursor


def execute(sql, params=()):
    with triggers_disabled() as cursor:
        cursor.execute(sql, params)
