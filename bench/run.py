"""python -m bench.run — build a dataset at BENCH_SCALE (tiny|small|full, default small) in a
database of its own, run the six measurements, write results.json and BENCHMARKS.md (into bench/,
or BENCH_OUTPUT_DIR) and print the table. Exit 1 if a measurement failed or the chain did not verify.
"""
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from . import env, report
from .timing import Steps, log

ROOT = Path(__file__).resolve().parent.parent
REFERENCE_SCALE = "tiny"  # query counts are also taken at this scale, in the same run


def git_commit() -> str | None:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              timeout=10).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def reference_query_counts(scale: str, admin_url: str | None) -> dict:
    """Query counts at another scale, from a subprocess with a database of its own."""
    child = dict(os.environ)
    child["BENCH_SCALE"] = scale
    if admin_url:
        child["DATABASE_URL"] = admin_url
    else:
        child.pop("DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-m", "bench.query_counts", scale], cwd=ROOT, env=child,
                          capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"query counts at {scale} failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def earlier_query_counts(folder: Path, skip: set, commit: str | None) -> dict:
    """Counts of other scales kept from an earlier run's results.json — only of the same commit and
    database (counts of other code are not comparable: they were the stale column of an earlier table)."""
    try:
        earlier = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    meta = earlier.get("meta", {})
    kept = {}
    for scale, entry in (earlier.get("query_counts", {}).get("by_scale") or {}).items():
        if scale not in skip and entry.get("database") == meta.get("database") and commit \
                and entry.get("commit", meta.get("git_commit")) == commit:
            kept[scale] = {**entry, "commit": commit, "measured": entry.get("measured", "")
                           if entry.get("measured", "").startswith("earlier run") else
                           f"earlier run {meta.get('started_at')} at {meta.get('git_commit')}"}
    return kept


NATIONAL_FOLDER = ROOT / "bench" / "national"


def national_query_counts(folder: Path, database: str, commit: str | None) -> dict:
    """The pages' counts of `make bench-national` (results.json in `folder`, bench/national/) when it ran
    the same commit on the same database: the national column of the table."""
    try:
        national = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    meta = national.get("meta", {})
    pages = (national.get("pages") or {}).get("pages") or {}
    if not pages or not commit or meta.get("git_commit") != commit or meta.get("database") != database:
        return {}
    counts = {name: {"queries": page.get("queries"), "status": page.get("status"), "path": page.get("path"),
                     "available": True} for name, page in pages.items()}
    return {meta.get("scale", "national"): {"counts": counts, "database": database, "commit": commit,
                                            "measured": f"bench.national {meta.get('started_at')}"}}


def notes(results: dict) -> list[str]:
    n = report.number
    found = []
    v = results.get("verification") or {}
    if "breakdown" in v:
        b = v["breakdown"]
        found.append(
            f"Verification: verify_book runs at {n(v['verify_entries_per_s'])} entries/s with {v['workers']} workers "
            f"(books of {n(v['parallel_min_entries'])} entries or more are checked in chunks on every core), the "
            f"sequential verifier at {n(b['sequential_verifier_entries_per_s'])} entries/s, and the floor (bare "
            f"cursor, json.dumps, sha256, one process) at {n(v['floor_entries_per_s'])} entries/s.")
    p = results.get("posting_throughput") or {}
    if "ratio" in p:
        found.append(f"Posting: {p['service_ms_per_entry']:.3f} ms per entry through the service vs "
                     f"{p['sql_ms_per_entry']:.3f} ms for the bare INSERTs (each in its own transaction).")
    pb = results.get("posting_batched") or {}
    if "ratio" in pb:
        found.append(f"Batched posting ({pb['entries_per_transaction']} entries per transaction): "
                     f"{pb['service_ms_per_entry']:.3f} ms per entry through journal.append_many vs "
                     f"{pb['sql_ms_per_entry']:.3f} ms for the bare INSERTs.")
    c = results.get("tamper_evidence") or {}
    if "append" in c:
        a, v = c["append"], c["verification"]
        found.append(
            f"Tamper evidence: an append with its signed checkpoint (Ed25519, one more INSERT, an fsynced witness "
            f"line after commit) takes {a['with_checkpoints_ms_per_entry']:.3f} ms vs "
            f"{a['without_checkpoints_ms_per_entry']:.3f} ms without (throughput ratio {a['ratio']:.2f}; signed but "
            f"without the witness line {a['signed_without_witness_file_ms_per_entry']:.3f} ms, ratio "
            f"{a['ratio_without_witness_file']:.2f}); "
            f"verify_ledger's full check (Merkle tree, every checkpoint's signature, consistency proof, projections) "
            f"runs at {n(v['full_entries_per_s'])} entries/s vs {n(v['chain_entries_per_s'])} for the chain alone "
            f"(ratio {v['ratio']:.2f}); a signed slice of {c['slice']['entries']} entries with inclusion proofs in a "
            f"book of {n(c['slice']['book_entries'])} takes {c['slice']['signed_slice_s']:.2f} s.")
    s = results.get("statement_pdf") or {}
    for entries, f in (s.get("applications") or {}).items():
        found.append(
            f"Statement with {n(int(entries))} entries: {f['end_to_end_s']:.2f} s end to end, of which WeasyPrint "
            f"{f['weasyprint_s']:.2f} s and everything else {f['outside_weasyprint_s']:.2f} s (best of "
            f"{max(1, s.get('runs') or 0)}, interleaved); the first render took {f['first_render_s']:.2f} s; a full "
            f"verification of the call's book of {n(f['book_entries'])} entries (what a statement does only when its "
            f"book has no intact verification run) takes {f['book_verification_s']:.2f} s.")
    return found


