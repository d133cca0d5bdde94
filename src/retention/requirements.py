"""What the report series needs from the clean data, checked by ``prepare`` before any notebook runs.

Everything ``prepare`` accepts, the notebooks complete; so each need of a stage is checked here on the
engine's outputs over the clean lines (per-customer features, churn examples, BTYD summaries: the tables the
stages read, from the same engine calls), and a log that falls short stops with one error naming what was
found, the minimum and the fix:

* params that must fit the dates: ``data.end_date`` inside the data; the churn cutoff plan (history, a
  training and a validation label window); the CLV holdout leaving a calibration period; segment
  migration reaching back to a day with purchases.
* segments: k-means needs more customers than ``segmentation.k_min`` and at least ``k_min`` customers
  with different cluster features.
* churn: customers to describe at every cutoff (within ``churn.feature_window_days`` when set); at the
  training cutoffs both churners and stayers, and in every grouped cross-validation fold (``churn.cv_folds``)
  both classes on both sides; at the validation cutoff both classes.
* lifetime value: at least :data:`MIN_REPEAT_BUYERS` repeat buyers (customers with purchases on two or
  more days) at the end, at the start of the CLV holdout and one churn horizon before the end, and BG/NBD
  and Gamma-Gamma fits there that give finite, non-negative customer values.

Each check runs only when its params section is present, so a library user can prepare data for a part
of the series.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from retention.data import DataValidationError
from retention.params import ParamsError

if TYPE_CHECKING:  # pragma: no cover
    from retention.engine import Session

__all__ = ["MIN_REPEAT_BUYERS", "day_text", "check_end_date", "check_params_against_data", "check_series"]

MIN_REPEAT_BUYERS = 2


def day_text(value: Any) -> str:
    """A date as YYYY-MM-DD."""
    return str(pd.Timestamp(value).date())


_day = day_text


def check_end_date(end_date: Any, first_date: Any, last_date: Any, file: str, params_file: str) -> None:
    """data.end_date must fall within the data (the first and last transaction dates of the input, inclusive)."""
    if end_date is None or pd.isna(first_date) or pd.isna(last_date):
        return
    first, last = pd.Timestamp(first_date).normalize(), pd.Timestamp(last_date).normalize()
    end = pd.Timestamp(end_date)
    if first <= end <= last:
        return
    side = "before the first" if end < first else "after the last"
    raise ParamsError(f"{params_file}: data.end_date {_day(end)} is {side} transaction in {file} (the data runs "
                      f"from {_day(first)} to {_day(last)}). Fix: set data.end_date between those dates, or leave it "
                      f"empty to use the last date.")


def _churn_design(params: dict[str, Any]) -> Any:
    from retention.churn import ChurnDesign

    cp = params["churn"]
    return ChurnDesign(horizon_days=cp["horizon_days"], n_train_cutoffs=cp["n_train_cutoffs"],
                       spacing_days=cp["spacing_days"], min_history_days=cp["min_history_days"],
                       feature_window_days=cp.get("feature_window_days"),
                       peak_months=tuple(params.get("features", {}).get("peak_months", (10, 11, 12))))


def _check_churn_window(params: dict[str, Any], first: pd.Timestamp, end: pd.Timestamp, file: str,
                        params_file: str) -> None:
    """The churn notebook's cutoff plan must leave at least one training cutoff (checked before it runs)."""
    churn_params = params.get("churn")
    if not churn_params:
        return
    from retention.churn import plan_cutoffs

    span = (end - first).days
    horizon, history = churn_params["horizon_days"], churn_params["min_history_days"]
    if span <= 0:
        raise ParamsError(f"{file}: every purchase that is kept is on one day ({_day(first)}), so there is no "
                          f"history for the churn model and the CLV model. Fix: use a log that covers at least "
                          f"{2 * horizon + history} days (churn.horizon_days x 2 + churn.min_history_days).")
    try:
        plan_cutoffs(first, end, _churn_design(params))
    except ValueError as exc:
        raise ParamsError(f"{params_file}: the churn settings do not fit the data. {file} covers {span:,} days "
                          f"({_day(first)} to {_day(end)}), but churn.horizon_days={horizon} and "
                          f"churn.min_history_days={history} need at least {2 * horizon + history} days (the "
                          f"history, a training label window and a validation label window). Fix: "
                          f"{_churn_fix(span, horizon, history)}.") from exc


