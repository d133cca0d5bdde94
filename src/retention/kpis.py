"""Headline numbers for the executive summary, each with the previous period for comparison.

A *period* is the last ``period_days`` days of the data (the churn horizon by default), and the
previous period is the same length just before it. Definitions, stated once:

* **active customers**: customers with at least one purchase in the period;
* **retention rate**: of the customers active in the period before, the share who bought again in
  the period (so "previous" compares the period before that with the one before it);
* **at-risk customers**: customers whose churn probability is at or above the high-risk threshold;
* **revenue exposure** (revenue at risk): sum of churn probability x value if retained.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

__all__ = ["Kpi", "active_customers", "retention_rate", "activity_kpis", "exposure_by", "change_text",
           "recommended_actions"]


@dataclass(frozen=True)
class Kpi:
    """A headline number now and one period earlier."""

    name: str
    current: float
    previous: float
    definition: str

    @property
    def change(self) -> float:
        return self.current - self.previous

    @property
    def relative_change(self) -> float:
        return self.change / self.previous if self.previous else float("nan")


def _window(transactions: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.Index:
    """Customers with a purchase on a day in (start, end], both given as days."""
    day = transactions["InvoiceDate"].dt.normalize()
    mask = (day > start) & (day <= end)
    return pd.Index(transactions.loc[mask, "CustomerID"].unique())


def active_customers(transactions: pd.DataFrame, end: pd.Timestamp, period_days: int) -> int:
    """Customers with a purchase in the ``period_days`` days ending on ``end`` (inclusive)."""
    end = pd.Timestamp(end).normalize()
    return len(_window(transactions, end - pd.Timedelta(days=period_days), end))


def retention_rate(transactions: pd.DataFrame, end: pd.Timestamp, period_days: int) -> float:
    """Share of the customers active in the period before ``end - period_days`` who bought again since."""
    end = pd.Timestamp(end).normalize()
    p = pd.Timedelta(days=period_days)
    before = _window(transactions, end - 2 * p, end - p)
    now = _window(transactions, end - p, end)
    return float(before.isin(now).mean()) if len(before) else float("nan")


def activity_kpis(transactions: pd.DataFrame, end: pd.Timestamp, period_days: int) -> dict[str, Kpi]:
    """Active customers and retention rate for the last period and the one before it."""
    end = pd.Timestamp(end).normalize()
    earlier = end - pd.Timedelta(days=period_days)
    return {
        "active": Kpi("Active customers", active_customers(transactions, end, period_days),
                      active_customers(transactions, earlier, period_days),
                      f"customers with a purchase in the last {period_days} days"),
        "retention": Kpi("Retention rate", retention_rate(transactions, end, period_days),
                         retention_rate(transactions, earlier, period_days),
                         f"share of the customers active in the {period_days} days before who bought again "
                         f"in the last {period_days} days"),
    }


def exposure_by(customers: pd.DataFrame, column: str, top: int = 5) -> pd.DataFrame:
    """Revenue at risk grouped by ``column`` (e.g. Segment, Country), largest first, with shares."""
    grouped = customers.groupby(column, observed=True).agg(customers=("revenue_at_risk", "size"),
                                                           revenue_at_risk=("revenue_at_risk", "sum"))
    grouped["share"] = grouped["revenue_at_risk"] / grouped["revenue_at_risk"].sum()
    grouped = grouped.sort_values(["revenue_at_risk"], ascending=False, kind="stable")
    return grouped.head(top).rename_axis(column).reset_index()


def change_text(kpi: Kpi, fmt, higher_is_better: bool = True) -> str:
    """'up 4.2% from 1,234 the period before' style text; ``fmt`` formats the previous value."""
    if pd.isna(kpi.previous) or pd.isna(kpi.current):
        return "no previous period to compare"
    if kpi.change == 0:
        return f"unchanged from {fmt(kpi.previous)}"
    direction = "up" if kpi.change > 0 else "down"
    good = (kpi.change > 0) == higher_is_better
    size = f"{abs(kpi.relative_change) * 100:.1f}%" if kpi.previous else ""
    return f"{direction} {size} from {fmt(kpi.previous)} ({'better' if good else 'worse'})".replace("  ", " ")


def recommended_actions(roi_summary: dict, segments: pd.DataFrame, high_value_at_risk: int, money) -> list[str]:
    """Three actions, each written from the computed numbers.

    ``roi_summary`` comes from the ROI report (best campaign, chosen campaign's base / pessimistic net
    profit, probability of loss, break-even uplift); ``segments`` from :func:`exposure_by` on Segment;
    ``money`` formats an amount.
    """
    actions = []
    best = roi_summary["best_campaign"]
    if roi_summary["best_net_profit"] > 0:
        actions.append(
            f"Run the {best} campaign on its {roi_summary['best_targets']:,} customers: "
            f"{money(roi_summary['best_net_profit'])} expected net profit at ROI {roi_summary['best_roi'] * 100:.0f}%, "
            f"as long as the offer saves at least "
            f"{roi_summary['best_break_even_uplift'] * 100:.1f}% of would-be churners.")
    else:
        actions.append(f"Do not run a discount campaign yet: none of the standard campaigns pays under the base "
                       f"assumptions (the best, {best}, nets {money(roi_summary['best_net_profit'])}).")
    lead = segments.iloc[0]
    actions.append(
        f"Protect the {lead.iloc[0]} segment first: {int(lead['customers']):,} customers carry "
        f"{money(lead['revenue_at_risk'])} of revenue at risk ({lead['share'] * 100:.0f}% of the total); the CRM team "
        f"has the {high_value_at_risk:,} high-value customers at risk in high_value_at_risk.csv.")
    actions.append(
        f"Test before scaling: hold out a random control group in the {roi_summary['chosen_campaign']} campaign to "
        f"measure the real uplift; under pessimistic assumptions it would net "
        f"{money(roi_summary['chosen_net_pessimistic'])}, and it loses money in "
        f"{roi_summary['chosen_p_loss'] * 100:.0f}% of the simulated scenarios.")
    return actions
