"""Tables that never cut a value: narrow terminals drop the less important columns, pipes get plain text.

A terminal gets a rich table holding the columns that fit at full width, dropping the least important
first (an id is never shortened, so it can be copied to cancel). Output that is not a terminal (a pipe,
a file) gets every column as plain aligned text, with no colours and no line limit.
"""

import sys
from collections.abc import Sequence
from dataclasses import dataclass

from rich.console import Console
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text


@dataclass(frozen=True)
class Column:
    """A column: its header, how important it is (0 = always shown, higher = dropped first), alignment.

    ``wrap`` lets a long value (a list) fold onto more lines on a terminal instead of widening the table.
    """

    name: str
    drop_order: int = 0
    numeric: bool = False
    wrap: bool = False


@dataclass(frozen=True)
class Cell:
    """A value with an optional rich style (used only on a terminal)."""

    text: str
    style: str = ""


Row = Sequence[str | Cell]


def _cell(value: str | Cell) -> Cell:
    return value if isinstance(value, Cell) else Cell(value)


def show(console: Console, title: str, columns: Sequence[Column], rows: Sequence[Row],
         caption: str = "") -> None:
    """Print a table on ``console``: rich and narrowed to fit on a terminal, plain and complete otherwise."""
    if not console.is_terminal:
        _plain(title, columns, [[_cell(v) for v in row] for row in rows], caption)
        return
    console.print(fitted(console, title, columns, rows, caption))


def fitted(console: Console, title: str, columns: Sequence[Column], rows: Sequence[Row], caption: str = "") -> Table:
    """Return a rich table of the columns that fit ``console`` at full width, least important dropped first."""
    cells = [[_cell(v) for v in row] for row in rows]
    kept = list(range(len(columns)))
    table = _rich(title, columns, cells, kept, caption)
    while _too_wide(console, table) and _droppable(columns, kept):
        kept.remove(max(_droppable(columns, kept), key=lambda i: (columns[i].drop_order, i)))
        table = _rich(title, columns, cells, kept, caption)
    dropped = [columns[i].name for i in range(len(columns)) if i not in kept]
    if dropped:
        note = f"hidden to fit {console.width} columns: {', '.join(dropped)}; --json shows all"
        table.caption = f"{caption}  ({note})" if caption else f"({note})"
    return table


def _droppable(columns: Sequence[Column], kept: list[int]) -> list[int]:
    return [i for i in kept if columns[i].drop_order > 0]


def _too_wide(console: Console, table: Table) -> bool:
    wide = console.options.update_width(100_000)  # measure the natural width, not one already fitted
    return Measurement.get(console, wide, table).maximum > console.width


def _rich(title: str, columns: Sequence[Column], cells: list[list[Cell]], kept: list[int], caption: str) -> Table:
    table = Table(title=title, caption=caption or None)
    for i in kept:
        column = columns[i]
        table.add_column(column.name, justify="right" if column.numeric else "left", no_wrap=not column.wrap,
                         overflow="fold" if column.wrap else "ellipsis", min_width=8 if column.wrap else None)
    for row in cells:
        table.add_row(*(Text(row[i].text, style=row[i].style) for i in kept))
    return table


def _plain(title: str, columns: Sequence[Column], cells: list[list[Cell]], caption: str) -> None:
    """Write every column as aligned plain text, straight to stdout (no console width applies)."""
    grid = [[c.name for c in columns], *([cell.text for cell in row] for row in cells)]
    widths = [max(len(line[i]) for line in grid) for i in range(len(columns))]
    lines = [title] if title else []
    for line in grid:
        parts = [text.rjust(w) if c.numeric else text.ljust(w)
                 for text, w, c in zip(line, widths, columns, strict=True)]
        lines.append("  ".join(parts).rstrip())
    if caption:
        lines.append(caption)
    sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.flush()


def show_fields(console: Console, title: str, fields: Sequence[tuple[str, str]]) -> None:
    """Print name/value pairs: a two-column table on a terminal (values wrap, never cut), plain lines otherwise."""
    if not console.is_terminal:
        width = max((len(name) for name, _ in fields), default=0)
        sys.stdout.write("\n".join([title, *(f"{name.ljust(width)}  {value}" for name, value in fields)]) + "\n")
        sys.stdout.flush()
        return
    table = Table(title=title, show_header=False)
    table.add_column("field", style="bold", no_wrap=True)
    table.add_column("value", overflow="fold")
    for name, value in fields:
        table.add_row(name, Text(value))
    console.print(table)
