"""What a stage works with: its typed params, its output folder and the products it declared, nothing else.

A :class:`Context` is opened for one catalog step (:mod:`retention.catalog`). It

* hands the stage the profile's typed :class:`~retention.config.Params` through a recorder that notes every
  ``section.key`` the stage reads, so :meth:`Context.finish` can check that the step declared it (a key read
  but not declared would not rerun the step when it changes: a stale report);
* reads and writes products by their catalog names only, refusing any the step did not declare, in one format
  per file type (Parquet tables keyed by ``CustomerID``, CSV artifacts for people, JSON), atomically;
* pseudonymises customer ids in every CSV artifact that holds them (and in :meth:`Context.shown_ids` for what
  a report displays), never in the work tables the stages hand on;
* checks at the end that every declared product was written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel

from retention import catalog, privacy
from retention.config import Params, load
from retention.config.compat import to_dict
from retention.io import write_csv_atomic, write_parquet_atomic, write_text_atomic
from retention.paths import resolve

__all__ = ["Context", "StageError", "RecordingParams", "open_context"]

ID = "CustomerID"


class StageError(RuntimeError):
    """A stage broke its declaration in the catalog (a programming error, not a user error)."""


class RecordingParams:
    """A read-only view of :class:`Params` that records the ``section.key`` names read through it.

    ``params.churn.horizon_days`` records ``churn.horizon_days``; a whole section used as a value (passed on,
    dumped, iterated) records the section.
    """

    def __init__(self, params: Params, log: set[str], section: str | None = None) -> None:
        object.__setattr__(self, "_params", params)
        object.__setattr__(self, "_log", log)
        object.__setattr__(self, "_section", section)

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._params, name)
        if self._section is None:
            if isinstance(value, BaseModel):
                return RecordingParams(value, self._log, name)
            self._log.add(name)
            return value
        if name.startswith("_") or callable(value):
            self._log.add(self._section)
            return value
        self._log.add(f"{self._section}.{name}")
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("params are read-only")

    @property
    def unwrapped(self) -> Any:
        """The plain model (records the whole section, or every section at the top)."""
        self._log.add(self._section or "*")
        return self._params


def _declares(declared: tuple[str, ...], key: str) -> bool:
    return key in declared or key.split(".")[0] in declared


@dataclass
class Context:
    """One run of one step; see the module docstring."""

    step: catalog.Step
    params_file: str
    out: Path
    _params: Params
    _read_keys: set[str] = field(default_factory=set)
    _written: set[str] = field(default_factory=set)
    _log: Any = None

    @property
    def params(self) -> Any:
        """The typed params (a recorder: only declared keys may be read)."""
        return RecordingParams(self._params, self._read_keys)

    @property
    def currency(self) -> str:
        return self.params.data.currency

    # -- products --------------------------------------------------------------------------------------------
    def path(self, name: str, file: str | None = None) -> Path:
        """Where product ``name`` lives (``file`` names one member of a ``*`` family)."""
        product = catalog.PRODUCTS[name]
        relative = product.path
        if "*" in relative:
            if file is None or not Path(file).match(Path(relative).name):
                raise StageError(f"product {name} is a family ({relative}); pass file= matching it")
            relative = str(Path(relative).parent / file)
        return self.out / relative

    def read(self, name: str) -> Any:
        """Product ``name``: a DataFrame (per-customer tables indexed by CustomerID) or a dict (JSON)."""
        if name not in self.step.reads and name not in self.step.writes:
            raise StageError(f"step {self.step.name} reads {name}, which its catalog entry does not declare")
        path = self.path(name)
        if not path.exists():
            writer = catalog.producer(name)
            raise FileNotFoundError(f"{path} is missing: step {writer} writes it (make reports runs the steps in "
                                    f"order).")
        if path.suffix == ".json":
            return json.loads(path.read_text(encoding="utf-8"))
        if path.suffix == ".csv":
            return pd.read_csv(path, dtype={ID: "string"})
        frame = pd.read_parquet(path)
        return frame.set_index(ID) if catalog.PRODUCTS[name].per_customer else frame

    def write(self, name: str, value: Any, file: str | None = None) -> Path:
        """Write product ``name`` atomically; CSV artifacts with customer ids get pseudonymous ids if asked."""
        if name not in self.step.writes:
            raise StageError(f"step {self.step.name} writes {name}, which its catalog entry does not declare")
        path = self.path(name, file)
        if path.suffix == ".json":
            text = json.dumps(value, indent=2, sort_keys=True, default=str, allow_nan=False) + "\n"
            write_text_atomic(text, path)
        elif path.suffix == ".csv":
            frame = value.reset_index() if value.index.name == ID else value
            if ID in frame.columns:
                frame = frame.assign(**{ID: self.shown_ids(frame[ID]).to_numpy()})
            write_csv_atomic(frame, path)
        else:
            if catalog.PRODUCTS[name].per_customer and (value.index.name != ID or not value.index.is_unique):
                raise StageError(f"{name} is a per-customer table: index it by unique {ID}")
            write_parquet_atomic(value.reset_index() if value.index.name == ID else value, path)
        self._written.add(name)
        return path

    # -- the lines, in the engine ---------------------------------------------------------------------------
    @property
    def log(self) -> Any:
        """The engine session over the profile's canonical lines with the cleaning rules applied
        (:func:`retention.engine.open_log`; DuckDB, or Spark with ``engine.name: spark``).

        The lines and their cleaning are ``prepare``'s products (a change of data or cleaning params rewrites
        them and reruns every step), and the engine settings change speed, not results: none of them counts as
        a params key this step reads. Pass ``peak_months=``/``unit=``/``window_days=`` explicitly from
        ``ctx.params`` to the session's methods.
        """
        if self._log is None:
            from retention.engine import EngineConfig, open_log, spark_session

            lines = self.out / "work" / "lines"
            loaded = json.loads((lines / "_load.json").read_text(encoding="utf-8"))
            plain = to_dict(self._params)
            engine = self._params.engine
            spark = spark_session(engine.spark_master) if engine.name == "spark" else None
            self._log = open_log(lines, config=EngineConfig.from_params(plain), engine=engine.name, spark=spark,
                                 layout="canonical", pre_dropped=loaded.get("dropped") or None,
                                 detect_duplicates=loaded.get("line_identity"))
        return self._log

    def close(self) -> None:
        """Close the engine session, if one was opened."""
        if self._log is not None:
            self._log.close()
            self._log = None

    # -- ids, truth ------------------------------------------------------------------------------------------
    def shown_ids(self, ids: pd.Series | pd.Index) -> pd.Series:
        """Customer ids as people may see them (pseudonymous when a salt is set)."""
        return privacy.pseudonymise(ids, privacy.id_salt_of(self.params.report.customer_id_salt))

    def truth(self) -> pd.DataFrame | None:
        """The generator's ground truth (generated data only), indexed by CustomerID; None for real data."""
        if self.params.data.source != "generated":
            return None
        path = resolve(self.params.data.path)
        truth_path = path.with_name(f"{path.stem}_truth.csv")
        return pd.read_csv(truth_path, dtype={ID: "string"}).set_index(ID)

    # -- the end of a run ------------------------------------------------------------------------------------
    def finish(self) -> None:
        """Check the declaration: every key read was declared, every product declared was written."""
        self.close()
        undeclared = sorted(k for k in self._read_keys if not _declares(self.step.params, k))
        if undeclared:
            raise StageError(f"step {self.step.name} read params {undeclared} that its catalog entry does not "
                             f"declare: add them to its params in src/retention/catalog.py, or make reruns it not")
        missing = sorted(p for p in self.step.writes if p not in self._written and "*" not in catalog.PRODUCTS[p].path)
        if missing:
            raise StageError(f"step {self.step.name} did not write {missing}, which its catalog entry declares")

    @property
    def params_read(self) -> frozenset[str]:
        return frozenset(self._read_keys)


def open_context(step: str, params_file: str, output_dir: str | Path) -> Context:
    """A context for ``step`` of the profile ``params_file`` writing into ``output_dir``."""
    return Context(catalog.step(step), str(params_file), resolve(output_dir), load(params_file))
