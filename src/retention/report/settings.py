"""The report settings a notebook runs with: currency, row and point caps, sample seed.

``setup_notebook(info, params_file)`` reads them from the params once (``data.currency`` and the ``report``
section's ``max_table_rows``, ``max_chart_points``, ``sample_seed``, with these defaults until the params
carry them), so every table, chart and explorer in the report formats money in the data's currency and
states the same caps without each call repeating them. An argument given to a function always wins.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

__all__ = ["ReportSettings", "current_settings", "use_settings", "settings_from_params"]


@dataclass(frozen=True)
class ReportSettings:
    """Defaults for one report: currency code, most table rows embedded, most chart points, sample seed."""

    currency: str = "GBP"
    max_table_rows: int = 2000
    max_chart_points: int = 5000
    sample_seed: int = 42


_current = ReportSettings()


def current_settings() -> ReportSettings:
    """The settings in force (the defaults until ``use_settings`` or ``setup_notebook`` sets others)."""
    return _current


def use_settings(new: ReportSettings) -> ReportSettings:
    """Make ``new`` the settings in force; returns the previous ones (to restore them)."""
    global _current
    previous, _current = _current, new
    return previous


def settings_from_params(params: Mapping[str, Any]) -> ReportSettings:
    """Settings from a params dict: ``data.currency`` and the ``report`` section's caps and seed."""
    report = dict(params.get("report") or {})
    names = {f.name for f in fields(ReportSettings)} - {"currency"}
    values = {k: report[k] for k in names if report.get(k) is not None}
    currency = (params.get("data") or {}).get("currency") or ReportSettings.currency
    return ReportSettings(currency=currency, **values)
