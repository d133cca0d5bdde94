"""The run's shared step: prepare the clean data once per profile.

``prepare`` runs before any notebook: it generates the default data (or converts the CDNOW log) if
needed, loads and validates the input file chunk by chunk into the canonical Parquet dataset
``work/lines/`` (bad input stops here with one clear message), opens the engine over it (DuckDB, or Spark
with ``engine.name: spark``; :mod:`retention.engine`), which applies the cleaning rules, checks the params
that depend on the data (analysis date, churn, CLV and migration windows) and what every stage needs from
the data (:mod:`retention.requirements`, on the engine's per-customer tables), validates the campaign
test's results file when there is one (:func:`retention.experiments.check_results`), and writes the clean lines,
the returns, the ledger and the run info (with plain-English ``notes`` on what the loader detected or
assumed) into the profile's output folder. No line comes to pandas. It rewrites nothing when the data, the
data and cleaning params and the data-layer code are unchanged, so ``make`` reruns only what depends on a
change; the checks of the windows and of the series' needs run again whenever any param changes.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pandas as pd

from retention import data, generator
from retention.io import write_csv_atomic, write_parquet_atomic, write_text_atomic
from retention.params import params_hash
from retention.paths import resolve
from retention.requirements import check_end_date, check_params_against_data, check_series, day_text

__all__ = ["STAGES", "generator_config", "ensure_data", "prepare", "check_params_against_data", "open_lines",
           "output_paths", "file_sha256", "load_truth", "write_artifact", "write_stage",
           "read_stage", "write_enhanced",
           "write_work_json", "read_work_json", "write_work_table", "read_work_table"]

# Per-customer tables the stages hand on, in series order; enhanced_customer_data.csv joins them.
STAGES = ("segments", "churn", "clv")

# The code whose change rewrites the prepared data (a module or a package of modules).
_DATA_LAYER = ("data", "engine", "generator", "pipeline")


def output_paths(out_dir: str | Path) -> dict[str, Path]:
    out = resolve(out_dir)
    return {
        "out": out,
        "work": out / "work",
        "artifacts": out / "artifacts",
        "lines": out / "work" / "lines",
        "transactions": out / "work" / "transactions.parquet",
        "returns": out / "work" / "returns.parquet",
        "info": out / "work" / "prepared.json",
        "ledger": out / "artifacts" / "cleaning_ledger.csv",
        "series_check": out / "work" / "series_check.json",
    }


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def generator_config(params: dict[str, Any]) -> generator.GeneratorConfig:
    g = params["generator"]
    return generator.GeneratorConfig(seed=g["seed"], n_customers=g["n_customers"], start_date=g["start_date"],
                                     months=g["months"], guest_line_share=g["guest_line_share"],
                                     future_days=g["future_days"], seasonal=g["seasonal"],
                                     campaign=g.get("campaign", True),
                                     campaign_days_before_end=g.get("campaign_days_before_end", 120),
                                     campaign_share=g.get("campaign_share", 0.3))


def ensure_data(params: dict[str, Any]) -> Path:
    """The input file; generated data is (re)made when missing or made with other settings, and the CDNOW
    log is converted from the installed ``lifetimes`` package once."""
    path = resolve(params["data"]["path"])
    source = params["data"]["source"]
    if source == "cdnow":
        return _ensure_cdnow(path)
    if source != "generated":
        return path
    stamp = path.with_name(f"{path.stem}.generator.json")
    # The generator's code is part of the stamp: a changed generator remakes the data.
    wanted = json.dumps({**params["generator"], "code": _code_fingerprint(("generator",))}, sort_keys=True,
                        default=str)
    if path.exists() and stamp.exists() and stamp.read_text() == wanted:
        return path
    generator.write_generated(generator_config(params), path)
    write_text_atomic(wanted, stamp)
    return path


_CDNOW_STAMP = json.dumps({"source": f"lifetimes/datasets/{data.CDNOW_FILE}", "layout": 1})


def _ensure_cdnow(path: Path) -> Path:
    """Convert ``CDNOW_master.txt`` into ``path`` (a CSV the loader reads) unless that was done already."""
    stamp = path.with_name(f"{path.stem}.source.json")
    if path.exists() and stamp.exists() and stamp.read_text() == _CDNOW_STAMP:
        return path
    data.convert_cdnow(data.cdnow_source(), path)
    write_text_atomic(_CDNOW_STAMP, stamp)
    return path


def _code_fingerprint(names: tuple[str, ...] = _DATA_LAYER) -> str:
    here = Path(__file__).parent
    digest = hashlib.sha256()
    for name in names:
        package = here / name
        files = sorted(package.rglob("*.py")) if package.is_dir() else [here / f"{name}.py"]
        for file in files:
            digest.update(str(file.relative_to(here)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:12]


def _no_purchase_left(ledger: pd.DataFrame, file: str, ledger_path: Path) -> data.DataValidationError:
    counts = ledger.set_index("reason")["rows"]
    reasons = counts.drop(["rows_in", "rows_kept"])
    reasons = reasons[reasons > 0].sort_values(ascending=False, kind="stable")
    listed = ", ".join(f"{name} {rows:,}" for name, rows in reasons.items()) or "none"
    fixes = {
        "cancellation": "the file holds only cancellations (InvoiceNo starting with 'C'); export the purchases too",
        "missing_customer_id": "map the column that identifies customers with data.columns",
        "missing_date": "fill in the InvoiceDate column",
        "after_end_date": "set data.end_date to a later date, or leave it empty",
        "non_positive_price": "check the price column (or the Amount mapping)",
        "non_positive_quantity": "check the Quantity column",
        "non_product_code": "check cleaning.non_product_codes",
        "outlier": "raise cleaning.max_quantity or cleaning.max_unit_price",
    }
    fix = fixes.get(str(reasons.index[0]) if len(reasons) else "", "check the column mapping and data.end_date")
    return data.DataValidationError(
        f"{file}: no purchase line is left after cleaning ({int(counts['rows_in']):,} lines read; dropped: {listed}; "
        f"the ledger is in {ledger_path}). Fix: {fix}.")


def _data_notes(log: Any, facts: dict[str, Any], end_date_param: Any) -> list[str]:
    """Sentences about the clean data itself (after the loader's notes), from the engine's facts."""
    notes = []
    first, end = log.first_date.normalize(), log.end_date
    days = (end - first).days
    notes.append(f"The clean data covers {days:,} days, from {day_text(first)} to {day_text(end)}"
                 + (" (data.end_date)." if end_date_param is not None else " (the last purchase)."))
    if facts["customers"] == 1:
        notes.append(f"Only one customer ({facts['some_customer']}) is in the clean data: segments, churn "
                     f"and CLV describe a single person, and models that compare customers cannot be fitted.")
    if facts["purchase_days"] == 1:
        notes.append(f"All purchases are on one day ({day_text(first)}): recency, tenure, churn and CLV need "
                     f"purchases spread over time.")
    n = facts["c_orders"]
    if n:
        notes.append(f"{n:,} line{'s have' if n != 1 else ' has'} an InvoiceNo starting with 'C' but a positive "
                     f"quantity (e.g. '{facts['c_order_example']}'): read as {'orders' if n != 1 else 'an order'}, "
                     f"not cancellations (a cancellation takes units back), and counted in the revenue.")
    return notes


def _series_stamp(params: dict[str, Any], fingerprint: dict[str, Any]) -> str:
    return json.dumps({"fingerprint": fingerprint, "params": params_hash(params)}, sort_keys=True)


def open_lines(params: dict[str, Any], lines: Path) -> Any:
    """The engine session over the canonical lines in ``lines`` (written by the loader, with ``_load.json``), the
    cleaning rules of ``params`` applied: DuckDB, or Spark with ``engine.name: spark``."""
    from retention.engine import EngineConfig, open_log, spark_session

    loaded = data.LoadSummary.read(lines)
    engine = params.get("engine") or {}
    name = engine.get("name", "duckdb")
    spark = spark_session(engine.get("spark_master") or "local[2]") if name == "spark" else None
    return open_log(lines, config=EngineConfig.from_params(params), engine=name, spark=spark, layout="canonical",
                    pre_dropped=loaded.dropped or None, detect_duplicates=loaded.line_identity)


def _check_series_once(params: dict[str, Any], paths: dict[str, Path], info: dict[str, Any], file: str) -> None:
    """The series checks on prepared data, unless they passed before with the same data and params.

    The stamp is a file of its own: rewriting prepared.json would make every notebook rerun.
    """
    stamp = _series_stamp(params, info["fingerprint"])
    if paths["series_check"].exists() and paths["series_check"].read_text() == stamp:
        return
    with open_lines(params, paths["lines"]) as log:
        check_series(params, log, file)
    write_text_atomic(stamp, paths["series_check"])


def _open_checked(params: dict[str, Any], paths: dict[str, Path], params_file: str) -> Any:
    """The engine session over the loaded lines, once data.end_date is known to fall within them."""
    from retention.engine import NothingKept

    d = params["data"]
    try:
        log = open_lines(params, paths["lines"])
    except NothingKept as nothing:
        check_end_date(d["end_date"], nothing.input_first_date, nothing.input_last_date, d["path"], params_file)
        write_csv_atomic(nothing.ledger, paths["ledger"])
        raise _no_purchase_left(nothing.ledger, d["path"], paths["ledger"]) from None
    try:
        check_end_date(d["end_date"], log.input_first_date, log.input_last_date, d["path"], params_file)
    except BaseException:
        log.close()
        raise
    return log


def _available_columns(log: Any, loaded: data.LoadSummary) -> dict[str, bool]:
    """Which optional columns carry information: in the file (not made up by the loader) and not all empty."""
    return {c: bool(log.input_columns.get(c)) and c in loaded.columns for c in data.OPTIONAL_COLUMNS}


def _check_experiment(params: dict[str, Any], paths: dict[str, Path], customer_ids: pd.Series | None, first_date: Any,
                      end_date: Any, params_file: str) -> None:
    """The campaign test (``experiment.results``, or the generated campaign) is an input like the transactions:
    validated before any notebook, on every run (the file may change while the params stay the same).
    ``customer_ids`` are the clean lines' ids (read from the prepared lines when None)."""
    from retention import experiments

    e, d = params.get("experiment") or {}, params["data"]
    if experiments.results_file(e.get("results"), source=d["source"], data_path=d["path"]) is None:
        return
    if customer_ids is None:
        customer_ids = pd.read_parquet(paths["transactions"], columns=["CustomerID"])["CustomerID"]
    experiments.check_results(e.get("results"), source=d["source"], data_path=d["path"],
                              known_ids=customer_ids.astype(str).unique(), first_date=first_date, end_date=end_date,
                              outcome_days=e.get("outcome_days", 60), params_file=params_file)


def prepare(params: dict[str, Any], out_dir: str | Path, params_file: str = "params") -> dict[str, Any]:
    """Load, validate and clean the profile's data into ``out_dir``; return the run info.

    The loader streams the file into the canonical Parquet dataset ``work/lines/``; the engine (DuckDB, or
    Spark with ``engine.name: spark``) applies the cleaning rules there, writes the ledger, the clean lines
    and the returns, and answers every check; no line comes to pandas. Bad data raises
    :class:`retention.data.DataValidationError`; params that do not fit the data (``data.end_date`` outside
    it, churn or CLV windows longer than it) raise :class:`retention.params.ParamsError`. ``params_file``
    names the profile in those messages.
    """
    paths = output_paths(out_dir)
    source = ensure_data(params)
    d = params["data"]
    data.check_readable(source, d["path"])
    fingerprint = {
        "data_sha256": file_sha256(source),
        "params_hash": params_hash({k: params[k] for k in ("data", "cleaning")}),
        "code": _code_fingerprint(),
    }
    if all(paths[k].exists() for k in ("info", "transactions", "ledger", "lines")):
        info = json.loads(paths["info"].read_text())
        if info.get("fingerprint") == fingerprint:
            check_params_against_data(params, info["first_date"], info["end_date"], params_file)
            _check_series_once(params, paths, info, d["path"])
            _check_experiment(params, paths, None, info["first_date"], info["end_date"], params_file)
            return info

    loaded = data.load_to_parquet(source, paths["lines"], column_map=d["columns"], sheet=d["sheet"], name=d["path"],
                                  date_order=d.get("date_order", "auto"), currency=d["currency"],
                                  far_future=d["end_date"] is None)
    with _open_checked(params, paths, params_file) as log:
        check_params_against_data(params, log.first_date, log.end_date, params_file)
        check_series(params, log, d["path"])
        _check_experiment(params, paths, log.rfm_summary().index.to_series(), log.first_date, log.end_date,
                          params_file)
        write_text_atomic(_series_stamp(params, fingerprint), paths["series_check"])
        facts = log.kept_facts()
        notes = list(loaded.notes)
        if d["source"] == "cdnow":
            notes.insert(0, f"The data is the CDNOW transaction log shipped with the lifetimes package "
                            f"({data.CDNOW_FILE}), converted into {d['path']}; amounts are in US dollars.")
        repeats = facts["repeated_lines"]
        if not log.detect_duplicates and repeats:
            notes.append(f"{repeats:,} lines repeat an earlier line exactly; they are kept as separate purchases, "
                         f"because without InvoiceNo and StockCode a duplicate cannot be told from a real repeat.")
        notes += _data_notes(log, facts, d["end_date"])
        info = {
            "fingerprint": fingerprint,
            "data_path": d["path"],
            "data_file": source.name,
            "rows_in": log.rows_in,
            "rows_kept": log.rows_kept,
            "customers": facts["customers"],
            "first_date": day_text(log.first_date),
            "end_date": day_text(log.end_date),
            "available_columns": _available_columns(log, loaded),
            "currency": d["currency"],
            "notes": notes,
        }
        log.write_clean(paths["work"])
        write_csv_atomic(log.ledger, paths["ledger"])
    write_text_atomic(json.dumps(info, indent=2, sort_keys=True), paths["info"])
    return info


def load_truth(params: dict[str, Any]) -> pd.DataFrame | None:
    """The generator's ground truth (generated data only), indexed by CustomerID; None for a user's file."""
    if params["data"]["source"] != "generated":
        return None
    path = resolve(params["data"]["path"])
    truth = pd.read_csv(path.with_name(f"{path.stem}_truth.csv"), dtype={"CustomerID": str},
                        parse_dates=["first_purchase", "dropout_date"])
    return truth.set_index("CustomerID")


def write_artifact(df: pd.DataFrame, out_dir: str | Path, name: str, index: bool = False) -> Path:
    """Write a CSV artifact for people (atomic, byte-stable) into ``<out>/artifacts/``."""
    return write_csv_atomic(df, output_paths(out_dir)["artifacts"] / name, index=index)


def write_work_table(df: pd.DataFrame, out_dir: str | Path, name: str) -> Path:
    """Hand a per-customer table (index CustomerID) to a later notebook (not an artifact for people)."""
    return write_parquet_atomic(df.reset_index(), output_paths(out_dir)["work"] / f"{name}.parquet")


def read_work_table(out_dir: str | Path, name: str) -> pd.DataFrame:
    path = output_paths(out_dir)["work"] / f"{name}.parquet"
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: the notebook that writes '{name}' must run first "
                                f"(make reports runs them in order).")
    return pd.read_parquet(path).set_index("CustomerID")


