"""Value types shared by the sections: strict (no silent conversion of text to numbers or of true to 1)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, Strict

from retention.config.errors import ValueProblem

__all__ = ["Section", "Whole", "Number", "Share", "OpenShare", "Amount", "Seed", "Text", "Flag", "Day",
           "SharePair", "AmountPair"]


class Section(BaseModel):
    """Base of every section model: immutable, unknown keys are errors, numbers are finite."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


def _as_day(value: Any) -> Any:
    """YAML gives dates for valid ``YYYY-MM-DD`` values; text (a quoted or impossible date) is parsed here."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError as exc:
            shaped = re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", value.strip())
            what = f"is not a date: {exc}" if shaped else "is not a date in YYYY-MM-DD form"
            raise ValueProblem(what, "write it as YYYY-MM-DD, e.g. 2011-12-09") from None
    return value


Whole = Annotated[int, Strict()]
"""A whole number (``true``, ``1.0`` and ``"1"`` are refused)."""
Number = Annotated[float, Strict()]
"""A number; whole numbers are accepted and stored as floats."""
Share = Annotated[float, Strict(), Field(ge=0.0, le=1.0)]
"""A share or probability from 0 to 1."""
OpenShare = Annotated[float, Strict(), Field(gt=0.0, lt=1.0)]
"""A share strictly between 0 and 1."""
Amount = Annotated[float, Strict(), Field(ge=0.0)]
"""A non-negative amount of money (currency)."""
Seed = Annotated[int, Strict(), Field(ge=0)]
"""A random seed."""
Text = Annotated[str, Strict(), Field(min_length=1)]
"""Non-empty text."""
Flag = Annotated[bool, Strict()]
"""``true`` or ``false``."""
Day = Annotated[dt.date, Strict(), BeforeValidator(_as_day)]
"""A calendar day: a YAML date or ``YYYY-MM-DD`` text."""
SharePair = tuple[Share, Share]
"""``[low, high]`` of a share."""
AmountPair = tuple[Amount, Amount]
"""``[low, high]`` of an amount."""
