"""The query-count table compares only counts of the same code: counts kept from an earlier run, or taken
by the national bench, join the table only when they were measured at the same commit on the same database."""
import json

from bench.run import earlier_query_counts, national_query_counts

COUNTS = {"ui_dashboard_officer": {"queries": 9, "status": 200, "path": "/", "available": True}}


def write(folder, name, data):
    (folder / name).parent.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(json.dumps(data), encoding="utf-8")


def test_earlier_counts_of_another_commit_are_dropped(tmp_path):
    write(tmp_path, "results.json", {"meta": {"database": "sqlite", "git_commit": "aaa", "started_at": "t"},
                                      "query_counts": {"by_scale": {"full": {"counts": COUNTS, "database": "sqlite"}}}})
    assert earlier_query_counts(tmp_path, {"small"}, "bbb") == {}
    kept = earlier_query_counts(tmp_path, {"small"}, "aaa")
    assert kept["full"]["counts"] == COUNTS and kept["full"]["commit"] == "aaa"
    assert earlier_query_counts(tmp_path, {"full"}, "aaa") == {}  # measured in this run already


def test_the_national_column_comes_from_the_national_bench_of_the_same_commit(tmp_path):
    pages = {"ui_dashboard_officer": {"queries": 9, "status": 200, "path": "/", "ms": 12.0}}
    write(tmp_path, "results.json", {"meta": {"database": "postgresql", "git_commit": "aaa",
                                                        "scale": "national", "started_at": "t"},
                                               "pages": {"pages": pages}})
    found = national_query_counts(tmp_path, "postgresql", "aaa")
    assert found["national"]["counts"]["ui_dashboard_officer"]["queries"] == 9
    assert national_query_counts(tmp_path, "postgresql", "bbb") == {}
    assert national_query_counts(tmp_path, "sqlite", "aaa") == {}
