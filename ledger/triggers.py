"""Database triggers that refuse UPDATE, DELETE (and on PostgreSQL TRUNCATE) on the journal tables.

The model layer refuses changes too; the triggers stop anyone working in SQL. One
source for the migration that installs them and for the test suite, which must
lift them to flush a database between transactional tests.
"""
TABLES = ("ledger_journalentry", "ledger_posting")
# The evidence about the journal is append-only too (migration 0006_checkpoints): signed checkpoints and
# the verification runs that statements cite. Migration 0002 installs TABLES only (its default).
EVIDENCE_TABLES = ("ledger_checkpoint", "ledger_verificationrun")
ALL_TABLES = TABLES + EVIDENCE_TABLES

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
"""


def install_statements(vendor: str, tables: tuple[str, ...] = TABLES) -> list[str]:
    if vendor == "sqlite":
        return [
            f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} BEFORE {op} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {op} refused'); END;"
            for table in tables for op in ("UPDATE", "DELETE")
        ]
    if vendor == "postgresql":
        statements = [POSTGRES_FUNCTION]
        for table in tables:
            statements += [
                f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()",
                f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()",
            ]
        return statements
    raise RuntimeError(f"No append-only triggers for database vendor {vendor!r}.")


def remove_statements(vendor: str, tables: tuple[str, ...] = TABLES) -> list[str]:
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {table}_no_{op}" for table in tables for op in ("update", "delete")]
    return [f"DROP TRIGGER IF EXISTS {table}_{name} ON {table}"
            for table in tables for name in ("append_only", "no_truncate")]


def install(connection, tables: tuple[str, ...] = ALL_TABLES) -> None:
    with connection.cursor() as cursor:
        for sql in install_statements(connection.vendor, tables):
            cursor.execute(sql, None)


def remove(connection, tables: tuple[str, ...] = ALL_TABLES) -> None:
    with connection.cursor() as cursor:
        for sql in remove_statements(connection.vendor, tables):
            cursor.execute(sql, None)


def installed_count(connection, tables: tuple[str, ...] = TABLES) -> int:
    marks = ", ".join(["%s"] * len(tables))
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ({marks})",
                           tables)
        else:
            cursor.execute("SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                           f"WHERE NOT t.tgisinternal AND c.relname IN ({marks})", tables)
        return cursor.fetchone()[0]
