"""`make bench-national` at tiny scale (the same code as the national run), on whatever DATABASE_URL
selects: every step reports, the books verify, the pages answer, and the tables are written."""
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_national_bench_runs_every_step_at_tiny_scale(tmp_path):
    env = dict(os.environ, BENCH_SCALE="tiny", BENCH_OUTPUT_DIR=str(tmp_path))
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run([sys.executable, "-m", "bench.national"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-4000:]
    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert results["errors"] == {} and results["meta"]["finished"]
    assert results["verification"]["ok"] and results["verification"]["entries"] == results["dataset"]["entries"]
    assert {page["status"] for page in results["pages"]["pages"].values()} == {200}
    assert set(results["documents"]) == {"big", "entries_20", "entries_60"}
    if results["meta"]["database"] == "postgresql":
        assert set(results["partitioning"]["queries"]) == {"entries_of_a_book", "postings_of_a_book",
                                                           "newest_entries_of_an_application"}
    else:
        assert results["partitioning"] == {"skipped": "PostgreSQL only"}
    assert "Full verification of every book" in (tmp_path / "NATIONAL.md").read_text(encoding="utf-8")
