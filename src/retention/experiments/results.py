"""Read the assignment of a past campaign and validate it against the transaction log.

A results file has one row per customer in the test: ``CustomerID``, ``group`` (``treatment`` or
``control``) and ``sent_at`` (the send date), optionally ``campaign`` and ``discount`` (the offer's discount
as a share, e.g. 0.15, or a percentage, the same on every row: without it the margin cannot take the
discount off, and the report says so). Column names are matched ignoring case, spaces, ``_`` and ``-``;
group values ignoring case and surrounding spaces. It is validated like the
transactions: every problem is either one :class:`retention.data.DataValidationError` naming the file, the
column, how many rows, a few examples and the fix, or lines set aside and counted in ``dropped`` with a
plain sentence in ``notes``. Nothing is dropped silently.

Errors: a required column missing; empty CustomerIDs; unknown group values; send dates that do not parse
or fall outside the log; one CustomerID with two different rows; several campaigns in the file when none
is chosen; discounts that are not shares in [0, 1) or differ between rows; a group left empty after the
checks; every customer unknown to the log; no customer whose outcome window fits in the data.

Counted and set aside: blank lines, exact repeats of a row, customers unknown to the transaction log
(never bought anything, or another id format), customers whose outcome window runs past the end of the
data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from retention.data import DataValidationError, read_table

__all__ = ["GROUPS", "RESULT_COLUMNS", "CampaignResults", "read_results", "validate_results", "results_file",
           "check_results"]

GROUPS: tuple[str, ...] = ("treatment", "control")
RESULT_COLUMNS: tuple[str, ...] = ("CustomerID", "group", "sent_at", "campaign", "discount")
_MAX_EXAMPLES = 3


@dataclass(frozen=True)
class CampaignResults:
    """The validated assignment (``CustomerID`` string, ``group``, ``sent_at`` day, ``campaign``, ``discount``
    share or missing), the rows set aside per reason, and notes in plain sentences."""

    assignment: pd.DataFrame
    dropped: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def campaign(self) -> str | None:
        names = self.assignment["campaign"].dropna().unique()
        return str(names[0]) if len(names) else None

    @property
    def discount(self) -> float | None:
        """The offer's discount (a share), or None when the file does not give it."""
        values = self.assignment["discount"].dropna().unique()
        return float(values[0]) if len(values) else None


def _examples(values: pd.Series) -> str:
    first = values[~values.astype("string").duplicated()].head(_MAX_EXAMPLES)
    return ", ".join(f"{str(v)!r} ({i})" for i, v in first.items()) or "none"


def _fail(file: str, column: str | None, problem: str, bad: pd.Series | None, fix: str) -> None:
    where = f"{file}, column '{column}'" if column else file
    count = "" if bad is None else f" ({len(bad):,} row{'s' if len(bad) != 1 else ''}; e.g. {_examples(bad)})"
    raise DataValidationError(f"{where}: {problem}{count}. Fix: {fix}")


def _key(name: object) -> str:
    return re.sub(r"[\s_\-]", "", str(name)).lower()


def _rename(raw: pd.DataFrame, file: str) -> pd.DataFrame:
    wanted = {_key(c): c for c in RESULT_COLUMNS}
    renamed = {c: wanted[_key(c)] for c in raw.columns if _key(c) in wanted}
    frame = raw.rename(columns=renamed)
    missing = [c for c in RESULT_COLUMNS[:3] if c not in frame.columns]
    if missing:
        _fail(file, None, f"the results file has no column {missing} (it has {list(raw.columns)})", None,
              "give the file the columns CustomerID, group (treatment|control) and sent_at (YYYY-MM-DD); "
              "campaign is optional")
    for optional in RESULT_COLUMNS[3:]:
        if optional not in frame.columns:
            frame[optional] = pd.NA
    return frame[list(RESULT_COLUMNS)]


def _text(values: pd.Series) -> pd.Series:
    text = values.astype("string").str.strip()
    return text.mask(text == "")


def _normalise(frame: pd.DataFrame, file: str, notes: list[str]) -> pd.DataFrame:
    ids = _text(frame["CustomerID"])
    if ids.isna().any():
        _fail(file, "CustomerID", "empty CustomerIDs", frame.loc[ids.isna(), "group"].fillna(""),
              "fill in every customer's id, or remove the rows")
    spreadsheet = ids.str.fullmatch(r"\d+\.0")
    if spreadsheet.any():
        notes.append(f"{int(spreadsheet.sum()):,} CustomerIDs ended in '.0' (a spreadsheet's number format); the "
                     f"'.0' was removed, as for the transactions.")
    group = _text(frame["group"]).str.lower()
    unknown = group.isna() | ~group.isin(GROUPS)
    if unknown.any():
        _fail(file, "group", "group must be 'treatment' or 'control'", frame.loc[unknown, "group"].fillna(""),
              "write treatment or control in every row (one word, any case)")
    return pd.DataFrame({"CustomerID": ids.str.replace(r"\.0$", "", regex=True), "group": group,
                         "sent_at": _text(frame["sent_at"]), "campaign": _text(frame["campaign"]),
                         "discount": _discounts(frame["discount"], file)}, index=frame.index)


