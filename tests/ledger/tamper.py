"""Raw-SQL tampering for tests: lift the append-only triggers inside the test's transaction.

The test transaction is rolled back afterwards, and DDL is transactional on both
SQLite and PostgreSQL, so the triggers are back for the next test.
"""
from django.db import connection

from ledger import triggers


def execute(sql, params=()):
    triggers.remove(connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
