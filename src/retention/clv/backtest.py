"""Rolling-origin backtests of the purchase forecasts, a scorecard, and the choice of model per data set.

At each cutoff every candidate (BG/NBD, MBG/NBD, Pareto/NBD; stationary, and seasonal where the history
before the cutoff supports a month-of-year index) is fitted on the history up to the cutoff only and
forecasts the next ``horizon_days``; the forecasts are scored against what the customers then did:

* ``total_error``: forecast total / actual total - 1 (purchase days of the customers known at the cutoff);
* ``mae``: mean absolute error per customer;
* ``capture_top10`` / ``capture_top20``: share of the actual purchases made by the 10 % / 20 % of
  customers with the highest forecast (the ranking a campaign relies on);
* ``brier``: mean squared error of P(no purchase in the window) against "made no purchase", with the
  mean prediction ``p_no_purchase`` next to the observed share ``no_purchase_share`` (calibration in the
  large) and a reliability table by predicted decile.

The model used is plain BG/NBD unless a candidate beats it by more than the cutoff-to-cutoff noise (the
one-standard-error rule on the paired differences of absolute total errors); among those that do, the
lowest mean absolute total error wins (ties within half a point: the lower per-customer MAE). Totals
come first because the money figures downstream are totals; the noise rule because with three 90-day
windows the ranking of similar models flips from one cutoff to the next (on CDNOW by 1-3 points).
Seasonal candidates compete only when they could be evaluated at every cutoff; otherwise seasonality
is decided by the calendar test at the final cutoff (:func:`~.forecast.fit_purchase_forecast`), and the
reason says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .forecast import MODEL_NAMES, SEASONAL_LEVEL, PurchaseForecast, fit_purchase_forecast
from .models import MODELS, BetaGeoModel
from .seasonality import COMPONENT_MIN_DAYS, estimate_seasonality
from .summary import PurchaseDays

__all__ = ["Backtest", "backtest_cutoffs", "rolling_backtest", "score_forecast"]

_TIE = 0.005  # mean absolute total errors closer than this count as a tie
_RELIABILITY_BINS = np.linspace(0.0, 1.0, 11)


@dataclass(frozen=True)
class Backtest:
    """Result of :func:`rolling_backtest`.

    Attributes
    ----------
    scorecard : DataFrame
        One row per cutoff and candidate (columns in the module docstring, plus ``cutoff``, ``model``,
        ``seasonal``, ``customers``, ``actual``, ``forecast``).
    summary : DataFrame
        One row per candidate: means over the cutoffs it was evaluated at, and ``cutoffs``.
    reliability : DataFrame
        Per candidate and predicted-probability decile: customers, mean predicted P(no purchase), observed
        share without purchase (all cutoffs pooled).
    model : str
        The chosen model name.
    seasonal : bool or None
        The chosen seasonality, or None when the backtest could not judge it (decided by the test).
    reason : str
        One plain sentence on the choice.
    """

    scorecard: pd.DataFrame
    summary: pd.DataFrame
    reliability: pd.DataFrame
    model: str
    seasonal: bool | None
    reason: str

    @classmethod
    def skipped(cls, model: str, reason: str) -> Backtest:
        """No backtest was possible (e.g. too little history): empty tables, ``model`` used by default."""
        return cls(pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), model, None, reason)


def backtest_cutoffs(first_day: int, last_day: int, n_cutoffs: int, horizon_days: int,
                     min_history_days: int | None = None, min_step_days: int = 7) -> list[int]:
    """Rolling origins: the last one ``horizon_days`` before ``last_day``, then back by ``horizon_days`` each
    (disjoint windows), closer together (down to ``min_step_days``) when the first would have less than
    ``min_history_days`` of history (default: ``horizon_days``); fewer than ``n_cutoffs`` when even that
    does not fit (the caller sees how many came back). A ValueError when not one fits."""
    if n_cutoffs < 1 or horizon_days < 1:
        raise ValueError("n_cutoffs and horizon_days must be positive")
    min_history = horizon_days if min_history_days is None else min_history_days
    last_cut = last_day - horizon_days
    room = last_cut - (first_day + min_history - 1)
    if room < 0:
        raise ValueError(f"the log spans {last_day - first_day + 1} days: too short for a backtest with a "
                         f"{horizon_days}-day window and {min_history} days of history before the cutoff")
    n = min(n_cutoffs, room // min_step_days + 1)
    step = horizon_days if n == 1 else min(horizon_days, room // (n - 1))
    return sorted(last_cut - k * step for k in range(n))


def score_forecast(forecast: PurchaseForecast, actual: pd.Series, horizon_days: int) -> dict[str, float]:
    """The scorecard metrics of one forecast against the actual purchase days per customer (module docstring)."""
    predicted = forecast.expected_purchases(horizon_days).to_numpy()
    p_none = forecast.probability_no_purchase(horizon_days).to_numpy()
    truth = actual.reindex(forecast.summary.index).to_numpy(dtype=np.float64)
    order = np.lexsort((np.arange(predicted.size), -predicted))
    ranked = truth[order]

    def capture(share: float) -> float:
        return float(ranked[: int(np.ceil(share * ranked.size))].sum() / max(ranked.sum(), 1e-12))

    none = (truth == 0).astype(np.float64)
    return {"customers": int(truth.size), "actual": float(truth.sum()), "forecast": float(predicted.sum()),
            "total_error": float(predicted.sum() / truth.sum() - 1.0) if truth.sum() > 0 else np.nan,
            "mae": float(np.mean(np.abs(predicted - truth))), "capture_top10": capture(0.1),
            "capture_top20": capture(0.2), "brier": float(np.mean((p_none - none) ** 2)),
            "p_no_purchase": float(p_none.mean()), "no_purchase_share": float(none.mean())}


def _score(fc: PurchaseForecast, actual: pd.Series, horizon_days: int) -> tuple[dict[str, float], pd.DataFrame]:
    p_none = fc.probability_no_purchase(horizon_days).to_numpy()
    none = (actual.reindex(fc.summary.index).to_numpy() == 0).astype(float)
    return score_forecast(fc, actual, horizon_days), _reliability(p_none, none)


def _reliability(p_none: np.ndarray, none: np.ndarray) -> pd.DataFrame:
    bins = np.clip(np.digitize(p_none, _RELIABILITY_BINS[1:-1]), 0, 9)
    frame = pd.DataFrame({"bin": bins, "predicted": p_none, "observed": none})
    out = frame.groupby("bin").agg(customers=("observed", "size"), predicted=("predicted", "mean"),
                                   observed=("observed", "mean")).reset_index()
    out["range"] = [f"{_RELIABILITY_BINS[b]:.1f}-{_RELIABILITY_BINS[b + 1]:.1f}" for b in out["bin"]]
    return out[["range", "customers", "predicted", "observed"]]


def rolling_backtest(log: PurchaseDays, cutoffs: int | Sequence[int] = 3, *, horizon_days: int = 90,
                     models: Sequence[str] = MODEL_NAMES, seasonal: Sequence[bool] = (False, True),
                     unit: str = "W", penalizer: float = 0.0, start_day: int | None = None,
                     seasonal_setting: bool | str = "auto", level: float = SEASONAL_LEVEL) -> Backtest:
    """Fit every candidate at each cutoff, score its next ``horizon_days`` and choose a model (module docstring).

    Parameters
    ----------
    log : PurchaseDays
        Purchase days of the whole log (the windows after each cutoff must be inside it).
    cutoffs : int or sequence of int
        Number of rolling origins (:func:`backtest_cutoffs`) or explicit cutoff day numbers.
    horizon_days : int
        Length of the scored window after each cutoff, in calendar days.
    models, seasonal
        Candidate model names and seasonality (False: stationary, True: seasonal). A seasonal candidate is
        only fitted at cutoffs with a year of history before them, on the calendar estimated there once
        for all models (:func:`~.seasonality.estimate_seasonality` with ``seasonal_setting``, by default the
        same test as the final fit: when it finds no calendar, the seasonal candidate *is* the stationary one).
    unit, penalizer, start_day, level
        As in :func:`~.forecast.fit_purchase_forecast`.
    """
    unknown = [m for m in models if m not in MODELS]
    if unknown or not models:
        raise ValueError(f"models must be a non-empty subset of {list(MODEL_NAMES)}, got {list(models)}")
    window = log.window(start_day, log.last_day)
    first_day, last_day = int(window.day.min()), int(window.day.max())
    cuts = backtest_cutoffs(first_day, last_day, cutoffs, horizon_days) if isinstance(cutoffs, int) else list(cutoffs)
    rows, pooled = [], []
    for cut in cuts:
        if cut + horizon_days > last_day:
            raise ValueError(f"cutoff day {cut}: its {horizon_days}-day window ends after the last purchase day")
        actual = log.holdout(window.window(None, cut).per_customer().index, cut, cut + horizon_days)["n_days"]
        calendars = {False: estimate_seasonality(log, cut, setting=False, start_day=start_day)}
        if cut - first_day + 1 >= COMPONENT_MIN_DAYS["month"]:
            calendars[True] = estimate_seasonality(log, cut, setting=seasonal_setting, unit=unit, start_day=start_day,
                                                   level=level, exposure_model=BetaGeoModel(penalizer=penalizer))
        for name in models:
            scored: dict[bool, tuple[dict[str, float], pd.DataFrame]] = {}
            for season in (s for s in seasonal if bool(s) in calendars):
                cal = calendars[bool(season)]
                if season and cal.index.is_flat and False in scored:  # the test chose the stationary model
                    scored[True] = scored[False]
                else:
                    fc = fit_purchase_forecast(log, cut, model=name, unit=unit, penalizer=penalizer,
                                               start_day=start_day, covariance=False, season=cal)
                    scored[bool(season)] = _score(fc, actual, horizon_days)
                metrics, table = scored[bool(season)]
                rows.append({"cutoff": pd.Timestamp(np.datetime64(int(cut), "D")), "model": name,
                             "seasonal": bool(season), "calendar": "+".join(cal.components), **metrics})
                pooled.append(table.assign(model=name, seasonal=bool(season)))
    scorecard = pd.DataFrame(rows)
    summary = _summarise(scorecard)
    reliability = _pool_reliability(pd.concat(pooled, ignore_index=True))
    model, season, reason = _choose(summary, len(cuts), horizon_days, scorecard)
    if isinstance(cutoffs, int) and len(cuts) < cutoffs:
        reason += f" Only {len(cuts)} of the {cutoffs} cutoffs asked for fit in the history."
    return Backtest(scorecard, summary, reliability, model, season, reason)


def _summarise(scorecard: pd.DataFrame) -> pd.DataFrame:
    grouped = scorecard.assign(abs_total_error=scorecard["total_error"].abs()).groupby(["model", "seasonal"])
    out = grouped.agg(cutoffs=("cutoff", "size"), mean_abs_total_error=("abs_total_error", "mean"),
                      mean_total_error=("total_error", "mean"), mae=("mae", "mean"),
                      capture_top10=("capture_top10", "mean"), capture_top20=("capture_top20", "mean"),
                      brier=("brier", "mean")).reset_index()
    return out.sort_values(["mean_abs_total_error", "mae"], kind="stable").reset_index(drop=True)


def _pool_reliability(parts: pd.DataFrame) -> pd.DataFrame:
    parts = parts.assign(pred_sum=parts["predicted"] * parts["customers"],
                         obs_sum=parts["observed"] * parts["customers"])
    out = parts.groupby(["model", "seasonal", "range"], sort=True)[["customers", "pred_sum", "obs_sum"]].sum()
    out["predicted"] = out["pred_sum"] / out["customers"]
    out["observed"] = out["obs_sum"] / out["customers"]
    return out[["customers", "predicted", "observed"]].reset_index()


def _label(model: str, seasonal: bool) -> str:
    return f"{MODELS[model].label} ({'seasonal' if seasonal else 'stationary'})"


def _gain_over_baseline(scorecard: pd.DataFrame, baseline: tuple[str, bool]) -> pd.DataFrame:
    """Per candidate: mean and standard error over the cutoffs of ``|error of baseline| - |error of candidate|``."""
    err = scorecard.assign(abs_error=scorecard["total_error"].abs()).pivot_table(
        index="cutoff", columns=["model", "seasonal"], values="abs_error")
    gain = err.rsub(err[baseline], axis=0)
    k = len(gain)
    se = gain.std(ddof=1) / np.sqrt(k) if k > 1 else pd.Series(np.inf, index=gain.columns)
    return pd.DataFrame({"gain": gain.mean(), "se": se})


def _choose(summary: pd.DataFrame, n_cutoffs: int, horizon_days: int,
            scorecard: pd.DataFrame | None = None) -> tuple[str, bool | None, str]:
    """Plain BG/NBD unless a candidate beats it by more than the noise; then the lowest mean |total error|.

    "More than the noise" is the one-standard-error rule on the paired per-cutoff differences of absolute
    total errors: a candidate qualifies when its mean gain over plain BG/NBD exceeds the standard error of
    that gain (never with a single cutoff). Among qualifying candidates the lowest mean absolute total
    error wins; ties within half a point go to the lower per-customer MAE. Without plain BG/NBD among
    the candidates, the lowest mean absolute total error wins.
    """
    complete = summary[summary["cutoffs"] == n_cutoffs]
    judged_seasonal = bool(complete["seasonal"].any())
    over = "the one rolling cutoff" if n_cutoffs == 1 else f"{n_cutoffs} rolling cutoffs"
    kind = "" if judged_seasonal else "stationary "

    def name(row: pd.Series) -> str:
        return _label(row["model"], bool(row["seasonal"])) if judged_seasonal else MODELS[row["model"]].label

    is_base = (complete["model"] == "bgnbd") & ~complete["seasonal"]
    pool = complete
    gains = None
    if is_base.any() and scorecard is not None and len(complete) > 1:
        gains = _gain_over_baseline(scorecard, ("bgnbd", False))
        keys = list(zip(complete["model"], complete["seasonal"], strict=True))
        beats = np.array([k == ("bgnbd", False) or gains.loc[k, "gain"] > gains.loc[k, "se"] for k in keys])
        pool = complete[beats]
    best_err = pool["mean_abs_total_error"].min()
    near = pool[pool["mean_abs_total_error"] <= best_err + _TIE]
    best = near.sort_values(["mae", "mean_abs_total_error"], kind="stable").iloc[0]
    base_err = complete.loc[is_base, "mean_abs_total_error"]
    if best["model"] == "bgnbd" and not best["seasonal"] and gains is not None:
        rival = complete[~is_base].sort_values("mean_abs_total_error", kind="stable").iloc[0]
        g = gains.loc[(rival["model"], bool(rival["seasonal"]))]
        reason = (f"Plain BG/NBD is kept: over {over} its {kind}{horizon_days}-day purchase totals missed by "
                  f"{best['mean_abs_total_error']:.1%}{'' if n_cutoffs == 1 else ' on average'}, and no candidate "
                  f"beat it by more than the cutoff-to-cutoff noise (best: {name(rival)}, "
                  f"{rival['mean_abs_total_error']:.1%}, a gain of {g['gain']:.1%} against a standard error of "
                  f"{g['se']:.1%}).")
    else:
        base_text = "" if base_err.empty or (best["model"] == "bgnbd" and not best["seasonal"]) else (
            f" against plain BG/NBD's {base_err.iloc[0]:.1%}")
        noise = "" if gains is None else ", a gain larger than its cutoff-to-cutoff noise (one standard error)"
        reason = (f"{name(best)} forecasts best: over {over} its {kind}{horizon_days}-day purchase totals missed by "
                  f"{best['mean_abs_total_error']:.1%}{'' if n_cutoffs == 1 else ' on average'}{base_text}{noise}; "
                  f"per-customer MAE {best['mae']:.3f}.")
    if not judged_seasonal:
        seasonal_rows = summary.loc[summary["seasonal"], "cutoffs"]
        have = int(seasonal_rows.max()) if not seasonal_rows.empty else 0
        reason += (f" Seasonal candidates need a year of history before a cutoff, which {have} of the {n_cutoffs} "
                   "cutoffs have, so seasonality is decided by the calendar test on the full history instead.")
    return str(best["model"]), (bool(best["seasonal"]) if judged_seasonal else None), reason
