"""Benchmark and check retention.clv: fit speed, forecasts against the truth, CDNOW backtests, notebook 04 time.

Cases (``--cases``, comma-separated; default all):

* ``fits`` -- full CDNOW master (23,570 customers, 69,659 transactions; the data folder of the installed
  `lifetimes` wheel, located without importing it; its rows summed per customer and day straight into the
  purchase-day grain, as the tests do, since the engine's cleaning drops CDNOW's zero-value lines): the
  purchase days and rfm_summary to 1997-09-30 in weeks, then BG/NBD,
  MBG/NBD, Pareto/NBD and Gamma-Gamma fits, with their times and estimates.
* ``simulated`` -- ``--customers`` (default 1,000,000) summaries drawn from BG/NBD + Gamma-Gamma (CDNOW
  parameters), then both fits.
* ``log`` -- the engine's rfm_summary (DuckDB) on a synthetic log of ``--log-lines`` lines (default 5,000,000),
  opening the log (cleaning) included.
* ``truth`` -- the default generated data (GeneratorConfig(), seasonal; and seasonal=False), cleaned as
  ``make reports`` does (by the engine): next-12-month purchase days of the identified customers, forecast vs the
  generator's truth, for the shipped pipeline (model and seasonality chosen by the library) and plain
  BG/NBD. The truth counts purchase days: the generator draws at most one order per customer and day.
* ``cdnow-backtest`` -- CDNOW master at 1997-06-30, 1997-09-30 (its 90 days hold the holiday season),
  1997-12-31 and 1998-03-31: total 90-day purchase days forecast vs actual, for the shipped pipeline
  (its own nested backtest on the history before each cutoff) and plain BG/NBD; plus the rolling
  scorecard of every candidate at those cutoffs.
* ``notebook-clv`` -- the CLV work of notebook 04 (value table, holdout check, tracking, P(alive) grid,
  the truth comparison) on the default data, with the library of ``--baseline-ref`` (default ``main``,
  read with ``git show``; default: the merge base of HEAD and main, i.e. the code this work started from)
  and with this checkout, alternately ``--repeats`` times; medians and ratio.
* ``notebook`` -- notebook 04 itself executed by papermill on copies of ``reports/`` (a default run must
  exist): the ``--baseline-ref`` notebook with its library first on ``PYTHONPATH`` (``git archive`` into a
  temporary folder), then this checkout's; alternately ``--repeats`` times; medians and ratio.

Usage::

    .venv/bin/python bench/bench_clv.py [--cases truth,cdnow-backtest] [--customers 1000000]
        [--log-lines 5000000] [--repeats 3] [--baseline-ref merge-base] [--blas-threads 1]

The model fits limit BLAS to one thread themselves (tiny vectors); ``--blas-threads`` limits the rest.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import types
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from retention import clv

ROOT = Path(__file__).resolve().parents[1]
CDNOW_BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
CDNOW_GG = {"p": 6.25, "q": 3.74, "gamma": 15.44}
CODES = ["POST", "DOT", "M", "D", "C2", "CRUK", "BANK CHARGES", "AMAZONFEE", "B", "S", "PADS", "ADJUST"]
CDNOW_CUTOFFS = ("1997-06-30", "1997-09-30", "1997-12-31", "1998-03-31")
ALL_CASES = ("fits", "simulated", "log", "truth", "cdnow-backtest", "notebook-clv", "notebook")


def timed(func: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    out = func()
    return out, time.perf_counter() - start


def fmt(params: dict[str, float]) -> str:
    return ", ".join(f"{k}={v:.4g}" for k, v in params.items())


def pct(x: float) -> str:
    return f"{x:+.1%}"


def cdnow_master() -> pd.DataFrame | None:
    spec = importlib.util.find_spec("lifetimes")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(spec.submodule_search_locations[0]) / "datasets" / "CDNOW_master.txt"
    if not path.exists():
        return None
    raw = pd.read_csv(path, sep=r"\s+", dtype={"date": str})
    raw["date"] = pd.to_datetime(raw["date"], format="%Y%m%d")
    return raw


def cdnow_days(master: pd.DataFrame) -> clv.PurchaseDays:
    """CDNOW rows -> the purchase-day grain (day number since 1970-01-01, dollars summed per customer and day)."""
    day = master["date"].to_numpy().astype("datetime64[D]").astype(np.int64)
    grain = master.assign(day=day).groupby(["customer_id", "day"], as_index=False)["dollar_value"].sum()
    return clv.PurchaseDays.from_grain(grain, customer_col="customer_id", value_col="dollar_value")


def show(table: pd.DataFrame) -> None:
    with pd.option_context("display.width", 160, "display.max_columns", 30, "display.float_format", "{:,.4g}".format):
        print(table.to_string())


# ---------------------------------------------------------------------------------------------------------
# fits, simulated, log
# ---------------------------------------------------------------------------------------------------------


def case_fits(args: argparse.Namespace) -> None:
    master = cdnow_master()
    if master is None:
        print("CDNOW master not found (lifetimes wheel not installed): case skipped")
        return
    summary, t_sum = timed(lambda: clv.rfm_summary(cdnow_days(master), "1997-09-30", unit="W"))
    rows = [{"step": "purchase days + rfm_summary", "seconds": t_sum, "estimate": f"{len(summary):,} customers"}]
    for name, cls in clv.MODELS.items():
        model, t = timed(lambda cls=cls: cls().fit(summary["frequency"], summary["recency"], summary["T"]))
        rows.append({"step": f"{name} fit", "seconds": t, "estimate": f"{fmt(model.params_)}; "
                     f"LL={model.log_likelihood_:,.1f}"})
    spend = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]  # one repeat buyer spent $0
    gg, t = timed(lambda: clv.GammaGammaModel().fit(spend["frequency"], spend["monetary_value"]))
    rows.append({"step": "gamma_gamma fit", "seconds": t, "estimate": fmt(gg.params_)})
    print("CDNOW master, calibration to 1997-09-30 (weeks)")
    show(pd.DataFrame(rows).set_index("step"))


def case_simulated(args: argparse.Namespace) -> None:
    n = args.customers
    ages = np.random.default_rng(1).uniform(27.0, 39.0, n)
    sim, t_sim = timed(lambda: clv.simulate_summary(n, ages, CDNOW_BGNBD, CDNOW_GG, seed=2))
    bg, t_bg = timed(lambda: clv.BetaGeoModel().fit(sim["frequency"], sim["recency"], sim["T"]))
    spend = sim[sim["frequency"] > 0]
    gg, t_gg = timed(lambda: clv.GammaGammaModel().fit(spend["frequency"], spend["monetary_value"]))
    print(f"simulated {n:,} summaries in {t_sim:.2f} s; BG/NBD fit {t_bg:.2f} s ({fmt(bg.params_)}; truth "
          f"{fmt(CDNOW_BGNBD)}); Gamma-Gamma fit {t_gg:.2f} s ({fmt(gg.params_)}; truth {fmt(CDNOW_GG)})")


def synthetic_log(n_lines: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n_customers = max(n_lines // 20, 1)
    seconds = rng.integers(0, 2 * 365 * 86_400, n_lines)
    return pd.DataFrame({
        "InvoiceNo": np.arange(n_lines).astype(str), "StockCode": "X", "Description": "ITEM X", "Quantity": 1.0,
        "InvoiceDate": pd.Timestamp("2010-01-01") + pd.to_timedelta(seconds, unit="s"),
        "UnitPrice": rng.gamma(2.0, 10.0, n_lines).round(2) + 0.01,
        "CustomerID": pd.Series(rng.integers(10_000, 10_000 + n_customers, n_lines)).astype(str),
        "Country": "United Kingdom",
    })


def engine_summary(log: pd.DataFrame) -> pd.DataFrame:
    from retention.engine import open_log

    with open_log(log) as session:
        return session.rfm_summary(unit="D")


def case_log(args: argparse.Namespace) -> None:
    log, t_gen = timed(lambda: synthetic_log(args.log_lines))
    summary, t_sum = timed(lambda: engine_summary(log))
    print(f"the engine's rfm_summary on a synthetic log of {len(log):,} lines ({len(summary):,} customers): "
          f"{t_sum:.2f} s (generated in {t_gen:.1f} s, not included)")


# ---------------------------------------------------------------------------------------------------------
# forecasts against the truth, and CDNOW backtests
# ---------------------------------------------------------------------------------------------------------


def generated_default(seasonal: bool) -> tuple[pd.DataFrame, clv.PurchaseDays, pd.Timestamp, pd.DataFrame]:
    """The generated lines, their purchase days (cleaned by the engine), the end date and the truth."""
    from retention.engine import EngineConfig, open_log
    from retention.generator import GeneratorConfig, generate

    cfg = GeneratorConfig(seasonal=seasonal)
    log = generate(cfg)
    with open_log(log.transactions, config=EngineConfig(non_product_codes=tuple(CODES))) as session:
        days = clv.PurchaseDays.from_grain(session.purchase_days())
    return log.transactions, days, pd.Timestamp(cfg.end_date), log.truth.set_index("CustomerID")


def case_truth(args: argparse.Namespace) -> None:
    rows = []
    for seasonal in (True, False):
        _, days, end, truth = generated_default(seasonal)
        result, t_auto = timed(lambda days=days, end=end: clv.fit_customer_values(days, end, uncertainty_draws=0))
        actual = truth.loc[result.values.index, "purchases_next_365d"].sum()
        shipped = result.forecast.expected_purchases(365).sum()
        cut = result.log.day_of(end)
        plain = clv.fit_purchase_forecast(result.log, cut, model="bgnbd", seasonal=False).expected_purchases(365).sum()
        rows.append({"generator": "seasonal (default)" if seasonal else "seasonal=False",
                     "customers": len(result.values), "truth": actual, "shipped": shipped,
                     "shipped_error": pct(shipped / actual - 1), "shipped_model": result.forecast.label,
                     "plain_bgnbd": plain, "plain_error": pct(plain / actual - 1), "pipeline_s": t_auto})
        print(f"- {rows[-1]['generator']}: {result.note}")
    print("Next 12 months, purchase days of the identified customers (truth = generator's purchases_next_365d)")
    show(pd.DataFrame(rows).set_index("generator"))


def case_cdnow_backtest(args: argparse.Namespace) -> None:
    master = cdnow_master()
    if master is None:
        print("CDNOW master not found: case skipped")
        return
    log = cdnow_days(master)
    rows = []
    for cut in CDNOW_CUTOFFS:
        result, t = timed(lambda cut=cut: clv.fit_customer_values(log, cut, uncertainty_draws=0))
        day = log.day_of(cut)
        actual = log.holdout(result.values.index, day, day + 90)["n_days"].sum()
        shipped = result.forecast.expected_purchases(90).sum()
        plain = clv.fit_purchase_forecast(log, day, model="bgnbd", seasonal=False).expected_purchases(90).sum()
        rows.append({"cutoff": cut, "actual": actual, "shipped": shipped, "shipped_error": pct(shipped / actual - 1),
                     "shipped_model": result.forecast.label, "plain_bgnbd": plain,
                     "plain_error": pct(plain / actual - 1), "pipeline_s": t})
    print("CDNOW master: total purchase days in the 90 days after each cutoff")
    show(pd.DataFrame(rows).set_index("cutoff"))
    card, t = timed(lambda: clv.rolling_backtest(log, [log.day_of(c) for c in CDNOW_CUTOFFS], horizon_days=90))
    print(f"Rolling scorecard of every candidate at those cutoffs ({t:.1f} s): {card.reason}")
    show(card.scorecard.set_index(["cutoff", "model", "seasonal"]))


# ---------------------------------------------------------------------------------------------------------
# notebook 04: its CLV work, and the notebook itself, before vs after
# ---------------------------------------------------------------------------------------------------------


def baseline_clv(ref: str) -> types.ModuleType | None:
    """The single-file ``retention/clv.py`` of ``ref`` as a module (None when ``ref`` has the package)."""
    try:
        source = subprocess.run(["git", "-C", str(ROOT), "show", f"{ref}:src/retention/clv.py"], check=True,
                                capture_output=True, text=True).stdout
    except subprocess.CalledProcessError:
        return None
    module = types.ModuleType("clv_baseline")
    sys.modules["clv_baseline"] = module  # dataclasses look their module up while the code runs
    exec(compile(source, f"{ref}:src/retention/clv.py", "exec"), module.__dict__)
    return module


def notebook_clv_work(lib: Any, tx: Any, end: pd.Timestamp, truth: pd.DataFrame | None) -> float:
    """The clv calls of notebooks/src/04_clv_roi.py with the default params (unit W, 120-day holdout), as each
    version of the notebook makes them (the new one through ``fit_customer_values``, with 200 draws).

    ``tx`` is what ``lib`` reads: the cleaned lines for the baseline's single-file clv.py, the purchase days
    (:class:`retention.clv.PurchaseDays`) for this checkout."""
    options = {"unit": "W", "penalizer": 0.0, "horizon_months": 12, "discount_rate_monthly": 0.01,
               "churn_horizon_days": 90}
    fitted = None
    if hasattr(lib, "fit_customer_values"):
        fitted = lib.fit_customer_values(tx, end, **options)
        values, model, gamma_gamma, summary = fitted.values, fitted.forecast.model, fitted.gamma_gamma, fitted.summary
    else:
        values, model, gamma_gamma, summary = lib.fit_value_table(tx, end, **options)
    repeaters = summary[summary["frequency"] > 0]
    lib.spend_frequency_correlation(repeaters["frequency"], repeaters["monetary_value"])
    cal_end = end - pd.Timedelta(days=120)
    holdout = lib.calibration_holdout_summary(tx, cal_end, end, unit="W")
    bg_cal = lib.BetaGeoModel().fit(holdout["frequency"], holdout["recency"], holdout["T"])
    lib.holdout_by_frequency(holdout, bg_cal)
    lib.repeat_purchase_tracking(tx, bg_cal, cal_end, end, unit="W")
    lib.probability_alive_matrix(model, T=float(summary["T"].max()),
                                 max_frequency=int(min(20, summary["frequency"].quantile(0.99))))
    if truth is not None and fitted is not None:
        lib.forecast_value_table(fitted.forecast, gamma_gamma, horizon_months=12, discount_rate_monthly=0.0)
    elif truth is not None:
        lib.customer_value_table(summary, model, gamma_gamma, horizon_months=12, discount_rate_monthly=0.0,
                                 time_unit="W")
    return float(values["expected_purchases"].sum())


def case_notebook_clv(args: argparse.Namespace) -> None:
    before = baseline_clv(args.baseline_ref)
    if before is None:
        print(f"{args.baseline_ref} has no single-file retention/clv.py: case skipped")
        return
    from retention.cleaning import clean_transactions

    lines, days, end, truth = generated_default(True)
    data = {"before": clean_transactions(lines, non_product_codes=CODES).transactions, "after": days}
    times: dict[str, list[float]] = {"before": [], "after": []}
    totals = {}
    for _ in range(args.repeats):
        for label, lib in (("before", before), ("after", clv)):
            totals[label], t = timed(lambda lib=lib, label=label: notebook_clv_work(lib, data[label], end, truth))
            times[label].append(t)
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"Notebook 04's CLV work on the default data ({args.repeats} alternating runs, medians): "
          f"{args.baseline_ref} {med['before']:.2f} s, this checkout {med['after']:.2f} s "
          f"(ratio {med['after'] / med['before']:.2f}); 12-month expected purchase days {totals['before']:,.0f} "
          f"-> {totals['after']:,.0f} (truth {truth['purchases_next_365d'].sum():,})")


def _run_notebook(pythonpath: str, notebook: Path, out: Path) -> float:
    env = dict(os.environ, PYTHONPATH=pythonpath, JUPYTER_PREFER_ENV_PATH="1", PYDEVD_DISABLE_FILE_VALIDATION="1")
    start = time.perf_counter()
    run = subprocess.run([str(Path(sys.executable).with_name("papermill")), "--kernel", "python3", "--cwd", str(ROOT),
                          "--no-progress-bar", "-p", "params_file", "params/default.yaml", "-p", "output_dir", str(out),
                          str(notebook), str(out / "04.ipynb")], env=env, capture_output=True, text=True)
    if run.returncode != 0:
        raise RuntimeError(f"papermill failed on {notebook}:\n{run.stderr[-3000:]}")
    return time.perf_counter() - start


def case_notebook(args: argparse.Namespace) -> None:
    reports = ROOT / "reports"
    if not (reports / "work" / "prepared.json").exists():
        print("no default run in reports/ (make reports): case skipped")
        return
    with tempfile.TemporaryDirectory() as tmp:
        base_src = Path(tmp) / "baseline"
        base_src.mkdir()
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.baseline_ref, "src", "notebooks"],
                                 check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(base_src)], input=archive, check=True)
        copies = {}
        for label in ("before", "after"):
            copies[label] = Path(tmp) / label
            shutil.copytree(reports, copies[label], ignore=shutil.ignore_patterns("*.html", "notebooks"))
        paths = {"before": base_src, "after": ROOT}
        times: dict[str, list[float]] = {"before": [], "after": []}
        for _ in range(args.repeats):
            for label in ("before", "after"):
                notebook = paths[label] / "notebooks" / "04_clv_roi.ipynb"
                times[label].append(_run_notebook(str(paths[label] / "src"), notebook, copies[label]))
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"Notebook 04 executed by papermill ({args.repeats} alternating runs, medians): {args.baseline_ref} "
          f"library {med['before']:.1f} s, this checkout {med['after']:.1f} s "
          f"(ratio {med['after'] / med['before']:.2f};"
          " the limit is 1.5); each with its own version of the notebook.")


CASES: dict[str, Callable[[argparse.Namespace], None]] = {
    "fits": case_fits, "simulated": case_simulated, "log": case_log, "truth": case_truth,
    "cdnow-backtest": case_cdnow_backtest, "notebook-clv": case_notebook_clv, "notebook": case_notebook,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default=",".join(ALL_CASES))
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--log-lines", type=int, default=5_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--baseline-ref", default="merge-base",
                        help="git ref of 'today' (default: the merge base of HEAD and main)")
    parser.add_argument("--blas-threads", type=int, default=1)
    args = parser.parse_args()
    if args.baseline_ref == "merge-base":
        args.baseline_ref = subprocess.run(["git", "-C", str(ROOT), "merge-base", "HEAD", "main"], check=True,
                                           capture_output=True, text=True).stdout.strip()[:10]
    unknown = set(args.cases.split(",")) - set(CASES)
    if unknown:
        parser.error(f"unknown case(s) {sorted(unknown)}; known: {list(CASES)}")
    limit: contextlib.AbstractContextManager[Any] = contextlib.nullcontext()
    if args.blas_threads > 0:
        from threadpoolctl import threadpool_limits

        limit = threadpool_limits(limits=args.blas_threads, user_api="blas")
    warnings.simplefilter("ignore", FutureWarning)
    with limit:
        for name in args.cases.split(","):
            print(f"\n== {name} ==")
            CASES[name](args)
    print(f"\n- CPUs: {os.cpu_count()}; load average: {', '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
