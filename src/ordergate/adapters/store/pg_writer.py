"""PostgreSQL bulk writes: COPY for appends, COPY into a temporary table then one UPDATE for changes.

psycopg's executemany spends more time per row in Python than the server does; COPY streams rows
in a fraction of that. Everything runs on the caller's connection, inside its transaction.
"""

from typing import Any

from sqlalchemy import Connection, Table

from ordergate.adapters.store.rows import ORDER_CHANGING, Row


def _columns(table: Table) -> str:
    return ", ".join(f'"{c.name}"' for c in table.columns)


def copy_rows(conn: Connection, table: Table | str, columns: str, rows: list[Row]) -> None:
    """Append rows to a table with COPY (rows in ``columns`` order)."""
    name = table if isinstance(table, str) else table.name
    driver: Any = conn.connection.driver_connection
    with driver.cursor() as cur, cur.copy(f"COPY {name} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def append(conn: Connection, table: Table, rows: list[Row]) -> None:
    """Append rows (in the table's column order) with COPY."""
    if rows:
        copy_rows(conn, table, _columns(table), rows)


_STAGE = "og_order_updates"
_STAGE_COLUMNS = ", ".join(f'"{n}"' for n in [*ORDER_CHANGING, "id"])
# Only the columns an update sets, and the id: the fixed ones are neither formatted nor parsed.
_CREATE_STAGE = (
    f"CREATE TEMP TABLE IF NOT EXISTS {_STAGE} ON COMMIT DELETE ROWS AS SELECT {_STAGE_COLUMNS} FROM orders"
    " WITH NO DATA"
)
_APPLY_STAGE = (
    "UPDATE orders AS o SET " + ", ".join(f'"{n}" = s."{n}"' for n in ORDER_CHANGING)
    + f' FROM {_STAGE} AS s WHERE o."id" = s."id"'
)


def update_orders(conn: Connection, rows: list[Row]) -> None:
    """Update existing orders from ``order_update_row`` rows: COPY them into a staging table, then one UPDATE."""
    if not rows:
        return
    conn.exec_driver_sql(_CREATE_STAGE)
    copy_rows(conn, _STAGE, _STAGE_COLUMNS, rows)
    conn.exec_driver_sql(_APPLY_STAGE)
