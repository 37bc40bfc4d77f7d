"""Measurement 4: database queries per page and endpoint; the same at every scale, or an N+1 is hiding.

Each page is requested in-process with django.test.Client (API with a token, pages signed in) and
its queries are counted with CaptureQueriesContext; the second request counts (the first warms
sessions and caches). The subjects are the same at every scale: the big application, its call,
the officer, the auditor, the big application's applicant and a company representative of it.

`python -m bench.query_counts SCALE` builds a dataset of that scale in a database of its own and
prints the counts as JSON: the run uses it to compare with a second scale in the same run.
"""
import json
import sys

# name, user, kind, route name, route args (from the dataset), query string
PAGES = [
    ("api_applications_list", "officer", "api", "api:application-list", None, ""),
    ("api_application_detail", "officer", "api", "api:application-detail", "big_pk", ""),
    ("api_application_balances", "officer", "api", "api:application-balances-detail", "big_pk", ""),
    ("api_application_balances_list", "officer", "api", "api:application-balances-list", None, ""),
    ("api_call_balances", "officer", "api", "api:call-balances-detail", "call_pk", ""),
    ("api_ledger_entries_of_application", "auditor", "api", "api:ledger-entry-list", None, "application={big_pk}"),
    ("api_applications_list_applicant", "applicant", "api", "api:application-list", None, ""),
    ("ui_dashboard_officer", "officer", "ui", "web:dashboard", None, ""),
    ("ui_dashboard_applicant", "applicant", "ui", "web:dashboard", None, ""),
    ("ui_dashboard_company", "company", "ui", "web:dashboard", None, ""),
    ("ui_dashboard_auditor", "auditor", "ui", "web:dashboard", None, ""),
    ("ui_application_list", "officer", "ui", "web:application_list", None, ""),
    ("ui_application_detail", "officer", "ui", "web:application_detail", "big_reference", ""),
    ("ui_ledger_entries", "auditor", "ui", "ledger:entry_list", None, ""),
]


def _url(route, arg, query, values):
    from django.urls import reverse

    url = reverse(route, args=[values[arg]] if arg else None)
    return f"{url}?{query.format(**values)}" if query else url


def client_for(clients: dict, dataset, role: str, kind: str):
    """One client per role and kind, kept in `clients`: the API with the role's token, pages signed in."""
    from django.test import Client

    key = (role, kind)
    if key not in clients:
        if kind == "api":
            clients[key] = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Token {dataset.tokens[role]}",
                                  HTTP_ACCEPT="application/json")
        else:
            clients[key] = Client(HTTP_HOST="127.0.0.1")
            clients[key].force_login(dataset.users[role])
    return clients[key]


def measure(dataset) -> dict:
    """{page: {"queries": n, "status": code, "path": url}} (or "not available" when the route is missing)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch

    big = dataset.special["big"]
    values = {"big_pk": big.pk, "big_reference": big.reference, "call_pk": big.call_id}
    clients = {}
    found = {}
    for name, role, kind, route, arg, query in PAGES:
        try:
            url = _url(route, arg, query, values)
        except NoReverseMatch:
            found[name] = {"queries": None, "status": None, "path": route, "available": False}
            continue
        client = client_for(clients, dataset, role, kind)
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        found[name] = {"queries": len(captured.captured_queries), "status": response.status_code, "path": url,
                       "available": True}
    return found


def compare(by_scale: dict) -> dict:
    """Which pages' counts differ between the scales measured (a page missing at a scale is ignored)."""
    pages = sorted({page for counts in by_scale.values() for page in counts})
    differing = {}
    for page in pages:
        seen = {scale: counts[page]["queries"] for scale, counts in by_scale.items()
                if page in counts and counts[page].get("queries") is not None}
        if len(set(seen.values())) > 1:
            differing[page] = seen
    return {"equal_across_scales": not differing and len(by_scale) > 1, "differing": differing,
            "scales_compared": sorted(by_scale)}


def main(argv=None) -> int:
    from . import dataset as data
    from . import env

    scale = (argv or sys.argv[1:] or ["tiny"])[0]
    database = env.prepare()
    try:
        built = data.build(data.SCALE[scale])
        print(json.dumps(measure(built)))
    finally:
        database.drop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
