"""The audit trail export (CSV): every AuditEvent — who, when, what, which object, from → to, old → new.

Streamed row by row over a chunked iterator, so memory stays flat. Columns are
documented in reports/EXPORT_FORMAT.md.
"""
from ledger.chain import format_timestamp

from .cells import SafeCsvWriter
from .journal_export import LineBuffer, canonical_json

AUDIT_COLUMNS = ["id", "occurred_at", "actor", "action", "object_type", "object_id", "object", "application",
                 "from_state", "to_state", "comment", "changes", "changes_json"]


def describe_changes(changes) -> str:
    """{"amount": ["200000.00", "175000.00"]} → 'amount: 200000.00 → 175000.00' (fields joined by '; ')."""
    if not isinstance(changes, dict):
        return str(changes or "")
    parts = []
    for field in sorted(changes):
        value = changes[field]
        if isinstance(value, list | tuple) and len(value) == 2:
            old, new = ("∅" if v is None else v for v in value)
            parts.append(f"{field}: {old} → {new}")
        else:
            parts.append(f"{field}: {value}")
    return "; ".join(parts)


def csv_lines(events):
    writer = SafeCsvWriter(LineBuffer())
    yield writer.writerow(AUDIT_COLUMNS).encode("utf-8")
    rows = (events.order_by("occurred_at", "id")
            .values_list("id", "occurred_at", "actor_name", "action", "object_type", "object_id", "object_repr",
                         "application__reference", "from_state", "to_state", "comment", "changes"))
    for pk, at, actor, action, otype, oid, orepr, reference, from_state, to_state, comment, changes in rows.iterator(
            chunk_size=2000):
        yield writer.writerow([pk, format_timestamp(at), actor, action, otype, oid, orepr, reference or "",
                               from_state, to_state, comment, describe_changes(changes),
                               canonical_json(changes or {})]).encode("utf-8")
