"""Headline numbers (C6 ``kpis.json``): base size, at-risk count and share, expected loss, retention rate.

Each number is computed now and one churn horizon earlier *over the same definition* (the base as of that
date, the churn model's probabilities as of that date, values fitted as of that date), so a change compares
like with like; shares are given beside counts, and every KPI says whether higher is better, so a change is
labelled better or worse by its meaning, not its sign.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from retention.decisions.frame import customer_base, last_purchases
from retention.decisions.vocabulary import AT_RISK, EXPECTED_LOSS, IN_BASE

__all__ = ["KPI_KEYS", "Kpi", "snapshot", "retention_rate", "retention_rate_from_labels", "headline_kpis",
           "kpis_document", "change_text"]

KPI_KEYS: tuple[str, ...] = ("base", "at_risk", "at_risk_share", "expected_loss", "retention_rate")


@dataclass(frozen=True)
class Kpi:
    """A headline number now and one period earlier, with its unit and which direction is good."""

    key: str
    name: str
    current: float
    previous: float
    unit: str
    higher_is_better: bool
    definition: str

    @property
    def change(self) -> float:
        return self.current - self.previous

    @property
    def relative_change(self) -> float:
        return self.change / self.previous if self.previous else float("nan")

    @property
    def verdict(self) -> str | None:
        """``"better"``, ``"worse"`` or ``"unchanged"`` by the KPI's meaning; None without a previous value."""
        if _missing(self.current) or _missing(self.previous):
            return None
        if math.isclose(self.current, self.previous, rel_tol=1e-12, abs_tol=1e-12):
            return "unchanged"
        return "better" if (self.change > 0) == self.higher_is_better else "worse"

    def as_dict(self) -> dict[str, Any]:
        """The C6 entry, plus ``change`` (the verdict)."""
        return {"key": self.key, "name": self.name, "current": _plain(self.current),
                "previous": _plain(self.previous), "unit": self.unit, "higher_is_better": self.higher_is_better,
                "definition": self.definition, "change": self.verdict}


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _plain(value: float | None) -> float | int | None:
    if _missing(value):
        return None
    return int(value) if float(value).is_integer() and abs(value) < 2**53 else float(value)


def snapshot(frame: pd.DataFrame) -> dict[str, float]:
    """Base size, at-risk count and share, and the base's expected loss of one decision frame."""
    base = int(frame[IN_BASE].sum())
    at_risk = int(frame[AT_RISK].sum())
    return {"base": base, "at_risk": at_risk, "at_risk_share": at_risk / base if base else float("nan"),
            "expected_loss": float(frame.loc[frame[IN_BASE], EXPECTED_LOSS].sum())}


def retention_rate(transactions: pd.DataFrame, as_of: object, *, base_window_days: int, horizon_days: int) -> float:
    """Of the customer base one churn horizon before ``as_of``, the share who bought in the horizon since.

    The base then is every customer whose last purchase up to ``as_of - horizon_days`` lies within
    ``base_window_days`` of that date; "bought" means a purchase day in ``(as_of - horizon_days, as_of]``.
    NaN when that base is empty.
    """
    as_of = pd.Timestamp(as_of).normalize()
    earlier = as_of - pd.Timedelta(days=horizon_days)
    base = customer_base(last_purchases(transactions, earlier), earlier, base_window_days)
    members = base.index[base.to_numpy()]
    if not len(members):
        return float("nan")
    day = pd.to_datetime(transactions["InvoiceDate"]).dt.normalize()
    bought = pd.Index(transactions.loc[(day > earlier) & (day <= as_of), "CustomerID"].unique())
    return float(members.isin(bought).mean())


