"""PostgreSQL group commit: a batch's statements in one pipeline, each table's rows as column arrays.

A table's new rows go in one ``INSERT ... SELECT FROM unnest(...)`` and the changed orders in one
``UPDATE ... FROM unnest(...)``, one array per column, so psycopg formats no per-row statement and the
server parses each statement once. The statements go in one pipeline: a batch costs one round trip
(then the commit's) rather than one or two per table. Everything runs on the caller's connection,
inside its transaction.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql

from ordergate.adapters.store.rows import ORDER_CHANGING, Row

_DIALECT = postgresql.dialect()  # type: ignore[no-untyped-call]


def _array_type(table: Table, name: str) -> str:
    """Return the array type a column's values are sent as: text for strings (the column's own length
    check then refuses a value too long, where a cast to varchar(n) would cut it), else the column's type."""
    sql_type = table.c[name].type.compile(dialect=_DIALECT).lower()
    if sql_type.startswith("varchar"):
        return "text[]"
    return "timestamptz[]" if sql_type == "timestamp with time zone" else f"{sql_type}[]"


def _unnest(table: Table, names: list[str]) -> str:
    # Binary parameters: psycopg formats a datetime as text about forty times slower than as binary.
    return "unnest(" + ", ".join(f"%b::{_array_type(table, n)}" for n in names) + ")"


def _decimal_text(values: tuple[Any, ...]) -> list[Any]:
    # Decimals go as their text, as COPY sent them (psycopg's numeric dumpers cost several times str()).
    return [None if v is None else str(v) for v in values]


def _same(values: tuple[Any, ...]) -> list[Any]:
    return list(values)


class ArraySql:
    """A statement whose parameters are its rows as one array per column, with each column's conversion."""

    def __init__(self, sql: str, table: Table, names: list[str]) -> None:
        self.sql = sql
        self._convert = [_decimal_text if _array_type(table, n) == "numeric[]" else _same for n in names]

    def params(self, rows: list[Row]) -> list[list[Any]]:
        """Return rows as one list per column (what psycopg sends as arrays)."""
        return [convert(column) for convert, column in zip(self._convert, zip(*rows, strict=True), strict=True)]


def insert_sql(table: Table) -> ArraySql:
    """Return the INSERT of a table's rows from one array per column."""
    names = [c.name for c in table.columns]
    quoted = ", ".join(f'"{n}"' for n in names)
    return ArraySql(f"INSERT INTO {table.name} ({quoted}) SELECT * FROM {_unnest(table, names)}", table, names)


def update_orders_sql(orders: Table) -> ArraySql:
    """Return the UPDATE of orders from ``order_update_row`` rows as column arrays, joined on the id."""
    names = [*ORDER_CHANGING, "id"]
    sets = ", ".join(f'"{n}" = s."{n}"' for n in ORDER_CHANGING)
    aliases = ", ".join(f'"{n}"' for n in names)
    sql = f'UPDATE orders AS o SET {sets} FROM {_unnest(orders, names)} AS s({aliases}) WHERE o."id" = s."id"'
    return ArraySql(sql, orders, names)


class PgBatchWriter:
    """Queue one batch's statements on a psycopg cursor in pipeline mode (see ``pipelined``)."""

    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor

    def arrays(self, statement: ArraySql, rows: list[Row]) -> None:
        """Queue a statement whose parameters are ``rows`` as column arrays (nothing when there are none)."""
        if rows:
            self._cursor.execute(statement.sql, statement.params(rows))

    def each(self, sql: str, rows: list[Row]) -> None:
        """Queue a statement once per row (for the few upserted rows of a batch)."""
        if rows:
            self._cursor.executemany(sql, rows)


@contextmanager
def pipelined(conn: Connection) -> Iterator[PgBatchWriter]:
    """Yield a writer whose statements go in one pipeline; the first error among them raises at the end."""
    driver: Any = conn.connection.driver_connection
    with driver.pipeline(), driver.cursor() as cursor:
        yield PgBatchWriter(cursor)
