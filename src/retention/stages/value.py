"""Stage 04: what each customer is worth: the purchase model chosen by backtest (seasonal or not), CLV with
intervals, the value a customer would bring if they stay (the decision's value at stake), cohort value curves."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from retention import clv
from retention.decisions import offer_window_values, value_table_as_of
from retention.stages.context import Context

__all__ = ["ValueResult", "run"]


@dataclass(frozen=True)
class ValueResult:
    """Everything the customer-value report shows."""

    info: dict[str, Any]
    currency: str
    fitted: clv.CustomerValues        # values, forecast, gamma_gamma, backtest, draws, note
    values: pd.DataFrame              # value.customers
    previous: pd.DataFrame            # value.previous
    backtest: pd.DataFrame | None     # forecast_backtest.csv
    cohorts: pd.DataFrame             # cohort_value_curves.csv
    segments: pd.Series               # Segment per customer (for value by segment)
    summary: dict[str, Any]           # value_summary.json
    warnings: tuple[str, ...] = ()  # what the libraries warned about (filled by stages.run_in)


def _settings(ctx: Context) -> dict[str, Any]:
    c = ctx.params.clv
    return {"unit": c.time_unit, "penalizer": c.penalizer, "model": c.model, "seasonal": c.seasonal,
            "backtest_cutoffs": c.backtest_cutoffs, "backtest_horizon_days": c.backtest_horizon_days}


def _draws_table(fitted: clv.CustomerValues) -> pd.DataFrame:
    draws = fitted.draws
    if draws is None:
        return pd.DataFrame(index=fitted.values.index)
    values = draws.expected_revenue_if_alive
    return pd.DataFrame(values, index=draws.index, columns=[f"d{i:03d}" for i in range(values.shape[1])])


def run(ctx: Context) -> ValueResult:
    """Choose and fit the purchase and spend models; write the value tables, draws, backtest and cohorts."""
    info = ctx.read("prepared.info")
    tx = ctx.read("prepared.transactions")
    c, d = ctx.params.clv, ctx.params.decision
    end = pd.Timestamp(info["end_date"])
    settings = _settings(ctx)
    fitted = clv.fit_customer_values(
        tx, end, horizon_months=c.horizon_months, discount_rate_monthly=c.discount_rate_monthly,
        churn_horizon_days=ctx.params.churn.horizon_days, decision_horizon_months=d.horizon_months,
        uncertainty_draws=c.uncertainty_draws, **settings)
    values = fitted.values.drop(columns=["value_if_active"]).join(offer_window_values(fitted, [d.offer_months]))
    ctx.write("value.customers", values)
    previous_cutoff = end - pd.Timedelta(days=ctx.params.churn.horizon_days)
    previous = value_table_as_of(tx, previous_cutoff, time_unit=c.time_unit, penalizer=c.penalizer,
                                 horizon_months=d.horizon_months, offer_months=[d.offer_months],
                                 model=fitted.forecast.model_name, seasonal=fitted.forecast.seasonal)
    ctx.write("value.previous", previous)
    ctx.write("value.draws", _draws_table(fitted))
    backtest = fitted.backtest.scorecard if fitted.backtest is not None else None
    ctx.write("forecast_backtest", backtest if backtest is not None else pd.DataFrame({"note": [fitted.note]}))
    margin = ctx.params.roi.economics.margin
    cohorts = clv.cohort_value_curves(fitted.log, fitted.forecast, fitted.gamma_gamma, fitted.draws, margin=margin,
                                      months_ahead=c.horizon_months)
    ctx.write("cohort_value", cohorts)
    summary = {"model": fitted.forecast.label, "seasonal": bool(fitted.forecast.seasonal), "note": fitted.note,
               "customers": int(len(values)), "clv_total": float(values["clv"].sum()),
               "expected_purchases_total": float(values["expected_purchases"].sum()),
               "p_alive_mean": float(np.mean(values["p_alive"]))}
    ctx.write("value_summary", summary)
    segments = ctx.read("segments.customers")["Segment"]
    return ValueResult(info=info, currency=ctx.currency, fitted=fitted, values=values, previous=previous,
                       backtest=backtest, cohorts=cohorts, segments=segments, summary=summary)
