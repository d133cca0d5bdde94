"""Pseudonymous customer ids for reports and CSVs shared outside the CRM team."""

from __future__ import annotations

import hashlib
import os

import pandas as pd

__all__ = ["SALT_ENV", "id_salt", "pseudonymise"]

SALT_ENV = "RETENTION_ID_SALT"


def id_salt(params: dict) -> str | None:
    """The salt to use: the environment variable wins over ``report.customer_id_salt``; None = real ids."""
    return os.environ.get(SALT_ENV) or params["report"]["customer_id_salt"]


def pseudonymise(ids: pd.Series | pd.Index, salt: str | None) -> pd.Series:
    """Replace each id by ``C`` + 12 hex digits of SHA-256(salt + id); unchanged when ``salt`` is None.

    The same id and salt always give the same pseudonym, so lists from different reports still join.
    """
    values = pd.Series(ids, copy=False).astype("string")
    if not salt:
        return values
    return values.map(lambda v: "C" + hashlib.sha256(f"{salt}:{v}".encode()).hexdigest()[:12]).astype("string")
