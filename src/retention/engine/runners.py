"""Where the SQL runs: a private DuckDB connection (out of core) or a SparkSession.

A runner exposes the input (files, or a pandas frame) as a table ``raw`` (canonical column names), stores
work tables under the logical names of :data:`WORK_TABLES`, uploads small pandas frames (cutoffs, bin
edges), fetches results as pandas frames and writes query results as Parquet. Only the runner knows the
engine.
"""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path
from typing import Any

import pandas as pd

from retention.engine.config import EngineConfig
from retention.engine.inputs import ALIASES, total_bytes

__all__ = ["WORK_TABLES", "DuckDBRunner", "SparkRunner", "spark_session"]

WORK_TABLES: tuple[str, ...] = ("raw", "lines", "returns", "days", "invoices", "products", "back", "orders",
                                "cutoffs", "edges", "sends")

_UNITS = {"B": 1, "KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12, "KIB": 2**10, "MIB": 2**20, "GIB": 2**30,
          "TIB": 2**40}


def _bytes(text: str) -> float:
    """``"1GB"``, ``"1.5 GiB"``, ``"800MB"`` -> bytes (DuckDB's memory_limit notation)."""
    number = text.strip().upper().rstrip("S")
    unit = next((u for u in sorted(_UNITS, key=len, reverse=True) if number.endswith(u)), "B")
    return float(number[: len(number) - len(unit)].strip() or 0) * _UNITS[unit]


def _work_tables_on_disk(config: EngineConfig, files: list[str], kind: str) -> bool:
    """``work_tables="auto"``: on disk when about 10 bytes per Parquet byte (1 per CSV byte) of work
    tables would not fit in ``memory_limit``."""
    if config.work_tables != "auto":
        return config.work_tables == "disk"
    if not config.memory_limit:
        return False
    estimate = total_bytes(files) * (10 if kind == "parquet" else 1)
    return estimate > _bytes(config.memory_limit)


def _renamed(columns: list[str]) -> dict[str, str]:
    """Canonical name -> name in the file (Online Retail II names are accepted)."""
    present = set(columns)
    return {(ALIASES.get(name, name) if ALIASES.get(name) not in present else name): name for name in columns}


def _quoted(path: str) -> str:
    return "'" + path.replace("'", "''") + "'"


class DuckDBRunner:
    """The SQL on a private DuckDB connection; spills to ``config.temp_directory`` beyond ``memory_limit``."""

    dialect = "duckdb"

    def __init__(self, files: list[str], kind: str, config: EngineConfig, frame: pd.DataFrame | None = None) -> None:
        import duckdb

        settings: dict[str, Any] = {"preserve_insertion_order": False}
        if config.memory_limit:
            settings["memory_limit"] = config.memory_limit
        if config.temp_directory:
            Path(config.temp_directory).mkdir(parents=True, exist_ok=True)
            settings["temp_directory"] = str(config.temp_directory)
        if config.threads:
            settings["threads"] = int(config.threads)
        # Work tables larger than the memory limit live in a database file in the spill folder: DuckDB can
        # evict those to disk, which it cannot do with the table data of an in-memory database.
        self._database: Path | None = None
        if _work_tables_on_disk(config, files, kind):
            folder = Path(config.temp_directory) if config.temp_directory else Path(tempfile.gettempdir())
            folder.mkdir(parents=True, exist_ok=True)
            self._database = folder / f"retention-engine-{uuid.uuid4().hex[:12]}.duckdb"
        self.con = duckdb.connect(str(self._database or ":memory:"), config=settings)
        if self._database:  # written once, read a few times: compressing costs more CPU than it saves
            self.con.execute("PRAGMA force_compression='uncompressed'")
        listed = "[" + ", ".join(_quoted(f) for f in files) + "]"
        if frame is not None:  # a small frame in memory (tests, notebooks): DuckDB reads it where it is
            self.con.register("_input_frame", frame)
            reader = "_input_frame"
        elif kind == "parquet":
            reader = f"read_parquet({listed}, union_by_name = true)"
        else:
            reader = (f"read_csv({listed}, header = true, delim = ',', quote = '\"', escape = '\"', "
                      "all_varchar = true, union_by_name = true)")
        rows = self.con.execute(f"DESCRIBE SELECT * FROM {reader}").fetchall()
        types = {r[0]: str(r[1]) for r in rows}
        self.headers = _renamed([r[0] for r in rows])
        self._types = {new: types[old] for new, old in self.headers.items()}
        select = ", ".join(f'"{old}" AS "{new}"' for new, old in self.headers.items())
        self.con.execute(f"CREATE VIEW raw AS SELECT {select} FROM {reader}")
        self.names = {name: name for name in WORK_TABLES}

    def types(self) -> dict[str, str]:
        return dict(self._types)

    def materialize(self, name: str, sql: str) -> None:
        temp = "" if self._database else "TEMP "
        self.con.execute(f"CREATE OR REPLACE {temp}TABLE {self.names[name]} AS {sql}")

    def upload(self, name: str, frame: pd.DataFrame) -> None:
        view = f"_upload_{name}"
        self.con.register(view, frame)
        try:
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE {self.names[name]} AS SELECT * FROM {view}")
        finally:
            self.con.unregister(view)

    def fetch(self, sql: str) -> pd.DataFrame:
        return self.con.execute(sql).df()

    def write_parquet(self, sql: str, path: Path) -> None:
        self.con.execute(f"COPY ({sql}) TO {_quoted(str(path))} (FORMAT parquet)")

    def close(self) -> None:
        self.con.close()
        if self._database:
            for path in (self._database, self._database.with_name(self._database.name + ".wal")):
                path.unlink(missing_ok=True)


