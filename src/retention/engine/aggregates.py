"""The EDA report's aggregates of a :class:`~retention.engine.session.Session`, as :mod:`retention.eda` returns them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from retention.engine import eda

if TYPE_CHECKING:  # pragma: no cover
    from retention.engine.session import Session

__all__ = ["EdaAggregates"]


class EdaAggregates:
    """:mod:`retention.eda`'s tables of a session's kept lines, computed in its engine."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def _fetch(self, name: str, needs: tuple[str, ...], **options: Any) -> pd.DataFrame:
        for table in needs:
            self.session.build(table)
        return self.session.fetch(self.session.plan.eda(name, **options))

    def monthly_activity(self) -> pd.DataFrame:
        """:func:`retention.eda.monthly_activity`."""
        per_month = self._fetch("monthly", ("days", "invoices"))
        return eda.monthly_table(per_month.assign(month=eda.month_start(per_month["month"])))

    def weekday_hour_orders(self) -> pd.DataFrame:
        """:func:`retention.eda.weekday_hour_orders`."""
        return eda.weekday_hour_table(self._fetch("weekday_hour", ("orders",)))

    def top_countries(self, n: int = 10) -> pd.DataFrame:
        """:func:`retention.eda.top_countries`."""
        return eda.countries_table(self._fetch("countries", ("invoices",)), n)

    def top_products(self, n: int = 10) -> pd.DataFrame:
        """:func:`retention.eda.top_products` (description: the most common one of the product)."""
        top = self._fetch("top_products", (), n=n)
        codes = [str(c) for c in top["StockCode"]]
        names = self._fetch("descriptions", (), codes=codes) if codes else pd.DataFrame(
            {"StockCode": [], "Description": []})
        described = dict(zip(names["StockCode"], names["Description"], strict=True))
        top = top.assign(description=[described.get(c, np.nan) for c in codes])
        top = top.rename(columns={"StockCode": "stock_code"})
        top["stock_code"] = top["stock_code"].astype("str")
        top["description"] = top["description"].astype("str")
        if self.session.whole_quantities:  # as the clean lines' Quantity, whole numbers are integers
            top["units"] = top["units"].astype(np.int64)
        revenue = float(self._fetch("customers", ("orders", "days"))["revenue"].iloc[0])
        return eda.products_table(top, revenue)

    def cohort_retention(self) -> pd.DataFrame:
        """:func:`retention.eda.cohort_retention`."""
        return eda.cohort_table(self._fetch("cohorts", ("days",)))

    def headline(self) -> dict[str, Any]:
        """:func:`retention.eda.headline`."""
        numbers = self._fetch("order_numbers", ("orders",)).iloc[0].to_dict()
        numbers.update(self._fetch("customers", ("orders", "days")).iloc[0].to_dict())
        numbers.update(first_date=self.session.first_date, last_date=self.session.last_date)
        return eda.headline_table(numbers, self.monthly_activity())

    def large_orders(self, threshold: float) -> dict[str, float]:
        """Orders worth ``threshold`` or more: how many (``orders``) and their revenue (``revenue``)."""
        row = self._fetch("large_orders", ("orders",), threshold=threshold).iloc[0]
        revenue = row["large_revenue"]
        return {"orders": int(row["large_orders"] or 0), "revenue": 0.0 if pd.isna(revenue) else float(revenue)}

    def histogram(self, column: str, n_bins: int) -> pd.DataFrame:
        """Orders per log-spaced bin of ``column`` (``"value"`` or ``"lines"``): ``left``, ``right``, ``orders``.

        The bins of the report's log histograms: for order values ``n_bins`` log-spaced bins from the smallest
        to the largest positive value (values at or below zero count in the first bin); for product lines, a
        whole number, about ``n_bins`` bins of whole numbers (:func:`~retention.engine.eda.integer_log_edges`:
        ``left <= lines < right``).
        """
        if column not in ("value", "lines"):
            raise ValueError(f"column must be 'value' or 'lines', got {column!r}")
        limits = self._fetch("value_range", ("orders",), column=column).iloc[0]
        low, high = (float(limits["low"]), float(limits["high"])) if pd.notna(limits["low"]) else (1.0, 10.0)
        if column == "value" and high <= low:  # every order worth the same: one decade around it
            high = low * 10
        edges = eda.integer_log_edges(low, high, n_bins) if column == "lines" else eda.log_bin_edges(low, high, n_bins)
        n_bins = len(edges) - 1
        self.session.upload("edges", pd.DataFrame({"bin": np.arange(n_bins, dtype=np.int32), "lo": edges[:-1],
                                                   "hi": edges[1:]}))
        counts = self._fetch("histogram", ("orders",), column=column, low=low, n_bins=n_bins)
        return eda.histogram_table(edges, counts)

    def order_value_histogram(self, n_bins: int = 40) -> pd.DataFrame:
        """Orders per log-spaced bin of order value."""
        return self.histogram("value", n_bins)

    def basket_size_histogram(self, n_bins: int = 25) -> pd.DataFrame:
        """Orders per bin of whole numbers of product lines per order (``left <= lines < right``)."""
        return self.histogram("lines", n_bins)