def _discounts(values: pd.Series, file: str) -> pd.Series:
    text = _text(values)
    number = pd.to_numeric(text.str.rstrip("%").astype(object), errors="coerce").astype(float)
    percent = text.str.endswith("%").fillna(False).astype(bool)
    share = number.where(~percent, number / 100)
    bad = text.notna() & (share.isna() | (share < 0) | (share >= 1))
    if bad.any():
        _fail(file, "discount", "discounts that are not a share between 0 and 1", values[bad].fillna(""),
              "write the offer's discount as a share (0.15) or a percentage (15%), or leave the column out")
    return share.astype(float)


def _one_discount(frame: pd.DataFrame, file: str, notes: list[str]) -> pd.DataFrame:
    given = frame["discount"].dropna()
    distinct = sorted(given.unique())
    if len(distinct) > 1:
        _fail(file, "discount", f"the rows give {len(distinct)} different discounts ({distinct[:5]})", None,
              "give one discount per campaign (one campaign per file)")
    if len(distinct) == 1 and len(given) < len(frame):
        notes.append(f"{len(frame) - len(given):,} rows give no discount; the campaign's discount "
                     f"{distinct[0]:.0%} of the other rows is used.")
        frame = frame.assign(discount=float(distinct[0]))
    return frame


def _dates(frame: pd.DataFrame, file: str, first: pd.Timestamp, end: pd.Timestamp,
           notes: list[str]) -> pd.DataFrame:
    parsed = pd.to_datetime(frame["sent_at"], format="ISO8601", errors="coerce")
    bad = parsed.isna()
    if bad.any():
        _fail(file, "sent_at", "send dates that are empty or not dates", frame.loc[bad, "sent_at"].fillna(""),
              "write every send date as YYYY-MM-DD")
    if (parsed != parsed.dt.normalize()).any():
        notes.append("Send dates carry a time of day; only the day counts (purchases count from the next day).")
    day = parsed.dt.normalize()
    outside = (day < first) | (day > end)
    if outside.any():
        _fail(file, "sent_at", f"send dates outside the transaction log ({first.date()} to {end.date()})",
              frame.loc[outside, "sent_at"], "check the dates (day and month order) or use the log that covers "
              "the campaign")
    return frame.assign(sent_at=day)


def _one_campaign(frame: pd.DataFrame, file: str, campaign: str | None, notes: list[str]) -> pd.DataFrame:
    names = sorted(frame["campaign"].dropna().unique())
    if campaign is not None:
        if campaign not in names:
            _fail(file, "campaign", f"there is no campaign {campaign!r} (campaigns: {names})", None,
                  "choose one of the campaigns in the file")
        kept = frame[frame["campaign"] == campaign]
        notes.append(f"The file holds {len(names)} campaigns; the results are for {campaign!r} "
                     f"({len(kept):,} of {len(frame):,} rows).")
        return kept
    if len(names) > 1:
        counts = frame["campaign"].value_counts()
        listed = ", ".join(f"{n!r} ({counts[n]:,} rows)" for n in names)
        _fail(file, "campaign", f"the file holds {len(names)} campaigns: {listed}", None,
              "keep one campaign per file, or name the campaign to analyse")
    return frame


def _duplicates(frame: pd.DataFrame, file: str, dropped: dict[str, int], notes: list[str]) -> pd.DataFrame:
    repeats = frame.duplicated(keep="first")
    if repeats.any():
        dropped["duplicate_row"] = int(repeats.sum())
        notes.append(f"{int(repeats.sum()):,} rows repeat an earlier row exactly and were counted once.")
        frame = frame[~repeats]
    clash = frame["CustomerID"].duplicated(keep=False)
    if clash.any():
        _fail(file, "CustomerID", "customers listed twice with a different group or send date",
              frame.loc[clash, "CustomerID"], "keep one row per customer (a customer is in one arm, once)")
    return frame


def _set_aside(frame: pd.DataFrame, mask: pd.Series, reason: str, sentence: str, dropped: dict[str, int],
               notes: list[str]) -> pd.DataFrame:
    if mask.any():
        by_arm = frame.loc[mask, "group"].value_counts()
        arms = ", ".join(f"{by_arm.get(g, 0):,} {g}" for g in GROUPS)
        dropped[reason] = int(mask.sum())
        notes.append(f"{int(mask.sum()):,} customers ({arms}) {sentence}; they are left out of the analysis "
                     f"(e.g. {', '.join(frame.loc[mask, 'CustomerID'].head(_MAX_EXAMPLES))}).")
    return frame[~mask]


