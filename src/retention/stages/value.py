"""Stage 04: what each customer is worth: the purchase model chosen by backtest (seasonal or not), CLV with
intervals, the value a customer would bring if they stay (the decision's value at stake), cohort value curves.

The lines stay in the engine: the models work from its purchase-day grain (one row per customer and purchase day,
:meth:`retention.engine.Session.purchase_days`), from which :mod:`retention.clv` takes every summary at every
cutoff, the daily repeat purchases of the seasonal index and the cohorts' monthly revenue.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from retention import clv
from retention.decisions import offer_window_values
from retention.report.formatting import money, number, pct, plural
from retention.segments import SEGMENT_ORDER
from retention.stages.context import Context

__all__ = ["ValueResult", "run"]

#: Customers in the "most valuable customers" table of the report.
TOP_CUSTOMERS = 10
#: Most cohorts one chart draws (evenly spread when there are more).
MAX_COHORTS_SHOWN = 6
#: Smallest cohort drawn: this many customers and this share of all customers.
MIN_COHORT_CUSTOMERS, MIN_COHORT_SHARE = 20, 0.01


@dataclass(frozen=True)
class ValueResult:
    """Everything the customer-value report shows."""

    info: dict[str, Any]
    currency: str
    as_of: pd.Timestamp
    settings: dict[str, Any]          # horizons, discount rate, margin, time unit, offer window, draws
    fitted: clv.CustomerValues        # values, forecast, gamma_gamma, backtest, draws, note
    values: pd.DataFrame              # value.customers
    previous: pd.DataFrame            # value.previous
    previous_as_of: pd.Timestamp
    previous_notes: tuple[str, ...]   # what the fit one churn horizon earlier warned about, in plain words
    totals: dict[str, Any]            # sums with their 5%-95% intervals (clv.value_totals)
    stake: pd.DataFrame               # value at stake per customer, with its interval
    backtest: pd.DataFrame | None     # forecast_backtest.csv (every candidate and cutoff)
    candidates: pd.DataFrame          # the backtest's distinct forecasts, the chosen one marked
    seasonal_index: pd.DataFrame | None  # month and weekday intensities when the forecast is seasonal
    parameters: pd.DataFrame          # model parameters with meanings (appendix)
    spend_frequency_corr: float       # correlation of frequency and average spend among repeat buyers
    by_segment: pd.DataFrame          # value by RFM segment
    top_customers: pd.DataFrame       # the most valuable customers (ids as shown)
    cohorts: pd.DataFrame             # cohort_value_curves.csv
    truth: pd.DataFrame | None        # forecast vs the generator's truth (generated data only)
    truth_numbers: dict[str, float] | None
    summary: dict[str, Any]           # value_summary.json
    warnings: tuple[str, ...] = ()    # what the libraries warned about (filled by stages.run_in)

    @property
    def model_label(self) -> str:
        """The chosen forecast, e.g. "Pareto/NBD, seasonal"."""
        return self.fitted.forecast.label

    @property
    def seasonal(self) -> bool:
        return bool(self.fitted.forecast.seasonal)

    @property
    def choice_reason(self) -> str:
        """Why this model (the backtest's sentence, or that params pinned it)."""
        bt = self.fitted.backtest
        return bt.reason if bt is not None else f"{self.fitted.forecast.model.label} is pinned by clv.model."

    @property
    def seasonality_note(self) -> str:
        return self.fitted.forecast.note

    @property
    def backtest_numbers(self) -> dict[str, Any] | None:
        """The chosen model's and plain BG/NBD's backtest errors: ``chosen`` (mean absolute total error),
        ``chosen_errors`` (per cutoff), ``bgnbd`` (plain BG/NBD's), ``cutoffs``, ``judged_seasonal`` (whether
        seasonal candidates could be backtested), ``horizon_days``; None without a backtest."""
        c = self.candidates
        if c.empty:
            return None
        chosen = c[c["chosen"]]
        if chosen.empty:  # the final seasonality was decided by the calendar test: the stationary row
            bt = self.fitted.backtest
            chosen = c[(c["model"] == bt.model) & ~c["seasonal"]] if bt is not None else chosen
        plain = c[(c["model"] == "bgnbd") & ~c["seasonal"]]
        return {"chosen": float(chosen["total_error"].abs().mean()), "chosen_errors": list(chosen["total_error"]),
                "bgnbd": float(plain["total_error"].abs().mean()) if not plain.empty else float("nan"),
                "cutoffs": list(pd.to_datetime(chosen["cutoff"])), "judged_seasonal": bool(c["seasonal"].any()),
                "horizon_days": int(self.settings["backtest_horizon_days"])}

    @property
    def model_sentence(self) -> str:
        """Which forecast model, and why, in plain words."""
        f = self.fitted.forecast
        name = f"the {f.model.label} model" + (" on the shop's seasonal calendar" if self.seasonal else "")
        numbers = self.backtest_numbers
        if self.fitted.backtest is None:
            return f"The forecast uses {name}, pinned by the params (clv.model and clv.seasonal)."
        if numbers is None:
            return f"The forecast uses {name}. {self.fitted.backtest.reason}"
        days, n = numbers["horizon_days"], len(numbers["cutoffs"])
        when = "one earlier date" if n == 1 else f"{n} earlier dates"
        errors = ", ".join(f"{v:+.0%}".replace("-", "−") for v in numbers["chosen_errors"])
        untested = self.seasonal and not numbers["judged_seasonal"]
        who = "its version without the calendar" if untested else "it"
        text = (f"The forecast uses {name}. In a backtest at {when}, {who} missed the next {days} days' orders by "
                f"{pct(numbers['chosen'])} on average ({errors})")
        if f.model_name == "bgnbd" and not self.seasonal:
            text += ", and no alternative model did clearly better."
        elif np.isfinite(numbers["bgnbd"]) and f.model_name != "bgnbd":
            text += f", against {pct(numbers['bgnbd'])} for the standard BG/NBD model."
        else:
            text += "."
        if untested:
            text += (" A calendar needs a year of history before a backtest date, which the data do not have; it was "
                     "added because the whole history shows a clear seasonal pattern.")
        return text

    @property
    def certainty_sentence(self) -> str:
        """How sure the totals are: the backtest's miss next to the parameter range, in plain words."""
        numbers = self.backtest_numbers
        rng = ""
        t = self.totals
        if np.isfinite(t["clv_low"]):
            rng = (f"The range from the model's parameter uncertainty ({money(t['clv_low'], self.currency)} to "
                   f"{money(t['clv_high'], self.currency)}) is narrow because it leaves out model error. ")
        if numbers is None:
            return rng + "No backtest could measure how far off the forecast totals can be: read them as rough."
        return rng + (f"Read the totals as good to about ±{numbers['chosen']:.0%}, the backtest's average miss; "
                      "the ranking of customers is more reliable than any one customer's amount.")

    @property
    def headline(self) -> str:
        """The first screen's callout: what customers are worth, how sure we are, which model and why."""
        t, cur = self.totals, self.currency
        months = self.settings["horizon_months"]
        return (f"Over the next {months} months the {number(t['customers'])} customers are expected to bring "
                f"{money(t['clv'], cur)} in revenue, discounted at {pct(self.settings['discount_rate_monthly'])} a "
                f"month; {pct(t['active_share'], 0)} of them are likely still active and the top 20% hold "
                f"{pct(t['top20_share'], 0)} of the value. {self.model_sentence} {self.certainty_sentence}")

    @property
    def one_time_buyers(self) -> int:
        """Customers with a single purchase day so far."""
        return int((self.fitted.forecast.summary["frequency"] == 0).sum())

    @property
    def certainly_active(self) -> int:
        """Customers the model counts as certainly still active (P(alive) = 1: BG/NBD's one-time buyers)."""
        return int((self.values["p_alive"] >= 1.0 - 1e-12).sum())

    @property
    def active_note(self) -> str:
        """The note under the "likely still active" figure."""
        active = int((self.values["p_alive"] > 0.5).sum())
        text = f"{plural(active, 'customer')} with a chance still active above 50%"
        sure = self.certainly_active
        if self.fitted.forecast.model_name == "bgnbd" and sure:
            text += f", {number(sure)} of them one-time buyers BG/NBD counts as active for sure"
        return text

    @property
    def one_time_note(self) -> str:
        """What the chosen model assumes about customers who bought once ("" when none)."""
        n = self.one_time_buyers
        if n == 0:
            return ""
        who = f"{plural(n, 'customer')} who bought only once"
        if self.fitted.forecast.model_name == "bgnbd":
            return (f"BG/NBD counts the {who} as certainly still active (a customer can only leave after a repeat "
                    "purchase), so their chance still active is 100% and their value rests on the average buying "
                    "rate; MBG/NBD and Pareto/NBD, which the backtest also tried, let them leave.")
        return (f"Under {self.fitted.forecast.model.label} the {who} may already have left, and their value "
                "reflects that.")

    @property
    def small_cohorts(self) -> list[str]:
        """Cohorts too small for a curve of their own: fewer than :data:`MIN_COHORT_CUSTOMERS` customers or
        :data:`MIN_COHORT_SHARE` of all (a handful of customers is noise, not a cohort)."""
        sizes = self.cohorts.groupby("cohort")["customers"].first()
        floor = max(MIN_COHORT_CUSTOMERS, MIN_COHORT_SHARE * int(sizes.sum()))
        return sorted(sizes.index[sizes < floor])

    @property
    def cohorts_shown(self) -> list[str]:
        """The cohorts the chart draws: every one large enough (:attr:`small_cohorts` are left out) up to
        :data:`MAX_COHORTS_SHOWN`, else that many evenly spread from the first to the last (the CSV holds all)."""
        small = set(self.small_cohorts)
        names = sorted(c for c in self.cohorts["cohort"].unique() if c not in small)
        if len(names) <= MAX_COHORTS_SHOWN:
            return names
        picks = np.unique(np.round(np.linspace(0, len(names) - 1, MAX_COHORTS_SHOWN)).astype(int))
        return [names[i] for i in picks]

    @property
    def seasonal_components(self) -> list[str]:
        """The calendar effects in use: "month" and/or "weekday" (empty when stationary)."""
        if self.seasonal_index is None:
            return []
        table = self.seasonal_index
        return [c for c in ("month", "weekday")
                if not np.allclose(table.loc[table["component"] == c, "intensity"], 1.0)]

    @property
    def plain_warnings(self) -> list[str]:
        """The models' warnings in plain words (:func:`retention.clv.plain_warnings`)."""
        return clv.plain_warnings(self.warnings)[0]

    @property
    def other_warnings(self) -> list[str]:
        """Any other library messages, as they were raised."""
        return clv.plain_warnings(self.warnings)[1]


def _settings(ctx: Context) -> dict[str, Any]:
    c, d = ctx.params.clv, ctx.params.decision
    return {"unit": c.time_unit, "penalizer": c.penalizer, "model": c.model, "seasonal": c.seasonal,
            "backtest_cutoffs": c.backtest_cutoffs, "backtest_horizon_days": c.backtest_horizon_days,
            "horizon_months": c.horizon_months, "discount_rate_monthly": c.discount_rate_monthly,
            "uncertainty_draws": c.uncertainty_draws, "max_spend_frequency_corr": c.max_spend_frequency_corr,
            "churn_horizon_days": ctx.params.churn.horizon_days, "decision_horizon_months": d.horizon_months,
            "offer_months": d.offer_months, "margin": ctx.params.roi.economics.margin}


def _fit(log: clv.PurchaseDays, cutoff: pd.Timestamp, s: dict[str, Any], **override: Any) -> clv.CustomerValues:
    options = {"unit": s["unit"], "penalizer": s["penalizer"], "model": s["model"], "seasonal": s["seasonal"],
               "horizon_months": s["horizon_months"], "discount_rate_monthly": s["discount_rate_monthly"],
               "churn_horizon_days": s["churn_horizon_days"], "decision_horizon_months": s["decision_horizon_months"],
               "backtest_cutoffs": s["backtest_cutoffs"], "backtest_horizon_days": s["backtest_horizon_days"],
               "uncertainty_draws": s["uncertainty_draws"]}
    return clv.fit_customer_values(log, cutoff, **{**options, **override})


def _value_table(fitted: clv.CustomerValues, offer_months: int, intervals: bool = True) -> pd.DataFrame:
    values = fitted.values.drop(columns=["value_if_active"])
    if not intervals:
        values = values[[c for c in values.columns if not c.endswith(("_p05", "_p95"))]]
    return values.join(offer_window_values(fitted, [offer_months])).rename_axis("CustomerID")


def _draws_table(fitted: clv.CustomerValues) -> pd.DataFrame:
    draws = fitted.draws
    if draws is None:
        return pd.DataFrame(index=fitted.values.index.rename("CustomerID"))
    values = draws.expected_revenue_if_alive
    return pd.DataFrame(values, index=draws.index.rename("CustomerID"),
                        columns=[f"d{i:03d}" for i in range(values.shape[1])])


def _previous(log: clv.PurchaseDays, fitted: clv.CustomerValues, cutoff: pd.Timestamp,
              s: dict[str, Any]) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """The same model (and calendar choice) fitted one churn horizon earlier, without intervals."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        earlier = _fit(log, cutoff, s, model=fitted.forecast.model_name, seasonal=fitted.forecast.seasonal,
                       uncertainty_draws=0)
    plain, _ = clv.plain_warnings(str(w.message) for w in caught)
    return _value_table(earlier, s["offer_months"], intervals=False), tuple(plain)


def _spend_frequency_corr(summary: pd.DataFrame) -> float:
    repeat = summary[summary["frequency"] > 0]
    if len(repeat) < 2:
        return float("nan")
    return clv.spend_frequency_correlation(repeat["frequency"], repeat["monetary_value"])


def _top_customers(ctx: Context, values: pd.DataFrame, stake: pd.DataFrame, segment: pd.Series) -> pd.DataFrame:
    top = values.sort_values("clv", ascending=False, kind="stable").head(TOP_CUSTOMERS)
    table = pd.DataFrame({"CustomerID": ctx.shown_ids(top.index).to_numpy(),
                          "Segment": segment.reindex(top.index).to_numpy(), "clv": top["clv"].to_numpy(),
                          "clv_p05": top.get("clv_p05", pd.Series(np.nan, index=top.index)).to_numpy(),
                          "clv_p95": top.get("clv_p95", pd.Series(np.nan, index=top.index)).to_numpy(),
                          "p_alive": top["p_alive"].to_numpy(),
                          "expected_purchases": top["expected_purchases"].to_numpy(),
                          "expected_order_value": top["expected_order_value"].to_numpy(),
                          "value_at_stake": stake.loc[top.index, "value_at_stake"].to_numpy()})
    return table


def _summary(fitted: clv.CustomerValues, totals: dict[str, Any], s: dict[str, Any], currency: str,
             as_of: pd.Timestamp, truth: pd.DataFrame | None, truth_numbers: dict[str, float] | None,
             candidates: pd.DataFrame) -> dict[str, Any]:
    forecast = fitted.forecast
    bt = fitted.backtest
    chosen = candidates[candidates["chosen"]] if not candidates.empty else candidates
    summary: dict[str, Any] = {
        "as_of": as_of.date().isoformat(), "currency": currency,
        "model": forecast.model_name, "model_label": forecast.label, "seasonal": bool(forecast.seasonal),
        "calendar": list(forecast.clock.index.table()["component"].unique()) if forecast.seasonal else [],
        "choice": bt.reason if bt is not None else "pinned by clv.model",
        "note": fitted.note, "time_unit": s["unit"], "horizon_months": int(s["horizon_months"]),
        "decision_horizon_months": int(s["decision_horizon_months"]),
        "discount_rate_monthly": float(s["discount_rate_monthly"]), "margin": float(s["margin"]),
        "uncertainty_draws": int(s["uncertainty_draws"]),
        "totals": {k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in totals.items()},
        "backtest": None if chosen.empty else {
            "cutoffs": [c.date().isoformat() for c in pd.to_datetime(chosen["cutoff"])],
            "total_error": [float(v) for v in chosen["total_error"]],
            "mean_abs_total_error": float(chosen["total_error"].abs().mean()),
            "horizon_days": int(s["backtest_horizon_days"])},
        "spend_model_fallback": bool(getattr(fitted.gamma_gamma, "fallback_", "")),
        "purchase_model_fallback": bool(getattr(forecast.model, "fallback_", "")),
        "truth": None,
    }
    if truth is not None and truth_numbers is not None:
        by = truth.set_index("measure")
        summary["truth"] = {**truth_numbers, **{f"{m}_{k}": float(by.loc[m, k]) for m in by.index
                                                for k in ("forecast", "truth", "error")}}
    return summary


def run(ctx: Context) -> ValueResult:
    """Choose and fit the purchase and spend models; write the value tables, draws, backtest and cohorts."""
    info = ctx.read("prepared.info")
    s = _settings(ctx)
    end = pd.Timestamp(info["end_date"])
    log = clv.PurchaseDays.from_grain(ctx.log.purchase_days(end=end))
    fitted = _fit(log, end, s)
    values = _value_table(fitted, s["offer_months"])
    ctx.write("value.customers", values)
    previous_as_of = end - pd.Timedelta(days=s["churn_horizon_days"])
    previous, previous_notes = _previous(log, fitted, previous_as_of, s)
    ctx.write("value.previous", previous)
    ctx.write("value.draws", _draws_table(fitted))

    backtest = fitted.backtest.scorecard if fitted.backtest is not None else None
    has_backtest = backtest is not None and not backtest.empty
    ctx.write("forecast_backtest", backtest if has_backtest else pd.DataFrame({"note": [fitted.note]}))
    cohorts = clv.cohort_value_curves(fitted.log, fitted.forecast, fitted.gamma_gamma, fitted.draws,
                                      margin=s["margin"], months_ahead=s["horizon_months"])
    ctx.write("cohort_value", cohorts)

    stake = clv.value_at_stake(values, s["margin"])
    totals = clv.value_totals(fitted, s["margin"])
    segment = ctx.read("segments.customers")["Segment"]
    order = list(SEGMENT_ORDER)
    truth_frame = ctx.truth()
    truth = truth_numbers = None
    if truth_frame is not None:
        truth, truth_numbers = clv.forecast_against_truth(fitted.forecast, values, truth_frame)
    candidates = clv.backtest_candidates(fitted.backtest)
    summary = _summary(fitted, totals, s, ctx.currency, end, truth, truth_numbers, candidates)
    ctx.write("value_summary", summary)
    forecast = fitted.forecast
    return ValueResult(
        info=info, currency=ctx.currency, as_of=end, settings=s, fitted=fitted, values=values, previous=previous,
        previous_as_of=previous_as_of, previous_notes=previous_notes, totals=totals, stake=stake,
        backtest=backtest if has_backtest else None, candidates=candidates,
        seasonal_index=forecast.index.table() if forecast.seasonal else None,
        parameters=clv.parameter_table(forecast, fitted.gamma_gamma),
        spend_frequency_corr=_spend_frequency_corr(forecast.summary),
        by_segment=clv.value_by_group(values, segment, s["margin"], order),
        top_customers=_top_customers(ctx, values, stake, segment), cohorts=cohorts, truth=truth,
        truth_numbers=truth_numbers, summary=summary)
