"""Small timing helpers shared by the measurements."""
import statistics
import sys
import time
import traceback


def percentile(values, p: float) -> float:
    """The p-th percentile (0–100) by linear interpolation between the nearest ranks."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * p / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median_seconds(function, repeats: int, warmup: int = 1) -> float:
    """Median wall time of `function()` over `repeats` calls after `warmup` untimed ones."""
    for _ in range(warmup):
        function()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def rounded(value, digits: int = 3):
    return None if value is None else round(value, digits)


def log(message: str) -> None:
    """A progress line on stderr with the UTC time (the benches run for minutes to an hour)."""
    print(f"[bench {time.strftime('%H:%M:%S', time.gmtime())}] {message}", file=sys.stderr, flush=True)


class Steps:
    """Runs a bench's named measurements: each timed and logged, and a failure recorded in
    `results["errors"]` without hiding the others; `after(name, value)` runs after each (to save)."""

    def __init__(self, results: dict, after=None):
        self.results, self.after, self.failed = results, after, False

    def __call__(self, name: str, function):
        log(f"{name} …")
        t0 = time.perf_counter()
        try:
            value = function()
        except Exception as exc:  # noqa: BLE001 - one failed measurement must not hide the others
            self.failed = True
            self.results["errors"][name] = f"{type(exc).__name__}: {exc}"
            traceback.print_exc()
            value = None
        self.results["meta"]["step_seconds"][name] = round(time.perf_counter() - t0, 2)
        log(f"{name} done in {time.perf_counter() - t0:.1f} s")
        if self.after is not None:
            self.after(name, value)
        return value
