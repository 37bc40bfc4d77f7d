"""Measurement 3: the API under gunicorn vs the same rows through a bare DRF view on the same server.

Each endpoint's baseline is its floor (bench/urls.py, BARE): a bare ListAPIView / RetrieveAPIView with a
plain ModelSerializer over the same rows (the balances: the same postings summed in the database), same
authentication and renderer, measured just before it. A bare DRF view returning a constant
(`/api/bench/constant/`) is kept as a second baseline, before and after the others.

gunicorn runs bench.wsgi (the project plus /api/bench/constant/) with 2 sync workers on 127.0.0.1,
a free port, and the bench database. A bounded load generator — Python threads, http.client, a
new connection per request (sync workers close it anyway), a token in `Authorization: Token …` —
sends a fixed number of GET requests per endpoint with a time cap, after a warm-up. The constant
endpoint is measured before and after the others; the baseline is the mean of the two. Note the
load generator shares the machine's cores with the workers; it does so equally for every endpoint.
"""
import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from .timing import percentile, rounded

GOAL = 0.7  # of the bare view on the same rows
P95_GOAL_MS = 50
WORKERS = 2
CLIENT_THREADS = 4
ROOT = Path(__file__).resolve().parent.parent

ENDPOINTS = [
    # name, route name, argument from the dataset
    ("applications_list", "api:application-list", None),
    ("application_detail", "api:application-detail", "big_pk"),
    ("application_balances", "api:application-balances-detail", "big_pk"),
    ("call_balances", "api:call-balances-detail", "call_pk"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, database, port: int):
        self.port = port
        self.log_path = Path(database.cleanup_dir or "/tmp") / "gunicorn.log"
        self.log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "bench.wsgi:application", "--workers", str(WORKERS),
             "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--timeout", "120",
             "--graceful-timeout", "5"],
            cwd=ROOT, env=database.child_env(), stdout=self.log, stderr=subprocess.STDOUT)

    def wait_ready(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log_path.read_text(errors='replace')[-2000:]}")
            try:
                status, _body = get(self.port, "/healthz", {})
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer /healthz in time")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.log.close()


def get(port: int, path: str, headers: dict) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def load(port: int, path: str, headers: dict, requests: int, seconds: float, threads: int = CLIENT_THREADS) -> dict:
    """Send `requests` GETs from `threads` threads, stopping early after `seconds`."""
    lock = threading.Lock()
    issued = 0
    latencies, statuses = [], Counter()
    started = time.perf_counter()
    deadline = started + seconds
    finished = [started]

    def worker():
        nonlocal issued
        while True:
            with lock:
                if issued >= requests or time.perf_counter() > deadline:
                    return
                issued += 1
            t0 = time.perf_counter()
            try:
                status, _body = get(port, path, headers)
            except OSError:
                status = "error"
            t1 = time.perf_counter()
            with lock:
                latencies.append(t1 - t0)
                statuses[status] += 1
                finished[0] = max(finished[0], t1)

    pool = [threading.Thread(target=worker, daemon=True) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = finished[0] - started
    ok = statuses.get(200, 0)
    return {
        "path": path, "requests": len(latencies), "errors": len(latencies) - ok,
        "statuses": {str(k): v for k, v in statuses.items()},
        "requests_per_s": rounded(ok / elapsed if elapsed > 0 else 0.0, 2),
        "p50_ms": rounded(1000 * percentile(latencies, 50), 2),
        "p95_ms": rounded(1000 * percentile(latencies, 95), 2),
        "seconds": rounded(elapsed, 3),
    }


def measure(dataset, database) -> dict:
    from django.urls import NoReverseMatch, reverse

    from bench.urls import BARE, CONSTANT_PATH

    scale = dataset.scale
    big = dataset.special["big"]
    values = {"big_pk": big.pk, "call_pk": big.call_id}
    headers = {"Authorization": f"Token {dataset.tokens['officer']}", "Accept": "application/json",
               "Host": "127.0.0.1"}
    server = Server(database, free_port())
    results = {"workers": WORKERS, "client_threads": CLIENT_THREADS, "requests_per_endpoint": scale.api_requests,
               "time_cap_s": scale.api_seconds, "user": "officer",
               "goal": f">= {GOAL} of the bare view, p95 <= {P95_GOAL_MS} ms", "endpoints": {}}
    try:
        server.wait_ready()

        def run(path):
            for _ in range(2 * CLIENT_THREADS):  # warm-up: both workers load the code path
                get(server.port, path, headers)
            return load(server.port, path, headers, scale.api_requests, scale.api_seconds)

        status, body = get(server.port, CONSTANT_PATH, headers)
        if status != 200:
            raise RuntimeError(f"the constant endpoint answered {status}: {body[:200]!r}")
        before = run(CONSTANT_PATH)
        for name, route, arg in ENDPOINTS:
            try:
                path = reverse(route, args=[values[arg]] if arg else None)
            except NoReverseMatch:
                results["endpoints"][name] = {"available": False, "reason": f"no route {route}"}
                continue
            status, body = get(server.port, path, headers)
            if status != 200:
                results["endpoints"][name] = {"available": False, "path": path,
                                              "reason": f"HTTP {status}: {body[:200]!r}"}
                continue
            bare_path = BARE[name][0].replace("{pk}", str(values[arg])) if arg else BARE[name][0]
            bare_status, bare_body = get(server.port, bare_path, headers)
            if bare_status != 200:
                raise RuntimeError(f"the bare view {bare_path} answered {bare_status}: {bare_body[:200]!r}")
            bare = {"response_bytes": len(bare_body), **run(bare_path)}
            results["endpoints"][name] = {"available": True, "response_bytes": len(body), **run(path), "bare": bare}
        after = run(CONSTANT_PATH)
    finally:
        server.stop()
    baseline_rps = (before["requests_per_s"] + after["requests_per_s"]) / 2
    results["baseline"] = {"path": CONSTANT_PATH, "before": before, "after": after,
                           "requests_per_s": rounded(baseline_rps, 2),
                           "p50_ms": rounded((before["p50_ms"] + after["p50_ms"]) / 2, 2),
                           "p95_ms": rounded((before["p95_ms"] + after["p95_ms"]) / 2, 2)}
    for figures in results["endpoints"].values():
        if figures.get("available"):
            bare_rps = figures["bare"]["requests_per_s"]
            ratio = figures["requests_per_s"] / bare_rps if bare_rps else 0.0
            figures["ratio"] = rounded(ratio, 3)
            figures["ratio_to_constant"] = rounded(figures["requests_per_s"] / baseline_rps if baseline_rps else 0.0, 3)
            figures["p95_met"] = figures["p95_ms"] <= P95_GOAL_MS
            figures["met"] = ratio >= GOAL and figures["p95_met"]
    results["available"] = any(f.get("available") for f in results["endpoints"].values())
    results["cpu_count"] = os.cpu_count()
    return results
