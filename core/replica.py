"""Read-replica routing for reports and verification (DATABASE_REPLICA_URL; DESIGN §7 and bench/).

With DATABASE_REPLICA_URL set, settings add a `replica` database alias and `ReplicaRouter`. Reads
inside `reads()` (the report downloads, verify_ledger and the verification behind a statement) then go
to the replica, and every other read and every write to `default`, as before. A read inside an open
transaction on `default` stays there, so a writer always sees its own writes: verify_and_record reads
the chain from the replica and writes its signed run and checkpoint on the primary. Without the
variable there is no alias and no router, and nothing changes.

What a replica behind the primary shows is an older, consistent state: a verification there verifies
the book up to the head the replica has, and a checkpoint signed from it covers that prefix.
"""
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
_reading: ContextVar[bool] = ContextVar("replica_reads", default=False)


@contextmanager
def reads():
    """Send the reads of this block to the read replica, when there is one."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def reading(function):
    """Decorator: `function` reads through `reads()`."""
    @wraps(function)
    def wrapper(*args, **kwargs):
        with reads():
            return function(*args, **kwargs)
    return wrapper


def configured() -> bool:
    return REPLICA in connections.settings


def alias_for_reads() -> str:
    """The alias a read goes to now: the replica inside `reads()` outside a transaction, else default."""
    if _reading.get() and configured() and not connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return REPLICA
    return DEFAULT_DB_ALIAS


class ReplicaRouter:
    """DATABASE_ROUTERS entry when DATABASE_REPLICA_URL is set."""

    def db_for_read(self, model, **hints):
        return alias_for_reads()

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two doors

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS  # the replica follows the primary; nobody migrates it
