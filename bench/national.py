"""python -m bench.national — national scale on PostgreSQL (`make bench-national`).

Builds BENCH_SCALE (default `national`: 21 calls, 20 000 applications, ~2.1 M time reports, ~5.4 M
postings) in a database of its own with COPY (bench/dataset.py), then measures what grows with the
country rather than with one project:

* full-book verification of every book (`ledger.integrity.verify_book`, on every core);
* the statement PDF end to end (`reports.downloads.statement`) and the auditor's dossier ZIP
  (`reports.dossier.stream`) of the 100-, 500- and 5 000-entry applications;
* every page and endpoint of bench/query_counts.py, timed (second request) with its queries; the slowest
  page's slowest query under EXPLAIN (ANALYZE, BUFFERS).

Writes results.json and NATIONAL.md into bench/national/ (or BENCH_OUTPUT_DIR) and prints the table.
Smaller scales run the same code (tests use `tiny`), on SQLite too (EXPLAIN QUERY PLAN there).
"""
import json
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from . import env
from .run import git_commit
from .timing import Steps, log, rounded

ROOT = Path(__file__).resolve().parent.parent


def verification() -> dict:
    from ledger import parallel
    from ledger.integrity import verify_book
    from ledger.models import Book

    books, total, started = [], 0, time.perf_counter()
    for book in Book.objects.order_by("pk"):
        t0 = time.perf_counter()
        result = verify_book(book)
        books.append({"book": book.pk, "entries": result.entries_checked, "ok": result.ok,
                      "seconds": rounded(time.perf_counter() - t0, 2)})
        total += result.entries_checked
    seconds = time.perf_counter() - started
    return {"entries": total, "seconds": rounded(seconds, 1), "entries_per_s": rounded(total / seconds, 1),
            "ok": all(b["ok"] for b in books), "workers": parallel.workers(), "books": books}


def documents(dataset) -> dict:
    from reports import dossier, downloads
    from reports.pdf import html_to_pdf
    from reports.statement import statement_html

    auditor = dataset.users["auditor"]
    found = {}
    for key in sorted(dataset.special):
        application = dataset.special[key]
        t0 = time.perf_counter()
        response = downloads.statement(auditor, application.reference, fmt="pdf", lang="sv")
        first = time.perf_counter() - t0
        t0 = time.perf_counter()
        response = downloads.statement(auditor, application.reference, fmt="pdf", lang="sv")
        warm = time.perf_counter() - t0
        html = statement_html(application, by=auditor, lang="sv")
        t0 = time.perf_counter()
        html_to_pdf(html)
        layout = time.perf_counter() - t0
        reader = dossier.reader_of(application, auditor)
        t0 = time.perf_counter()
        size = sum(len(chunk) for chunk in dossier.stream(application, reader, lang="sv"))
        dossier_seconds = time.perf_counter() - t0
        found[key] = {"reference": application.reference, "statement_first_s": rounded(first, 2),
                      "statement_s": rounded(warm, 2), "weasyprint_s": rounded(layout, 2),
                      "statement_ratio": rounded(warm / layout, 2), "pages": int(response["X-Report-Pages"]),
                      "dossier_s": rounded(dossier_seconds, 2), "dossier_kib": rounded(size / 1024, 1)}
    return found


def explain(sql: str) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        return [" | ".join(str(c) for c in row) for row in cursor.fetchall()]


def pages(dataset) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch

    from .query_counts import PAGES, _url, client_for

    big = dataset.special["big"]
    values = {"big_pk": big.pk, "big_reference": big.reference, "call_pk": big.call_id}
    clients, found, slowest = {}, {}, None
    for name, role, kind, route, arg, query in PAGES:
        try:
            url = _url(route, arg, query, values)
        except NoReverseMatch:
            continue
        client = client_for(clients, dataset, role, kind)
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            t0 = time.perf_counter()
            response = client.get(url)
            ms = 1000 * (time.perf_counter() - t0)
        queries = sorted(captured.captured_queries, key=lambda q: float(q["time"]), reverse=True)
        found[name] = {"path": url, "status": response.status_code, "ms": rounded(ms, 1),
                       "queries": len(queries), "slowest_query_ms": rounded(1000 * float(queries[0]["time"]), 1)
                       if queries else None}
        if slowest is None or ms > slowest[1]:
            slowest = (name, ms, queries[0]["sql"] if queries else "")
    result = {"pages": found}
    if slowest is not None:
        name, ms, sql = slowest
        try:
            plan = explain(sql) if sql.lstrip().upper().startswith("SELECT") else []
        except Exception as exc:  # noqa: BLE001 - a plan we cannot take is reported, not fatal
            plan = [f"EXPLAIN failed: {exc}"]
        result["slowest"] = {"page": name, "ms": rounded(ms, 1), "query": sql[:4000], "plan": plan}
    return result


