"""results.json, the table in BENCHMARKS.md and the same table on the console."""
import json
from pathlib import Path


def _n(value, digits=0) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        text = f"{value:,.{digits}f}".replace(",", " ")
        return text
    return str(value)


def number(value, digits=0) -> str:
    """A figure with spaces between thousands (1 234 567)."""
    return _n(value, digits)


def _met(value) -> str:
    return "–" if value is None else ("**yes**" if value else "**no**")


def main_rows(results: dict) -> list[list[str]]:
    rows = []
    p = results.get("posting_throughput") or {}
    if "ratio" in p:
        rows.append(["1", "Posting throughput (balanced, chained, 1 tx/entry)",
                     f"{_n(p['service_entries_per_s'])} entries/s via ledger.journal.append",
                     f"{_n(p['sql_entries_per_s'])} entries/s plain SQL INSERTs", _n(p["ratio"], 2), p["goal"],
                     _met(p["met"])])
    pb = results.get("posting_batched") or {}
    if "ratio" in pb:
        rows.append(["1", f"Batched posting ({pb['entries_per_transaction']} entries per tx, one checkpoint)",
                     f"{_n(pb['service_entries_per_s'])} entries/s via ledger.journal.append_many",
                     f"{_n(pb['sql_entries_per_s'])} entries/s plain SQL INSERTs", _n(pb["ratio"], 2), pb["goal"],
                     _met(pb["met"])])
    v = results.get("verification") or {}
    if "ratio" in v:
        rows.append(["2", f"Verification of {_n(v['entries'])} entries in {v['books']} books "
                          f"({v.get('workers', 1)} workers)",
                     f"{_n(v['verify_entries_per_s'])} entries/s via verify_book",
                     f"{_n(v['floor_entries_per_s'])} entries/s bare cursor + json.dumps + sha256",
                     _n(v["ratio"], 3), v["goal"], _met(v["met"])])
        b = v.get("breakdown") or {}
        if b.get("sequential_ratio") is not None:
            rows.append(["2", "… the sequential verifier alone (one core; every damaged book)",
                         f"{_n(b['sequential_verifier_entries_per_s'])} entries/s", "same floor",
                         _n(b["sequential_ratio"], 3), "–", "–"])
    a = results.get("api") or {}
    if a.get("available"):
        base = a["baseline"]
        for name, f in a["endpoints"].items():
            if not f.get("available"):
                rows.append(["3", f"API {name}", "not available", "", "", a["goal"], "–"])
                continue
            bare = f["bare"]
            rows.append(["3", f"API {name} ({f['path']})",
                         f"{_n(f['requests_per_s'], 1)} req/s, p50 {_n(f['p50_ms'], 1)} ms, p95 {_n(f['p95_ms'], 1)} ms",
                         f"{_n(bare['requests_per_s'], 1)} req/s, p50 {_n(bare['p50_ms'], 1)} ms, "
                         f"p95 {_n(bare['p95_ms'], 1)} ms (bare DRF view, same rows)",
                         _n(f["ratio"], 2), a["goal"], _met(f["met"])])
            rows.append(["3", f"… {name} against the constant endpoint", "",
                         f"{_n(base['requests_per_s'], 1)} req/s, p95 {_n(base['p95_ms'], 1)} ms (constant)",
                         _n(f["ratio_to_constant"], 2), "–", "–"])
    elif a:
        rows.append(["3", "API", "not available", a.get("reason", ""), "", ">= 0.5", "–"])
    q = results.get("query_counts") or {}
    if q:
        rows.append(["4", "Query counts per page/endpoint", f"{len(q.get('pages', []))} pages",
                     "scales " + ", ".join(q.get("scales_compared", [])), "", "equal",
                     _met(q.get("equal_across_scales"))])
    s = results.get("statement_pdf") or {}
    if s.get("available"):
        for entries, f in s["applications"].items():
            rows.append(["5", f"Statement PDF, {_n(int(entries))} entries ({f['pages']} pages)",
                         f"{_n(f['end_to_end_s'], 2)} s end to end",
                         f"{_n(f['weasyprint_s'], 2)} s WeasyPrint alone", _n(f["ratio"], 2), s["goal"],
                         _met(f["met"])])
    elif s:
        rows.append(["5", "Statement PDF", "not available", s.get("reason", ""), "", "<= 1.2", "–"])
    b = results.get("balances") or {}
    if "application" in b:
        app, call = b["application"], b["call"]
        rows.append(["6", f"Balances of one application ({_n(app['postings'])} postings)",
                     f"{_n(app['selector_ms'], 2)} ms application_balances",
                     f"{_n(app['bare_sum_ms'], 2)} ms bare SUM", f"{_n(app['ratio'], 2)}× time", "–", "–"])
        rows.append(["6", f"Balances of the whole call ({_n(call['postings'])} postings)",
                     f"{_n(call['selector_ms'], 2)} ms call_balances",
                     f"{_n(call['bare_sum_ms'], 2)} ms bare SUM", f"{_n(call['ratio'], 2)}× time", "–", "–"])
    c = results.get("tamper_evidence") or {}
    if "append" in c:
        a, v = c["append"], c["verification"]
        rows.append(["7", "Append with signed checkpoint + witness (1 tx/entry)",
                     f"{_n(a['with_checkpoints_entries_per_s'])} entries/s with checkpoints",
                     f"{_n(a['without_checkpoints_entries_per_s'])} entries/s without", _n(a["ratio"], 2), "–", "–"])
        rows.append(["7", "… signed, but without the fsynced witness line",
                     f"{_n(a['signed_without_witness_file_entries_per_s'])} entries/s",
                     f"{_n(a['without_checkpoints_entries_per_s'])} entries/s without",
                     _n(a["ratio_without_witness_file"], 2), "–", "–"])
        rows.append(["7", f"Full verification with checkpoints, proofs, projections ({_n(v['entries'])} entries)",
                     f"{_n(v['full_entries_per_s'])} entries/s verify_ledger's check",
                     f"{_n(v['chain_entries_per_s'])} entries/s chain only", _n(v["ratio"], 2), "–", "–"])
    return rows


