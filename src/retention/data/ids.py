"""Customer ids: text that names one person, read the same way however a spreadsheet wrote it.

* Placeholders (``NULL``, ``N/A``, ``nan``, ``-``, ``unknown``, empty, whitespace, anything without a
  letter or digit) are missing ids: guest lines, counted in the ledger as ``missing_customer_id`` and noted,
  never one giant customer.
* Ids in scientific notation (``4.40013E+11``) lost digits in a spreadsheet: several customers may have
  been merged into one, so the run stops and says to export the ids as text.
* Numeric ids written with decimals (``14294.0``, ``14294.00``) are the id without them (noted when both
  spellings of one id occur). Ids that differ only by leading zeros (``0014294`` and ``14294``) stay two
  customers, since ids are text, and a note counts them so the user can map them if they are one person.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from retention.data.errors import Context, Sample, plural
from retention.data.numbers import unique_text

__all__ = ["PLACEHOLDERS", "IdEvidence", "id_text", "normalise_ids"]

PLACEHOLDERS = frozenset({"null", "none", "nan", "na", "n/a", "n.a.", "#n/a", "nil", "(null)", "(blank)", "blank",
                          "undefined", "unknown", "missing", "guest", "anonymous", "not available", "no id"})
_SCIENTIFIC = r"^[+-]?\d+(?:\.\d+)?[eE][+-]?\d+$"
_DECIMAL_ZEROS = r"^(\d*)\.0+$"


def id_text(values: pd.Series) -> pd.Series:
    """Stripped text of a raw id column (spreadsheet floats such as 17850.0 as 17850); empty is missing."""
    if values.dtype == object:  # Excel mixes ints and text (489434, 'C489449')
        values = values.map(lambda v: str(int(v)) if isinstance(v, float) and v.is_integer() else v)
    text = values.astype("string").str.strip()
    return text.mask(text == "")


def _placeholder(uniques: pd.Series) -> np.ndarray:
    """Values that stand for 'no id': known words, nothing but punctuation, or '.0' (an empty spreadsheet cell)."""
    clean = uniques.str.replace(_DECIMAL_ZEROS, r"\1", regex=True)
    folded = clean.str.casefold()
    no_id = folded.isin(PLACEHOLDERS) | ~clean.str.contains(r"[0-9A-Za-z]", regex=True) | (clean == "")
    return no_id.fillna(True).to_numpy(dtype=bool)


def normalise_ids(values: pd.Series) -> pd.Series:
    """Canonical ids of a raw chunk: placeholders missing, ``14294.00`` as ``14294``."""
    text = id_text(values)
    codes, uniques, _ = unique_text(text.dropna())
    clean = uniques.reset_index(drop=True).str.replace(_DECIMAL_ZEROS, r"\1", regex=True)
    clean = clean.mask(_placeholder(uniques))
    result = pd.Series(pd.NA, index=values.index, dtype="string")
    present = text.notna().to_numpy()
    result[present] = clean.to_numpy()[codes]
    return result


@dataclass
class IdEvidence:
    """Placeholders, scientific notation and the distinct ids of the whole file."""

    placeholders: dict[str, int] = field(default_factory=dict)
    placeholder_lines: Sample = field(default_factory=Sample)
    scientific: Sample = field(default_factory=Sample)
    written_with_decimals: Sample = field(default_factory=lambda: Sample(limit=1))
    plain_ids: set[str] = field(default_factory=set)
    decimal_ids: set[str] = field(default_factory=set)

    def observe(self, values: pd.Series) -> None:
        text = id_text(values).dropna()
        if not len(text):
            return
        _, uniques, counts = unique_text(text)
        placeholder = _placeholder(uniques)
        for value, n in zip(uniques[placeholder], counts[placeholder], strict=True):
            self.placeholders[value] = self.placeholders.get(value, 0) + int(n)
        self.placeholder_lines.add(uniques[placeholder], counts[placeholder])
        scientific = uniques.str.fullmatch(_SCIENTIFIC).fillna(False).to_numpy(dtype=bool)
        self.scientific.add(uniques[scientific], counts[scientific])
        decimals = uniques.str.fullmatch(_DECIMAL_ZEROS).fillna(False).to_numpy(dtype=bool) & ~placeholder
        self.written_with_decimals.add(uniques[decimals], counts[decimals])
        clean = uniques.str.replace(_DECIMAL_ZEROS, r"\1", regex=True)
        self.decimal_ids.update(clean[decimals].tolist())
        self.plain_ids.update(clean[~placeholder & ~decimals].tolist())

    def check(self, ctx: Context) -> list[str]:
        """Stop on ids a spreadsheet truncated; otherwise the notes about placeholders and spellings."""
        if self.scientific:
            ctx.fail("CustomerID", "ids written in scientific notation, which lost digits when a spreadsheet saved "
                     "them (different customers may now share an id)", self.scientific.count,
                     self.scientific.text(ctx), "export the customer ids as text (in Excel: format the column as "
                     "Text before saving, or export from the shop system directly), so every id keeps all its digits")
        notes = []
        if self.placeholders:
            common = sorted(self.placeholders.items(), key=lambda kv: -kv[1])[:5]
            listed = ", ".join(f"{v!r} {n:,}" for v, n in common)
            notes.append(f"Read {plural(self.placeholder_lines.count, 'line')} whose CustomerID is a placeholder, not "
                         f"an id ({listed}; e.g. {self.placeholder_lines.text(ctx)}), as lines without a customer: "
                         f"guest lines, counted in the ledger as 'missing_customer_id'.")
        notes += self._spelling_notes(ctx)
        return notes

    def _spelling_notes(self, ctx: Context) -> list[str]:
        notes = []
        both = self.decimal_ids & self.plain_ids
        if both:
            notes.append(f"{plural(len(both), 'customer id')} {'is' if len(both) == 1 else 'are'} written both "
                         f"with and without decimals (e.g. {self.written_with_decimals.text(ctx)} and "
                         f"'{sorted(both)[0]}'); they are read as the same customer.")
        digits = [i for i in self.plain_ids | self.decimal_ids if i.isdigit()]
        groups: dict[str, list[str]] = {}
        for i in digits:
            groups.setdefault(i.lstrip("0") or "0", []).append(i)
        clashes = sorted(sorted(g) for g in groups.values() if len(g) > 1)
        if clashes:
            n = sum(len(g) for g in clashes)
            shown = " and ".join(f"'{i}'" for i in clashes[0])
            notes.append(f"{n:,} customer ids differ from another only by leading zeros (e.g. {shown}); they are "
                         f"kept as different customers because ids are text. If they are the same person, write "
                         f"the ids the same way in the file.")
        return notes

    @property
    def any_id(self) -> bool:
        return bool(self.plain_ids or self.decimal_ids)
