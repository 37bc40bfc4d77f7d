"""The database refuses to delete a claimed cash item (and so the link to its receipt) before the
application's retention ends (rules E6, T7), the same rule `CashContribution.delete` applies.

The years are counted in SQL the way applications.retention counts them: from the year of the last
fund payment (or, for an application that ended without one, of its last entry), five years, ten where
a partner has state aid. The database clock is UTC; the payment moment is moved a day later before its
year is taken, so the database never lets an item go before the application would.
"""
TABLE = "ledger_cashcontribution"
NAME = "ledger_cashcontribution_retention"
MESSAGE = "ledger_cashcontribution: a claimed item and its receipt are kept until retention ends (rule E6)"
FINAL = "('closed', 'rejected', 'withdrawn', 'terminated')"

_LAST_PAYMENT = """(SELECT MAX(e.occurred_at) FROM ledger_journalentry e
     JOIN ledger_posting p ON p.entry_id = e.id JOIN ledger_account a ON a.id = p.account_id
     WHERE e.application_id = OLD.application_id AND a.kind = 'fund_paid' AND p.amount > 0)"""
_LAST_ENTRY_IF_FINAL = f"""(SELECT MAX(e.occurred_at) FROM ledger_journalentry e
     JOIN applications_application ap ON ap.id = e.application_id
     WHERE e.application_id = OLD.application_id AND ap.state IN {FINAL})"""
_YEARS = """(CASE WHEN EXISTS (SELECT 1 FROM applications_partner pa
     WHERE pa.application_id = OLD.application_id AND pa.has_state_aid) THEN 10 ELSE 5 END)"""

SQLITE = f"""CREATE TRIGGER IF NOT EXISTS {NAME} BEFORE DELETE ON {TABLE}
WHEN OLD.claim_id IS NOT NULL AND NOT COALESCE(
    CAST(strftime('%Y', 'now') AS INTEGER) >
    CAST(strftime('%Y', COALESCE({_LAST_PAYMENT}, {_LAST_ENTRY_IF_FINAL}), '+1 day') AS INTEGER) + {_YEARS}, 0)
BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;"""

POSTGRES = [f"""CREATE OR REPLACE FUNCTION {NAME}() RETURNS trigger AS $$
DECLARE last_at timestamptz;
BEGIN
    IF OLD.claim_id IS NULL THEN RETURN OLD; END IF;
    last_at := COALESCE({_LAST_PAYMENT}, {_LAST_ENTRY_IF_FINAL});
    IF last_at IS NULL OR EXTRACT(YEAR FROM CURRENT_DATE)
            <= EXTRACT(YEAR FROM (last_at AT TIME ZONE 'UTC') + interval '1 day') + {_YEARS} THEN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN OLD;
END;
$$ LANGUAGE plpgsql;""",
            f"DROP TRIGGER IF EXISTS {NAME} ON {TABLE}",
            f"CREATE TRIGGER {NAME} BEFORE DELETE ON {TABLE} FOR EACH ROW EXECUTE FUNCTION {NAME}()"]


def install_statements(vendor: str) -> list[str]:
    if vendor == "sqlite":
        return [SQLITE]
    if vendor == "postgresql":
        return POSTGRES
    raise RuntimeError(f"No retention trigger for database vendor {vendor!r}.")


def remove_statements(vendor: str) -> list[str]:
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {NAME}"]
    return [f"DROP TRIGGER IF EXISTS {NAME} ON {TABLE}"]


def install(connection) -> None:
    with connection.cursor() as cursor:
        for sql in install_statements(connection.vendor):
            cursor.execute(sql, None)


def remove(connection) -> None:
    with connection.cursor() as cursor:
        for sql in remove_statements(connection.vendor):
            cursor.execute(sql, None)
