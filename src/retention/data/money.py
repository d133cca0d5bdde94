"""Quantity, unit price and line total: how a file's money columns become Quantity x UnitPrice.

* Quantity and UnitPrice: used as they are. A file without Quantity counts every line as one unit.
* ``Amount`` (a line total) instead of UnitPrice: UnitPrice = Amount / Quantity.
* Amount beside Quantity and UnitPrice: revenue stays Quantity x UnitPrice; lines where the total says
  otherwise are counted in a note (taxes, discounts or shipping in the total would explain them).
* Amount and UnitPrice without Quantity: Quantity = Amount / UnitPrice (noted), so revenue is the total.
* A ``Currency`` column: one currency is noted (and compared with ``data.currency``); more than one stops
  the run, because amounts in different currencies cannot be added up.
* Missing quantities or prices stop the run with the lines that lack them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from retention.data.columns import AMOUNT_COLUMN, CURRENCY_COLUMN, Layout
from retention.data.errors import Context, Sample, plural
from retention.data.numbers import NumberEvidence, NumberReading, file_decimal_style

__all__ = ["MoneyEvidence", "MoneyReading", "CurrencyEvidence"]

_MONEY = ("Quantity", "UnitPrice", AMOUNT_COLUMN)


@dataclass
class CurrencyEvidence:
    """The values of a currency column, counted."""

    column: str
    values: dict[str, Sample] = field(default_factory=dict)

    def observe(self, values: pd.Series) -> None:
        text = values.astype("string").str.strip().str.upper()
        text = text[text.notna() & (text != "")]
        for code, group in text.groupby(text.to_numpy()):
            self.values.setdefault(str(code), Sample(limit=1)).add(group)

    def check(self, ctx: Context, currency: str | None) -> list[str]:
        if not self.values:
            return []
        if len(self.values) > 1:
            counts = sorted(self.values.items(), key=lambda kv: -kv[1].count)
            listed = ", ".join(f"{code} {s.count:,}" for code, s in counts)
            pairs = sorted((s.pairs[0] for _, s in counts), key=lambda p: p[1])[:3]
            ctx.fail(self.column, f"amounts in more than one currency ({listed} lines)",
                     sum(s.count for s in self.values.values()), ctx.render(pairs),
                     "convert every amount to one currency, or keep the lines of one currency, before the analysis; "
                     "amounts in different currencies cannot be added up")
        code = next(iter(self.values))
        if currency is not None and currency.upper() != code:
            return [f"Every amount is in {code} (column '{self.column}'), but data.currency says {currency}: the "
                    f"reports would label the money wrongly. Set data.currency: {code}."]
        return [f"Every amount is in {code} (column '{self.column}')."]


@dataclass
class MoneyEvidence:
    """Number evidence of the money columns the file has, and its currency column."""

    numbers: dict[str, NumberEvidence]
    currency: CurrencyEvidence | None = None

    @classmethod
    def for_layout(cls, layout: Layout) -> MoneyEvidence:
        numbers = {t: NumberEvidence(t) for t in _MONEY if t in layout.sources}
        currency = CurrencyEvidence(layout.sources[CURRENCY_COLUMN]) if CURRENCY_COLUMN in layout.sources else None
        return cls(numbers, currency)

    def observe(self, chunk: pd.DataFrame, layout: Layout) -> None:
        for target, evidence in self.numbers.items():
            evidence.observe(chunk[layout.sources[target]])
        if self.currency is not None:
            self.currency.observe(chunk[self.currency.column])


@dataclass
class MoneyReading:
    """How Quantity and UnitPrice of each chunk are made, decided once for the file."""

    readings: dict[str, NumberReading]
    sources: dict[str, str]
    mismatch: Sample = field(default_factory=Sample)

    @classmethod
    def decide(cls, ev: MoneyEvidence, layout: Layout, ctx: Context, currency: str | None) -> MoneyReading:
        """Readings of every money column in the loader's order; stops on missing quantities or prices."""
        style = file_decimal_style(list(ev.numbers.values()))
        readings = {}
        for target in _MONEY:
            if target not in ev.numbers:
                continue
            readings[target] = NumberReading.decide(ev.numbers[target], ctx, style, currency)
            missing = ev.numbers[target].missing
            if not missing:
                continue
            if target == "Quantity":
                ctx.fail("Quantity", "missing quantities", missing.count, missing.where(ctx),
                         "fill them in (or remove the lines)")
            if target == "UnitPrice" or not {"Quantity", "UnitPrice"} <= set(ev.numbers):
                ctx.fail(target, "missing prices", missing.count, missing.where(ctx),
                         "fill them in (or remove the lines)")
        if "UnitPrice" not in readings:
            ctx.notes.append("Amount is taken as the line total: UnitPrice = Amount / Quantity.")
        elif AMOUNT_COLUMN in readings and "Quantity" not in readings:
            ctx.notes.append(f"The file has a line total ('{layout.sources[AMOUNT_COLUMN]}') and a unit price but no "
                             f"quantity: Quantity is taken as Amount / UnitPrice, so revenue is the line total.")
        return cls(readings, layout.sources)

    def convert(self, chunk: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
        """Quantity and UnitPrice (float) of one chunk."""
        values = {t: r.convert(chunk[self.sources[t]]) for t, r in self.readings.items()}
        amount, price = values.get(AMOUNT_COLUMN), values.get("UnitPrice")
        if "Quantity" in values:
            quantity = values["Quantity"]
        elif amount is not None and price is not None:
            quantity = (amount / price.where(price != 0)).fillna(1.0).round(9)
        else:
            quantity = pd.Series(1.0, index=chunk.index)
        if price is None:
            price = (amount / quantity.replace(0, np.nan)).where(amount.isna() | (quantity != 0), 0.0)
        elif amount is not None:
            self._check_totals(quantity, price, amount)
        return quantity, price

    def _check_totals(self, quantity: pd.Series, price: pd.Series, amount: pd.Series) -> None:
        revenue = quantity * price
        off = (((revenue - amount).abs() > 0.005 + 1e-6 * amount.abs()) & amount.notna()).to_numpy()
        found = np.flatnonzero(off)
        self.mismatch.count += len(found)
        for k in found[: max(0, self.mismatch.limit - len(self.mismatch.pairs))]:
            q, p, a = quantity.iloc[k], price.iloc[k], amount.iloc[k]
            self.mismatch.pairs.append((f"{q:g} x {p:g} = {q * p:.2f} but {a:.2f}", int(quantity.index[k])))

    def notes(self, ctx: Context) -> list[str]:
        if not self.mismatch:
            return []
        column = self.sources[AMOUNT_COLUMN]
        return [f"The line total ('{column}') differs from Quantity x UnitPrice on "
                f"{plural(self.mismatch.count, 'line')} (e.g. {self.mismatch.text(ctx)}); revenue is Quantity x "
                f"UnitPrice. Taxes, discounts or shipping in the total would explain the difference."]
