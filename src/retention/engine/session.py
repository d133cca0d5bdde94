"""A cleaned transaction log held by an engine: the ledger at once, every per-customer table on request.

:func:`open_log` scans the input three times (the latest date, the lines and revenue per cleaning rule,
and the kept lines and returns, which it stores as work tables) and checks the result. The
:class:`Session` then answers per-customer questions at any cutoffs -- features, churn labels and
examples, BTYD summaries -- and the EDA aggregates (:attr:`Session.eda`), each from small work tables
built on first use. Only per-customer or aggregate tables come back to pandas.

The module is over 400 lines on purpose: it is the engine's one facade class, each method a short request for a
work table whose SQL lives in :mod:`~retention.engine.plan`; splitting the class would split one interface.
"""

from __future__ import annotations

import shutil
import time
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from retention.engine import btyd, features, labels
from retention.engine.config import EngineConfig, check_peak_months, check_window_days
from retention.engine.inputs import Source, input_files, resolve_layout
from retention.engine.plan import Plan
from retention.engine.runners import DuckDBRunner, SparkRunner, spark_session
from retention.engine.sql import day_number, naive_day

__all__ = ["NothingKept", "Session", "open_log"]

_CLEAN_OUTPUTS = {"transactions": "lines", "returns": "returns"}


class NothingKept(ValueError):
    """No purchase line is left after cleaning; ``ledger`` says where the lines went.

    ``input_first_date`` and ``input_last_date`` are the earliest and latest InvoiceDate of the input's lines.
    """

    def __init__(self, ledger: pd.DataFrame, input_first_date: pd.Timestamp, input_last_date: pd.Timestamp) -> None:
        super().__init__("no purchase line is left after cleaning; see the ledger rules.")
        self.ledger, self.input_first_date, self.input_last_date = ledger, input_first_date, input_last_date


