"""Load a transaction file into the canonical schema in two passes over chunks, never holding it whole.

Pass 1 reads every chunk and gathers evidence: non-data lines, number spellings per money column, date
spellings and orders, customer-id spellings, which extra columns hold values. The evidence decides how
the file is read (or stops with one :class:`~retention.data.errors.DataValidationError`), and the
decisions are written down as plain-English notes. Pass 2 converts every chunk with those decisions, so a
file gives the same transactions, notes and errors whatever the chunk size. :func:`load` returns the
transactions in memory; :func:`load_to_parquet` writes them chunk by chunk as a canonical Parquet dataset
(``part-NNNNN.parquet``) with ``_load.json`` beside the parts (notes, lines the loader left out, columns).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from retention.data.columns import CANONICAL_COLUMNS, OPTIONAL_COLUMNS, Layout, layout, missing_column_notes
from retention.data.dates import DateEvidence, DateReading
from retention.data.errors import Sample
from retention.data.far_dates import FarDates, find_far_dates
from retention.data.ids import IdEvidence, id_text, normalise_ids
from retention.data.money import MoneyEvidence, MoneyReading
from retention.data.read import CHUNK_ROWS, Source, frame_source, open_source
from retention.data.rows import NonDataRows

__all__ = ["DATE_ORDERS", "Loaded", "LoadSummary", "load", "load_transactions", "load_to_parquet", "read_lines",
           "read_table", "to_canonical", "available_columns", "LOAD_INFO"]

DATE_ORDERS = ("auto", "dmy", "mdy", "ymd", "ydm")
LOAD_INFO = "_load.json"
_TEXT = ("InvoiceNo", "StockCode", "Description", "CustomerID", "Country")


@dataclass
class Loaded:
    """Canonical transactions plus what the loader noticed on the way.

    ``dropped`` counts lines the loader left out under their cleaning-ledger reason (``blank_line``,
    ``repeated_header``, ``far_past_date``, ``far_future_date``); ``line_identity`` says whether the file
    has invoice numbers and product codes, without which two identical lines cannot be told apart from two
    real purchases.
    """

    transactions: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    dropped: dict[str, int] = field(default_factory=dict)
    line_identity: bool = True


@dataclass(frozen=True)
class LoadSummary:
    """What :func:`load_to_parquet` wrote: lines, parts, notes, left-out lines and the columns used."""

    file: str
    rows: int
    parts: list[str]
    notes: list[str]
    dropped: dict[str, int]
    line_identity: bool
    columns: dict[str, str]

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True) + "\n"

    @classmethod
    def read(cls, folder: str | Path) -> LoadSummary:
        return cls(**json.loads((Path(folder) / LOAD_INFO).read_text()))


@dataclass
class _Plan:
    layout: Layout
    money: MoneyReading
    dates: DateReading
    far: FarDates
    rows: NonDataRows
    drop_rows: bool


class _Loader:
    """Both passes over one source with one set of options."""

    def __init__(self, source: Source, column_map: Mapping[str, str] | None, date_order: str = "auto",
                 currency: str | None = None, far_future: bool = True, drop_rows: bool = True) -> None:
        if date_order not in DATE_ORDERS:
            raise ValueError(f"date_order must be one of {DATE_ORDERS}, got {date_order!r}")
        self.source, self.ctx = source, source.ctx
        self.column_map = dict(column_map or {})
        self.date_order, self.currency, self.far_future, self.drop_rows = date_order, currency, far_future, drop_rows

    def plan(self) -> _Plan:
        """Pass 1 and the decisions (notes in ``self.ctx.notes``); stops on anything that cannot be read."""
        ctx = self.ctx
        cols = layout(self.source.columns, self.column_map, ctx)
        rows, money = NonDataRows(), MoneyEvidence.for_layout(cols)
        dates, ids = DateEvidence(self.date_order), IdEvidence()
        filled = dict.fromkeys(cols.extras, 0)
        first_lines, lines = Sample(), 0
        for chunk in self.source.chunks():
            if self.drop_rows:
                chunk = rows.drop(chunk)
            lines += len(chunk)
            first_lines.add_positions(chunk.index[: max(0, 3 - len(first_lines.pairs))])
            money.observe(chunk, cols)
            dates.observe(chunk[cols.sources["InvoiceDate"]])
            ids.observe(chunk[cols.sources["CustomerID"]])
            for column in filled:
                filled[column] += int(id_text(chunk[column]).notna().sum())
        ctx.notes += self.source.late_notes() + rows.notes(ctx) + cols.notes + _extra_notes(cols, filled)
        if lines == 0:
            ctx.fail(None, "the file has a header but no transaction lines", None, "", "export the transactions again")
        money_reading = MoneyReading.decide(money, cols, ctx, self.currency)
        ctx.notes += money.currency.check(ctx, self.currency) if money.currency else []
        date_reading = DateReading.decide(dates, ctx)
        ctx.notes += ids.check(ctx)
        if not ids.any_id:
            ctx.fail("CustomerID", "no line has a customer id", lines, first_lines.where(ctx),
                     "map the column that identifies customers with data.columns")
        far = find_far_dates(date_reading.days, future=self.far_future) if self.drop_rows else FarDates()
        return _Plan(cols, money_reading, date_reading, far, rows, self.drop_rows)

    def chunks(self, plan: _Plan) -> Iterator[pd.DataFrame]:
        """Pass 2: canonical chunks (left-out lines counted in the plan)."""
        for chunk in self.source.chunks():
            if plan.drop_rows:
                chunk = plan.rows.drop(chunk, count=False)
            if len(chunk):
                yield _canonical(chunk, plan)

    def notes(self, plan: _Plan) -> list[str]:
        """Every note, in reading order, once pass 2 has counted what it found."""
        return (self.ctx.notes + plan.money.notes(self.ctx) + plan.far.notes(self.ctx)
                + missing_column_notes(plan.layout.present))

    def dropped(self, plan: _Plan) -> dict[str, int]:
        return {**plan.rows.dropped(), **plan.far.dropped()}


def _extra_notes(cols: Layout, filled: Mapping[str, int]) -> list[str]:
    used = [c for c in cols.extras if filled.get(c, 0) or not c.startswith("Unnamed: ")]
    notes = []
    if used:
        listed = ", ".join(f"'{c}'" for c in used)
        notes.append(f"Not used by the analysis: column{'s' if len(used) > 1 else ''} {listed} (kept out of every "
                     f"report).")
    if cols.ignored:
        notes.append(f"Left out as data.columns says: {', '.join(repr(c) for c in cols.ignored)}.")
    return notes


def _canonical(chunk: pd.DataFrame, plan: _Plan) -> pd.DataFrame:
    sources = plan.layout.sources
    out = pd.DataFrame(index=chunk.index)
    for column in ("InvoiceNo", "StockCode", "Description"):
        out[column] = id_text(chunk[sources[column]]) if column in sources else pd.NA
    out["Quantity"], out["UnitPrice"] = plan.money.convert(chunk)
    out["InvoiceDate"] = plan.dates.convert(chunk[sources["InvoiceDate"]])
    out["CustomerID"] = normalise_ids(chunk[sources["CustomerID"]])
    out["Country"] = id_text(chunk[sources["Country"]]) if "Country" in sources else pd.NA
    if "InvoiceNo" not in sources:
        # One order per customer and day when the export has no invoice numbers.
        out["InvoiceNo"] = out["CustomerID"].fillna("guest") + "-" + out["InvoiceDate"].dt.strftime("%Y%m%d")
    past, future = plan.far.mask(out["InvoiceDate"].to_numpy())
    if past.any() or future.any():
        plan.far.past.add(out["InvoiceDate"][past].astype(str))
        plan.far.future.add(out["InvoiceDate"][future].astype(str))
        out = out[~(past | future)]
    for column in _TEXT:
        out[column] = out[column].astype("string")
    out["Quantity"] = out["Quantity"].astype(float)
    out["UnitPrice"] = out["UnitPrice"].astype(float)
    return out[CANONICAL_COLUMNS]


def _loader(path: str | Path, column_map: Mapping[str, str] | None, sheet: str | int | None, name: str | None,
            date_order: str, currency: str | None, far_future: bool, chunk_rows: int) -> _Loader:
    source = open_source(path, sheet=sheet, name=name, chunk_rows=chunk_rows)
    return _Loader(source, column_map, date_order, currency, far_future)


def load(path: str | Path, column_map: Mapping[str, str] | None = None, sheet: str | int | None = None,
         name: str | None = None, *, date_order: str = "auto", currency: str | None = None,
         far_future: bool = True, chunk_rows: int = CHUNK_ROWS) -> Loaded:
    """Read, check and type ``path``; return the transactions with notes and the left-out lines counted.

    Parameters
    ----------
    path : str or Path
        CSV (any common separator and encoding), Parquet or .xlsx.
    column_map : mapping, optional
        ``{file column: canonical column}`` (``data.columns``); ``"ignore"`` leaves a column out.
    sheet : str or int, optional
        Excel only: one sheet (default: every sheet, stacked).
    name : str, optional
        How the file is called in messages (default: the path as given).
    date_order : {"auto", "dmy", "mdy", "ymd", "ydm"}
        Order of day, month and year in dates written as three numbers (``data.date_order``).
    currency : str, optional
        ``data.currency``, compared with a currency column or sign in the file.
    far_future : bool
        Leave out lines dated far after the rest (``far_future_date``); off when ``data.end_date`` is set.
    chunk_rows : int
        Lines read at a time.
    """
    loader = _loader(path, column_map, sheet, name, date_order, currency, far_future, chunk_rows)
    plan = loader.plan()
    parts = list(loader.chunks(plan))
    transactions = pd.concat(parts).reset_index(drop=True) if parts else _empty()
    return Loaded(transactions=transactions, notes=loader.notes(plan), dropped=loader.dropped(plan),
                  line_identity=plan.layout.line_identity)


def load_transactions(path: str | Path, column_map: Mapping[str, str] | None = None,
                      sheet: str | int | None = None) -> pd.DataFrame:
    """Read ``path`` and return canonical transactions; raise ``DataValidationError`` on bad input."""
    return load(path, column_map, sheet).transactions


def to_canonical(raw: pd.DataFrame, file: str = "<data>", column_map: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Rename, check and type a raw table into the canonical schema (no rows are dropped here)."""
    loader = _Loader(frame_source(raw, file), column_map, drop_rows=False)
    plan = loader.plan()
    parts = list(loader.chunks(plan))
    return pd.concat(parts).reset_index(drop=True) if parts else _empty()