def _churn_fix(span: int, horizon: int, history: int) -> str:
    """Concrete smaller values that fit ``span`` days (schema minimum 7 for both)."""
    options = []
    if (span - history) // 2 >= 7:
        options.append(f"lower churn.horizon_days to {(span - history) // 2} or less")
    if span - 2 * horizon >= 7:
        options.append(f"lower churn.min_history_days to {span - 2 * horizon} or less")
    if not options and (span - 7) // 2 >= 7:
        options.append(f"set churn.min_history_days: 7 and churn.horizon_days: {(span - 7) // 2} or less")
    options.append("use a longer transaction log")
    return ", or ".join(options)


def _check_clv_window(params: dict[str, Any], first: pd.Timestamp, end: pd.Timestamp, file: str,
                      params_file: str) -> None:
    """The CLV holdout must leave a calibration period before it."""
    clv_params = params.get("clv")
    if not clv_params:
        return
    span, holdout = (end - first).days, clv_params["holdout_days"]
    if holdout >= span:
        raise ParamsError(f"{params_file}: clv.holdout_days={holdout} leaves no calibration period: {file} covers "
                          f"{span:,} days ({_day(first)} to {_day(end)}). Fix: lower clv.holdout_days below {span} "
                          f"(about a third of the span, {max(span // 3, 14)}, is usual).")


def _check_migration_window(params: dict[str, Any], first: pd.Timestamp, end: pd.Timestamp, file: str,
                            params_file: str) -> None:
    """Segment migration compares the segments of ``migration_days`` before the end with today's."""
    seg = params.get("segmentation")
    if not seg:
        return
    days, span = seg["migration_days"], (end - first).days
    if end - pd.Timedelta(days=days) < first:
        raise ParamsError(f"{params_file}: segmentation.migration_days={days} reaches back to "
                          f"{_day(end - pd.Timedelta(days=days))}, before the first purchase in {file} "
                          f"({_day(first)}), so there are no earlier segments to compare with. Fix: lower "
                          f"segmentation.migration_days to {span} or less.")


def check_params_against_data(params: dict[str, Any], first_date: Any, end_date: Any,
                              params_file: str = "params") -> None:
    """Raise :class:`ParamsError` when the churn, CLV or migration windows do not fit the clean data's dates."""
    first, end = pd.Timestamp(first_date).normalize(), pd.Timestamp(end_date).normalize()
    file = params["data"]["path"]
    _check_churn_window(params, first, end, file, params_file)
    _check_clv_window(params, first, end, file, params_file)
    _check_migration_window(params, first, end, file, params_file)


# ---------------------------------------------------------------------------------------------------------
# What the models need (on the engine's per-customer tables)
# ---------------------------------------------------------------------------------------------------------


def _too_small(file: str, what: str, fix: str) -> DataValidationError:
    return DataValidationError(f"{file}: {what}. Fix: {fix}.")


def _check_segments(params: dict[str, Any], log: Session, end: pd.Timestamp, file: str) -> None:
    seg = params.get("segmentation")
    if not seg:
        return
    features = log.customer_features(end, peak_months=params["features"]["peak_months"])
    columns = list(seg["cluster_features"])
    n, k = len(features), seg["k_min"]
    distinct = len(features[columns].fillna(0).drop_duplicates())
    if n >= k + 1 and distinct >= k:
        return
    raise _too_small(file, f"the customer clusters need at least {k + 1} customers, {k} of them with different "
                     f"purchase patterns (segmentation.k_min={k} clusters), but the clean data has {n:,} "
                     f"customer{'s' if n != 1 else ''} with {distinct:,} different "
                     f"pattern{'s' if distinct != 1 else ''}",
                     "use a log with more customers (the series compares customers with each other)")


