"""Excel workbooks read row by row (openpyxl's read-only mode), like pandas' reader but in chunks.

Every sheet is stacked when the sheets share the same columns (in any order; empty sheets are skipped and
noted), or only the sheet named by ``data.sheet``. The first non-empty row is the header; leading and
trailing empty rows are not lines of the log, empty rows between lines are (counted as ``blank_line``).
Cells read as pandas reads them: whole numbers as int, empty text as missing. Values to the right of the
last named column are noted and ignored.
"""

from __future__ import annotations

import datetime as dt
import difflib
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from retention.data.errors import Context, Sample, plural
from retention.data.source import Source, check_header

__all__ = ["excel_source"]


def _cell(value: object) -> object:
    """A cell as pandas' Excel reader gives it: whole floats as int, empty text as missing."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value == "":
        return None
    return value


def _trimmed(row: tuple[object, ...]) -> list[object]:
    cells = [_cell(v) for v in row]
    while cells and cells[-1] is None:
        cells.pop()
    return cells


def _header_of(rows: Iterator[tuple[object, ...]]) -> tuple[list[str], int]:
    """The first non-empty row as column names (``Unnamed: i`` for blanks) and its 1-based row number."""
    for number, row in enumerate(rows, start=1):
        cells = _trimmed(row)
        if cells:
            names = [f"Unnamed: {i}" if v is None else str(v.date() if isinstance(v, dt.datetime) and
                                                               v.time() == dt.time() else v).strip()
                     for i, v in enumerate(cells)]
            return names, number
    return [], 0


@dataclass
class _Sheet:
    name: str
    columns: list[str]
    header_row: int
    start: int = 0
    lines: int = 0
    beyond: Sample = field(default_factory=Sample)


def _pick_sheets(names: list[str], sheet: str | int | None, ctx: Context) -> list[str]:
    if isinstance(sheet, int) and not isinstance(sheet, bool):
        if not 0 <= sheet < len(names):
            ctx.fail(None, f"there is no sheet number {sheet} (sheets, counted from 0: {names})", None, "",
                     "set data.sheet to a sheet name or index, or leave it empty to stack every sheet")
        return [names[sheet]]
    if sheet is not None:
        if str(sheet) not in names:
            close = difflib.get_close_matches(str(sheet), names, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            ctx.fail(None, f"there is no sheet '{sheet}' (sheets: {names})", None, "",
                     f"{hint}set data.sheet to one of them, or leave it empty to stack every sheet")
        return [str(sheet)]
    return names


def _open_book(path: Path):
    """A read-only workbook from the file's bytes (openpyxl refuses a workbook named .csv by its path)."""
    import openpyxl

    handle = open(path, "rb")  # noqa: SIM115 - the read-only workbook reads from it until closed
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
    except BaseException:
        handle.close()
        raise
    return book, handle


def excel_source(path: Path, sheet: str | int | None, ctx: Context, chunk_rows: int) -> Source:
    book, handle = _open_book(path)
    try:
        wanted = _pick_sheets([str(n) for n in book.sheetnames], sheet, ctx)
        sheets = []
        for name in wanted:
            columns, header_row = _header_of(book[name].iter_rows(values_only=True))
            if not columns:
                ctx.notes.append(f"Excel sheet '{name}' is empty and was skipped.")
                continue
            sheets.append(_Sheet(name, columns, header_row))
    finally:
        book.close()
        handle.close()
    if not sheets:
        ctx.fail(None, "every sheet of the workbook is empty", None, "", "export the transactions again")
    first = sheets[0]
    for other in sheets[1:]:
        if sorted(other.columns) != sorted(first.columns):  # same names in another order stack fine
            ctx.fail(None, f"sheet '{other.name}' has other columns than sheet '{first.name}' "
                     f"({other.columns} vs {first.columns})", None, "",
                     "set data.sheet to the sheet that holds the transactions, or give every sheet the same header")
    check_header(ctx, first.columns)

    def where(position: int) -> str:
        current = sheets[0]
        for candidate in sheets:
            if candidate.start <= position:
                current = candidate
        return f"sheet '{current.name}' row {current.header_row + 1 + position - current.start}"

    ctx.where = where

    def late_notes() -> list[str]:
        notes = []
        if len(sheets) > 1:
            parts = ", ".join(f"'{s.name}' ({s.lines:,} lines)" for s in sheets)
            notes.append(f"Stacked {len(sheets)} Excel sheets with the same columns: {parts}.")
        for s in sheets:
            if s.beyond:
                notes.append(f"Excel sheet '{s.name}' has values to the right of its last named column on "
                             f"{plural(s.beyond.count, 'row')} (e.g. {s.beyond.where(ctx)}); they were ignored. "
                             f"Give that column a header if it matters.")
        return notes

    return Source(ctx, "excel", list(first.columns), lambda: _excel_chunks(path, sheets, chunk_rows), late_notes)


def _excel_chunks(path: Path, sheets: list[_Sheet], chunk_rows: int) -> Iterator[pd.DataFrame]:
    """Rows of every sheet, stacked in the first sheet's column order; trailing empty rows are dropped."""
    columns = sheets[0].columns
    offset = 0
    book, handle = _open_book(path)
    try:
        for sheet in sheets:
            sheet.start, sheet.beyond = offset, Sample()
            width, order = len(sheet.columns), [sheet.columns.index(c) for c in columns]
            batch: list[list[object]] = []
            pending_blank: list[list[object]] = []
            rows = book[sheet.name].iter_rows(min_row=sheet.header_row + 1, values_only=True)
            for row in rows:
                cells = _trimmed(row)
                if not cells:
                    pending_blank.append([None] * width)
                    continue
                if len(cells) > width:
                    sheet.beyond.add_positions([offset + len(batch) + len(pending_blank)])
                cells = (cells + [None] * width)[:width]
                batch.extend(pending_blank)
                pending_blank = []
                batch.append([cells[i] for i in order])
                if len(batch) >= chunk_rows:
                    yield _frame(batch, columns, offset)
                    offset += len(batch)
                    batch = []
            if batch:
                yield _frame(batch, columns, offset)
                offset += len(batch)
            sheet.lines = offset - sheet.start
    finally:
        book.close()
        handle.close()
    if offset == 0:
        yield pd.DataFrame(columns=columns)


def _frame(batch: list[list[object]], columns: list[str], offset: int) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(batch, columns=columns).infer_objects()
    frame.index = pd.RangeIndex(offset, offset + len(frame))
    return frame