def _empty() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype="string") for c in CANONICAL_COLUMNS})
    frame["Quantity"] = frame["Quantity"].astype(float)
    frame["UnitPrice"] = frame["UnitPrice"].astype(float)
    frame["InvoiceDate"] = frame["InvoiceDate"].astype("datetime64[ns]")
    return frame


def _schema():
    import pyarrow as pa

    # Microseconds, the finest unit every engine reads (Spark rejects Parquet nanosecond timestamps).
    types = {"Quantity": pa.float64(), "UnitPrice": pa.float64(), "InvoiceDate": pa.timestamp("us")}
    return pa.schema([(c, types.get(c, pa.string())) for c in CANONICAL_COLUMNS])


def load_to_parquet(path: str | Path, folder: str | Path, column_map: Mapping[str, str] | None = None,
                    sheet: str | int | None = None, name: str | None = None, *, date_order: str = "auto",
                    currency: str | None = None, far_future: bool = True,
                    chunk_rows: int = CHUNK_ROWS) -> LoadSummary:
    """Load ``path`` (as :func:`load`) into ``folder`` as ``part-NNNNN.parquet`` files and ``_load.json``.

    Only one chunk is in memory at a time. The folder is replaced whole once every part is written, so
    a run that stops halfway leaves the previous dataset (or none), never a mix.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    loader = _loader(path, column_map, sheet, name, date_order, currency, far_future, chunk_rows)
    plan = loader.plan()
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        parts, rows, schema = [], 0, _schema()
        for chunk in loader.chunks(plan):
            part = f"part-{len(parts):05d}.parquet"
            chunk["InvoiceDate"] = chunk["InvoiceDate"].dt.floor("us")  # sub-microsecond noise of spreadsheet dates
            pq.write_table(pa.Table.from_pandas(chunk, schema=schema, preserve_index=False), staging / part)
            parts.append(part)
            rows += len(chunk)
        if not parts:
            pq.write_table(pa.Table.from_pandas(_empty(), schema=schema, preserve_index=False),
                           staging / "part-00000.parquet")
            parts.append("part-00000.parquet")
        summary = LoadSummary(file=loader.ctx.file, rows=rows, parts=parts, notes=loader.notes(plan),
                              dropped=loader.dropped(plan), line_identity=plan.layout.line_identity,
                              columns=dict(plan.layout.sources))
        (staging / LOAD_INFO).write_text(summary.to_json(), encoding="utf-8")
        staging.chmod(0o755)
        if folder.exists():
            shutil.rmtree(folder)
        staging.rename(folder)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return summary


def read_lines(folder: str | Path) -> pd.DataFrame:
    """The canonical transactions of a dataset :func:`load_to_parquet` wrote, in file order."""
    folder = Path(folder)
    parts = sorted(folder.glob("part-*.parquet"))
    if not parts:
        return _empty()
    frame = pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)
    for column in _TEXT:
        frame[column] = frame[column].astype("string")
    frame["Quantity"] = frame["Quantity"].astype(float)
    frame["UnitPrice"] = frame["UnitPrice"].astype(float)
    frame["InvoiceDate"] = frame["InvoiceDate"].astype("datetime64[ns]")
    return frame[CANONICAL_COLUMNS]


def read_table(path: str | Path, sheet: str | int | None = None) -> pd.DataFrame:
    """Read CSV, Parquet or Excel into a DataFrame of raw columns (all Excel sheets stacked by default)."""
    source = open_source(path, sheet=sheet)
    chunks = list(source.chunks())
    return pd.concat(chunks) if chunks else pd.DataFrame(columns=source.columns)


def available_columns(transactions: pd.DataFrame) -> dict[str, bool]:
    """Which optional columns carry information (not entirely missing) in this data."""
    return {c: bool(transactions[c].notna().any()) for c in OPTIONAL_COLUMNS}

