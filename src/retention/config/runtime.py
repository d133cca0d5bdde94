"""Sections about how the series runs: ``engine`` (where per-line work runs) and ``report`` (what reports embed)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator

from retention.config.base import Section, Seed, Text, Whole
from retention.config.errors import ValueProblem

__all__ = ["EngineConfig", "ReportConfig"]

_MEMORY = re.compile(r"^\d+(\.\d+)?\s*(KB|MB|GB|TB|KIB|MIB|GIB|TIB|%)$", re.IGNORECASE)


class EngineConfig(Section):
    """``engine``: the engine that runs the per-line work."""

    name: Literal["duckdb", "spark"] = Field("duckdb", description="duckdb on this machine, or spark")
    memory_limit: Text | None = Field(None, description="memory the engine may use, e.g. 4GB or 50%; "
                                                        "null: the engine's default")
    temp_directory: Text | None = Field(None, description="folder for data that does not fit in memory; "
                                                          "null: the engine's default")
    spark_master: Text = Field("local[2]", description="Spark master URL, for engine spark only")

    @field_validator("memory_limit")
    @classmethod
    def _memory_size(cls, value: str | None) -> str | None:
        if value is not None and not _MEMORY.match(value.strip()):
            raise ValueProblem("is not a memory size", "write a number and a unit, e.g. 4GB, 512MB or 50%")
        return value


class ReportConfig(Section):
    """``report``: size limits of the HTML reports and pseudonymous ids."""

    max_table_rows: Whole = Field(2000, ge=1, le=1_000_000, description="tables embed at most this many rows; "
                                                                        "the full list is in the CSV")
    max_chart_points: Whole = Field(5000, ge=100, le=1_000_000, description="charts of customers show a seeded "
                                                                            "sample of at most this many points")
    sample_seed: Seed = Field(42, description="seed of the chart samples")
    customer_id_salt: Text | None = Field(None, description="pseudonymise customer ids in exports with this salt")
