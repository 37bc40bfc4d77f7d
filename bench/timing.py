"""Small timing helpers shared by the measurements."""
import statistics
import sys
import time


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
