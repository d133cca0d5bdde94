"""Formatting of numbers, money, shares and dates: one way for every report."""

from __future__ import annotations

import math

import pandas as pd

__all__ = ["CURRENCY_SYMBOLS", "money", "pct", "number", "day"]

CURRENCY_SYMBOLS = {"GBP": "£", "USD": "$", "EUR": "€", "JPY": "¥", "CHF": "CHF ", "AUD": "A$", "CAD": "C$"}


def money(value: float, currency: str = "GBP", decimals: int | None = None) -> str:
    """Format an amount with its currency, compact for large numbers: £1.86M, £93.4k, £412.50."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    symbol = CURRENCY_SYMBOLS.get(currency, f"{currency} ")
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
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{100 * value:.{decimals}f}%"


def number(value: float, decimals: int = 0) -> str:
    """Format a count or measure with thousands separators."""
    return f"{value:,.{decimals}f}"


def day(value: object) -> str:
    """Format a date as 30 Nov 2011."""
    return pd.Timestamp(value).strftime("%-d %b %Y")
