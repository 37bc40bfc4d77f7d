"""The benchmark's own database: never the developer's db.sqlite3.

SQLite (the default): a fresh file in a temporary folder. PostgreSQL (DATABASE_URL given, as
under .ci/with-postgres): a fresh database created beside the given one and dropped at the end.
`prepare()` must run before Django is set up: it points DATABASE_URL at that database and selects
bench.settings, then migrates.
"""
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
SCALES = ("tiny", "small", "full", "national")


def scale_name() -> str:
    scale = os.environ.get("BENCH_SCALE", "small").strip().lower() or "small"
    if scale not in SCALES:
        raise SystemExit(f"BENCH_SCALE must be one of {', '.join(SCALES)}, not {scale!r}")
    return scale


@dataclass
class BenchDatabase:
    url: str
    vendor: str
    cleanup_dir: str | None = None
    admin_url: str | None = None
    name: str | None = None
    migrate_seconds: float = 0.0
    extra: dict = field(default_factory=dict)

    def describe(self) -> str:
        if self.vendor == "sqlite":
            return f"SQLite file {self.url.removeprefix('sqlite:///')}"
        return f"PostgreSQL database {self.name} (dropped at the end)"

    def child_env(self) -> dict:
        """Environment for a subprocess (gunicorn) that must use the same database."""
        env = dict(os.environ)
        env["DATABASE_URL"] = self.url
        env["DJANGO_SETTINGS_MODULE"] = "bench.settings"
        return env

    def drop(self) -> None:
        from django.db import connections

        connections.close_all()
        if self.cleanup_dir:
            shutil.rmtree(self.cleanup_dir, ignore_errors=True)
        if self.vendor == "sqlite":
            return
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def _postgres(url: str) -> BenchDatabase:
    import psycopg

    parts = urlsplit(url)
    base = parts.path.lstrip("/") or "postgres"
    name = f"{base}_bench_{os.getpid()}_{int(time.time())}"[:63]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING \'UTF8\'')
    bench_url = urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))
    return BenchDatabase(url=bench_url, vendor="postgresql", admin_url=url, name=name)


def prepare(*, quiet: bool = True) -> BenchDatabase:
    """Create the bench database, set up Django on it with bench.settings, and migrate."""
    given = os.environ.get("DATABASE_URL", "")
    folder = tempfile.mkdtemp(prefix="testbed-bench-")
    if given.startswith(("postgres://", "postgresql://", "pgsql://")):
        database = _postgres(given)
    else:
        database = BenchDatabase(url=f"sqlite:///{folder}/bench.sqlite3", vendor="sqlite")
    database.cleanup_dir = folder
    os.environ["DATABASE_URL"] = database.url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["DJANGO_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ["MEDIA_ROOT"] = os.path.join(folder, "media")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    database.migrate_seconds = time.perf_counter() - started
    return database
