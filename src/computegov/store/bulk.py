"""Bulk inserts for the few places that write a million rows in one transaction.

SQLAlchemy's executemany still converts each row's parameters in Python, which dominates at
that scale; `insert_rows` converts only the columns whose type needs it (memoised per distinct
value, since bulk rows repeat dates and instants) and hands plain tuples to the driver.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session


def insert_rows(
    session: Session, table: sa.Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """INSERT `rows` (tuples in `columns` order) into `table` in the session's transaction.

    Values of a column whose type converts them (instants, dates, JSON) must be hashable or
    the same object throughout (a constant dict): conversions are memoised by value.
    """
    if not rows:
        return
    conn = session.connection()
    dialect = conn.dialect
    converters: list[tuple[int, Any]] = []
    for position, name in enumerate(columns):
        column_type = table.c[name].type
        if isinstance(column_type, sa.String | sa.LargeBinary | sa.Integer):
            continue  # every driver takes str, bytes and int as they are
        processor = column_type.dialect_impl(dialect).bind_processor(dialect)
        if processor is not None:
            converters.append((position, processor))
    data: Sequence[Sequence[Any]] = rows
    if converters:
        memos: list[dict[Any, Any]] = [{} for _ in converters]
        converted = []
        for row in rows:
            values = list(row)
            for (position, processor), memo in zip(converters, memos, strict=True):
                value = values[position]
                key = id(value) if isinstance(value, dict | list) else value
                if key not in memo:
                    memo[key] = processor(value) if value is not None else None
                values[position] = memo[key]
            converted.append(tuple(values))
        data = converted
    names = ", ".join(columns)
    if dialect.name == "postgresql":
        # COPY streams the rows in one command: several times faster than executemany.
        raw = conn.connection.driver_connection
        assert raw is not None
        with raw.cursor() as cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            for row in data:
                copy.write_row(row)
        return
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    sql = f"INSERT INTO {table.name} ({names}) VALUES ({', '.join(mark for _ in columns)})"
    conn.exec_driver_sql(sql, data)