def main() -> int:
    scale_name = env.scale_name()
    folder = Path(os.environ.get("BENCH_OUTPUT_DIR") or ROOT / "bench")
    started = time.perf_counter()
    started_at = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    log(f"scale {scale_name}; preparing the bench database")
    database = env.prepare()
    log(f"{database.describe()} migrated in {database.migrate_seconds:.1f} s")

    import django

    from . import api, balances, checkpoints, posting, query_counts, statements, verification
    from . import dataset as data

    scale = data.SCALE[scale_name]
    results = {
        "meta": {"scale": scale_name, "database": database.vendor, "started_at": started_at,
                 "git_commit": git_commit(), "python": platform.python_version(), "django": django.get_version(),
                 "cpu_count": os.cpu_count(), "platform": platform.platform(),
                 "migrate_seconds": round(database.migrate_seconds, 2), "step_seconds": {}},
        "errors": {},
    }
    counts = None
    step = Steps(results)

    try:
        built = step("dataset", lambda: data.build(scale))
        if built is None:
            raise SystemExit("the dataset could not be built")
        results["dataset"] = {**built.counts, "build_seconds": round(built.seconds, 2), "special": {
            key: {"reference": app.reference, "id": app.pk} for key, app in built.special.items()}}

        results["verification"] = step("verification", lambda: verification.measure(built))
        results["dataset"]["verified"] = bool(results["verification"] and results["verification"]["ok"])
        if not results["dataset"]["verified"]:
            step.failed = True
            results["errors"]["chain"] = "verify_book failed on the bench dataset"
        results["balances"] = step("balances", lambda: balances.measure(built))
        counts = step("query_counts", lambda: query_counts.measure(built))
        results["api"] = step("api", lambda: api.measure(built, database))
        results["statement_pdf"] = step("statement_pdf", lambda: statements.measure(built))
        results["posting_throughput"] = step("posting_throughput", lambda: posting.measure(built))
        results["posting_batched"] = (results["posting_throughput"] or {}).pop("batched", None)
        results["tamper_evidence"] = step("tamper_evidence", lambda: checkpoints.measure(built))

        def final_check():
            from ledger.integrity import verify_book
            from ledger.models import Book

            bad = [(b.pk, r.summary()) for b in Book.objects.all() for r in [verify_book(b)] if not r.ok]
            if bad:
                raise AssertionError(f"books do not verify after the run: {bad}")
            return True

        results["dataset"]["verified_after_run"] = bool(step("final_verification", final_check))
        from ledger.models import JournalEntry, Posting

        results["dataset"]["special"] = {
            key: {"reference": app.reference, "id": app.pk,
                  "entries": JournalEntry.objects.filter(application=app).count(),
                  "postings": Posting.objects.filter(account__application=app).count()}
            for key, app in built.special.items()}
    finally:
        database.drop()

    by_scale = {}
    if counts is not None:
        by_scale[scale_name] = {"counts": counts, "database": database.vendor, "measured": "this run"}
    if scale_name != REFERENCE_SCALE:
        reference = step("query_counts_reference",
                         lambda: reference_query_counts(REFERENCE_SCALE, database.admin_url))
        if reference is not None:
            by_scale[REFERENCE_SCALE] = {"counts": reference, "database": database.vendor,
                                         "measured": "this run (reference subprocess)"}
    in_run = query_counts.compare({s: e["counts"] for s, e in by_scale.items()})
    commit = results["meta"].get("git_commit")
    by_scale.update(earlier_query_counts(folder, set(by_scale), commit))
    for scale, entry in national_query_counts(NATIONAL_FOLDER, database.vendor, commit).items():
        by_scale.setdefault(scale, entry)
    overall = query_counts.compare({s: e["counts"] for s, e in by_scale.items()})
    results["query_counts"] = {
        "by_scale": by_scale,
        "pages": [name for name, *_rest in query_counts.PAGES],
        "equal_across_scales": overall["equal_across_scales"] if len(by_scale) > 1 else None,
        "equal_in_this_run": in_run["equal_across_scales"] if len(in_run["scales_compared"]) > 1 else None,
        "differing": overall["differing"],
        "scales_compared": overall["scales_compared"],
        "statuses_ok": all(c.get("status") == 200 for e in by_scale.values() for c in e["counts"].values()
                           if c.get("available")),
    }
    results["notes"] = notes(results)
    results["meta"]["seconds"] = round(time.perf_counter() - started, 1)
    json_path, md_path = report.write(results, folder)
    print(report.console(results))
    log(f"wrote {json_path} and {md_path}")
    return 1 if step.failed else 0


if __name__ == "__main__":
    sys.exit(main())