def query_rows(results: dict) -> tuple[list[str], list[list[str]]]:
    q = results.get("query_counts") or {}
    by_scale = q.get("by_scale", {})
    order = [s for s in ("tiny", "small", "full", "national") if s in by_scale]
    rows = []
    for page in q.get("pages", []):
        counts = [by_scale[s]["counts"].get(page, {}).get("queries") for s in order]
        seen = {c for c in counts if c is not None}
        rows.append([page, *[_n(c) for c in counts], "yes" if len(seen) <= 1 else "**no**"])
    return ["page / endpoint", *order, "equal"], rows


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


MAIN_HEADER = ["#", "measurement", "figure", "baseline (same run)", "ratio", "goal", "met"]


def markdown(results: dict, appendices: list[str] | None = None) -> str:
    meta, data = results["meta"], results.get("dataset", {})
    out = [
        "# Benchmarks",
        "",
        "Written by `python -m bench.run` (`make bench`, `make bench-pg`); see `bench/README.md` for what each "
        "figure measures. Every ratio is against a baseline measured in the same run on the same machine.",
        "",
        f"- scale **{meta['scale']}**, database **{meta['database']}**, {meta['started_at']}, commit "
        f"`{meta.get('git_commit') or '?'}`, {meta['cpu_count']} CPUs, Python {meta['python']}, Django {meta['django']}",
        f"- dataset: {_n(data.get('applications'))} applications, {_n(data.get('partners'))} partners, "
        f"{_n(data.get('time_reports'))} time reports, {_n(data.get('entries'))} journal entries, "
        f"{_n(data.get('postings'))} postings in {_n(data.get('books'))} books; built in "
        f"{_n(data.get('build_seconds'), 1)} s; chain verified: {_n(data.get('verified'))}",
        f"- whole run: {_n(meta.get('seconds'), 1)} s",
        "",
        markdown_table(MAIN_HEADER, main_rows(results)),
        "",
        "Ratios 1–3 are speed relative to the baseline (1.0 = as fast); 5 and 6 are time relative to the "
        "baseline (1.0 = no overhead).",
        "",
        "## Query counts",
        "",
        markdown_table(*query_rows(results)),
    ]
    notes = results.get("notes") or []
    if notes:
        out += ["", "## Where the time goes", ""] + [f"- {note}" for note in notes]
    errors = results.get("errors") or {}
    if errors:
        out += ["", "## Errors", ""] + [f"- {step}: {message}" for step, message in errors.items()]
    for text in appendices or []:  # bench/PROFILES.md and the national scale's NATIONAL.md, headings one level down
        out += [""] + [f"#{line}" if line.startswith("#") else line for line in text.strip().splitlines()]
    return "\n".join(out) + "\n"


def console(results: dict) -> str:
    """The tables as plain aligned text."""
    def aligned(header, rows):
        widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
        fmt = "  ".join(f"{{:<{w}}}" for w in widths)
        lines = [fmt.format(*header), fmt.format(*["-" * w for w in widths])]
        lines += [fmt.format(*[str(c).replace("**", "") for c in row]) for row in rows]
        return "\n".join(lines)

    meta = results["meta"]
    return "\n".join([
        f"Benchmarks — scale {meta['scale']}, {meta['database']}, {meta.get('seconds', 0):.1f} s",
        aligned(MAIN_HEADER, main_rows(results)),
        "",
        aligned(*query_rows(results)),
    ])


APPENDICES = ("PROFILES.md", "national/NATIONAL.md")  # under bench/, copied into BENCHMARKS.md when present


def appendices() -> list[str]:
    here = Path(__file__).resolve().parent
    return [(here / name).read_text(encoding="utf-8") for name in APPENDICES if (here / name).exists()]


def write(results: dict, folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    json_path, md_path = folder / "results.json", folder / "BENCHMARKS.md"
    json_path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    md_path.write_text(markdown(results, appendices()), encoding="utf-8")
    return json_path, md_path
