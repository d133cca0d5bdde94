"""Numbers written by people and spreadsheets: decimal commas, thousands separators, currency signs.

A column is read one way throughout, decided from every value in the file (gathered chunk by chunk in a
:class:`NumberEvidence`): plain numbers as they are; otherwise a dot or a comma decimal mark, whichever
reads every value (``2,55``; ``1,234.50``; ``1.234,50``). A thousands group never starts with 0, so
``0,850`` can only be a decimal comma. When every value of a column reads both ways (``1,250``), the
other number columns of the file decide (a file whose prices are written ``2,55`` writes ``1,250`` with
a decimal comma too), and without such evidence a ``;``-separated file means decimal comma. One
currency sign throughout a column (``£2.55``) is removed and noted; mixed signs and words are errors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from retention.data.errors import Context, Sample, plural

__all__ = ["CURRENCY_SIGNS", "CURRENCY_CODES", "NumberEvidence", "NumberReading", "file_decimal_style",
           "is_number", "unique_text"]

CURRENCY_SIGNS = "£$€¥₹"
CURRENCY_CODES = {"£": "GBP", "$": "USD", "€": "EUR", "¥": "JPY", "₹": "INR"}
_DOT_NUMBER = r"[+-]?(?:[1-9]\d{0,2}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+"
_COMMA_NUMBER = r"[+-]?(?:[1-9]\d{0,2}(?:\.\d{3})+|\d+)(?:,\d+)?|[+-]?,\d+"
_DIGIT_GROUP_SPACE = r"(?<=\d)[ \u00a0\u202f'](?=\d{3}(?:\D|$))"
_SIGNS = f"[{re.escape(CURRENCY_SIGNS)}]"


def is_number(value: object) -> bool:
    return isinstance(value, int | float | np.number) and not isinstance(value, bool | np.bool_)


def unique_text(text: pd.Series) -> tuple[np.ndarray, pd.Series, np.ndarray]:
    """``(codes, uniques, counts)`` of non-missing text; ``uniques`` is indexed by each value's first position."""
    codes, uniques = pd.factorize(text)
    present = codes >= 0
    counts = np.bincount(codes[present], minlength=len(uniques))
    first = np.full(len(uniques), -1, dtype=np.int64)
    positions = np.asarray(text.index, dtype=np.int64)
    order = np.flatnonzero(present)[::-1]  # assigning backwards leaves each value's first position
    first[codes[order]] = positions[order]
    values = pd.Series(np.asarray(uniques, dtype=object), index=first, dtype="string")
    return codes, values, counts


def _split(values: pd.Series) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """A raw column as (stripped text of the text cells, mask of number cells, mask of missing cells)."""
    if values.dtype == object:
        numeric = values.map(is_number).to_numpy(dtype=bool)
    else:
        numeric = np.zeros(len(values), dtype=bool)
    text = values[~numeric].astype("string").str.strip()
    text = text.mask(text == "")
    missing = np.zeros(len(values), dtype=bool)
    missing[~numeric] = text.isna().to_numpy()
    if numeric.any():
        missing[numeric] = pd.isna(values[numeric].astype(float)).to_numpy()
    return text.dropna(), numeric, missing


@dataclass
class NumberEvidence:
    """What one number column looks like over the whole file."""

    column: str
    missing: Sample = field(default_factory=Sample)
    boolean: Sample = field(default_factory=Sample)
    signs: dict[str, Sample] = field(default_factory=dict)
    plain_fails: int = 0
    dot_fails: Sample = field(default_factory=Sample)
    comma_fails: Sample = field(default_factory=Sample)
    first_comma: Sample = field(default_factory=lambda: Sample(limit=1))
    dot_decimal: bool = False
    comma_decimal: bool = False

    def observe(self, values: pd.Series) -> None:
        """Add one chunk of the column (index: positions)."""
        if pd.api.types.is_bool_dtype(values):
            self.boolean.add(values.astype(str))
            return
        if pd.api.types.is_numeric_dtype(values):
            self.missing.add_positions(values.index[values.isna().to_numpy()])
            return
        text, _, missing = _split(values)
        self.missing.add_positions(values.index[missing])
        if len(text):
            self._observe_text(text)

    def _observe_text(self, text: pd.Series) -> None:
        _, uniques, counts = unique_text(text)
        plain = pd.to_numeric(uniques, errors="coerce").notna().to_numpy()
        self.plain_fails += int(counts[~plain].sum())
        for sign in {ch for value in uniques for ch in str(value) if ch in CURRENCY_SIGNS}:
            has = uniques.str.contains(sign, regex=False).to_numpy(dtype=bool)
            self.signs.setdefault(sign, Sample()).add(uniques[has], counts[has])
        cleaned = uniques.str.replace(_SIGNS, "", regex=True).str.strip()
        cleaned = cleaned.str.replace(_DIGIT_GROUP_SPACE, "", regex=True)
        dot_ok = cleaned.str.fullmatch(_DOT_NUMBER).fillna(False).to_numpy(dtype=bool)
        comma_ok = cleaned.str.fullmatch(_COMMA_NUMBER).fillna(False).to_numpy(dtype=bool)
        has_comma = cleaned.str.contains(",", regex=False).fillna(False).to_numpy(dtype=bool)
        has_dot = cleaned.str.contains(".", regex=False).fillna(False).to_numpy(dtype=bool)
        self.dot_fails.add(uniques[~dot_ok], counts[~dot_ok])
        self.comma_fails.add(uniques[~comma_ok], counts[~comma_ok])
        self.first_comma.add(uniques[has_comma], counts[has_comma])
        self.dot_decimal |= bool((dot_ok & ~comma_ok & has_dot).any())
        self.comma_decimal |= bool((comma_ok & ~dot_ok & has_comma).any())


