"""Where the lines come from: files, globs and folders of Parquet or CSV, and how they are laid out.

Two layouts are read:

``"canonical"``
    The canonical dataset the loader writes (:func:`retention.data.load`'s ``transactions``): the columns
    InvoiceNo, StockCode, Description, Quantity, InvoiceDate, UnitPrice, CustomerID, Country (optional
    ones may be absent), text already stripped, ``17850.0`` already ``17850``, no blank or header lines.
    The engine takes the values as they are and only casts the types once.
``"raw"``
    A comma-separated UTF-8 export (or a Parquet file of text) in the canonical names or the Online
    Retail II names, with ISO dates and dot decimals: the engine applies the loader's rules itself (text
    stripped, empty text missing, ``.0`` ids, blank lines and repeated header lines counted).

``"auto"`` reads Parquet as canonical and CSV as raw.
"""

from __future__ import annotations

import glob as globlib
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

__all__ = ["ALIASES", "REMOTE_BYTES_GUESS", "REQUIRED", "Source", "input_files", "resolve_layout",
           "total_bytes"]

Source = str | os.PathLike[str] | Sequence[str | os.PathLike[str]]

#: The size counted for a remote file (a URI) whose size is not looked up, when the memory need is estimated.
REMOTE_BYTES_GUESS = 64 * 1024 * 1024

REQUIRED: tuple[str, ...] = ("InvoiceDate", "UnitPrice", "CustomerID")
ALIASES: dict[str, str] = {"Invoice": "InvoiceNo", "Price": "UnitPrice", "Customer ID": "CustomerID"}


def input_files(source: Source) -> tuple[list[str], str]:
    """The files behind ``source`` and their format (``"parquet"`` or ``"csv"``).

    ``source`` is a file, a glob (``data/*.parquet``), a folder (its Parquet files, else its CSV files,
    searched recursively) or a list of files. Files are sorted by name. A URI (``s3a://bucket/log/``,
    ``hdfs://...``) is passed on as it is, for Spark: CSV when it ends in ``.csv``, else Parquet.
    """
    if isinstance(source, str) and "://" in source and not source.startswith("file://"):
        return [source], "csv" if source.lower().endswith(".csv") else "parquet"
    if isinstance(source, list | tuple):
        files = [str(Path(s)) for s in source]
    else:
        text = str(source)
        path = Path(text)
        if path.is_dir():
            files = []
            for pattern in ("*.parquet", "*.csv"):
                files = sorted(str(p) for p in path.rglob(pattern) if p.is_file())
                if files:
                    break
        elif any(ch in text for ch in "*?["):
            files = sorted(globlib.glob(text, recursive=True))
        else:
            files = [text]
    if not files:
        raise FileNotFoundError(f"{source}: no Parquet or CSV file found there.")
    missing = [f for f in files if not Path(f).is_file()]
    if missing:
        raise FileNotFoundError(f"{missing[0]}: the file does not exist.")
    suffixes = {Path(f).suffix.lower() for f in files}
    if suffixes == {".parquet"}:
        return files, "parquet"
    if suffixes <= {".csv"}:
        return files, "csv"
    raise ValueError(f"{source}: files must all be .parquet or all be .csv, found {sorted(suffixes)}.")


def resolve_layout(layout: str, kind: str) -> str:
    """``"canonical"`` or ``"raw"``: ``"auto"`` is canonical for Parquet and raw for CSV."""
    if layout not in ("auto", "canonical", "raw"):
        raise ValueError(f"layout must be 'auto', 'canonical' or 'raw', got {layout!r}")
    if layout == "auto":
        return "canonical" if kind == "parquet" else "raw"
    return layout


def total_bytes(files: Iterable[str]) -> int:
    """Bytes of the local files (a URI counts as large)."""
    return sum(REMOTE_BYTES_GUESS if "://" in f else Path(f).stat().st_size for f in files)
