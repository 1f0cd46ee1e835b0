"""Query helpers that must behave the same, and use indexes, on SQLite and PostgreSQL."""

from django.db import connection
from django.db.models import Q


def prefix_q(field: str, prefix: str) -> Q:
    """`field` starts with `prefix`, written so that a B-tree index serves it.

    SQLite's LIKE is case-insensitive and so never uses an ordinary index; a half-open range
    does. On PostgreSQL the search-key columns use the "C" collation (people migration 0002),
    so LIKE 'prefix%' uses the same plain B-tree index that serves ORDER BY. The keys
    searched are already folded to lower-case ASCII, so both forms are exact.
    """
    if connection.vendor == "postgresql":
        return Q(**{f"{field}__startswith": prefix})
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix + "\U0010ffff"})


def insert_unless_taken(obj, *, unique_fields: tuple[str, ...]) -> bool:
    """INSERT `obj` unless a row already holds its values of `unique_fields` (a unique
    constraint without a condition); True, with `obj.pk` set, when this call inserted it.

    `INSERT … ON CONFLICT DO NOTHING RETURNING` on both databases: the duplicate-submission
    guard of a hot write path without the savepoint (two more statements) that catching
    the IntegrityError needs inside a transaction. No save() signals are sent: use it only
    for models nothing listens to.
    """
    from django.db import connections, router

    meta = obj._meta
    conn = connections[router.db_for_write(type(obj), instance=obj)]
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    quote = conn.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    conflict = ", ".join(quote(meta.get_field(name).column) for name in unique_fields)
    values = [f.get_db_prep_save(f.pre_save(obj, add=True), connection=conn) for f in fields]
    with conn.cursor() as cursor:
        cursor.execute(
            # Only quoted identifiers are formatted in; every value is a parameter.
            f"INSERT INTO {quote(meta.db_table)} ({columns}) "
            f"VALUES ({', '.join(['%s'] * len(fields))}) "
            f"ON CONFLICT ({conflict}) DO NOTHING RETURNING {quote(meta.pk.column)}",
            values,
        )
        row = cursor.fetchone()
    if row is None:
        return False
    obj.pk = row[0]
    obj._state.adding, obj._state.db = False, conn.alias
    return True
