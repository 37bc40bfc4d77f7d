"""The benchmarks at tiny scale: the same `python -m bench.run` as `make bench`, so the scripts cannot rot.

One run (a subprocess with a database of its own, on whatever DATABASE_URL selects) feeds every
test below. They check that each figure is there and sane — never how fast anything is.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.query_counts import PAGES, compare

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bench")
    env = dict(os.environ, BENCH_SCALE="tiny", BENCH_OUTPUT_DIR=str(folder))
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run([sys.executable, "-m", "bench.run"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-4000:]
    return {"results": json.loads((folder / "results.json").read_text(encoding="utf-8")),
            "table": (folder / "BENCHMARKS.md").read_text(encoding="utf-8"), "stdout": done.stdout}


@pytest.fixture
def results(run):
    return run["results"]


def test_the_run_reports_no_errors(results):
    assert results["errors"] == {}
    assert results["meta"]["scale"] == "tiny"


def test_the_bulk_inserted_journal_verifies_before_and_after_the_run(results):
    assert results["dataset"]["verified"] is True
    assert results["dataset"]["verified_after_run"] is True


def test_the_special_applications_have_the_sizes_the_measurements_name(results):
    special = results["dataset"]["special"]
    assert special["entries_20"]["entries"] == 20
    assert special["entries_60"]["entries"] == 60
    # 200 money entries of two legs; the commitment's other leg is on the call's budget account.
    assert special["big"]["postings"] == 2 * 200 - 1


def test_posting_throughput_has_both_rates_and_their_ratio(results):
    p = results["posting_throughput"]
    assert p["entries"] > 0
    assert p["service_entries_per_s"] > 0 and p["sql_entries_per_s"] > 0
    assert p["ratio"] == pytest.approx(p["service_entries_per_s"] / p["sql_entries_per_s"], rel=0.01)
    assert isinstance(p["met"], bool)


def test_batched_posting_has_both_rates_and_their_ratio(results):
    p = results["posting_batched"]
    assert p["entries"] > 0 and p["entries_per_transaction"] == 100
    assert p["ratio"] == pytest.approx(p["service_entries_per_s"] / p["sql_entries_per_s"], rel=0.01)


def test_verification_checks_every_entry_of_the_dataset(results):
    v = results["verification"]
    assert v["ok"] is True
    assert v["entries"] == results["dataset"]["entries"]
    assert v["verify_entries_per_s"] > 0 and v["floor_entries_per_s"] > 0
    assert v["ratio"] == pytest.approx(v["verify_entries_per_s"] / v["floor_entries_per_s"], rel=0.01)
    assert "proposed_values_feed" not in v


def test_every_api_endpoint_answered_200_with_latencies(results):
    api = results["api"]
    assert api["available"] is True
    assert api["baseline"]["requests_per_s"] > 0
    for name, figures in api["endpoints"].items():
        assert figures["available"] is True, name
        assert figures["errors"] == 0 and figures["requests"] > 0, name
        assert 0 < figures["p50_ms"] <= figures["p95_ms"], name
        assert figures["bare"]["requests_per_s"] > 0 and figures["bare"]["errors"] == 0, name
        assert figures["ratio"] == pytest.approx(figures["requests_per_s"] / figures["bare"]["requests_per_s"],
                                                 rel=0.01), name
        assert figures["ratio_to_constant"] > 0, name


def test_query_counts_are_recorded_for_every_page(results):
    counts = results["query_counts"]["by_scale"]["tiny"]["counts"]
    assert set(counts) == {name for name, *_rest in PAGES}
    for name, page in counts.items():
        assert page["status"] == 200, name
        assert isinstance(page["queries"], int) and page["queries"] > 0, name


def test_query_count_comparison_names_the_pages_that_differ():
    tiny = {"a": {"queries": 5}, "b": {"queries": 7}}
    small = {"a": {"queries": 5}, "b": {"queries": 9}}
    found = compare({"tiny": tiny, "small": small})
    assert found["equal_across_scales"] is False
    assert found["differing"] == {"b": {"tiny": 7, "small": 9}}


def test_statement_pdfs_are_timed_for_three_sizes(results):
    s = results["statement_pdf"]
    assert s["available"] is True
    sizes = sorted(int(entries) for entries in s["applications"])
    assert len(sizes) == 3 and sizes[0] == 20 and sizes[1] == 60
    for figures in s["applications"].values():
        assert figures["pages"] >= 1
        assert figures["end_to_end_s"] > 0 and figures["weasyprint_s"] > 0
        assert figures["ratio"] == pytest.approx(figures["end_to_end_s"] / figures["weasyprint_s"], rel=0.01)


def test_balances_are_timed_against_a_sum_over_the_same_rows(results):
    b = results["balances"]
    assert b["application"]["postings"] == results["dataset"]["special"]["big"]["postings"]
    assert b["call"]["postings"] > b["application"]["postings"]
    for figures in (b["application"], b["call"]):
        assert figures["selector_ms"] > 0 and figures["bare_sum_ms"] > 0


def test_the_table_lists_every_measurement(run):
    rows = [line for line in run["table"].splitlines() if line.startswith("| ")]
    numbers = {row.split("|")[1].strip() for row in rows}
    assert {"1", "2", "3", "4", "5", "6"} <= numbers
    assert "Posting throughput" in run["stdout"]


def test_tamper_evidence_costs_have_both_rates_and_their_ratios(results):
    """Issue 14: appends with vs without signed checkpoints; full verification with proofs vs the chain."""
    c = results["tamper_evidence"]
    a, v = c["append"], c["verification"]
    assert a["with_checkpoints_entries_per_s"] > 0 and a["without_checkpoints_entries_per_s"] > 0
    assert a["ratio"] == pytest.approx(a["with_checkpoints_entries_per_s"] / a["without_checkpoints_entries_per_s"],
                                       rel=0.01)
    assert v["ok"] is True and v["ratio"] > 0
    assert c["slice"]["entries"] > 0
