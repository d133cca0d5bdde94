"""Pseudonymous customer ids for reports and CSVs shared outside the CRM team."""

from __future__ import annotations

import hashlib
import os
from typing import Any

import pandas as pd

__all__ = ["SALT_ENV", "id_salt", "id_salt_of", "pseudonymise"]

SALT_ENV = "RETENTION_ID_SALT"


def id_salt_of(configured: str | None) -> str | None:
    """The salt to use given ``report.customer_id_salt``: the environment variable wins; None = real ids."""
    return os.environ.get(SALT_ENV) or configured


def id_salt(params: Any) -> str | None:
    """:func:`id_salt_of` the profile's ``report.customer_id_salt`` (typed params or their dict view)."""
    report = params.report.customer_id_salt if hasattr(params, "report") else params["report"]["customer_id_salt"]
    return id_salt_of(report)


def pseudonymise(ids: pd.Series | pd.Index, salt: str | None) -> pd.Series:
    """Replace each id by ``C`` + 12 hex digits of SHA-256(salt + id); unchanged when ``salt`` is None.

    The same id and salt always give the same pseudonym, so lists from different reports still join.
    """
    values = pd.Series(ids, copy=False).astype("string")
    if not salt:
        return values
    return values.map(lambda v: "C" + hashlib.sha256(f"{salt}:{v}".encode()).hexdigest()[:12]).astype("string")