def _best_ms(sql: str, params, runs: int = 3) -> float:
    from django.db import connection

    best = float("inf")
    with connection.cursor() as cursor:
        for _ in range(runs):
            t0 = time.perf_counter()
            cursor.execute(sql, params)
            cursor.fetchall()
            best = min(best, time.perf_counter() - t0)
    return rounded(1000 * best, 1)


PARTITION_QUERIES = {
    # what verification reads of the largest book: every entry in order, then every leg of them
    "entries_of_a_book": ("SELECT id, seq, hash, prev_hash FROM {entries} WHERE book_id = %s ORDER BY seq", "book"),
    "postings_of_a_book": ("SELECT p.entry_id, p.ordinal, p.amount FROM {postings} p JOIN {entries} e "
                           "ON e.id = p.entry_id WHERE e.book_id = %s", "book"),
    # the application page's newest entries (the ledger view filtered to one application)
    "newest_entries_of_an_application": ("SELECT id, occurred_at FROM {entries} WHERE application_id = %s "
                                         "ORDER BY occurred_at DESC, id DESC LIMIT 25", "application"),
}


def partitioning(dataset) -> dict:
    """The journal and postings partitioned by book, measured beside the plain tables on the same rows:
    copies `trial_entries` (LIST partitions by book_id, one per book) and `trial_postings` (with the
    entry's book_id, partitioned the same way), indexed as the real tables are, then the same queries
    on both, best of three. PostgreSQL only; the copies are dropped afterwards."""
    from django.db import connection

    from ledger.models import Book

    if connection.vendor != "postgresql":
        return {"skipped": "PostgreSQL only"}
    books = list(Book.objects.order_by("pk").values_list("pk", flat=True))
    largest = max(books, key=lambda pk: Book.objects.get(pk=pk).head_seq)
    values = {"book": largest, "application": dataset.special["big"].pk}
    out = {"book": largest, "application": values["application"], "queries": {}}
    with connection.cursor() as cursor:
        t0 = time.perf_counter()
        cursor.execute("CREATE TABLE trial_entries (LIKE ledger_journalentry INCLUDING DEFAULTS) "
                       "PARTITION BY LIST (book_id)")
        cursor.execute("CREATE TABLE trial_postings (LIKE ledger_posting INCLUDING DEFAULTS, book_id bigint NOT NULL) "
                       "PARTITION BY LIST (book_id)")
        for pk in books:
            cursor.execute(f"CREATE TABLE trial_entries_{pk} PARTITION OF trial_entries FOR VALUES IN ({pk})")
            cursor.execute(f"CREATE TABLE trial_postings_{pk} PARTITION OF trial_postings FOR VALUES IN ({pk})")
        cursor.execute("INSERT INTO trial_entries SELECT * FROM ledger_journalentry")
        cursor.execute("INSERT INTO trial_postings SELECT p.*, e.book_id FROM ledger_posting p "
                       "JOIN ledger_journalentry e ON e.id = p.entry_id")
        cursor.execute("CREATE UNIQUE INDEX ON trial_entries (book_id, seq)")
        cursor.execute("CREATE INDEX ON trial_entries (application_id, kind)")
        cursor.execute("CREATE INDEX ON trial_entries (occurred_at)")
        cursor.execute("CREATE UNIQUE INDEX ON trial_entries (book_id, id)")
        cursor.execute("CREATE INDEX ON trial_postings (book_id, entry_id)")
        cursor.execute("ANALYZE trial_entries")
        cursor.execute("ANALYZE trial_postings")
        out["copy_seconds"] = rounded(time.perf_counter() - t0, 1)
    try:
        for name, (sql, key) in PARTITION_QUERIES.items():
            plain = _best_ms(sql.format(entries="ledger_journalentry", postings="ledger_posting"), [values[key]])
            trial_sql = sql.format(entries="trial_entries", postings="trial_postings")
            if name == "postings_of_a_book":  # partitioned postings carry the book: no join needed
                trial_sql = "SELECT entry_id, ordinal, amount FROM trial_postings WHERE book_id = %s"
            partitioned = _best_ms(trial_sql, [values[key]])
            out["queries"][name] = {"plain_ms": plain, "partitioned_ms": partitioned,
                                    "ratio": rounded(partitioned / plain, 2) if plain else None}
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS trial_postings")
            cursor.execute("DROP TABLE IF EXISTS trial_entries")
    return out


