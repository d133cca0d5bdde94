"""Formatting of money, shares, counts and dates: one way for every report, table and chart axis.

Text helpers (:func:`money`, :func:`pct`, :func:`number`, :func:`day`, :func:`plural`) turn one value into
what a reader sees; missing values read "n/a", never "NaN". :func:`format_value` formats by *unit*
(``money``, ``share``, ``probability``, ``count``, ``days``, ``number``, ``date``, ``text``), the same units
the column dictionary (:mod:`retention.report.labels`) and the tables use. :func:`tick_format` gives the
plotly axis settings of a unit: currency prefix and thousands separators, never SI prefixes (no "1µ" of a
currency, no "G" for billions).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = ["CURRENCY_SYMBOLS", "UNITS", "MISSING", "currency_symbol", "is_missing", "money", "pct", "pct_points",
           "number", "day", "plural", "format_value", "tick_format"]

CURRENCY_SYMBOLS = {"GBP": "£", "USD": "$", "EUR": "€", "JPY": "¥", "CHF": "CHF ", "AUD": "A$", "CAD": "C$"}
UNITS = ("money", "share", "probability", "count", "days", "number", "date", "text")
MISSING = "n/a"


def currency_symbol(currency: str) -> str:
    """The symbol printed before an amount: £ for GBP, $ for USD, "SEK " for a code without a symbol."""
    return CURRENCY_SYMBOLS.get(currency, f"{currency} ")


def is_missing(value: Any) -> bool:
    """True for None, NaN, NaT and pandas' NA."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def money(value: float, currency: str = "GBP", decimals: int | None = None) -> str:
    """Format an amount with its currency, compact for large numbers: £1.86M, £93.4k, £412.50.

    With ``decimals`` the amount is written in full (£20,974.91 with 2, £20,975 with 0).
    """
    if is_missing(value):
        return MISSING
    symbol = currency_symbol(currency)
    sign = "-" if value < 0 else ""
    v = abs(float(value))
    if decimals is None:
        if v >= 1e6:
            return f"{sign}{symbol}{v / 1e6:.2f}M"
        if v >= 1e4:
            return f"{sign}{symbol}{v / 1e3:.1f}k"
        decimals = 0 if v >= 1000 else 2
    return f"{sign}{symbol}{v:,.{decimals}f}"


def pct(value: float, decimals: int = 1) -> str:
    """Format a share (0.253) as a percentage (25.3%)."""
    if is_missing(value):
        return MISSING
    return f"{100 * value:.{decimals}f}%"


def pct_points(value: float, decimals: int = 1) -> str:
    """Format a difference of two shares (0.032) in percentage points, signed: +3.2 pp."""
    if is_missing(value):
        return MISSING
    return f"{100 * value:+.{decimals}f} pp"


def number(value: float, decimals: int = 0) -> str:
    """Format a count or measure with thousands separators: 4,300."""
    if is_missing(value):
        return MISSING
    return f"{value:,.{decimals}f}"


def day(value: object) -> str:
    """Format a date as 30 Nov 2011."""
    if is_missing(value):
        return MISSING
    return pd.Timestamp(value).strftime("%-d %b %Y")


def plural(count: float, singular: str, plural_form: str | None = None, *, with_count: bool = True) -> str:
    """The noun that agrees with ``count``: ``plural(1, "order")`` is "1 order", ``plural(1234, "order")``
    "1,234 orders"; irregular plurals are given: ``plural(2, "person", "people")``."""
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{number(count)} {word}" if with_count else word


def format_value(value: Any, unit: str | None, currency: str = "GBP", decimals: int | None = None) -> str:
    """Format one value by its unit (see :data:`UNITS`); an unknown unit formats numbers plainly."""
    if is_missing(value):
        return MISSING
    if unit == "money":
        return money(value, currency, 2 if decimals is None else decimals)
    if unit in ("share", "probability"):
        return pct(value, 1 if decimals is None else decimals)
    if unit in ("count", "days"):
        return number(value, decimals or 0)
    if unit == "date":
        return day(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if decimals is None:
        decimals = 0 if float(value).is_integer() else (3 if abs(value) < 1 else 2)
    return number(value, decimals)


def tick_format(unit: str, currency: str = "GBP", decimals: int = 0) -> dict[str, Any]:
    """Plotly axis settings for a unit: ``fig.update_yaxes(**tick_format("money", "USD"))``.

    Money gets the currency prefix and thousands separators (never SI prefixes), shares and probabilities
    percentages, counts whole numbers with separators. The hover format matches the ticks.
    """
    if unit == "money":
        fmt = f",.{decimals}f"
        return {"tickprefix": currency_symbol(currency), "tickformat": fmt, "hoverformat": ",.2f",
                "exponentformat": "none", "separatethousands": True}
    if unit in ("share", "probability"):
        return {"tickformat": f".{decimals}%", "hoverformat": ".1%"}
    if unit in ("count", "days"):
        return {"tickformat": ",~r", "hoverformat": ",.0f", "exponentformat": "none", "separatethousands": True}
    if unit == "number":
        return {"tickformat": ",~r", "hoverformat": ",.3~r", "exponentformat": "none", "separatethousands": True}
    raise ValueError(f"no tick format for unit {unit!r}; use one of money, share, probability, count, days, number")
