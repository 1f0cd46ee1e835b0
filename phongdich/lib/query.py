"""Query helpers that must behave the same, and use indexes, on SQLite and PostgreSQL."""

import threading
from collections.abc import Callable

from django.db import connection, connections
from django.db.models import Expression, Q, QuerySet


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


class Update:
    """`queryset.update(**values)` as a part of `write_together`: compiled, not run."""

    def __init__(self, queryset, **values):
        self.queryset, self.values = queryset, values

    def as_sql(self, conn) -> tuple[str, tuple]:
        from django.db.models import sql

        query = self.queryset.query.chain(sql.UpdateQuery)
        query.add_update_values(self.values)
        if query.related_updates:
            raise ValueError("write_together updates one table only")
        compiler = query.get_compiler(connection=conn)
        compiler.pre_sql_setup()  # a filter through a join becomes a pk IN (subquery)
        return compiler.as_sql()


def write_together(*parts) -> None:
    """Write every part in ONE round trip: an unsaved model instance is INSERTed, an
    `Update(queryset, **values)` runs as that queryset's `.update()`.

    On PostgreSQL the statements are chained as data-modifying CTEs of one statement
    (`WITH w0 AS (INSERT …), w1 AS (UPDATE …) INSERT …`), which PostgreSQL runs completely,
    in the caller's transaction: the rows of a write that need nothing back (its audit
    event, its history event, a link, a tick on a list) cost one round trip instead of one
    each. On other databases they run one after the other. Each statement is compiled by
    Django (field defaults, `auto_now_add`, expressions such as `audit.province_of`'s
    subquery, F() in updates), but:

    - no RETURNING: the instances get no primary key, so nothing may need theirs afterwards
      (build a one-to-one from the other row's id, not the instance: the instance would
      keep the unsaved row in its reverse cache);
    - no save() signals are sent: use it only for models nothing listens to;
    - the parts see the same snapshot (PostgreSQL's rule for CTEs): no part may depend on a
      row another part writes, and no two parts may write the same row.
    """
    from django.db import connections, router
    from django.db.models import sql

    parts = [part for part in parts if part is not None]
    if not parts:
        return
    first = parts[0].queryset.model if isinstance(parts[0], Update) else type(parts[0])
    conn = connections[router.db_for_write(first)]
    statements = []
    for part in parts:
        if isinstance(part, Update):
            text, params = part.as_sql(conn)
            if text:
                statements.append((text, params))
            continue
        meta = part._meta
        # The columns Model.save() would insert (Model._save_table).
        fields = [f for f in meta.local_concrete_fields if not f.generated]
        if part.pk is None:
            fields = [f for f in fields if f is not meta.auto_field]
        query = sql.InsertQuery(type(part))
        query.insert_values(fields, [part])
        statements.extend(query.get_compiler(connection=conn).as_sql())
    with conn.cursor() as cursor:
        if conn.vendor != "postgresql" or len(statements) == 1:
            for text, params in statements:
                cursor.execute(text, params)
            return
        *head, (last_sql, last_params) = statements
        ctes = ", ".join(f"w{i} AS ({text})" for i, (text, _params) in enumerate(head))
        params = [p for _text, chunk in head for p in chunk] + list(last_params)
        cursor.execute(f"WITH {ctes} {last_sql}", params)


class Param(Expression):
    """A named value of a `FixedQuery`: compiled as one placeholder, bound on every run.

    `field` prepares the value for the database as a lookup on it would (a datetime becomes
    SQLite's naive UTC text, a string stays a string)."""

    def __init__(self, name: str, field):
        super().__init__(output_field=field)
        self.name = name

    def as_sql(self, compiler, connection):
        return "%s", [self]

    def bind(self, values: dict, connection):
        return self.output_field.get_db_prep_value(values[self.name], connection)


class FixedQuery:
    """A hot read whose SQL never changes shape, compiled by the ORM once per process.

    `build()` returns the queryset with `Param(name, field)` where the values go; each call
    `rows(**values)` runs the compiled SQL with the values bound and returns what the
    queryset would: model instances (with their `select_related` rows) or `values_list`
    tuples. Building and compiling a queryset costs 1-2 ms of CPU per statement, more than
    the statement itself on a warm database: on the write paths of issue 17 that was a
    large share of each request (bench/README.md, 07/12/2026).

    Only for querysets of one shape: no branch in `build()` on a value (make two
    FixedQuery), no `.extra()`, and the SQL is the ORM's own, so it stays right on both
    databases and through schema changes. Statements go through Django's cursor: the
    execute wrappers (query counts, the audit of the connection) see them as before.
    """

    def __init__(self, build: Callable[[], QuerySet]):
        self._build = build
        self._compiled: dict[str, tuple] = {}
        self._lock = threading.Lock()

    def _compile(self, alias: str) -> tuple:
        from django.db.models.query import (
            ModelIterable,
            ValuesListIterable,
            get_related_populators,
        )

        queryset = self._build()
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        kind = queryset._iterable_class
        if kind is ModelIterable:
            klass_info, select = compiler.klass_info, compiler.select
            fields = klass_info["select_fields"]
            start, end = fields[0], fields[-1] + 1
            init_list = [column[0].target.attname for column in select[start:end]]
            hydrate = (
                klass_info["model"],
                start,
                end,
                init_list,
                get_related_populators(klass_info, select, alias),
            )
        elif kind is ValuesListIterable:  # its rows are the compiler's, as tuples
            hydrate = None
        else:
            raise TypeError("FixedQuery: model instances or plain values_list only")
        return compiler, sql, tuple(params), hydrate

    def rows(self, using: str = "default", **values) -> list:
        entry = self._compiled.get(using)
        if entry is None:
            with self._lock:
                entry = self._compiled.get(using) or self._compile(using)
                self._compiled[using] = entry
        compiler, sql, params, hydrate = entry
        conn = connections[using]
        bound = [p.bind(values, conn) if isinstance(p, Param) else p for p in params]
        with conn.cursor() as cursor:
            cursor.execute(sql, bound)
            fetched = cursor.fetchall()
        # The converters (compiler.results_iter) read only the backend's operations and
        # the selected columns, the same for every thread's connection of this alias.
        results = compiler.results_iter(results=[fetched], tuple_expected=True)
        if hydrate is None:
            return [tuple(row) for row in results]
        model, start, end, init_list, populators = hydrate
        found = []
        for row in results:
            obj = model.from_db(using, init_list, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            found.append(obj)
        return found