def file_decimal_style(evidence: list[NumberEvidence]) -> str | None:
    """'comma' or 'dot' when the file's unambiguous values agree on a decimal mark, else None."""
    comma = any(e.comma_decimal for e in evidence)
    dot = any(e.dot_decimal for e in evidence)
    return "comma" if comma and not dot else "dot" if dot and not comma else None


@dataclass(frozen=True)
class NumberReading:
    """How a number column is converted: plainly, or with one sign removed and a decimal mark."""

    column: str
    plain: bool = True
    sign: str | None = None
    decimal_comma: bool = False

    @classmethod
    def decide(cls, evidence: NumberEvidence, ctx: Context, style: str | None = None,
               currency: str | None = None) -> NumberReading:
        """The reading of the column; notes what was assumed, stops on values that are not numbers."""
        column = evidence.column
        if evidence.boolean:
            ctx.fail(column, "holds true/false values, not numbers", evidence.boolean.count,
                     ctx.render(evidence.boolean.pairs[:1]), "map the right column with data.columns")
        if not evidence.plain_fails:
            return cls(column)
        sign = _sign(evidence, ctx, currency)
        dot_ok, comma_ok = not evidence.dot_fails, not evidence.comma_fails
        if dot_ok and comma_ok:
            decimal_comma = style == "comma" if style else ctx.separator == ";"
        elif dot_ok or comma_ok:
            decimal_comma = comma_ok
        else:
            fails = evidence.comma_fails if evidence.comma_fails.count < evidence.dot_fails.count \
                else evidence.dot_fails
            ctx.fail(column, "values that are not numbers", fails.count, fails.text(ctx),
                     "use digits, e.g. 2.55 or 2,55 (one decimal mark per column; thousands separators and one "
                     "currency sign are understood, words are not)")
        reading = cls(column, plain=False, sign=sign, decimal_comma=decimal_comma)
        reading._note_comma(evidence, ctx, style, dot_ok and comma_ok)
        return reading

    def _note_comma(self, evidence: NumberEvidence, ctx: Context, style: str | None, both: bool) -> None:
        if not evidence.first_comma:
            return
        value, position = evidence.first_comma.pairs[0]
        example = ctx.render([(value, position)])
        parsed = float(self.parse(pd.Series([value], dtype="string")).iloc[0])
        if self.decimal_comma:
            why = " in a ';'-separated file" if ctx.separator == ";" else ""
            if both and style == "comma":
                why = " (the file's other numbers use one, e.g. 2,55)"
            ctx.notes.append(f"{self.column} uses a decimal comma{why} (e.g. {example} read as {parsed:g}).")
        else:
            ctx.notes.append(f"{self.column} has thousands separators (e.g. {example} read as {parsed:g}).")

    def parse(self, text: pd.Series) -> pd.Series:
        """Numbers of stripped, non-missing text values."""
        if self.plain:
            return pd.to_numeric(text, errors="coerce").astype(float)
        cleaned = text.str.replace(self.sign, "", regex=False).str.strip() if self.sign else text
        cleaned = cleaned.str.replace(_DIGIT_GROUP_SPACE, "", regex=True)
        if self.decimal_comma:
            cleaned = cleaned.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
        else:
            cleaned = cleaned.str.replace(",", "", regex=False)
        return pd.to_numeric(cleaned, errors="coerce").astype(float)

    def convert(self, values: pd.Series) -> pd.Series:
        """A raw chunk of the column as float (NaN where missing)."""
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            return values.astype(float)
        result = np.full(len(values), np.nan)
        text, numeric, _ = _split(values)
        if numeric.any():
            result[numeric] = values[numeric].astype(float).to_numpy()
        if len(text):
            codes, uniques, _ = unique_text(text)
            parsed = self.parse(uniques.reset_index(drop=True)).to_numpy()
            result[values.index.get_indexer(text.index)] = parsed[codes]
        return pd.Series(result, index=values.index)


def _sign(evidence: NumberEvidence, ctx: Context, currency: str | None) -> str | None:
    signs = sorted(evidence.signs)
    if len(signs) > 1:
        count = sum(s.count for s in evidence.signs.values())
        pairs = sorted((p for s in evidence.signs.values() for p in s.pairs), key=lambda p: p[1])[:3]
        ctx.fail(evidence.column, f"values in more than one currency ({' and '.join(signs)})", count,
                 ctx.render(pairs), "convert every amount to one currency and remove the signs")
    if not signs:
        return None
    sign, sample = signs[0], evidence.signs[signs[0]]
    code = CURRENCY_CODES[sign]
    said = "" if currency in (None, code) else f" (your params say {currency}: set data.currency: {code})"
    ctx.notes.append(f"{evidence.column}: removed the currency sign '{sign}' from {plural(sample.count, 'value')} "
                     f"(e.g. {ctx.render(sample.pairs[:1])}); amounts are taken to be in {code}, so data.currency "
                     f"should say {code}{said}.")
    return sign
