"""The CDNOW transaction log that ships inside the ``lifetimes`` wheel, converted to a CSV the loader reads."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd

from retention.data.errors import DataValidationError

__all__ = ["CDNOW_FILE", "cdnow_source", "convert_cdnow"]

CDNOW_FILE = "CDNOW_master.txt"


def cdnow_source() -> Path:
    """Where the installed ``lifetimes`` package keeps ``CDNOW_master.txt`` (lifetimes is not imported)."""
    try:
        spec = importlib.util.find_spec("lifetimes")
    except (ImportError, ValueError):
        spec = None
    fix = "pip install lifetimes (it is in the project's dev extras: pip install -e '.[dev]')"
    if spec is None or not spec.submodule_search_locations:
        raise DataValidationError(f"data.source is 'cdnow', but the CDNOW log ships with the 'lifetimes' package, "
                                  f"which is not installed. Fix: {fix}")
    path = Path(spec.submodule_search_locations[0]) / "datasets" / CDNOW_FILE
    if not path.exists():
        raise DataValidationError(f"{path}: the CDNOW log is missing from the installed lifetimes package. "
                                  f"Fix: reinstall it ({fix})")
    return path


def convert_cdnow(source: str | Path, target: str | Path) -> Path:
    """Write the whitespace-separated CDNOW master log as a CSV (CustomerID, InvoiceDate, Quantity, Amount)."""
    from retention.io import write_csv_atomic

    names = ["CustomerID", "InvoiceDate", "Quantity", "Amount"]
    try:
        raw = pd.read_csv(source, sep=r"\s+", header=None, names=names, dtype=str)
    except (ValueError, OSError) as exc:
        raise DataValidationError(f"{source}: the CDNOW log could not be read ({exc}). "
                                  f"Fix: reinstall lifetimes.") from None
    if len(raw) and not str(raw.iloc[0, 0]).isdigit():
        raw = raw.iloc[1:]  # the file starts with a header line: customer_id date number_of_cds dollar_value
    dates = pd.to_datetime(raw["InvoiceDate"], format="%Y%m%d", errors="coerce")
    if raw.isna().any().any() or dates.isna().any() or len(raw) == 0:
        raise DataValidationError(f"{source}: the CDNOW log is not in the expected layout (customer id, YYYYMMDD "
                                  f"date, number of CDs, dollar value). Fix: reinstall lifetimes.")
    out = raw.assign(InvoiceDate=dates.dt.strftime("%Y-%m-%d"))
    return write_csv_atomic(out.reset_index(drop=True), target)
