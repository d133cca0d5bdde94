"""Lines that are not transactions: blank lines and copies of the header line (exports concatenated).

They are found chunk by chunk, counted under their cleaning-ledger reason (``blank_line``,
``repeated_header``) and removed before any column is read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from retention.data.errors import Context, Sample, plural

__all__ = ["NonDataRows", "non_data_mask"]


def _blank(values: pd.Series) -> np.ndarray:
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_datetime64_any_dtype(values):
        return values.isna().to_numpy()
    return values.astype("string").str.strip().fillna("").eq("").to_numpy(dtype=bool)


def _equals_name(values: pd.Series, name: object) -> np.ndarray:
    """Cells that repeat the column's own name (numbers and dates never do)."""
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_datetime64_any_dtype(values):
        return np.zeros(len(values), dtype=bool)
    name = str(name).strip().lower()
    text = values.astype("string")
    maybe = (text.str.len() >= len(name)).fillna(False).to_numpy(dtype=bool)  # most cells are not: skip them fast
    found = np.zeros(len(values), dtype=bool)
    if maybe.any():
        found[maybe] = text[maybe].str.strip().str.lower().eq(name).fillna(False).to_numpy(dtype=bool)
    return found


def non_data_mask(chunk: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per row: (every field blank, a copy of the header line)."""
    width = chunk.shape[1]
    if width == 0 or len(chunk) == 0:
        empty = np.zeros(len(chunk), dtype=bool)
        return empty, empty
    blank_cells = np.column_stack([_blank(chunk.iloc[:, i]) for i in range(width)])
    same = np.column_stack([_equals_name(chunk.iloc[:, i], chunk.columns[i]) for i in range(width)])
    blank = blank_cells.all(axis=1)
    header = (same | blank_cells).all(axis=1) & (same.sum(axis=1) >= max(2, width // 2)) & ~blank
    return blank, header


@dataclass
class NonDataRows:
    """Blank lines and repeated headers counted over the whole file."""

    blank: int = 0
    headers: Sample = field(default_factory=Sample)

    def drop(self, chunk: pd.DataFrame, count: bool = True) -> pd.DataFrame:
        """``chunk`` without its non-data rows (counted when ``count``)."""
        blank, header = non_data_mask(chunk)
        if count:
            self.blank += int(blank.sum())
            self.headers.add_positions(chunk.index[header])
        return chunk[~(blank | header)]

    def dropped(self) -> dict[str, int]:
        counts = {"blank_line": self.blank, "repeated_header": self.headers.count}
        return {k: v for k, v in counts.items() if v}

    def notes(self, ctx: Context) -> list[str]:
        notes = []
        if self.headers:
            copies = plural(self.headers.count, "copy").replace("copys", "copies")
            notes.append(f"Removed {copies} of the header line inside the file (e.g. {self.headers.where(ctx)}), "
                         f"as left when exports are concatenated; they are counted in the cleaning ledger as "
                         f"'repeated_header'.")
        if self.blank:
            notes.append(f"Skipped {plural(self.blank, 'blank line')} (counted in the ledger as 'blank_line').")
        return notes
