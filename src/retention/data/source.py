"""A file opened for reading: its header and a way to read its rows in chunks, any number of times."""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pandas as pd

from retention.data.errors import Context, DataValidationError

__all__ = ["READ_ERRORS", "Source", "check_header", "unreadable"]

_WHAT = {"excel": "an Excel workbook", "parquet": "a Parquet table", "text": "CSV text"}
READ_ERRORS: tuple[type[BaseException], ...] = (ValueError, KeyError, IndexError, OSError, zipfile.BadZipFile,
                                                ImportError, UnicodeError, csv.Error, EOFError)


@dataclass
class Source:
    """A file's header and a way to read its rows in chunks (each with a RangeIndex of global positions)."""

    ctx: Context
    kind: str
    columns: list[str]
    read_chunks: Callable[[], Iterator[pd.DataFrame]]
    late_notes: Callable[[], list[str]] = field(default=lambda: [])

    def chunks(self) -> Iterator[pd.DataFrame]:
        """Every chunk in file order; a file that breaks halfway stops with the usual message."""
        try:
            yield from self.read_chunks()
        except DataValidationError:
            raise
        except READ_ERRORS as exc:
            unreadable(self.ctx, self.kind, exc)
        except Exception as exc:  # openpyxl and pyarrow raise their own exception types for corrupt files
            if type(exc).__module__.split(".")[0] not in {"openpyxl", "pyarrow", "zipfile", "xml"}:
                raise
            unreadable(self.ctx, self.kind, exc)


def unreadable(ctx: Context, kind: str, exc: BaseException) -> None:
    reason = str(exc).strip() or type(exc).__name__
    ctx.fail(None, f"the file could not be read as {_WHAT.get(kind, 'a table')} ({type(exc).__name__}: "
             f"{reason[:200]})", None, "",
             "open it in the program that made it and export it again as CSV (UTF-8) or .xlsx")


def check_header(ctx: Context, names: list[str]) -> None:
    """Two columns with the same (non-empty) name cannot be told apart: stop and say which."""
    seen: dict[str, int] = {}
    for i, name in enumerate(names):
        if not name or name.startswith("Unnamed: "):
            continue
        if name in seen:
            ctx.fail(None, f"two columns are both named '{name}' (columns {seen[name] + 1} and {i + 1} of the "
                     f"header)", None, "", "rename or remove one of them so every column has its own name")
        seen[name] = i
