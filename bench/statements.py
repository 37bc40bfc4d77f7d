"""Measurement 5: the application statement PDF — end to end vs WeasyPrint alone on the same HTML.

End to end is the download as the web and the API serve it (`reports.downloads.statement`: access
check, every figure, the chain verification shown on the statement, template, layout, audit log).
The baseline is WeasyPrint laying out the final HTML of that statement and writing the PDF, nothing
else. The timing itself is the reports team's `bench/statement_pdf.py` (`measure`: one cold render,
then the median of warm runs), reused here on the bench dataset's applications with about 100, 500
and 5 000 journal entries. One more timing shows where much of the time outside WeasyPrint goes:
the statement verifies its call's whole book (`ledger.integrity.verify_book`) on every download.
"""
import statistics
import time

from .timing import rounded

GOAL = 1.2


def _fallback_measure(application, user, runs: int) -> dict:
    """The same procedure as bench/statement_pdf.measure, for a checkout without that script."""
    from reports import downloads
    from reports.pdf import html_to_pdf
    from reports.statement import statement_html

    def end_to_end():
        started = time.perf_counter()
        response = downloads.statement(user, application.reference, fmt="pdf", lang="sv")
        return time.perf_counter() - started, int(response["X-Report-Pages"]), len(response.content)

    first, pages, size = end_to_end()
    html = statement_html(application, by=user, lang="sv")
    totals, layouts = [], []
    for _ in range(runs):
        totals.append(end_to_end()[0])
        started = time.perf_counter()
        html_to_pdf(html)
        layouts.append(time.perf_counter() - started)
    total, layout = statistics.median(totals), statistics.median(layouts)
    return {"pages": pages, "bytes": size, "first": first, "total": total, "layout": layout,
            "ratio": total / layout, "html_kb": len(html.encode()) / 1024}


def _measure_function():
    try:
        from bench.statement_pdf import measure
    except ImportError:
        return _fallback_measure, "bench/statements.py (bench/statement_pdf.py is missing)"
    return measure, "bench/statement_pdf.py"


def measure(dataset) -> dict:
    try:
        from reports import downloads  # noqa: F401
        from reports.statement import statement_html  # noqa: F401
    except ImportError as exc:
        return {"available": False, "reason": f"reports are not available: {exc}"}
    from ledger.integrity import verify_book
    from ledger.models import Book, JournalEntry

    timing, source = _measure_function()
    auditor = dataset.users["auditor"]
    subjects = sorted((key for key in dataset.special if key.startswith("entries_")),
                      key=lambda k: int(k.split("_")[1])) + ["big"]
    found, verify_seconds = {}, {}
    for key in subjects:
        application = dataset.special[key]
        entries = JournalEntry.objects.filter(application=application).count()
        r = timing(application, auditor, dataset.scale.pdf_runs)
        book = Book.objects.get(call_id=application.call_id)
        if book.pk not in verify_seconds:
            started = time.perf_counter()
            verify_book(book)
            verify_seconds[book.pk] = time.perf_counter() - started
        found[str(entries)] = {
            "reference": application.reference, "entries": entries, "book_entries": book.head_seq,
            "pages": r["pages"], "pdf_kib": rounded(r["bytes"] / 1024, 1), "html_kib": rounded(r["html_kb"], 1),
            "first_render_s": rounded(r["first"], 3), "end_to_end_s": rounded(r["total"], 3),
            "weasyprint_s": rounded(r["layout"], 3), "ratio": rounded(r["ratio"], 3), "met": r["ratio"] <= GOAL,
            "outside_weasyprint_s": rounded(r["total"] - r["layout"], 3),
            "book_verification_s": rounded(verify_seconds[book.pk], 3),
        }
    return {"available": True, "timed_by": source, "goal": f"<= {GOAL}", "runs": dataset.scale.pdf_runs,
            "applications": found}