class Session:
    """A cleaned log in an engine (use :func:`open_log`); close it (or use ``with``) to free the engine.

    Attributes
    ----------
    ledger : pandas.DataFrame
        The cleaning ledger (:func:`~retention.engine.cleaning.ledger_frame`).
    end_date : pandas.Timestamp
        The analysis end day (``after_end_date`` rule).
    first_date, last_date : pandas.Timestamp
        Earliest and latest InvoiceDate of a kept line.
    input_first_date, input_last_date : pandas.Timestamp
        Earliest and latest InvoiceDate of any line of the input (kept or not).
    input_columns : dict of str to bool
        Whether each optional column (InvoiceNo, StockCode, Description, Country) has a value on any line.
    has_codes : bool
        Whether any kept line has a StockCode.
    whole_quantities : bool
        Whether every kept Quantity is a whole number (the clean lines then hold integers).
    engine : str
        ``"duckdb"`` or ``"spark"``.
    timings : dict of str to float
        Seconds spent in each step, for benchmarks.
    """

    def __init__(self, runner: Any, config: EngineConfig, *, layout: str, engine: str,
                 pre_dropped: Mapping[str, int] | None = None, detect_duplicates: bool | None = None) -> None:
        self.config, self.engine, self.timings = config, engine, {}
        self._runner = runner
        self._built: set[str] = set()
        self._clock = time.perf_counter()
        self.plan = Plan(runner.dialect, runner.types(), config, layout, runner.names, runner.headers)
        if detect_duplicates is None:
            detect_duplicates = {"InvoiceNo", "StockCode"} <= set(runner.types())
        self.detect_duplicates = bool(detect_duplicates)
        self._clean(pre_dropped)

    # -- set-up -----------------------------------------------------------------------------------------

    def _lap(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = self.timings.get(name, 0.0) + now - self._clock
        self._clock = now

    def _clean(self, pre_dropped: Mapping[str, int] | None) -> None:
        from retention.engine.cleaning import OPTIONAL, ledger_frame, number

        span = self.fetch(self.plan.last_date()).iloc[0]
        last = span["last"]
        self.input_first_date, self.input_last_date = pd.Timestamp(span["first"]), pd.Timestamp(last)
        self.input_columns = {c: number(span[f"with_{c}"]) > 0 for c in OPTIONAL}
        config_end = self.config.end_date
        if config_end is not None:
            self.end_date = naive_day(config_end, "end_date")
        else:
            self.end_date = pd.Timestamp(last).normalize() if pd.notna(last) else pd.NaT
        # without any dated line every data line is charged to missing_date, whatever the end day
        counts = self.fetch(self.plan.reason_counts(self.end_date if pd.notna(self.end_date)
                                                            else pd.Timestamp("1970-01-01")))
        counts["reason"] = counts["reason"].astype(object).where(counts["reason"].notna(), None)
        self._check_missing_numbers(counts)
        self._lap("scan")
        if pd.isna(self.end_date):
            nothing = {"distinct_rows": 0, "distinct_revenue": 0.0, "repeat_rows": 0, "repeat_revenue": 0.0}
            self.ledger = ledger_frame(counts, nothing, pre_dropped)
            raise NothingKept(self.ledger, self.input_first_date, self.input_last_date)
        self._runner.materialize("lines", self.plan.kept_lines(self.end_date, self.detect_duplicates))
        self._lap("clean")
        self._runner.materialize("returns", self.plan.return_lines(self.end_date))
        totals = self.fetch(self.plan.kept_totals()).iloc[0]
        if number(totals["positive_returns"]):
            raise ValueError("returns must hold cancellation lines with Revenue <= 0; some are positive.")
        self.ledger = ledger_frame(counts, totals, pre_dropped)
        if int(self.ledger["rows"].iloc[-1]) == 0:
            raise NothingKept(self.ledger, self.input_first_date, self.input_last_date)
        self.has_codes = number(totals["with_code"]) > 0
        self.whole_quantities = number(totals["fractional_quantities"]) == 0
        self.first_date, self.last_date = pd.Timestamp(totals["first_date"]), pd.Timestamp(totals["last_date"])
        self._lap("ledger")

    @staticmethod
    def _check_missing_numbers(counts: pd.DataFrame) -> None:
        missing = counts["reason"] == "_missing_number"
        if missing.any():
            n = int(counts.loc[missing, "rows"].sum())
            raise ValueError(f"{n:,} line(s) have no Quantity or UnitPrice; fill them in (or remove the lines).")

    @property
    def rows_in(self) -> int:
        return int(self.ledger["rows"].iloc[0])

    @property
    def rows_kept(self) -> int:
        return int(self.ledger["rows"].iloc[-1])

    def build(self, name: str) -> None:
        """Store the work table ``name`` (days, invoices, products, back, orders) unless it exists."""
        if name in self._built:
            return
        for needed in {"orders": ["invoices"], "days": ["invoices"]}.get(name, []):
            self.build(needed)
        self._runner.materialize(name, self.plan.grain(name))
        self._built.add(name)

    def fetch(self, sql: str) -> pd.DataFrame:
        """Run ``sql`` (over the work tables) and return the result as a pandas frame."""
        return self._runner.fetch(sql)

    def upload(self, name: str, frame: pd.DataFrame) -> None:
        """Replace the small work table ``name`` (``cutoffs``, ``edges``) with ``frame``."""
        self._runner.upload(name, frame)

    # -- customers --------------------------------------------------------------------------------------

    def _cutoffs(self, cutoffs: Iterable[Any]) -> list[pd.Timestamp]:
        days = sorted({naive_day(c, "cutoff") for c in cutoffs})
        if not days:
            raise ValueError("cutoffs is empty; pass at least one cutoff day.")
        self.upload("cutoffs", pd.DataFrame({"cutoff": np.array([day_number(d) for d in days], dtype=np.int32)}))
        return days

    def customer_features_at(self, cutoffs: Iterable[Any], *, peak_months: Iterable[int] | None = None,
                             window_days: int | None = None) -> pd.DataFrame:
        """Features of every customer at every cutoff, in one query.

        Returns ``cutoff`` (midnight timestamp), ``CustomerID`` and
        :data:`~retention.features.FEATURE_COLUMNS`, sorted by cutoff then CustomerID; at each cutoff
        the rows equal :meth:`customer_features` at that cutoff (options default to the config's).
        """
        months = check_peak_months(self.config.peak_months if peak_months is None else peak_months)
        window = check_window_days(self.config.window_days if window_days is None else window_days)
        days = self._cutoffs(cutoffs)
        # Distinct products: from the kept lines at one cutoff, from the first-purchase days at several.
        products = "products" if window is None and len(days) > 1 else "lines"
        for name in ("days", "invoices", "back") + ((products,) if products == "products" else ()):
            self.build(name)
        sql = self.plan.customer_features(months, window, self.has_codes, products)
        table = features.finish_features(self.fetch(sql))
        found = set(pd.DatetimeIndex(table["cutoff"].unique()))
        for day in days:
            if day not in found:
                self._no_customer(day, window)
        self._lap("features")
        return table

    def _no_customer(self, day: pd.Timestamp, window: int | None) -> None:
        start = None if window is None else day + pd.Timedelta(days=1 - window)
        period = "" if start is None else f" within the {window}-day window starting {start.date()}"
        raise ValueError(f"No customer has a transaction on or before the cutoff {day.date()}{period}; "
                         f"the data starts on {self.first_date.date()}.")

    def customer_features(self, cutoff: Any = None, *, peak_months: Iterable[int] | None = None,
                          window_days: int | None = None) -> pd.DataFrame:
        """The customer features as of ``cutoff`` (default: the end date), index CustomerID (sorted)."""
        day = self.end_date if cutoff is None else cutoff
        table = self.customer_features_at([day], peak_months=peak_months, window_days=window_days)
        return table.drop(columns="cutoff").set_index("CustomerID")

    def churn_labels_at(self, cutoffs: Iterable[Any], horizon_days: int, *, data_end: Any = None) -> pd.DataFrame:
        """``cutoff``, ``CustomerID``, ``churned`` at every cutoff (see :meth:`churn_labels`)."""
        if isinstance(horizon_days, bool) or not isinstance(horizon_days, int | np.integer) or horizon_days < 1:
            raise ValueError(f"horizon_days must be a whole number >= 1, got {horizon_days!r}.")
        end = self.last_date.normalize() if data_end is None else naive_day(data_end, "data_end")
        days = self._cutoffs(cutoffs)
        for day in days:
            labels.check_label_window(day, int(horizon_days), end)
        self.build("days")
        table = labels.finish_labels(self.fetch(self.plan.churn_labels(int(horizon_days))))
        found = set(pd.DatetimeIndex(table["cutoff"].unique()))
        for day in days:
            if day not in found:
                raise ValueError(f"No customer has a purchase on or before the cutoff {day.date()}.")
        self._lap("labels")
        return table

    def churn_labels(self, cutoff: Any, horizon_days: int, *, data_end: Any = None) -> pd.Series:
        """The churn label (``churned``) per customer: 1 = no purchase in the ``horizon_days`` after ``cutoff``."""
        table = self.churn_labels_at([cutoff], horizon_days, data_end=data_end)
        return table.set_index("CustomerID")["churned"].rename(labels.TARGET)

    def churn_examples(self, cutoffs: Iterable[Any], horizon_days: int, *, peak_months: Iterable[int] | None = None,
                       window_days: int | None = None, data_end: Any = None) -> pd.DataFrame:
        """The churn examples: features at each cutoff joined with the labels after it."""
        cutoffs = list(cutoffs)
        if not cutoffs:
            raise ValueError("cutoffs is empty; pass at least one cutoff day.")
        found = self.customer_features_at(cutoffs, peak_months=peak_months, window_days=window_days)
        outcome = self.churn_labels_at(cutoffs, horizon_days, data_end=data_end)
        return labels.label_examples(found, outcome)

    def window_purchases(self, sent_at: pd.Series, window_days: int) -> pd.DataFrame:
        """Each customer's purchases in the ``window_days`` after their own send day (a campaign's outcomes).

        Parameters
        ----------
        sent_at : pandas.Series
            Send day per customer (index CustomerID, unique; dates, times are dropped).
        window_days : int
            Days followed after the send day; the window must end by the analysis end day.

        Returns
        -------
        pandas.DataFrame
            Index CustomerID (in the order of ``sent_at``), ``orders``, ``revenue`` and
            ``first_order_revenue`` over the days ``sent + 1 .. sent + window_days`` (see
            :mod:`retention.engine.outcomes`); zeros for customers who bought nothing then.
        """
        from retention.engine import outcomes

        if isinstance(window_days, bool) or not isinstance(window_days, int | np.integer) or window_days < 1:
            raise ValueError(f"window_days must be a whole number >= 1, got {window_days!r}.")
        ids = pd.Index(sent_at.index.astype(str), name="CustomerID")
        if ids.has_duplicates:
            raise ValueError(f"sent_at lists customers twice, e.g. {list(ids[ids.duplicated()][:3])}.")
        days = pd.Series([naive_day(d, "sent_at") for d in sent_at], index=ids, dtype="datetime64[ns]")
        last = days.max() + pd.Timedelta(days=int(window_days)) if len(days) else None
        if last is not None and last > self.end_date:
            raise ValueError(f"The {window_days}-day window after the send day {days.max().date()} runs to "
                             f"{last.date()}, past the end of the data ({self.end_date.date()}).")
        self.upload("sends", pd.DataFrame({"CustomerID": np.asarray(ids, dtype=object),
                                           "sent": np.array([day_number(d) for d in days], dtype=np.int32)}))
        self.build("invoices")
        table = outcomes.finish_window_purchases(self.fetch(self.plan.window_purchases(int(window_days))), ids)
        self._lap("outcomes")
        return table

    def rfm_summary(self, cutoff: Any = None, *, unit: str | None = None, start: Any = None) -> pd.DataFrame:
        """:func:`retention.clv.rfm_summary` of the kept lines (default cutoff: the last purchase day)."""
        unit = unit or self.config.unit
        start_day = None if start is None else day_number(naive_day(start, "start"))
        self.build("days")
        if cutoff is not None:
            cutoff_day = day_number(naive_day(cutoff, "cutoff"))
        elif start_day is None:
            cutoff_day = day_number(self.last_date)
        else:
            last = self.fetch(self.plan.last_day_from(start_day))["last"].iloc[0]
            if pd.isna(last):
                raise ValueError("no identified transactions to summarise (and no cutoff given)")
            cutoff_day = int(last)
        if start_day is not None and start_day > cutoff_day:
            raise ValueError(f"start ({start}) is after cutoff ({cutoff})")
        summary = btyd.finish_summary(self.fetch(self.plan.rfm_summary(cutoff_day, unit, start_day)), unit=unit)
        self._lap("summary")
        return summary

    def calibration_holdout_summary(self, calibration_end: Any, holdout_end: Any, *, unit: str | None = None,
                                    start: Any = None) -> pd.DataFrame:
        """:func:`retention.clv.calibration_holdout_summary` of the kept lines."""
        unit = unit or self.config.unit
        calibration = day_number(naive_day(calibration_end, "calibration_end"))
        holdout = day_number(naive_day(holdout_end, "holdout_end"))
        if holdout <= calibration:
            raise ValueError(f"holdout_end ({holdout_end}) must be after calibration_end ({calibration_end})")
        start_day = None if start is None else day_number(naive_day(start, "start"))
        if start_day is not None and start_day > calibration:
            raise ValueError(f"start ({start}) is after calibration_end ({calibration_end})")
        self.build("days")
        sql = self.plan.calibration_holdout(calibration, holdout, unit, start_day)
        summary = btyd.finish_summary(self.fetch(sql), unit=unit, holdout_days=holdout - calibration)
        self._lap("summary")
        return summary

    def purchase_days(self, start: Any = None, end: Any = None) -> pd.DataFrame:
        """The purchase-day grain of the kept lines: ``CustomerID``, ``day`` (days since 1970-01-01), ``value``.

        One row per customer and calendar day with a purchase (the day's kept revenue), on days
        ``start..end`` (inclusive, default: all), sorted by customer then day: the unit of a purchase of the
        BTYD models (:meth:`retention.clv.PurchaseDays.from_grain`). About one row per order, a fraction
        of the lines.
        """
        start_day = None if start is None else day_number(naive_day(start, "start"))
        end_day = None if end is None else day_number(naive_day(end, "end"))
        if start_day is not None and end_day is not None and start_day > end_day:
            raise ValueError(f"start ({start}) is after end ({end})")
        self.build("days")
        grain = btyd.finish_purchase_days(self.fetch(self.plan.purchase_days(start_day, end_day)))
        self._lap("purchase_days")
        return grain

    # -- outputs ----------------------------------------------------------------------------------------

    @property
    def eda(self) -> Any:
        """The EDA aggregates of the kept lines (:class:`~retention.engine.aggregates.EdaAggregates`)."""
        from retention.engine.aggregates import EdaAggregates

        return EdaAggregates(self)

    def kept_facts(self) -> dict[str, Any]:
        """Facts about the kept lines (:func:`~retention.engine.cleaning.kept_facts`) as a dict."""
        self.build("days")
        row = self.fetch(self.plan.kept_facts()).iloc[0]
        facts = {key: (None if pd.isna(value) else value) for key, value in row.items()}
        for key in ("customers", "purchase_days", "c_orders", "repeated_lines"):
            facts[key] = int(facts[key] or 0)
        return facts

    def clean_frames(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The kept lines and the returns as pandas frames (the rows and order of :meth:`write_clean`).

        For small logs (tests, examples): the lines come out of the engine whole.
        """
        frames = []
        for table in _CLEAN_OUTPUTS.values():
            frame = self.fetch(self.plan.clean_output(table, self.whole_quantities))
            for column in ("InvoiceNo", "StockCode", "Description", "CustomerID", "Country"):
                frame[column] = frame[column].astype("string")
            frame["InvoiceDate"] = frame["InvoiceDate"].astype("datetime64[ns]")
            frames.append(frame)
        return frames[0], frames[1]

    def write_clean(self, folder: str | Path) -> dict[str, Path]:
        """Write the kept lines (``transactions.parquet``) and the returns (``returns.parquet``) into ``folder``.

        The eight canonical columns and ``Revenue`` (Quantity whole numbers when every kept Quantity is
        whole), one row per kept line (exact duplicates dropped), sorted by time, invoice, product and the other
        columns. On Spark each is a folder of Parquet parts. Each replaces what was there (a file or a folder)
        only once it is written whole.
        """
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        written = {}
        for name, table in _CLEAN_OUTPUTS.items():
            path = folder / f"{name}.parquet"
            staging = folder / f".{name}.{uuid.uuid4().hex[:8]}.parquet"
            try:
                self._runner.write_parquet(self.plan.clean_output(table, self.whole_quantities), staging)
                _remove(path)
                staging.rename(path)
            finally:
                _remove(staging)
            written[name] = path
        return written

    def close(self) -> None:
        self._runner.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _remove(path: Path) -> None:
    """Delete a file or a folder (Spark writes folders of parts), if it exists."""
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def open_log(source: Source, *, config: EngineConfig | None = None, engine: str = "duckdb", spark: Any = None,
             layout: str = "auto", pre_dropped: Mapping[str, int] | None = None,
             detect_duplicates: bool | None = None) -> Session:
    """Clean a transaction log in DuckDB (default) or Spark and keep it there for per-customer questions.

    Parameters
    ----------
    source : path, glob, folder, list of paths or pandas.DataFrame
        Parquet or CSV files (see :func:`~retention.engine.inputs.input_files`), or a frame of lines in
        memory (read as Parquet is: canonical by default).
    config : EngineConfig, optional
        Cleaning rules, feature defaults and DuckDB limits.
    engine : {"duckdb", "spark"}
    spark : pyspark.sql.SparkSession, optional
        The session for ``engine="spark"`` (default: :func:`~retention.engine.runners.spark_session`).
    layout : {"auto", "canonical", "raw"}
        How the input is laid out (see :mod:`retention.engine.inputs`); ``"auto"``: Parquet is the
        canonical dataset, CSV a raw export.
    pre_dropped : mapping, optional
        Lines the loader dropped before writing the canonical dataset, per ``LOAD_RULES`` reason.
    detect_duplicates : bool, optional
        Whether exact repeats are duplicates (default: when the input has InvoiceNo and StockCode).
    """
    config = config or EngineConfig()
    frame = source if isinstance(source, pd.DataFrame) else None
    files, kind = ([], "parquet") if frame is not None else input_files(source)
    chosen = resolve_layout(layout, kind)
    if engine == "duckdb":
        runner: Any = DuckDBRunner(files, kind, config, frame=frame)
    elif engine == "spark":
        runner = SparkRunner(files, kind, config, spark if spark is not None else spark_session(), frame=frame)
    else:
        raise ValueError(f"engine must be 'duckdb' or 'spark', got {engine!r}.")
    try:
        return Session(runner, config, layout=chosen, engine=engine, pre_dropped=pre_dropped,
                       detect_duplicates=detect_duplicates)
    except BaseException:
        runner.close()
        raise
