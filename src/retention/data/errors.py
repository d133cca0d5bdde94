"""Messages a person can act on: the error type, where a line is, and examples gathered over chunks.

Every stop is one :class:`DataValidationError` whose text reads
``<file>, column '<column>': <problem> (<n> rows; e.g. <examples>). Fix: <fix>``; examples carry the line
(CSV), row (Parquet) or sheet row (Excel) they were first seen on. Files are read in chunks, so the
evidence behind a message is gathered in a :class:`Sample` (a count and the first few distinct values
with their position) and rendered once the whole file has been seen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import NoReturn

import numpy as np
import pandas as pd

__all__ = ["DataValidationError", "MAX_EXAMPLES", "Context", "Sample", "plural", "rows", "fail"]

MAX_EXAMPLES = 3


class DataValidationError(ValueError):
    """The input file cannot be analysed as it is. The message says where, how much, and the fix."""


def plural(n: int, word: str) -> str:
    """``1 row`` / ``2 rows`` with thousands separators."""
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def rows(n: int) -> str:
    return plural(n, "row")


def fail(file: str, column: str | None, problem: str, count: int | None, examples: str, fix: str) -> NoReturn:
    """Raise the one-line error: file, column, problem, how many rows with examples, and the fix."""
    where = f"{file}, column '{column}'" if column else file
    counted = f" ({rows(count)}; e.g. {examples})" if count is not None else ""
    raise DataValidationError(f"{where}: {problem}{counted}. Fix: {fix}")


def _row_label(position: int) -> str:
    return f"row {position + 1}"


@dataclass
class Context:
    """What messages need while a file is read: its name, the notes so far, and how to name a line.

    ``where(position)`` turns a 0-based data position into ``line 5`` (CSV: the header is line 1),
    ``row 4`` (Parquet, tables) or ``sheet 'Year 2010' row 7`` (Excel).
    """

    file: str
    notes: list[str] = field(default_factory=list)
    separator: str | None = None
    where: Callable[[int], str] = _row_label

    def label(self, position: object) -> str:
        if isinstance(position, str):
            return position
        if isinstance(position, int | np.integer):
            return self.where(int(position))
        return ""

    def examples(self, values: pd.Series | Iterable[object]) -> str:
        """Up to three distinct values, each with the line it was first seen on (index = positions)."""
        if not isinstance(values, pd.Series):
            shown = [repr(v) for v in list(values)[:MAX_EXAMPLES]]
            return ", ".join(shown) if shown else "none"
        first = values[~values.astype("string").duplicated()].head(MAX_EXAMPLES)
        return self.render([(v, i) for i, v in first.items()])

    def render(self, pairs: Iterable[tuple[object, object]]) -> str:
        shown = []
        for value, position in pairs:
            where = self.label(position)
            shown.append(f"{str(value)!r} ({where})" if where else repr(str(value)))
        return ", ".join(shown) if shown else "none"

    def locations(self, positions: Iterable[object]) -> str:
        return ", ".join(self.label(i) for i in list(positions)[:MAX_EXAMPLES]) or "none"

    def fail(self, column: str | None, problem: str, count: int | None, examples: str, fix: str) -> NoReturn:
        fail(self.file, column, problem, count, examples, fix)


@dataclass
class Sample:
    """A count of lines and the first few distinct values (with their position), gathered chunk by chunk."""

    count: int = 0
    pairs: list[tuple[object, int]] = field(default_factory=list)
    limit: int = MAX_EXAMPLES

    def add(self, values: pd.Series, weights: np.ndarray | None = None) -> None:
        """Count ``values`` (index: positions) and keep new distinct ones while fewer than ``limit`` are kept.

        ``weights`` counts each value as that many lines (values given once per distinct value).
        """
        if len(values) == 0:
            return
        self.count += int(np.sum(np.asarray(weights))) if weights is not None else len(values)
        if len(self.pairs) >= self.limit:
            return
        seen = {str(v) for v, _ in self.pairs}
        order = np.argsort(np.asarray(values.index, dtype=np.int64), kind="stable")
        for k in order:
            value, position = values.iloc[k], int(values.index[k])
            if str(value) not in seen:
                seen.add(str(value))
                self.pairs.append((value, position))
                if len(self.pairs) >= self.limit:
                    break

    def add_positions(self, positions: Iterable[int]) -> None:
        """Count lines by position only (for messages that list where, not what)."""
        positions = list(positions)
        self.count += len(positions)
        for position in positions:
            if len(self.pairs) >= self.limit:
                break
            self.pairs.append(("", int(position)))

    def text(self, ctx: Context) -> str:
        return ctx.render(self.pairs)

    def where(self, ctx: Context) -> str:
        return ctx.locations(p for _, p in self.pairs)

    def __bool__(self) -> bool:
        return self.count > 0
