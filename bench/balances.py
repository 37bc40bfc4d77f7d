"""Measurement 6: balances — `ledger.selectors.application_balances` for the application with
10 000 postings and `call_balances` for its whole call, vs a bare SUM(amount) over the same postings
with `cursor.execute` (what any balance summed from the postings costs at least). The selectors read
the account totals (`ledger.models.AccountTotal`, a few rows per account) instead, so the ratio is
below 1: it says how much of that floor the totals save."""
from .timing import median_seconds, rounded

APPLICATION_SUM = ("SELECT SUM(p.amount), COUNT(*) FROM ledger_posting p "
                   "JOIN ledger_account a ON a.id = p.account_id WHERE a.application_id = %s")
CALL_SUM = ("SELECT SUM(p.amount), COUNT(*) FROM ledger_posting p JOIN ledger_account a ON a.id = p.account_id "
            "JOIN ledger_book b ON b.id = a.book_id WHERE b.call_id = %s")


def _bare(sql: str, param):
    from django.db import connection

    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, [param])
            return cursor.fetchone()

    return run


def _figure(selector, sql, param, repeats: int) -> dict:
    bare = _bare(sql, param)
    _total, rows = bare()
    # Interleave so that load changes hit both the same way.
    selector_ms = 1000 * median_seconds(selector, repeats)
    sum_ms = 1000 * median_seconds(bare, repeats)
    selector_ms = min(selector_ms, 1000 * median_seconds(selector, repeats, warmup=0))
    sum_ms = min(sum_ms, 1000 * median_seconds(bare, repeats, warmup=0))
    return {"postings": rows, "selector_ms": rounded(selector_ms, 3), "bare_sum_ms": rounded(sum_ms, 3),
            "ratio": rounded(selector_ms / sum_ms, 3)}


def measure(dataset) -> dict:
    from ledger.selectors import application_balances, call_balances

    big = dataset.special["big"]
    call = big.call
    repeats = dataset.scale.repeats
    application = _figure(lambda: application_balances(big), APPLICATION_SUM, big.pk, repeats)
    application["reference"] = big.reference
    whole_call = _figure(lambda: call_balances(call), CALL_SUM, call.pk, max(3, repeats // 3))
    whole_call["call"] = call.pk
    whole_call["applications"] = call.applications.count()
    return {"application": application, "call": whole_call,
            "note": "ratio = selector time (account totals) / bare SUM over the postings (below 1: faster than "
                    "summing the postings at all)"}