def write_work_json(data: dict[str, Any], out_dir: str | Path, name: str) -> Path:
    """Hand a few numbers to a later notebook or the index page."""
    text = json.dumps(data, indent=2, sort_keys=True, default=str) + "\n"
    return write_text_atomic(text, output_paths(out_dir)["work"] / f"{name}.json")


def read_work_json(out_dir: str | Path, name: str) -> dict[str, Any]:
    path = output_paths(out_dir)["work"] / f"{name}.json"
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: the notebook that writes '{name}' must run first.")
    return json.loads(path.read_text())


def write_stage(df: pd.DataFrame, out_dir: str | Path, stage: str) -> Path:
    """Hand a per-customer table (index CustomerID) on to the later stages."""
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}; known: {STAGES}")
    return write_work_table(df, out_dir, f"stage_{stage}")


def read_stage(out_dir: str | Path, stage: str) -> pd.DataFrame:
    return read_work_table(out_dir, f"stage_{stage}")


def write_enhanced(out_dir: str | Path, upto: str, id_map: Any = None) -> pd.DataFrame:
    """Write ``enhanced_customer_data.csv``: the stage tables up to and including ``upto``, joined.

    Only the last stage that adds columns writes it (the catalog declares it as that stage's product), so a
    partial rerun never leaves a file with fewer columns: make reruns that stage whenever an earlier one reran.
    """
    stages = STAGES[: STAGES.index(upto) + 1]
    table = read_stage(out_dir, stages[0])
    for stage in stages[1:]:
        extra = read_stage(out_dir, stage)
        table = table.join(extra[[c for c in extra.columns if c not in table.columns]], how="left")
    out = table.reset_index()
    if id_map is not None:
        out["CustomerID"] = id_map(out["CustomerID"])
    write_artifact(out, out_dir, "enhanced_customer_data.csv")
    return table
