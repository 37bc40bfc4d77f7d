"""Row locks for services: one definition of how we lock, so every service locks the same way.

FOR NO KEY UPDATE (not FOR UPDATE): we never change keys, and this mode does not
conflict with the KEY SHARE locks PostgreSQL takes when another transaction inserts
a row that references the locked one (an audit event, a time report). Without it,
concurrent contributions deadlock. `of=("self",)` keeps joined rows unlocked.
SQLite ignores row locks; its IMMEDIATE transactions serialise writers instead.
"""


def for_update(queryset):
    return queryset.select_for_update(no_key=True, of=("self",))
