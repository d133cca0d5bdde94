"""The run's shared steps: prepare the clean data once per profile, and let every notebook load it.

``prepare`` runs before any notebook: it generates the default data if needed, loads and validates the
input file (bad input stops here with one clear message), applies the cleaning rules and writes the
clean lines, the returns and the ledger into the profile's output folder. It rewrites nothing when the
data, the params and the data-layer code are unchanged, so ``make`` reruns only what depends on a change.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from retention import cleaning, data, generator
from retention.io import write_csv_atomic, write_parquet_atomic, write_text_atomic
from retention.params import params_hash
from retention.paths import resolve

__all__ = ["Prepared", "STAGES", "generator_config", "ensure_data", "prepare", "load_prepared", "output_paths",
           "file_sha256", "load_truth", "write_artifact", "write_stage", "read_stage", "write_enhanced",
           "write_work_json", "read_work_json", "write_work_table", "read_work_table"]

# Per-customer tables the stages hand on, in series order; enhanced_customer_data.csv joins them.
STAGES = ("segments", "churn", "clv")

_DATA_LAYER = ("data.py", "cleaning.py", "generator.py", "pipeline.py")


@dataclass(frozen=True)
class Prepared:
    """What every notebook starts from."""

    transactions: pd.DataFrame
    returns: pd.DataFrame
    ledger: pd.DataFrame
    info: dict[str, Any]


def output_paths(out_dir: str | Path) -> dict[str, Path]:
    out = resolve(out_dir)
    return {
        "out": out,
        "work": out / "work",
        "artifacts": out / "artifacts",
        "transactions": out / "work" / "transactions.parquet",
        "returns": out / "work" / "returns.parquet",
        "info": out / "work" / "prepared.json",
        "ledger": out / "artifacts" / "cleaning_ledger.csv",
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
                                     future_days=g["future_days"], seasonal=g["seasonal"])


def ensure_data(params: dict[str, Any]) -> Path:
    """The input file; for the generated source, (re)generate it when missing or made with other settings."""
    path = resolve(params["data"]["path"])
    if params["data"]["source"] != "generated":
        return path
    stamp = path.with_name(f"{path.stem}.generator.json")
    wanted = json.dumps(params["generator"], sort_keys=True, default=str)
    if path.exists() and stamp.exists() and stamp.read_text() == wanted:
        return path
    generator.write_generated(generator_config(params), path)
    write_text_atomic(wanted, stamp)
    return path


def _code_fingerprint() -> str:
    here = Path(__file__).parent
    digest = hashlib.sha256()
    for name in _DATA_LAYER:
        digest.update((here / name).read_bytes())
    return digest.hexdigest()[:12]


def prepare(params: dict[str, Any], out_dir: str | Path) -> dict[str, Any]:
    """Load, validate and clean the profile's data into ``out_dir``; return the run info."""
    paths = output_paths(out_dir)
    source = ensure_data(params)
    fingerprint = {
        "data_sha256": file_sha256(source) if source.exists() else None,
        "params_hash": params_hash({k: params[k] for k in ("data", "cleaning")}),
        "code": _code_fingerprint(),
    }
    if paths["info"].exists() and paths["transactions"].exists() and paths["ledger"].exists():
        info = json.loads(paths["info"].read_text())
        if info.get("fingerprint") == fingerprint:
            return info

    d, c = params["data"], params["cleaning"]
    raw = data.load_transactions(source, column_map=d["columns"], sheet=d["sheet"])
    result = cleaning.clean_transactions(raw, non_product_codes=c["non_product_codes"],
                                         max_quantity=c["max_quantity"], max_unit_price=c["max_unit_price"],
                                         end_date=d["end_date"])
    if result.rows_kept == 0:
        raise data.DataValidationError(
            f"{d['path']}: no purchase line is left after cleaning ({result.rows_in:,} lines read; see the ledger "
            f"in {paths['ledger']}). Fix: check the column mapping and data.end_date.")
    kept = result.transactions
    info = {
        "fingerprint": fingerprint,
        "data_path": d["path"],
        "data_file": source.name,
        "rows_in": result.rows_in,
        "rows_kept": result.rows_kept,
        "customers": int(kept["CustomerID"].nunique()),
        "first_date": str(kept["InvoiceDate"].min().date()),
        "end_date": str(result.end_date.date()),
        "available_columns": data.available_columns(raw),
        "currency": d["currency"],
    }
    write_parquet_atomic(kept, paths["transactions"])
    write_parquet_atomic(result.returns, paths["returns"])
    write_csv_atomic(result.ledger, paths["ledger"])
    write_text_atomic(json.dumps(info, indent=2, sort_keys=True), paths["info"])
    return info


def load_prepared(out_dir: str | Path) -> Prepared:
    """Read what :func:`prepare` wrote (run ``make reports`` first)."""
    paths = output_paths(out_dir)
    if not paths["info"].exists():
        raise FileNotFoundError(f"{paths['info']} is missing: run `make reports` (it prepares the data first).")
    return Prepared(
        transactions=pd.read_parquet(paths["transactions"]),
        returns=pd.read_parquet(paths["returns"]),
        ledger=pd.read_csv(paths["ledger"]),
        info=json.loads(paths["info"].read_text()),
    )


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

    Each stage rewrites it with exactly the stages before it, so rerunning any notebook (as nbval does)
    leaves the same file once the series has run in order.
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