def _classes(labels: pd.Series) -> str:
    churners = int(labels.sum())
    return f"{churners:,} churner{'s' if churners != 1 else ''} and {len(labels) - churners:,} stayers"


_WINDOW_FIX = ("use a log with purchases closer to every cutoff, or raise churn.feature_window_days (or leave it "
               "empty: the whole history)")


def _examples(log: Session, cutoffs: list[pd.Timestamp], design: Any, end: pd.Timestamp, file: str,
              where: str) -> pd.DataFrame:
    """The churn stage's examples (features at each cutoff joined with the labels after it), by cutoff and id."""
    try:
        found = log.churn_examples(cutoffs, design.horizon_days, peak_months=design.peak_months,
                                   window_days=design.feature_window_days, data_end=end)
    except ValueError as exc:
        raise _too_small(file, f"the churn model describes customers at {where}, but {exc}", _WINDOW_FIX) from None
    return found.sort_values(["cutoff", "CustomerID"], kind="stable").reset_index(drop=True)


def _check_churn(params: dict[str, Any], log: Session, end: pd.Timestamp, file: str) -> None:
    if not params.get("churn"):
        return
    from sklearn.model_selection import GroupKFold

    from retention.churn import TARGET, plan_cutoffs

    design, cp = _churn_design(params), params["churn"]
    plan = plan_cutoffs(log.first_date, end, design)
    fix = ("use a log with more customers, or a churn.horizon_days that separates customers who come back from "
           "those who do not")
    where = f"the training cutoffs ({', '.join(_day(c) for c in plan.train)})"
    train = _examples(log, list(plan.train), design, end, file, where)
    y_train = train[TARGET]
    if y_train.nunique() < 2:
        raise _too_small(file, f"the churn model learns from churners and stayers, but at {where} there are "
                         f"{_classes(y_train)} (churn.horizon_days={design.horizon_days})", fix)
    groups = pd.factorize(train["CustomerID"])[0]
    folds, customers = cp["cv_folds"], len(np.unique(groups))
    if customers < folds:
        raise _too_small(file, f"grouped cross-validation splits the customers into churn.cv_folds={folds} folds, "
                         f"but only {customers} customer{'s are' if customers != 1 else ' is'} labelled at {where}",
                         "use a log with more customers, or lower churn.cv_folds")
    y = y_train.to_numpy()
    for part, (fit_rows, held_rows) in enumerate(GroupKFold(n_splits=folds).split(train, y, groups), start=1):
        for side, rows in (("training", fit_rows), ("held-out", held_rows)):
            if np.unique(y[rows]).size < 2:
                only = "churners" if y[rows][0] else "stayers"
                raise _too_small(file, f"fold {part} of the grouped cross-validation (churn.cv_folds={folds}) has "
                                 f"only {only} on its {side} side ({_classes(y_train)} at {where}): every fold "
                                 f"needs both", fix + ", or lower churn.cv_folds")
    valid = _examples(log, [plan.validation], design, end, file, f"the validation cutoff {_day(plan.validation)}")
    if valid[TARGET].nunique() < 2:
        raise _too_small(file, f"the churn models are compared at the validation cutoff {_day(plan.validation)}, "
                         f"but there are {_classes(valid[TARGET])} there: comparing needs both", fix)
    try:
        log.customer_features(plan.live, peak_months=design.peak_months, window_days=design.feature_window_days)
    except ValueError as exc:
        raise _too_small(file, f"the churn model scores every customer as of {_day(plan.live)}, but {exc}",
                         _WINDOW_FIX) from None