def validate_results(raw: pd.DataFrame, *, known_ids: Iterable[object], first_date: object, end_date: object,
                     outcome_days: int = 60, campaign: str | None = None, file: str = "<results>") -> CampaignResults:
    """Validate a raw results table (strings, as read from the file) against the transaction log.

    Parameters
    ----------
    raw : pandas.DataFrame
        The file's rows; the index names the lines in messages (``line 2`` ...).
    known_ids : iterable
        The CustomerIDs of the transaction log.
    first_date, end_date : date-like
        First and last day of the transaction log (the end of the data).
    outcome_days : int
        Days after the send date over which outcomes are counted; the window must end by ``end_date``.
    campaign : str, optional
        The campaign to analyse when the file holds several.
    file : str
        Name of the file in messages.
    """
    if int(outcome_days) != outcome_days or outcome_days < 1:
        raise ValueError(f"outcome_days must be a whole number of days >= 1, got {outcome_days!r}")
    first, end = pd.Timestamp(first_date).normalize(), pd.Timestamp(end_date).normalize()
    dropped: dict[str, int] = {"rows_in": len(raw)}
    notes: list[str] = []
    frame = _rename(raw, file)
    blank = frame.isna().all(axis=1)
    if blank.any():
        dropped["blank_line"] = int(blank.sum())
        frame = frame[~blank]
    frame = _dates(_normalise(frame, file, notes), file, first, end, notes)
    frame = _duplicates(_one_campaign(frame, file, campaign, notes), file, dropped, notes)
    frame = _one_discount(frame, file, notes)
    known = frame["CustomerID"].isin(pd.Index([str(i) for i in known_ids]))
    if not known.any():
        _fail(file, "CustomerID", "no customer of the results file is in the transaction log",
              frame["CustomerID"], "use the same customer ids as the transactions (check the id column)")
    frame = _set_aside(frame, ~known, "unknown_customer", "never appear in the transaction log", dropped, notes)
    late = frame["sent_at"] + pd.Timedelta(days=int(outcome_days)) > end
    if late.all():
        room = int((end - frame["sent_at"].min()).days)
        _fail(file, "sent_at", f"the {outcome_days}-day outcome window runs past the end of the data ({end.date()})",
              frame["sent_at"].dt.date.astype(str),
              f"lower the outcome window to {room} days or less, or analyse the campaign once the data covers it")
    frame = _set_aside(frame, late, "window_past_end", f"were sent too late for a {outcome_days}-day outcome window "
                       f"before {end.date()}", dropped, notes)
    for arm in GROUPS:
        if not (frame["group"] == arm).any():
            _fail(file, "group", f"no customer is left in the {arm} group", None,
                  "a test needs both a treatment and a control group")
    dropped["rows_kept"] = len(frame)
    return CampaignResults(assignment=frame.reset_index(drop=True), dropped=dropped, notes=notes)


def read_results(path: str | Path, *, known_ids: Iterable[object], first_date: object, end_date: object,
                 outcome_days: int = 60, campaign: str | None = None, name: str | None = None) -> CampaignResults:
    """Read a results file (CSV, Parquet or .xlsx) and validate it with :func:`validate_results`."""
    raw = read_table(path).astype("string")
    # name rows as a person finds them: the file's line (after the header) or the table's row
    csv = Path(path).suffix.lower() in (".csv", ".txt")
    raw.index = pd.Index([f"line {i + 2}" if csv else f"row {i + 1}" for i in range(len(raw))])
    return validate_results(raw, known_ids=known_ids, first_date=first_date, end_date=end_date,
                            outcome_days=outcome_days, campaign=campaign, file=name or str(path))


def results_file(results: str | Path | None, *, source: str, data_path: str | Path) -> Path | None:
    """The file a profile's campaign test is read from, or None when there is none.

    ``results`` (``experiment.results``) when set; otherwise, on generated data, the assignment of the campaign
    the generator ran (``<stem>_campaign.csv`` beside the log), when it ran one. Paths are resolved from the
    project root.
    """
    from retention.paths import resolve

    if results:
        return resolve(results)
    if source == "generated":
        data = resolve(data_path)
        campaign = data.with_name(f"{data.stem}_campaign.csv")
        return campaign if campaign.exists() else None
    return None


def check_results(results: str | Path | None, *, source: str, data_path: str | Path, known_ids: Iterable[object],
                  first_date: object, end_date: object, outcome_days: int = 60,
                  params_file: str = "params") -> CampaignResults | None:
    """Validate the profile's campaign test (:func:`results_file`) against the clean log, before any report.

    Returns the validated results (None without a test); a missing or bad file raises one
    :class:`~retention.data.DataValidationError` naming the file, the column, the rows, examples and the fix.
    """
    path = results_file(results, source=source, data_path=data_path)
    if path is None:
        return None
    if not path.exists():
        raise DataValidationError(f"{params_file}: experiment.results names {results}, which does not exist "
                                  f"({path}). Fix: give the path of the campaign's results file from the project "
                                  f"root, or set experiment.results to null.")
    name = str(results) if results else str(path.name)
    return read_results(path, known_ids=known_ids, first_date=first_date, end_date=end_date,
                        outcome_days=outcome_days, name=name)