def retention_rate_from_labels(last_purchase: pd.Series, churned: pd.Series, as_of: object, *,
                               base_window_days: int) -> float:
    """:func:`retention_rate` from per-customer tables (the engine's, no lines in pandas).

    ``last_purchase`` is each customer's last purchase day up to ``as_of`` and ``churned`` the churn label at
    ``as_of`` (1 = no purchase within the horizon after it), both indexed by CustomerID: the rate is the share
    of the customer base as of ``as_of`` who bought again. NaN when that base is empty.
    """
    base = customer_base(last_purchase, as_of, base_window_days)
    members = base.index[base.to_numpy()]
    if not len(members):
        return float("nan")
    labels = churned.reindex(members)
    if labels.isna().any():
        raise ValueError(f"churned has no label for {int(labels.isna().sum())} customer(s) of the base as of "
                         f"{pd.Timestamp(as_of).date()}.")
    return float(1.0 - labels.astype(float).mean())


def headline_kpis(current: pd.DataFrame, previous: pd.DataFrame, transactions: pd.DataFrame | None = None, *,
                  as_of: object, horizon_days: int, base_window_days: int, at_risk_threshold: float,
                  horizon_months: int, retention_rates: tuple[float, float] | None = None) -> list[Kpi]:
    """The five C6 KPIs from the decision frames now and one churn horizon earlier.

    ``previous`` must be a :func:`~retention.decisions.decision_frame` as of ``as_of - horizon_days`` (base,
    churn probabilities and values as of that date). The retention rates (now, one horizon earlier) are
    ``retention_rates`` when given (e.g. :func:`retention_rate_from_labels` on the engine's tables), else they
    are computed from ``transactions``.
    """
    now, before = snapshot(current), snapshot(previous)
    earlier = pd.Timestamp(as_of).normalize() - pd.Timedelta(days=horizon_days)
    if retention_rates is not None:
        rate_now, rate_before = (float(r) for r in retention_rates)
    elif transactions is not None:
        rate_now = retention_rate(transactions, as_of, base_window_days=base_window_days, horizon_days=horizon_days)
        rate_before = retention_rate(transactions, earlier, base_window_days=base_window_days,
                                     horizon_days=horizon_days)
    else:
        raise ValueError("headline_kpis needs retention_rates or the transactions to compute them.")
    base_text = f"customers with a purchase in the last {base_window_days} days"
    return [
        Kpi("base", "Customer base", now["base"], before["base"], "count", True, base_text),
        Kpi("at_risk", "At-risk customers", now["at_risk"], before["at_risk"], "count", False,
            f"customers of the base with a churn probability of {at_risk_threshold:.0%} or more"),
        Kpi("at_risk_share", "At-risk share", now["at_risk_share"], before["at_risk_share"], "share", False,
            "at-risk customers as a share of the customer base"),
        Kpi("expected_loss", "Expected loss", now["expected_loss"], before["expected_loss"], "money", False,
            f"churn probability x value at stake (margin on the expected revenue over {horizon_months} months "
            f"if the customer stays), summed over the base"),
        Kpi("retention_rate", "Retention rate", rate_now, rate_before, "share", True,
            f"of the customer base {horizon_days} days earlier, the share who bought again within {horizon_days} "
            f"days"),
    ]


def kpis_document(kpis: Sequence[Kpi], *, as_of: object, previous_as_of: object, currency: str,
                  period_days: int) -> dict[str, Any]:
    """The C6 ``kpis.json`` document."""
    keys = [k.key for k in kpis]
    missing = [k for k in KPI_KEYS if k not in keys]
    if missing:
        raise ValueError(f"kpis.json needs the KPIs {', '.join(KPI_KEYS)}; missing {', '.join(missing)}.")
    return {"as_of": str(pd.Timestamp(as_of).date()), "previous_as_of": str(pd.Timestamp(previous_as_of).date()),
            "currency": currency, "period_days": int(period_days), "kpis": [k.as_dict() for k in kpis]}


def change_text(kpi: Kpi, fmt: Callable[[float], str]) -> str:
    """'up 4.2% from 1,234 (worse)' style text; ``fmt`` formats the previous value."""
    verdict = kpi.verdict
    if verdict is None:
        return "no previous period to compare"
    if verdict == "unchanged":
        return f"unchanged from {fmt(kpi.previous)}"
    direction = "up" if kpi.change > 0 else "down"
    size = f" {abs(kpi.relative_change) * 100:.1f}%" if kpi.previous else ""
    return f"{direction}{size} from {fmt(kpi.previous)} ({verdict})"