class SparkRunner:
    """The SQL on a SparkSession (local mode or a cluster); work tables are cached temporary views."""

    dialect = "pyspark"

    def __init__(self, files: list[str], kind: str, config: EngineConfig, spark: Any,
                 frame: pd.DataFrame | None = None) -> None:
        self.spark = spark
        tag = uuid.uuid4().hex[:8]
        self.names = {name: f"retention_{name}_{tag}" for name in WORK_TABLES}
        self._timezone = spark.conf.get("spark.sql.session.timeZone")
        # Day numbers and timestamp literals must not depend on the session's time zone.
        spark.conf.set("spark.sql.session.timeZone", "UTC")
        if frame is not None:
            frame = spark.createDataFrame(frame)
        elif kind == "parquet":
            frame = spark.read.parquet(*files)
        else:
            frame = spark.read.csv(files, header=True, inferSchema=False, quote='"', escape='"')
        self.headers = _renamed(list(frame.columns))
        for new, old in self.headers.items():
            if new != old:
                frame = frame.withColumnRenamed(old, new)
        self.frame = frame
        frame.createOrReplaceTempView(self.names["raw"])
        self._cached: list[Any] = []

    def types(self) -> dict[str, str]:
        return {f.name: f.dataType.simpleString() for f in self.frame.schema.fields}

    def materialize(self, name: str, sql: str) -> None:
        frame = self.spark.sql(sql).cache()
        self._cached.append(frame)
        frame.createOrReplaceTempView(self.names[name])

    def upload(self, name: str, frame: pd.DataFrame) -> None:
        self.spark.createDataFrame(frame).createOrReplaceTempView(self.names[name])

    def fetch(self, sql: str) -> pd.DataFrame:
        return self.spark.sql(sql).toPandas()

    def write_parquet(self, sql: str, path: Path) -> None:
        self.spark.sql(sql).write.mode("overwrite").parquet(str(path))

    def close(self) -> None:
        for frame in self._cached:
            frame.unpersist()
        for name in self.names.values():
            self.spark.catalog.dropTempView(name)
        self.spark.conf.set("spark.sql.session.timeZone", self._timezone)


def spark_session(master: str = "local[2]", app_name: str = "retention", **conf: str) -> Any:
    """A SparkSession for the engine: ``master`` is ``local[N]`` or a cluster URL (``spark://host:7077``).

    UTC session time, Arrow transfers to pandas, few shuffle partitions (customer tables are small),
    no UI; ``conf`` adds or overrides Spark settings.
    """
    from pyspark.sql import SparkSession

    settings = {
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.sql.shuffle.partitions": "8",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        **conf,
    }
    builder = SparkSession.builder.master(master).appName(app_name)
    for key, value in settings.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()