def _clv_points(params: dict[str, Any], end: pd.Timestamp) -> list[tuple[str, pd.Timestamp, str | None]]:
    """The cutoffs the series fits lifetime-value models at: (what, day, the param that moves it)."""
    holdout = params["clv"]["holdout_days"]
    points = [("the end of the data", end, None),
              (f"the start of the CLV holdout ({holdout} days before the end)", end - pd.Timedelta(days=holdout),
               "lower clv.holdout_days")]
    if params.get("churn"):
        horizon = params["churn"]["horizon_days"]
        points.append((f"one churn horizon before the end (the previous period of the summary, {horizon} days)",
                       end - pd.Timedelta(days=horizon), "lower churn.horizon_days"))
    return points


def _fit_clv(params: dict[str, Any], log: Session, cutoff: pd.Timestamp, end: pd.Timestamp, holdout: bool,
             summary: pd.DataFrame) -> None:
    """Fit the purchase and spend models on the engine's BTYD summary as of ``cutoff`` (the holdout check
    forecasts the held-out days); customer values must be finite, non-negative amounts."""
    from retention import clv

    cp = params["clv"]
    horizon = params["churn"]["horizon_days"] if params.get("churn") else 90
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if holdout:
            summary = log.calibration_holdout_summary(cutoff, end, unit=cp["time_unit"])
        model = clv.BetaGeoModel(penalizer=cp["penalizer"]).fit(summary["frequency"], summary["recency"],
                                                                summary["T"])
        if holdout:
            clv.holdout_by_frequency(summary, model)
            return
        spend, _ = clv.fit_gamma_gamma(summary, cp["penalizer"])
        values = clv.customer_value_table(summary, model, spend, horizon_months=cp["horizon_months"],
                                          discount_rate_monthly=cp["discount_rate_monthly"], time_unit=cp["time_unit"],
                                          churn_horizon_days=horizon)
        numbers = values.select_dtypes("number")
        bad = ~np.isfinite(numbers.to_numpy()).all(axis=1) | (numbers[["clv", "value_if_active"]] < 0).any(axis=1)
        if bad.any():
            shown = ", ".join(repr(str(i)) for i in values.index[bad][:3])
            raise ArithmeticError(f"{int(bad.sum())} customer value(s) are not finite amounts, e.g. {shown}")


def _check_clv(params: dict[str, Any], log: Session, end: pd.Timestamp, file: str) -> None:
    if not params.get("clv"):
        return
    unit = params["clv"]["time_unit"]
    for label, cutoff, knob in _clv_points(params, end):
        summary = log.rfm_summary(cutoff, unit=unit)
        found = int((summary["frequency"] > 0).sum())
        if found < MIN_REPEAT_BUYERS:
            fix = "use a log with more returning customers" + (f", or {knob}" if knob else "")
            raise _too_small(file, f"the lifetime-value models (BG/NBD and Gamma-Gamma) learn from repeat buyers, and "
                             f"need at least {MIN_REPEAT_BUYERS} customers with purchases on two or more days; at "
                             f"{label}, {_day(cutoff)}, there {'is' if found == 1 else 'are'} {found}", fix)
        try:
            _fit_clv(params, log, cutoff, end, knob == "lower clv.holdout_days", summary)
        except (ValueError, ArithmeticError, np.linalg.LinAlgError) as exc:
            raise _too_small(file, f"the lifetime-value models cannot be fitted to the purchases up to {label}, "
                             f"{_day(cutoff)} ({type(exc).__name__}: {exc}); small or very regular logs leave the "
                             f"BG/NBD parameters unidentified", "raise clv.penalizer (e.g. to 0.01), which keeps the "
                             "fit away from extreme values, or use a log with more customers") from None


def check_series(params: dict[str, Any], log: Session, file: str) -> None:
    """Raise :class:`DataValidationError` when the clean data in ``log`` (an engine session over the profile's
    lines, cleaned) is too small for a stage of the series."""
    end = log.end_date.normalize()
    _check_segments(params, log, end, file)
    _check_churn(params, log, end, file)
    _check_clv(params, log, end, file)
