"""Benchmark retention.clv: summary + BG/NBD fit + Gamma-Gamma fit at realistic and large scale.

Cases
-----
* CDNOW master (all 23,570 customers of the 1997 Q1 cohort, 69,659 transactions): rfm_summary with a
  39-week calibration period in weeks, then both fits. Read from the data folder of the installed
  `lifetimes` wheel (located without importing it).
* 1,000,000 simulated customers: the per-customer summary is drawn directly from BG/NBD + Gamma-Gamma
  (CDNOW parameters, ages uniform on 27-39 weeks), not as a transaction log, to keep memory small.
* rfm_summary alone on a synthetic transaction log of ``--log-lines`` lines (default 5,000,000) with
  string customer ids and timestamps, to show the summary step scales to millions of lines.

Usage::

    PYTHONPATH=src .venv/bin/python bench/bench_clv.py [--customers 1000000] [--log-lines 5000000]
        [--blas-threads 1]

The fits spend most of their time in long dot products; on a small shared machine multi-threaded BLAS
for those is slower than one thread, so the BLAS pool is limited to ``--blas-threads`` (default 1,
0 = library default) via threadpoolctl while timing.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from retention.clv import BetaGeoModel, GammaGammaModel, rfm_summary, simulate_summary

CDNOW_BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
CDNOW_GG = {"p": 6.25, "q": 3.74, "gamma": 15.44}


def timed(func: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    out = func()
    return out, time.perf_counter() - start


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


def synthetic_log(n_lines: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n_customers = max(n_lines // 20, 1)
    seconds = rng.integers(0, 2 * 365 * 86_400, n_lines)
    return pd.DataFrame(
        {
            "CustomerID": pd.Series(rng.integers(10_000, 10_000 + n_customers, n_lines)).astype(str),
            "InvoiceDate": pd.Timestamp("2010-01-01") + pd.to_timedelta(seconds, unit="s"),
            "Revenue": rng.gamma(2.0, 10.0, n_lines).round(2),
        }
    )


def fit_both(summary: pd.DataFrame) -> tuple[BetaGeoModel, float, GammaGammaModel, float]:
    bg, t_bg = timed(lambda: BetaGeoModel().fit(summary["frequency"], summary["recency"], summary["T"]))
    # Gamma-Gamma needs positive average spend: CDNOW master has a repeat buyer whose repeats cost $0
    spend = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
    gg, t_gg = timed(lambda: GammaGammaModel().fit(spend["frequency"], spend["monetary_value"]))
    return bg, t_bg, gg, t_gg


def fmt(params: dict[str, float]) -> str:
    return ", ".join(f"{k}={v:.4g}" for k, v in params.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--log-lines", type=int, default=5_000_000)
    parser.add_argument("--blas-threads", type=int, default=1)
    args = parser.parse_args()
    limit: contextlib.AbstractContextManager[Any] = contextlib.nullcontext()
    if args.blas_threads > 0:
        try:
            from threadpoolctl import threadpool_limits

            limit = threadpool_limits(limits=args.blas_threads, user_api="blas")
        except ImportError:
            print("threadpoolctl not installed: BLAS thread count left at its default")
    with limit:
        run(args)
    print(f"- BLAS threads: {args.blas_threads or 'default'}; CPUs: {os.cpu_count()}; "
          f"load average: {', '.join(f'{v:.2f}' for v in os.getloadavg())}")


def run(args: argparse.Namespace) -> None:

    rows: list[dict[str, Any]] = []
    notes: list[str] = []

    master = cdnow_master()
    if master is None:
        notes.append("CDNOW master not found (lifetimes wheel not installed): case skipped")
    else:
        summary, t_sum = timed(
            lambda: rfm_summary(master, "1997-09-30", unit="W", customer_col="customer_id", date_col="date",
                                value_col="dollar_value")
        )
        bg, t_bg, gg, t_gg = fit_both(summary)
        rows.append({"case": "CDNOW master", "customers": len(summary), "lines": len(master),
                     "summary_s": t_sum, "bgnbd_fit_s": t_bg, "gg_fit_s": t_gg})
        notes.append(f"CDNOW master BG/NBD: {fmt(bg.params_)}; LL={bg.log_likelihood_:.1f}")
        notes.append(f"CDNOW master Gamma-Gamma ({gg.n_customers_:.0f} repeat buyers): {fmt(gg.params_)}")

    n = args.customers
    ages = np.random.default_rng(1).uniform(27.0, 39.0, n)
    sim, t_sim = timed(lambda: simulate_summary(n, ages, CDNOW_BGNBD, CDNOW_GG, seed=2))
    bg, t_bg, gg, t_gg = fit_both(sim)
    rows.append({"case": "simulated summary", "customers": n, "lines": pd.NA,
                 "summary_s": t_sim, "bgnbd_fit_s": t_bg, "gg_fit_s": t_gg})
    notes.append(f"simulated BG/NBD (truth {fmt(CDNOW_BGNBD)}): {fmt(bg.params_)}")
    notes.append(f"simulated Gamma-Gamma (truth {fmt(CDNOW_GG)}): {fmt(gg.params_)}")
    notes.append("simulated: 'summary_s' is the time to draw the summary, not rfm_summary")

    if args.log_lines > 0:
        log, t_gen = timed(lambda: synthetic_log(args.log_lines))
        summary, t_sum = timed(lambda: rfm_summary(log, unit="D"))
        rows.append({"case": "synthetic log (rfm only)", "customers": len(summary), "lines": len(log),
                     "summary_s": t_sum, "bgnbd_fit_s": np.nan, "gg_fit_s": np.nan})
        notes.append(f"synthetic log generated in {t_gen:.1f} s (not included)")

    table = pd.DataFrame(rows).set_index("case").astype({"lines": "Int64"})
    with pd.option_context("display.width", 120, "display.float_format", "{:,.3f}".format):
        print(table.to_string())
    for note in notes:
        print("-", note)


if __name__ == "__main__":
    main()