def markdown(results: dict) -> str:
    meta, data = results["meta"], results.get("dataset") or {}
    out = [f"# bench.national at scale {meta['scale']} ({meta['database']})", "",
           "" if meta.get("finished") else "**Run stopped before the end: the figures below are what it measured.**",
           "",
           f"{meta['started_at']}, commit `{meta.get('git_commit')}`, {meta['cpu_count']} CPUs; "
           f"{data.get('applications')} applications, {data.get('time_reports')} time reports, "
           f"{data.get('entries')} journal entries, {data.get('postings')} postings in {data.get('books')} books, "
           f"built in {data.get('build_seconds')} s.", ""]
    v = results.get("verification") or {}
    if v:
        out += [f"- Full verification of every book: {v['entries']} entries in {v['seconds']} s "
                f"({v['entries_per_s']} entries/s, {v['workers']} workers), intact: {v['ok']}."]
    for key, d in (results.get("documents") or {}).items():
        out.append(f"- {key} ({d['reference']}): statement PDF {d['statement_s']} s warm ({d['statement_first_s']} s "
                   f"first; WeasyPrint alone {d['weasyprint_s']} s, ratio {d['statement_ratio']}), {d['pages']} pages; "
                   f"dossier ZIP {d['dossier_s']} s ({d['dossier_kib']} KiB).")
    p = results.get("pages") or {}
    if p:
        out += ["", "| page / endpoint | ms | queries | slowest query ms |", "|---|---|---|---|"]
        out += [f"| {name} | {f['ms']} | {f['queries']} | {f['slowest_query_ms']} |"
                for name, f in sorted(p["pages"].items(), key=lambda item: -item[1]["ms"])]
        s = p.get("slowest")
        if s:
            out += ["", f"Slowest page: {s['page']} ({s['ms']} ms). Its slowest query:", "", "```sql",
                    s["query"], "```", "", "```", *s["plan"], "```"]
    t = results.get("partitioning") or {}
    if t.get("queries"):
        out += ["", f"Partitioned by book (copies of the journal and postings, book {t['book']}, made in "
                f"{t['copy_seconds']} s), the same rows read both ways, best of three:", "",
                "| query | plain tables ms | partitioned ms | ratio |", "|---|---|---|---|"]
        out += [f"| {name} | {q['plain_ms']} | {q['partitioned_ms']} | {q['ratio']} |"
                for name, q in t["queries"].items()]
    if results.get("errors"):
        out += ["", "Errors:"] + [f"- {k}: {m}" for k, m in results["errors"].items()]
    return "\n".join(out) + "\n"


def main() -> int:
    os.environ.setdefault("BENCH_SCALE", "national")
    scale_name = env.scale_name()
    folder = Path(os.environ.get("BENCH_OUTPUT_DIR") or ROOT / "bench" / "national")
    log(f"national bench at scale {scale_name}; preparing the database")
    database = env.prepare()
    import django

    from . import dataset as data

    results = {"meta": {"scale": scale_name, "database": database.vendor, "git_commit": git_commit(),
                        "started_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "cpu_count": os.cpu_count(),
                        "django": django.get_version(), "step_seconds": {}}, "errors": {}}
    folder.mkdir(parents=True, exist_ok=True)

    def save(name=None, value=None):  # after every step, so a run stopped half-way keeps what it measured
        if name is not None and name != "dataset":
            results[name] = value
        (folder / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n",
                                             encoding="utf-8")
        (folder / "NATIONAL.md").write_text(markdown(results), encoding="utf-8")

    step = Steps(results, after=save)

    try:
        built = step("dataset", lambda: data.build(data.SCALE[scale_name]))
        if built is None:
            raise SystemExit("the dataset could not be built")
        results["dataset"] = {**built.counts, "build_seconds": round(built.seconds, 1)}
        save()
        step("verification", verification)
        step("documents", lambda: documents(built))
        step("pages", lambda: pages(built))
        step("partitioning", lambda: partitioning(built))
    finally:
        database.drop()
    results["meta"]["finished"] = True
    save()
    print(markdown(results))
    return 1 if step.failed or not (results.get("verification") or {}).get("ok") else 0


if __name__ == "__main__":
    sys.exit(main())
