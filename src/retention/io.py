"""Atomic file writes: a run killed halfway never leaves a complete-looking but truncated file."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

__all__ = ["atomic_path", "write_csv_atomic", "write_parquet_atomic", "write_text_atomic"]


@contextmanager
def atomic_path(target: str | Path):
    """Yield a temporary path beside ``target``; rename it onto ``target`` only if the block succeeds."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; outputs are meant to be shared
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _write(target: str | Path, writer: Callable[[Path], None]) -> Path:
    with atomic_path(target) as tmp:
        writer(tmp)
    return Path(target)


def write_csv_atomic(df: pd.DataFrame, target: str | Path, index: bool = False) -> Path:
    """Write ``df`` as UTF-8 CSV with ``\\n`` line ends (byte-stable for the same frame)."""
    return _write(target, lambda tmp: df.to_csv(tmp, index=index, lineterminator="\n"))


def write_parquet_atomic(df: pd.DataFrame, target: str | Path) -> Path:
    return _write(target, lambda tmp: df.to_parquet(tmp, index=False))


def write_text_atomic(text: str, target: str | Path) -> Path:
    return _write(target, lambda tmp: tmp.write_text(text, encoding="utf-8"))
