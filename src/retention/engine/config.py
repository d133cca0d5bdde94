"""What the engine computes (cleaning rules, feature options, time unit) and how much of the machine it may use."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

__all__ = ["ENGINES", "EngineConfig", "EngineName", "Layout", "check_peak_months", "check_window_days"]

ENGINES: tuple[str, ...] = ("duckdb", "spark")
"""Engine names accepted by :func:`retention.engine.customer_table` (and ``"auto"``)."""

EngineName = Literal["auto", "duckdb", "spark"]
Layout = Literal["auto", "canonical", "raw"]


def check_peak_months(months: Any) -> tuple[int, ...]:
    """``months`` as a tuple of whole month numbers 1-12, or a ValueError."""
    months = tuple(months)
    if not all(isinstance(m, int | np.integer) and not isinstance(m, bool) and 1 <= m <= 12 for m in months):
        raise ValueError(f"peak_months must be whole month numbers from 1 to 12, got {list(months)}.")
    return tuple(int(m) for m in months)


def check_window_days(window_days: Any) -> int | None:
    """``window_days`` as a positive whole number of days or None, or a ValueError."""
    if window_days is None:
        return None
    if isinstance(window_days, bool) or not isinstance(window_days, int | np.integer) or window_days < 1:
        raise ValueError(f"window_days must be a positive whole number of days or None, got {window_days!r}.")
    return int(window_days)


@dataclass(frozen=True)
class EngineConfig:
    """Cleaning rules, feature options and DuckDB limits of an engine run.

    Parameters
    ----------
    non_product_codes, max_quantity, max_unit_price, end_date
        The cleaning rules, as in :func:`retention.cleaning.clean_transactions` (``end_date`` None = the
        day of the latest line).
    peak_months, window_days
        Defaults of the feature options, as in :meth:`retention.engine.Session.customer_features`.
    unit : {"D", "W"}
        Default time unit of the BTYD summaries, as in :func:`retention.clv.rfm_summary`.
    memory_limit : str, optional
        DuckDB ``memory_limit`` (e.g. ``"1GB"``); beyond it DuckDB spills to ``temp_directory``.
    temp_directory : str, optional
        DuckDB spill folder (default: DuckDB's own).
    threads : int, optional
        DuckDB worker threads (default: all cores).
    work_tables : {"auto", "memory", "disk"}
        Where DuckDB keeps its work tables: in memory, or in a database file in ``temp_directory``
        (deleted afterwards) from which they can be evicted; ``"auto"`` chooses the file when they would
        not fit in ``memory_limit``.
    """

    non_product_codes: tuple[str, ...] = ()
    max_quantity: float = 10_000
    max_unit_price: float = 5_000.0
    end_date: Any = None
    peak_months: tuple[int, ...] = (10, 11, 12)
    window_days: int | None = None
    unit: Literal["D", "W"] = "D"
    memory_limit: str | None = None
    temp_directory: str | None = None
    threads: int | None = None
    work_tables: Literal["auto", "memory", "disk"] = "auto"

    def __post_init__(self) -> None:
        object.__setattr__(self, "non_product_codes", tuple(str(c) for c in self.non_product_codes))
        object.__setattr__(self, "peak_months", check_peak_months(self.peak_months))
        object.__setattr__(self, "window_days", check_window_days(self.window_days))
        if self.unit not in ("D", "W"):
            raise ValueError(f"unit must be 'D' (days) or 'W' (weeks), got {self.unit!r}")
        if self.work_tables not in ("auto", "memory", "disk"):
            raise ValueError(f"work_tables must be 'auto', 'memory' or 'disk', got {self.work_tables!r}")

    @classmethod
    def from_params(cls, params: Mapping[str, Any], **overrides: Any) -> EngineConfig:
        """The config of a validated params dict (``cleaning``, ``data.end_date``, ``features``, ``clv``,
        and ``engine.memory_limit`` / ``engine.temp_directory`` when present)."""
        c = params["cleaning"]
        machine = params.get("engine") or {}
        values: dict[str, Any] = {
            "non_product_codes": tuple(c["non_product_codes"]),
            "max_quantity": c["max_quantity"],
            "max_unit_price": c["max_unit_price"],
            "end_date": params["data"].get("end_date"),
            "peak_months": tuple(params.get("features", {}).get("peak_months", (10, 11, 12))),
            "unit": params.get("clv", {}).get("time_unit", "D"),
            "memory_limit": machine.get("memory_limit"),
            "temp_directory": machine.get("temp_directory"),
        }
        values.update(overrides)
        return cls(**values)
