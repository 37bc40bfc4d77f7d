"""INSERT of ledger rows without the ORM's per-statement compilation (bench/, measurement 1).

The values are prepared by each field's own `get_db_prep_save`, exactly as `Model.save()` and
`bulk_create` prepare them, so the stored rows are the same; only the SQL text is built once per
model and row count and kept. Used by the journal (entries, postings, account totals) and the
checkpoints; nothing else writes those tables.
"""
from functools import lru_cache

from django.db import connections, router

from .models import AccountTotal

PLAIN = frozenset({"ForeignKey", "IntegerField", "BigIntegerField", "PositiveIntegerField", "PositiveBigIntegerField",
                   "PositiveSmallIntegerField", "SmallIntegerField"})


@lru_cache(maxsize=64)
def _sql(vendor: str, table: str, columns: tuple, rows: int, pk_column: str) -> str:
    # `vendor` keys the cache: quoting and placeholders are the same on SQLite and PostgreSQL here.
    quoted = ", ".join(f'"{column}"' for column in columns)
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    return f'INSERT INTO "{table}" ({quoted}) VALUES {", ".join([one] * rows)} RETURNING "{pk_column}"'


def insert(objs: list, *, using: str = "default") -> None:
    """INSERT unsaved instances of one model in one statement and set their primary keys."""
    if not objs:
        return
    model = type(objs[0])
    connection = connections[using]
    if not connection.features.can_return_rows_from_bulk_insert:
        model.objects.using(using).bulk_create(objs)
        return
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    # Integers and foreign keys go as they are (what their get_db_prep_save returns for an int anyway);
    # text, decimals, datetimes and JSON through their field, as save() sends them.
    prepare = [(f.attname, None if f.get_internal_type() in PLAIN else f) for f in fields]
    params = []
    for obj in objs:
        params.extend(getattr(obj, name) if f is None else f.get_db_prep_save(f.pre_save(obj, True), connection)
                      for name, f in prepare)
    sql = _sql(connection.vendor, meta.db_table, tuple(f.column for f in fields), len(objs), meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = [row[0] for row in cursor.fetchall()]
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding, obj._state.db = False, using


def first(model, where: str, params, *, order: str = "", lock: bool = False, using: str | None = None):
    """The first instance of `model` matching a WHERE clause written for it (columns of its table), or
    None; `lock`: FOR NO KEY UPDATE of the row on PostgreSQL, as `core.locking.for_update` takes it
    (SQLite's IMMEDIATE transactions already serialise writers); a lock is taken on `default`, a plain
    read goes where the database router sends it."""
    using = using or ("default" if lock else router.db_for_read(model) or "default")
    connection = connections[using]
    sql = f'SELECT * FROM "{model._meta.db_table}" WHERE {where}'
    if order:
        sql += f" ORDER BY {order}"
    sql += " LIMIT 1"
    if lock and connection.vendor == "postgresql":
        sql += " FOR NO KEY UPDATE"
    found = list(model.objects.using(using).raw(sql, params))
    return found[0] if found else None


@lru_cache(maxsize=16)
def totals_sql(table: str, rows: int) -> str:
    """The upsert that adds `rows` (account, kind, corrected kind, amount, hours, postings) to the totals."""
    one = "(%s, %s, %s, %s, %s, %s)"
    add = ", ".join(f'"{c}" = ROUND("{table}"."{c}" + excluded."{c}", 2)' for c in ("amount", "hours"))
    return (f'INSERT INTO "{table}" ("account_id", "entry_kind", "corrected_kind", "amount", "hours", "postings") '
            f'VALUES {", ".join([one] * rows)} ON CONFLICT ("account_id", "entry_kind", "corrected_kind") '
            f'DO UPDATE SET {add}, "postings" = "{table}"."postings" + excluded."postings"')


def add_to_totals(postings, *, using: str = "default", chunk: int = 200) -> None:
    """Add postings — (account id, entry kind, corrected entry's kind or "", amount, hours or None) — to
    the account totals in one upsert per `chunk` keys (SQLite and PostgreSQL both know ON CONFLICT;
    ROUND keeps SQLite's floating sum on the öre)."""
    summed: dict[tuple, list] = {}
    for account_id, kind, corrected, amount, hours in postings:
        row = summed.setdefault((account_id, kind, corrected or ""), [0, 0, 0])
        row[0] += amount
        row[1] += hours or 0
        row[2] += 1
    if not summed:
        return
    keys = list(summed)
    connection = connections[using]
    with connection.cursor() as cursor:
        for first in range(0, len(keys), chunk):
            part = keys[first:first + chunk]
            params = []
            for key in part:
                amount, hours, count = summed[key]
                params.extend((*key, amount, hours, count))
            cursor.execute(totals_sql(AccountTotal._meta.db_table, len(part)), params)
