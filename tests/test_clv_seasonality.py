"""Tests for the seasonal clock: the index, its estimation from a generated calendar, the tests, the fallbacks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from retention.clv import (
    OperationalClock,
    PurchaseDays,
    SeasonalIndex,
    fit_purchase_forecast,
)
from retention.clv.seasonal_evidence import component_tests
from retention.clv.seasonality import age_calendar_correlation, estimate_seasonality, month_and_weekday
from retention.engine import EngineConfig, open_log
from retention.generator import MONTH_WEIGHT, WEEKDAY_WEIGHT, GeneratorConfig, generate

CODES = ["POST", "DOT", "M", "D", "C2", "CRUK", "BANK CHARGES", "AMAZONFEE", "B", "S", "PADS", "ADJUST"]


def _generated(seasonal: bool, n: int = 1500, seed: int = 11) -> tuple[PurchaseDays, int, pd.DataFrame]:
    cfg = GeneratorConfig(n_customers=n, seed=seed, seasonal=seasonal)
    log = generate(cfg)
    with open_log(log.transactions, config=EngineConfig(non_product_codes=CODES)) as session:
        days = PurchaseDays.from_grain(session.purchase_days())
    return days, days.day_of(cfg.end_date), log.truth.set_index("CustomerID")


@pytest.fixture(scope="module")
def seasonal_log() -> tuple[PurchaseDays, int, pd.DataFrame]:
    return _generated(True, n=2500)


@pytest.fixture(scope="module")
def flat_log() -> tuple[PurchaseDays, int, pd.DataFrame]:
    return _generated(False)


def test_calendar_codes_match_pandas() -> None:
    dates = pd.date_range("2010-12-25", "2012-03-05", freq="D")
    month, weekday = month_and_weekday(dates.to_numpy().astype("datetime64[D]").astype(np.int64))
    np.testing.assert_array_equal(month, dates.month - 1)
    np.testing.assert_array_equal(weekday, dates.day_of_week)


def test_index_normalisation_and_validation() -> None:
    index = SeasonalIndex.normalised(MONTH_WEIGHT.copy(), WEEKDAY_WEIGHT.copy())
    assert np.mean(index.weekday) == pytest.approx(1.0)
    year = pd.date_range("2011-01-01", "2011-12-31").to_numpy().astype("datetime64[D]").astype(np.int64)
    assert index.intensity(year).mean() == pytest.approx(1.0, abs=0.01)  # an average day is 1
    nov_thursday = np.datetime64("2011-11-24", "D").astype(np.int64)
    assert index.intensity(nov_thursday) == pytest.approx(index.month[10] * index.weekday[3])
    assert SeasonalIndex().is_flat and not index.is_flat
    assert list(index.table()["period"][:2]) == ["Jan", "Feb"]
    with pytest.raises(ValueError, match="12 positive numbers"):
        SeasonalIndex(month=(1.0,) * 11)
    with pytest.raises(ValueError, match="7 positive numbers"):
        SeasonalIndex(weekday=(1.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0))


def test_operational_clock() -> None:
    origin = int(np.datetime64("2011-01-01", "D").astype(np.int64))
    flat = OperationalClock(SeasonalIndex(), origin)
    np.testing.assert_allclose(flat([origin, origin + 9]), [1.0, 10.0])  # end of day
    np.testing.assert_allclose(flat.length(origin + 5, [1, 30]), [1.0, 30.0])
    busy = OperationalClock(SeasonalIndex.normalised(MONTH_WEIGHT.copy(), WEEKDAY_WEIGHT.copy()), origin)
    nov, jan = origin + 304, origin  # a 30-day window in November is "longer" than one in January
    assert busy.length(nov, 30)[()] > 1.5 * busy.length(jan, 30)[()]
    steps = np.diff(busy(np.arange(origin, origin + 400)))
    assert np.all(steps > 0)
    with pytest.raises(ValueError, match="origin"):
        busy([origin - 1])


def test_component_tests_find_a_weekday_pattern_only() -> None:
    rng = np.random.default_rng(0)
    days = np.arange(int(np.datetime64("2011-01-01", "D").astype(np.int64)), int(np.datetime64("2011-12-31", "D")
                                                                                 .astype(np.int64)) + 1)
    month, weekday = month_and_weekday(days)
    rho = np.linspace(30.0, 50.0, days.size)  # a growing base of customers
    counts = rng.poisson(rho * WEEKDAY_WEIGHT[weekday] / WEEKDAY_WEIGHT.mean()).astype(float)
    tests = component_tests(counts, rho, month, weekday, ["month", "weekday"]).set_index("component")
    assert tests.loc["weekday", "p_value"] < 1e-10
    assert tests.loc["month", "p_value"] > 1e-3
    assert tests.loc["month", "df_num"] == 11 and tests.loc["weekday", "df_num"] == 6


def test_estimated_index_recovers_the_generators_calendar(seasonal_log) -> None:
    log, cut, _ = seasonal_log
    season = estimate_seasonality(log, cut, setting="auto")
    assert season.components == ("month", "weekday")
    assert season.history_days == 365
    assert np.corrcoef(season.index.month, MONTH_WEIGHT)[0, 1] > 0.9
    np.testing.assert_allclose(season.index.weekday, WEEKDAY_WEIGHT / WEEKDAY_WEIGHT.mean(), atol=0.1)
    assert "Seasonal model in operational time" in season.note and "busiest month Nov" in season.note


def test_seasonal_forecast_fixes_the_peak_bias(seasonal_log) -> None:
    """The log ends in the November peak: the stationary model overshoots the next year, the seasonal one not."""
    log, cut, truth = seasonal_log
    seasonal = fit_purchase_forecast(log, cut, model="bgnbd", seasonal="auto")
    stationary = fit_purchase_forecast(log, cut, model="bgnbd", seasonal=False)
    actual = truth.loc[seasonal.summary.index, "purchases_next_365d"].sum()
    assert stationary.expected_purchases(365).sum() / actual - 1 > 0.3
    assert abs(seasonal.expected_purchases(365).sum() / actual - 1) < 0.12
    assert seasonal.seasonal and seasonal.label == "BG/NBD, seasonal"
    assert float(seasonal.horizon(365)[()]) == pytest.approx(365 / 7, rel=0.02)
    assert float(seasonal.horizon(30)[()]) > float(seasonal.month_ends(1)[0]) * 0.9


def test_flat_calendar_falls_back_to_the_stationary_model(flat_log) -> None:
    log, cut, truth = flat_log
    forecast = fit_purchase_forecast(log, cut, model="bgnbd", seasonal="auto")
    assert not forecast.seasonal and forecast.note.startswith("Stationary model: no evidence")
    actual = truth.loc[forecast.summary.index, "purchases_next_365d"].sum()
    assert abs(forecast.expected_purchases(365).sum() / actual - 1) < 0.08
    pinned = fit_purchase_forecast(log, cut, model="bgnbd", seasonal=True)
    assert pinned.seasonal and "pinned by the caller" in pinned.note
    off = fit_purchase_forecast(log, cut, model="bgnbd", seasonal=False)
    assert off.note == "Stationary model: seasonality switched off."


def test_short_history_says_what_cannot_be_estimated(seasonal_log) -> None:
    log, cut, _ = seasonal_log
    short = log.window(cut - 19, cut)
    season = estimate_seasonality(short, cut, setting="auto")
    assert season.index.is_flat and season.components == ()
    assert "Not estimable from 20 days of history" in season.note and "needs 365 days" in season.note
    months = estimate_seasonality(log.window(cut - 199, cut), cut, setting="auto")
    assert "month" not in months.components and "a month of year pattern needs 365 days" in months.note


def test_single_cohort_has_no_month_index(seasonal_log) -> None:
    """Customers acquired all at once (like CDNOW's Q1 1997 cohort): month and age move together."""
    log, cut, _ = seasonal_log
    first = log.window(None, cut).per_customer()["first_day"]
    early = np.isin(log.code, log.customers.get_indexer(first.index[first < first.min() + 30]))
    cohort = PurchaseDays(log.customers, log.code[early], log.day[early], log.value[early])
    assert age_calendar_correlation(cohort.window(None, cut)) > 0.9
    assert age_calendar_correlation(log.window(None, cut)) < 0.7
    season = estimate_seasonality(cohort, cut, setting=True)
    assert "month" not in season.components and "cannot be told apart from the ageing" in season.note
