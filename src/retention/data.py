"""Load a transaction file into the canonical schema, and validate it with messages a person can act on.

The canonical schema is the UCI Online Retail layout: InvoiceNo, StockCode, Description, Quantity,
InvoiceDate, UnitPrice, CustomerID, Country. Online Retail II names (Invoice, Price, Customer ID) are
recognised as they are, and so are names that differ only in case, spaces, "_" or "-" (``customer_id``);
any other export comes in through an explicit column mapping. Only CustomerID, InvoiceDate and a money
column are required: a file with just customer, date and amount loads, and the columns it lacks are
reported so analyses that need them can say so and skip.

Bad input either loads, with what was detected or assumed written down as plain-English ``notes``
(separator, encoding, date order, decimal comma, stacked sheets, ...) and the lines that are not
transactions counted (``blank_line``, ``repeated_header``), or stops with one
:class:`DataValidationError` naming the file, the column, how many rows, a few examples (with their line)
and the fix. Decisions, so the same file always gives the same result:

* Text files: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252 (Latin-1); the separator
  is sniffed from the first lines (``,``, ``;``, tab, ``|``, else runs of spaces).
* Numbers: a dot or a comma decimal mark is accepted when the whole column reads one way (``2,55``;
  ``1,234.50``; ``1.234,50``); when both readings work, a ``;``-separated file means decimal comma.
  One currency sign throughout a column (``£2.55``) is removed; mixed signs and words (``six``) are errors.
* Dates: ISO 8601 first. A UTC offset (``+01:00``, ``Z``) is dropped and the local wall-clock time kept,
  so a purchase stays on the day and hour the shop saw it (tz-aware Parquet/Excel columns likewise).
  ``d/m/y`` versus ``m/d/y`` is decided by a first number above 12 (day first) or a second number above
  12 (month first); when no number is above 12 the order that puts the lines in date order wins, and a
  tie means month first (as the UCI exports are; ``.`` separated dates: day first). Numbers in a date
  column are read as YYYYMMDD, Excel serial days or Unix seconds when every value fits one of them.
  Empty dates are counted in the cleaning ledger (``missing_date``); dates that do not parse stop the run.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import difflib
import importlib.util
import io
import math
import re
import warnings
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "CANONICAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "OPTIONAL_COLUMNS",
    "ONLINE_RETAIL_II_NAMES",
    "COLUMN_USES",
    "DataValidationError",
    "Loaded",
    "read_table",
    "to_canonical",
    "load",
    "load_transactions",
    "available_columns",
    "missing_column_notes",
    "cdnow_source",
    "convert_cdnow",
]

CANONICAL_COLUMNS = ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice",
                     "CustomerID", "Country"]
REQUIRED_COLUMNS = ["CustomerID", "InvoiceDate"]
OPTIONAL_COLUMNS = ["InvoiceNo", "StockCode", "Description", "Country"]
ONLINE_RETAIL_II_NAMES = {"Invoice": "InvoiceNo", "Price": "UnitPrice", "Customer ID": "CustomerID"}
# An "Amount" column (line total) may stand in for Quantity x UnitPrice.
AMOUNT_COLUMN = "Amount"
MAX_EXAMPLES = 3
# What goes missing when the file lacks a column (shown as a note; the notebooks skip those parts).
COLUMN_USES = {
    "InvoiceNo": "orders are taken as one per customer and day, and cancellations cannot be recognised",
    "StockCode": "product rankings and the product-count feature (UniqueProducts) are skipped, and the "
                 "non-product-code cleaning rule cannot apply",
    "Description": "products are shown by code only",
    "Country": "the country breakdown is skipped",
    "Quantity": "every line counts as one unit",
}
CDNOW_FILE = "CDNOW_master.txt"
_CURRENCY_SIGNS = "£$€¥₹"
_CURRENCY_CODES = {"£": "GBP", "$": "USD", "€": "EUR", "¥": "JPY", "₹": "INR"}


class DataValidationError(ValueError):
    """The input file cannot be analysed as it is. The message says where, how much, and the fix."""


@dataclass
class Loaded:
    """Canonical transactions plus what the loader noticed on the way.

    ``dropped`` counts lines that are not transactions (``blank_line``, ``repeated_header``) under their
    cleaning-ledger reason; ``line_identity`` says whether the file has invoice numbers and product
    codes, without which two identical lines cannot be told apart from two real purchases.
    """

    transactions: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    dropped: dict[str, int] = field(default_factory=dict)
    line_identity: bool = True


@dataclass
class _Context:
    file: str
    notes: list[str] = field(default_factory=list)
    separator: str | None = None


# ---------------------------------------------------------------------------------------------------------
# Messages
# ---------------------------------------------------------------------------------------------------------


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def _rows(n: int) -> str:
    return _plural(n, "row")


def _where(label: object) -> str:
    return label if isinstance(label, str) else f"row {int(label) + 1}" if isinstance(label, int | np.integer) else ""


def _examples(values: pd.Series | Iterable[object]) -> str:
    """Up to three distinct values, each with the line it was first seen on when known."""
    if not isinstance(values, pd.Series):
        shown = [repr(v) for v in list(values)[:MAX_EXAMPLES]]
        return ", ".join(shown) if shown else "none"
    first = values[~values.astype("string").duplicated()].head(MAX_EXAMPLES)
    shown = [f"{str(v)!r} ({_where(i)})" if _where(i) else repr(str(v)) for i, v in first.items()]
    return ", ".join(shown) if shown else "none"


def _locations(index: Iterable[object]) -> str:
    return ", ".join(_where(i) for i in list(index)[:MAX_EXAMPLES]) or "none"


def _fail(file: str, column: str | None, problem: str, rows: int | None, examples: str, fix: str):
    where = f"{file}, column '{column}'" if column else file
    count = f" ({_rows(rows)}; e.g. {examples})" if rows is not None else ""
    raise DataValidationError(f"{where}: {problem}{count}. Fix: {fix}")


# ---------------------------------------------------------------------------------------------------------
# Reading files
# ---------------------------------------------------------------------------------------------------------


def _decode(raw: bytes, ctx: _Context) -> str:
    """Text of a CSV: UTF-8 (BOM or not), UTF-16 with BOM, else Windows-1252 / Latin-1 (noted)."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        ctx.notes.append("The file is UTF-16 text (as Excel's 'Unicode text' export writes); decoded as such.")
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        position = exc.start
    try:
        text, encoding = raw.decode("cp1252"), "Windows-1252 (cp1252)"
    except UnicodeDecodeError:
        text, encoding = raw.decode("latin-1"), "Latin-1 (ISO 8859-1)"
    word = re.search(r"[^\s,;\t|\"]*[^\x00-\x7f][^\s,;\t|\"]*", text)
    example = f", e.g. {word.group(0)[:40]!r}" if word else ""
    ctx.notes.append(f"The file is not UTF-8 (byte {position:,} is not valid UTF-8), so it was decoded as "
                     f"{encoding}{example}. Save it as UTF-8 if accented characters look wrong.")
    return text


def _sniff_separator(text: str) -> str:
    """The separator that splits the first lines into the most, equally long, fields."""
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    if not lines:
        return ","
    best, best_score = ",", (0, 0)
    for sep in (",", ";", "\t", "|"):
        counts = [len(row) for row in csv.reader(lines, delimiter=sep)]
        if counts[0] < 2:
            continue
        score = (sum(c == counts[0] for c in counts), counts[0])
        if score > best_score:
            best, best_score = sep, score
    if best_score == (0, 0):
        widths = {len(line.split()) for line in lines}
        if len(widths) == 1 and widths.pop() >= 2:
            return r"\s+"
    return best


_SEPARATOR_NAMES = {";": "semicolons (';')", "\t": "tabs", "|": "vertical bars ('|')", r"\s+": "spaces"}


def _too_many_fields(text: str, sep: str, ctx: _Context, exc: Exception) -> None:
    """Explain a CSV whose lines have more fields than its header (the C parser stops at the first)."""
    if sep == r"\s+":
        _fail(ctx.file, None, f"the file could not be read as space-separated text ({exc})", None, "",
              "use a comma- or semicolon-separated CSV")
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    header = next(reader, [])
    bad: list[tuple[int, list[str]]] = []
    for row in reader:
        if len(row) > len(header):
            bad.append((reader.line_num, row))
    if not bad:
        _fail(ctx.file, None, f"the file could not be read as CSV ({exc})", None, "",
              "check the quoting around the line named above (an opening \" without a closing one)")
    examples = ", ".join(f"line {n}: {sep.join(row)[:60]!r}" for n, row in bad[:MAX_EXAMPLES])
    _fail(ctx.file, None, f"lines with more fields than the header's {len(header)}", len(bad), examples,
          f"quote text fields that contain the separator {sep!r}, or remove the extra separators")


def _read_text(path: Path, ctx: _Context) -> pd.DataFrame:
    text = _decode(path.read_bytes(), ctx)
    if "\x00" in text:
        _fail(ctx.file, None, "the file is not text (it contains NUL bytes)", None, "",
              "export the transactions as CSV, .xlsx or Parquet")
    if not text.strip():
        _fail(ctx.file, None, "the file is empty (only blank lines)", None, "", "export the transactions again")
    sep = _sniff_separator(text)
    ctx.separator = sep
    if sep in _SEPARATOR_NAMES:
        ctx.notes.append(f"Columns are separated by {_SEPARATOR_NAMES[sep]} (detected from the first lines).")
    try:
        with warnings.catch_warnings():
            # index_col=False: extra fields on the first line must not silently become an index; pandas
            # warns about them instead, and the warning is turned into the explanation below.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_values=[""],
                                skip_blank_lines=False, index_col=False, engine="c")
    except pd.errors.EmptyDataError:
        _fail(ctx.file, None, "the file has no header line", None, "", "export the transactions again")
    except (pd.errors.ParserError, pd.errors.ParserWarning) as exc:
        _too_many_fields(text, sep, ctx, exc)
    frame.index = [f"line {i + 2}" for i in range(len(frame))]
    return frame


def _read_excel(path: Path, sheet: str | int | None, ctx: _Context) -> pd.DataFrame:
    with pd.ExcelFile(path) as book:
        names = [str(n) for n in book.sheet_names]
        if isinstance(sheet, int) and not isinstance(sheet, bool):
            if not 0 <= sheet < len(names):
                _fail(ctx.file, None, f"there is no sheet number {sheet} (sheets, counted from 0: {names})", None,
                      "", "set data.sheet to a sheet name or index, or leave it empty to stack every sheet")
            wanted = [names[sheet]]
        elif sheet is not None:
            if str(sheet) not in names:
                close = difflib.get_close_matches(str(sheet), names, n=1)
                hint = f"did you mean '{close[0]}'? " if close else ""
                _fail(ctx.file, None, f"there is no sheet '{sheet}' (sheets: {names})", None, "",
                      f"{hint}set data.sheet to one of them, or leave it empty to stack every sheet")
            wanted = [str(sheet)]
        else:
            wanted = names
        frames = {name: pd.read_excel(book, sheet_name=name) for name in wanted}
    return _stack_sheets(frames, ctx)


def _stack_sheets(frames: dict[str, pd.DataFrame], ctx: _Context) -> pd.DataFrame:
    used: dict[str, pd.DataFrame] = {}
    for name, frame in frames.items():
        frame.columns = [str(c).strip() for c in frame.columns]
        if frame.shape[1] == 0:
            ctx.notes.append(f"Excel sheet '{name}' is empty and was skipped.")
            continue
        frame.index = [f"sheet '{name}' row {i + 2}" for i in range(len(frame))]
        used[name] = frame
    if not used:
        _fail(ctx.file, None, "every sheet of the workbook is empty", None, "", "export the transactions again")
    first_name, first = next(iter(used.items()))
    for name, frame in used.items():
        if sorted(frame.columns) != sorted(first.columns):  # same names in another order stack fine
            _fail(ctx.file, None, f"sheet '{name}' has other columns than sheet '{first_name}' "
                  f"({list(frame.columns)} vs {list(first.columns)})", None, "",
                  "set data.sheet to the sheet that holds the transactions, or give every sheet the same header")
    if len(used) > 1:
        parts = ", ".join(f"'{name}' ({len(frame):,} lines)" for name, frame in used.items())
        ctx.notes.append(f"Stacked {len(used)} Excel sheets with the same columns: {parts}.")
    return pd.concat([frame[list(first.columns)] for frame in used.values()]) if len(used) > 1 else first


def _read_parquet(path: Path) -> pd.DataFrame:
    frame = pd.read_parquet(path)
    frame.index = [f"row {i + 1}" for i in range(len(frame))]
    return frame


def _kind_of_file(path: Path) -> str:
    """'excel', 'parquet', 'xls' or 'text', from the first bytes (a renamed file is read for what it is)."""
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head.startswith(b"PK\x03\x04"):
        return "excel"
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    return "text"


_READ_ERRORS: tuple[type[BaseException], ...] = (ValueError, KeyError, IndexError, OSError, zipfile.BadZipFile,
                                                 ImportError, UnicodeError, csv.Error)


def _read(path: Path, sheet: str | int | None, ctx: _Context) -> pd.DataFrame:
    suffix = path.suffix.lower()
    known = {".parquet": "parquet", ".xlsx": "excel", ".xlsm": "excel", ".xls": "xls", ".csv": "text",
             ".txt": "text", ".tsv": "text"}
    if suffix not in known:
        _fail(ctx.file, None, f"unsupported file type '{suffix}'", None, "", "use .csv, .parquet or .xlsx")
    kind = _kind_of_file(path)
    if kind != known[suffix] and kind != "text":
        what = {"excel": "an Excel workbook", "parquet": "a Parquet table", "xls": "an old .xls workbook"}[kind]
        ctx.notes.append(f"The file is named '{path.name}' but holds {what}; it was read as one.")
    if kind == "xls":
        _fail(ctx.file, None, "old-style .xls workbooks are not supported", None, "",
              "open it in Excel or LibreOffice and save it as .xlsx or CSV")
    if kind == "text" and known[suffix] != "text":
        ctx.notes.append(f"The file is named '{path.name}' but holds text; it was read as CSV.")
    what = {"excel": "an Excel workbook", "parquet": "a Parquet table", "text": "CSV text"}[kind]
    try:
        if kind == "excel":
            return _read_excel(path, sheet, ctx)
        if kind == "parquet":
            return _read_parquet(path)
        return _read_text(path, ctx)
    except DataValidationError:
        raise
    except _READ_ERRORS as exc:
        reason = str(exc).strip() or type(exc).__name__
        _fail(ctx.file, None, f"the file could not be read as {what} ({type(exc).__name__}: {reason[:200]})", None,
              "", "open it in the program that made it and export it again as CSV (UTF-8) or .xlsx")
    except Exception as exc:  # openpyxl and pyarrow raise their own exception types for corrupt files
        if type(exc).__module__.split(".")[0] not in {"openpyxl", "pyarrow", "zipfile", "xml"}:
            raise
        _fail(ctx.file, None, f"the file could not be read as {what} ({type(exc).__name__}: {exc})", None, "",
              "open it in the program that made it and export it again as CSV (UTF-8) or .xlsx")
    raise AssertionError("unreachable")


def _read_checked(path: str | Path, sheet: str | int | None, ctx: _Context) -> pd.DataFrame:
    path = Path(path)
    if not path.exists():
        _fail(ctx.file, None, "the file does not exist", None, "",
              "check data.path in your params file (paths are relative to the project root)")
    if path.is_dir():
        _fail(ctx.file, None, "this is a folder, not a file", None, "", "point data.path at the transaction file")
    if path.stat().st_size == 0:
        _fail(ctx.file, None, "the file is empty", None, "", "export the transactions again")
    return _read(path, sheet, ctx)


def read_table(path: str | Path, sheet: str | int | None = None) -> pd.DataFrame:
    """Read CSV, Parquet or Excel into a DataFrame of raw columns (all Excel sheets stacked by default)."""
    return _read_checked(path, sheet, _Context(str(path)))


# ---------------------------------------------------------------------------------------------------------
# Lines that are not transactions
# ---------------------------------------------------------------------------------------------------------


def _blank(values: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_datetime64_any_dtype(values):
        return values.isna()
    return values.astype("string").str.strip().fillna("").eq("")


def _equals_name(values: pd.Series, name: object) -> pd.Series:
    """Cells that repeat the column's own name (numbers and dates never do)."""
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_datetime64_any_dtype(values):
        return pd.Series(False, index=values.index)
    return values.astype("string").str.strip().str.casefold().eq(str(name).strip().casefold()).fillna(False)


def _drop_non_data_rows(raw: pd.DataFrame, ctx: _Context) -> tuple[pd.DataFrame, dict[str, int]]:
    """Remove blank lines and copies of the header line (concatenated exports); count both."""
    if raw.shape[1] == 0 or len(raw) == 0:
        return raw, {}
    blank_cells = pd.DataFrame({i: _blank(raw.iloc[:, i]) for i in range(raw.shape[1])})
    blank = blank_cells.all(axis=1).to_numpy()
    same = pd.DataFrame({i: _equals_name(raw.iloc[:, i], raw.columns[i]) for i in range(raw.shape[1])})
    header = ((same | blank_cells).all(axis=1) & (same.sum(axis=1) >= max(2, raw.shape[1] // 2))).to_numpy()
    dropped = {"blank_line": int(blank.sum()), "repeated_header": int(header.sum())}
    if dropped["repeated_header"]:
        copies = _plural(dropped["repeated_header"], "copy").replace("copys", "copies")
        ctx.notes.append(f"Removed {copies} of the header line inside the file (e.g. "
                         f"{_locations(raw.index[header])}), as left when exports are concatenated; they are counted "
                         f"in the cleaning ledger as 'repeated_header'.")
    if dropped["blank_line"]:
        ctx.notes.append(f"Skipped {_plural(dropped['blank_line'], 'blank line')} (counted in the ledger as "
                         f"'blank_line').")
    return raw[~(blank | header)], {k: v for k, v in dropped.items() if v}


# ---------------------------------------------------------------------------------------------------------
# Columns
# ---------------------------------------------------------------------------------------------------------


def _key(name: object) -> str:
    return re.sub(r"[^0-9a-z]", "", str(name).casefold())


def _known_names() -> dict[str, str]:
    """Normalised spelling -> canonical name, for every name recognised without a mapping."""
    names = {_key(c): c for c in [*CANONICAL_COLUMNS, AMOUNT_COLUMN]}
    names.update({_key(k): v for k, v in ONLINE_RETAIL_II_NAMES.items()})
    return names


def _rename(raw: pd.DataFrame, column_map: Mapping[str, str], ctx: _Context) -> pd.DataFrame:
    allowed = set(CANONICAL_COLUMNS) | {AMOUNT_COLUMN}
    columns = [str(c).strip() for c in raw.columns]
    for source, target in column_map.items():
        if target not in allowed:
            _fail(ctx.file, source, f"the mapping sends it to '{target}', which is not a canonical column", None, "",
                  f"map it to one of {sorted(allowed)}")
        if source not in columns:
            close = difflib.get_close_matches(source, columns, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'? " if close else ""
            _fail(ctx.file, source, "the mapping names a column the file does not have", None, "",
                  f"{hint}the file's columns are {columns}")
    known = _known_names()
    renamed, guessed = [], []
    for column in columns:
        target = column_map.get(column) or ONLINE_RETAIL_II_NAMES.get(column) or known.get(_key(column), column)
        if column not in column_map and target != column and column not in ONLINE_RETAIL_II_NAMES:
            guessed.append(f"'{column}' as {target}")
        renamed.append(target)
    twice = sorted({c for c in renamed if renamed.count(c) > 1 and c in allowed})
    if twice:
        sources = [s for s, t in zip(columns, renamed, strict=True) if t == twice[0]]
        _fail(ctx.file, twice[0], f"more than one column would become '{twice[0]}': {sources}", None, "",
              "remove one of them from the file, or map the other to a different name with data.columns")
    if guessed:
        ctx.notes.append(f"Read column {', '.join(guessed)} (same name up to case, spaces and '_').")
    df = raw.copy()
    df.columns = renamed
    return df


def _looks_like_data(names: list[str]) -> bool:
    """A header line made of numbers and dates is really the first transaction (the file has no header)."""
    value = re.compile(r"^[\d\s.,:/+\-£$€]+$")
    return sum(bool(value.match(n)) for n in names) >= max(2, len(names) // 2)


def _check_required(df: pd.DataFrame, file_columns: list[str], ctx: _Context) -> None:
    """Stop when CustomerID, InvoiceDate or a money column is missing; suggest the closest unused column."""
    missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
    if "UnitPrice" not in df.columns and AMOUNT_COLUMN not in df.columns:
        missing.append("UnitPrice")
    if not missing:
        return
    label = "UnitPrice (or Amount)" if missing[0] == "UnitPrice" else missing[0]
    names = ", ".join(f"'{c}'" for c in missing)
    problem = (f"required column{'s' if len(missing) > 1 else ''} {names} "
               f"{'are' if len(missing) > 1 else 'is'} missing (the file has {file_columns})")
    if _looks_like_data(file_columns):
        _fail(ctx.file, label, problem, None, "",
              f"the first line looks like a transaction, not column names: add a header line "
              f"({','.join(CANONICAL_COLUMNS)})")
    taken = set(CANONICAL_COLUMNS) | {AMOUNT_COLUMN}
    keys = {_key(f): f for f, r in zip(file_columns, df.columns, strict=True) if r not in taken}
    guesses = {}
    for column in missing:
        close = difflib.get_close_matches(_key(column), list(keys), n=1, cutoff=0.6)
        if close and keys[close[0]] not in guesses:
            guesses[keys[close[0]]] = column
    if guesses:
        which = " and ".join(f"'{source}'" for source in guesses)
        fix = f"did you mean {which}? Map {'them' if len(guesses) > 1 else 'it'} with data.columns: {guesses}"
    else:
        fix = f"add data.columns: {{'<your column>': '{missing[0]}'}} to your params file"
    _fail(ctx.file, label, problem, None, "", fix)


# ---------------------------------------------------------------------------------------------------------
# Numbers
# ---------------------------------------------------------------------------------------------------------

_DOT_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+")
_COMMA_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?|[+-]?,\d+")
_DIGIT_GROUP_SPACE = re.compile(r"(?<=\d)[ \u00a0\u202f'](?=\d{3}(?:\D|$))")


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | np.number) and not isinstance(value, bool | np.bool_)


def _strip_currency(text: pd.Series, column: str, ctx: _Context) -> pd.Series:
    signs = sorted({ch for value in text.dropna().unique() for ch in str(value) if ch in _CURRENCY_SIGNS})
    if len(signs) > 1:
        has = text[text.str.contains(f"[{re.escape(''.join(signs))}]", regex=True).fillna(False)]
        _fail(ctx.file, column, f"values in more than one currency ({' and '.join(signs)})", len(has),
              _examples(has), "convert every amount to one currency and remove the signs")
    if not signs:
        return text
    sign = signs[0]
    with_sign = text[text.str.contains(sign, regex=False).fillna(False)]
    ctx.notes.append(f"{column}: removed the currency sign '{sign}' from {_plural(len(with_sign), 'value')} (e.g. "
                     f"{_examples(with_sign.head(1))}); amounts are taken to be in {_CURRENCY_CODES[sign]}, so "
                     f"data.currency should say {_CURRENCY_CODES[sign]}.")
    return text.str.replace(sign, "", regex=False).str.strip()


def _numbers_from_text(text: pd.Series, column: str, ctx: _Context) -> pd.Series:
    """Read numbers written with a decimal comma, thousands separators or a currency sign."""
    plain = pd.to_numeric(text, errors="coerce")
    if not (plain.isna() & text.notna()).any():
        return plain.astype(float)
    cleaned = _strip_currency(text, column, ctx)
    cleaned = cleaned.str.replace(_DIGIT_GROUP_SPACE, "", regex=True)
    dot_ok = cleaned.str.fullmatch(_DOT_NUMBER).fillna(True)
    comma_ok = cleaned.str.fullmatch(_COMMA_NUMBER).fillna(True)
    if dot_ok.all() and comma_ok.all():
        decimal_comma = ctx.separator == ";"
    elif dot_ok.all() or comma_ok.all():
        decimal_comma = bool(comma_ok.all())
    else:
        fails = ~comma_ok if (~comma_ok).sum() < (~dot_ok).sum() else ~dot_ok
        _fail(ctx.file, column, "values that are not numbers", int(fails.sum()), _examples(text[fails]),
              "use digits, e.g. 2.55 or 2,55 (one decimal mark per column; thousands separators and one currency "
              "sign are understood, words are not)")
    if decimal_comma:
        parsed = pd.to_numeric(cleaned.str.replace(".", "", regex=False).str.replace(",", ".", regex=False))
        changed = text[cleaned.str.contains(",", regex=False).fillna(False)]
        if len(changed):
            sep = " in a ';'-separated file" if ctx.separator == ";" else ""
            ctx.notes.append(f"{column} uses a decimal comma{sep} (e.g. {_examples(changed.head(1))} read as "
                             f"{parsed[changed.index[0]]:g}).")
    else:
        parsed = pd.to_numeric(cleaned.str.replace(",", "", regex=False))
        changed = text[cleaned.str.contains(",", regex=False).fillna(False)]
        if len(changed):
            ctx.notes.append(f"{column} has thousands separators (e.g. {_examples(changed.head(1))} read as "
                             f"{parsed[changed.index[0]]:g}).")
    return parsed.astype(float)


def _parse_number(values: pd.Series, column: str, ctx: _Context) -> pd.Series:
    """Numbers of a column; missing values stay NaN (the caller decides whether that is an error)."""
    if pd.api.types.is_bool_dtype(values):
        _fail(ctx.file, column, "holds true/false values, not numbers", len(values), _examples(values.head(1)),
              "map the right column with data.columns")
    if pd.api.types.is_numeric_dtype(values):
        return values.astype(float)
    result = pd.Series(np.nan, index=values.index, dtype=float)
    numeric = np.zeros(len(values), dtype=bool)
    if values.dtype == object:
        numeric = values.map(_is_number).to_numpy(dtype=bool)
        result[numeric] = values[numeric].astype(float).to_numpy()
    text = values[~numeric].astype("string").str.strip()
    text = text.mask(text == "")
    if text.notna().any():
        result[~numeric] = _numbers_from_text(text, column, ctx).to_numpy()
    return result


# ---------------------------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------------------------

_OFFSET = re.compile(r"^(?P<base>.*\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(?P<tz>Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)$",
                     re.IGNORECASE)
_HAS_OFFSET = r"\d:\d\d(?::\d\d(?:\.\d+)?)?\s*(?:Z|UTC|GMT|[+-]\d\d(?::?\d\d)?)$"
_TIME = r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*([AaPp][Mm])?)?"
# d/m/y or m/d/y (groups: first, separator, second, year, hour, minute, second, am/pm)
_DMY = r"^(\d{1,2})([/.\-])(\d{1,2})[/.\-](\d{4}|\d{2})" + _TIME + r"$"
# y/m/d with slashes or dots (ISO with dashes is read by pandas)
_YMD = r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})" + _TIME + r"$"
_NUMBER_TEXT = re.compile(r"[+-]?\d+(?:\.\d+)?")


def _out_of_range(parsed: pd.Series) -> np.ndarray:
    """Dates nanosecond timestamps cannot hold (before 1677-09-22 or after 2262-04-11)."""
    low, high = pd.Timestamp.min.ceil("D"), pd.Timestamp.max.floor("D")
    return (parsed.notna() & ((parsed < low) | (parsed > high))).to_numpy()


def _as_naive(parsed: pd.Series) -> pd.Series:
    """Wall-clock datetimes in ns; dates out of the ns range become NaT (reported as not parsing)."""
    if isinstance(parsed.dtype, pd.DatetimeTZDtype):
        parsed = parsed.dt.tz_localize(None)
    if pd.api.types.is_datetime64_any_dtype(parsed):
        parsed = parsed.mask(_out_of_range(parsed))
    return parsed.astype("datetime64[ns]")


def _to_datetime(values: pd.Series, **kwargs) -> pd.Series:
    """pd.to_datetime with coercion that never raises (mixed offsets or odd values give NaT)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return _as_naive(pd.to_datetime(values, errors="coerce", **kwargs))
        except (ValueError, TypeError, OverflowError):
            return pd.Series([_one_datetime(v, **kwargs) for v in values], index=values.index,
                             dtype="datetime64[ns]")


def _one_datetime(value: object, **kwargs) -> pd.Timestamp:
    try:
        stamp = pd.to_datetime(value, errors="coerce", **kwargs)
    except (ValueError, TypeError, OverflowError):
        return pd.NaT
    stamp = stamp.tz_localize(None) if getattr(stamp, "tzinfo", None) is not None else stamp
    return pd.NaT if pd.isna(stamp) or not pd.Timestamp.min < stamp < pd.Timestamp.max else stamp


def _order_score(parsed: pd.Series) -> float:
    """Share of consecutive dated lines that do not go back in time."""
    valid = parsed.dropna()
    if len(valid) < 2:
        return 1.0
    return float((valid.diff().dropna() >= pd.Timedelta(0)).mean())


def _from_parts(year: pd.Series, month: pd.Series, day: pd.Series, time: pd.DataFrame) -> pd.Series:
    """Datetimes from extracted text parts (NaT where they make no date, e.g. month 13)."""
    year = pd.to_numeric(year).astype(float)
    year = year.where(year >= 100, year + np.where(year < 69, 2000, 1900))  # two-digit years as strptime's %y
    hour = pd.to_numeric(time.iloc[:, 0]).fillna(0).astype(float)
    pm = time.iloc[:, 3].str.lower().eq("pm").fillna(False).astype(bool).to_numpy()
    am_pm = time.iloc[:, 3].notna().to_numpy()
    hour = hour.where(~am_pm, hour % 12 + np.where(pm, 12, 0))
    parts = pd.DataFrame({"year": year, "month": pd.to_numeric(month).astype(float),
                          "day": pd.to_numeric(day).astype(float), "hour": hour,
                          "minute": pd.to_numeric(time.iloc[:, 1]).fillna(0).astype(float),
                          "second": pd.to_numeric(time.iloc[:, 2]).fillna(0).astype(float)})
    bad = (parts["hour"] > 23) | (parts["minute"] > 59) | (parts["second"] > 59)
    parsed = _to_datetime(parts)
    return parsed.mask(bad.to_numpy())


def _dates_in_order(values: pd.Series, sequence: pd.Series, ctx: _Context) -> pd.Series:
    """Parse d/m/y or m/d/y text (``values`` unique), deciding the order as documented in the module."""
    parts = values.str.extract(_DMY)
    rows = parts[0].notna().to_numpy()
    if not rows.any():
        return pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    parts = parts[rows]
    first, second = pd.to_numeric(parts[0]), pd.to_numeric(parts[2])
    day_first = values[rows][((first > 12) & (second <= 12)).to_numpy()]
    month_first = values[rows][((second > 12) & (first <= 12)).to_numpy()]
    if len(day_first) and len(month_first):
        _both_orders(day_first, month_first, sequence, ctx)
    parse = {"dmy": lambda: _from_parts(parts[3], parts[2], parts[0], parts.iloc[:, 4:]),
             "mdy": lambda: _from_parts(parts[3], parts[0], parts[2], parts.iloc[:, 4:])}
    if len(day_first):
        order, why = "dmy", f"some first numbers are above 12, e.g. {day_first.iloc[0]!r}"
    elif len(month_first):
        order, why = "mdy", f"some second numbers are above 12, e.g. {month_first.iloc[0]!r}"
    else:
        candidates = {name: make() for name, make in parse.items()}
        order, why = _guess_order(values[rows], candidates, sequence, parts[1].mode().iloc[0])
    name = "day/month/year" if order == "dmy" else "month/day/year (US style)"
    ctx.notes.append(f"InvoiceDate is read as {name}: {why}.")
    result = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    result[rows] = parse[order]().to_numpy()
    return result


def _both_orders(day_first: pd.Series, month_first: pd.Series, sequence: pd.Series, ctx: _Context) -> None:
    in_day, in_month = sequence.isin(set(day_first)), sequence.isin(set(month_first))
    shown = pd.concat([sequence[in_day].head(1), sequence[in_month].head(1)])
    n_day, n_month = int(in_day.sum()), int(in_month.sum())
    _fail(ctx.file, "InvoiceDate", f"dates written day first ({_rows(n_day)} with a first number above 12) and "
          f"month first ({_rows(n_month)} with a second number above 12)", n_day + n_month, _examples(shown),
          "write every date as YYYY-MM-DD HH:MM (ISO 8601)")


def _guess_order(values: pd.Series, both: dict[str, pd.Series], sequence: pd.Series, sep: str) -> tuple[str, str]:
    """No day above 12: prefer the order that keeps the file's lines in date order; tie: month first."""
    scores = {o: _order_score(sequence.map(dict(zip(values, p, strict=True)))) for o, p in both.items()}
    if scores["dmy"] != scores["mdy"]:
        order = max(scores, key=scores.get)
        why = "no number is above 12, and the lines are in date order when read this way"
    else:
        order = "dmy" if sep == "." else "mdy"
        why = ("no number is above 12 and either order fits, so "
               + ("day first was assumed (dates with dots are day first by convention)" if sep == "."
                  else "month first was assumed (as in the UCI exports)"))
    return order, why + "; if that is wrong, write the dates as YYYY-MM-DD"


def _without_offsets(text: pd.Series, ctx: _Context) -> pd.Series:
    """Drop UTC offsets (``+01:00``, ``Z``) and keep the local wall-clock time (noted)."""
    has = text.str.contains(_HAS_OFFSET, case=False, regex=True).fillna(False).to_numpy()
    if not has.any():
        return text
    shifted = text[has]
    ctx.notes.append(f"InvoiceDate carries a time zone on {_plural(len(shifted), 'line')} (e.g. "
                     f"{_examples(shifted.head(1))}); the offset was dropped and the local wall-clock time "
                     f"kept, so each purchase keeps the day and hour of the shop's clock.")
    local = text.copy()
    local[has] = [_OFFSET.sub(r"\g<base>", v) for v in shifted]
    return local


def _dates_from_text(text: pd.Series, ctx: _Context) -> pd.Series:
    """Datetimes of non-empty date strings (NaT where a value does not parse)."""
    local = _without_offsets(text, ctx)
    unique = pd.Series(local.unique(), dtype="string")
    parsed = pd.Series(pd.NaT, index=unique.index, dtype="datetime64[ns]")
    iso = unique.str.match(r"^\d{4}-").fillna(False).to_numpy()
    if iso.any():
        parsed[iso] = _to_datetime(unique[iso], format="ISO8601").to_numpy()
    ymd = unique.str.extract(_YMD)
    slashed = (parsed.isna() & ymd[0].notna()).to_numpy()
    if slashed.any():
        parsed[slashed] = _from_parts(ymd[0][slashed], ymd[1][slashed], ymd[2][slashed],
                                      ymd.iloc[:, 3:][slashed]).to_numpy()
    todo = parsed.isna().to_numpy()
    if todo.any():
        parsed[todo] = _dates_in_order(unique[todo], local, ctx).to_numpy()
    todo = (parsed.isna() & unique.str.contains(r"\d{4}", regex=True).fillna(False)).to_numpy()
    if todo.any():  # month names and other spellings with a four-digit year: "1 Dec 2010 08:26"
        parsed[todo] = _to_datetime(unique[todo], format="mixed").to_numpy()
    return local.map(dict(zip(unique, parsed, strict=True))).astype("datetime64[ns]")


def _dates_from_numbers(numbers: pd.Series, original: pd.Series, ctx: _Context) -> pd.Series:
    """YYYYMMDD, Excel serial days or Unix seconds, when every value fits the same reading."""
    low, high = numbers.min(), numbers.max()
    if (numbers % 1 == 0).all() and low >= 19000101 and high <= 21001231:
        parsed = _to_datetime(numbers.astype(np.int64).astype(str), format="%Y%m%d")
        if parsed.notna().all():
            ctx.notes.append(f"InvoiceDate holds numbers written as YYYYMMDD (e.g. {_examples(original.head(1))}).")
            return parsed
    if low >= 20_000 and high <= 80_000:
        parsed = pd.to_datetime(numbers, unit="D", origin="1899-12-30").dt.round("s").astype("datetime64[ns]")
        ctx.notes.append(f"InvoiceDate holds Excel serial day numbers (e.g. {_examples(original.head(1))} is "
                         f"{parsed.iloc[0]:%Y-%m-%d %H:%M}); converted to dates. Format the column as a date in "
                         f"Excel to avoid this.")
        return parsed
    if low >= 9e8 and high <= 4.2e9:
        parsed = pd.to_datetime(numbers, unit="s").dt.round("s").astype("datetime64[ns]")
        ctx.notes.append(f"InvoiceDate holds Unix timestamps in seconds (e.g. {_examples(original.head(1))}); "
                         f"read as UTC.")
        return parsed
    _fail(ctx.file, "InvoiceDate", "numbers that are not dates", len(numbers), _examples(original),
          "write dates as YYYY-MM-DD HH:MM (ISO 8601); numbers are read only as YYYYMMDD, Excel serial days or "
          "Unix seconds")
    raise AssertionError("unreachable")


def _kind(value: object) -> str:
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return "missing"
    if isinstance(value, dt.date | np.datetime64):
        return "datetime"
    if _is_number(value):
        return "number"
    return "text"


def _date_kinds(values: pd.Series) -> tuple[np.ndarray, pd.Series | None]:
    """Per value: 'missing', 'datetime', 'number' or 'text'; plus the stripped text (None if no text)."""
    if pd.api.types.is_numeric_dtype(values):
        return np.where(values.isna(), "missing", "number").astype(object), None
    kinds = values.map(_kind).to_numpy(dtype=object) if values.dtype == object else np.full(len(values), "text",
                                                                                          dtype=object)
    if not (kinds == "text").any():
        return kinds, None
    text = values.astype("string").str.strip()
    kinds[(kinds == "text") & text.fillna("").eq("").to_numpy()] = "missing"
    kinds[(kinds == "text") & text.str.fullmatch(_NUMBER_TEXT.pattern).fillna(False).to_numpy()] = "number"
    return kinds, text


def _parse_dates(values: pd.Series, ctx: _Context) -> pd.Series:
    """Datetimes (ns, no time zone); NaT for missing dates; stop on values that are not dates."""
    if pd.api.types.is_datetime64_any_dtype(values):
        if isinstance(values.dtype, pd.DatetimeTZDtype):
            ctx.notes.append(f"InvoiceDate has the time zone {values.dt.tz}; the local wall-clock time was kept.")
            values = values.dt.tz_localize(None)
        far = _out_of_range(values)
        if far.any():
            _fail(ctx.file, "InvoiceDate", "dates outside the years 1678 to 2261", int(far.sum()),
                  _examples(values[far]), "correct the listed dates")
        return _as_naive(values)
    kinds, text = _date_kinds(values)
    result = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    stamps = kinds == "datetime"
    if stamps.any():
        result[stamps] = [_one_datetime(v) for v in values[stamps]]
    numbers = kinds == "number"
    if numbers.any():
        as_float = pd.to_numeric(values[numbers].astype("string").str.strip()).astype(float)
        result[numbers] = _dates_from_numbers(as_float, values[numbers], ctx).to_numpy()
    words = kinds == "text"
    if words.any():
        result[words] = _dates_from_text(text[words], ctx).to_numpy()
    bad = result.isna().to_numpy() & (kinds != "missing")
    if bad.any():
        _fail(ctx.file, "InvoiceDate", "dates that do not parse", int(bad.sum()), _examples(values[bad]),
              "write dates as YYYY-MM-DD HH:MM (ISO 8601), or fix the listed values")
    return result


# ---------------------------------------------------------------------------------------------------------
# Canonical transactions
# ---------------------------------------------------------------------------------------------------------


def _normalise_ids(values: pd.Series) -> pd.Series:
    ids = values.astype("string").str.strip()
    ids = ids.str.replace(r"\.0$", "", regex=True)  # 17850.0 from spreadsheets
    return ids.mask(ids == "")


def _text(df: pd.DataFrame, column: str) -> pd.Series | object:
    if column not in df:
        return pd.NA
    values = df[column]
    if values.dtype == object:  # Excel mixes ints and text (489434, 'C489449'); 17850.0 -> '17850'
        values = values.map(lambda v: str(int(v)) if isinstance(v, float) and v.is_integer() else v)
    text = values.astype("string").str.strip()
    return text.mask(text == "")


def _money(df: pd.DataFrame, ctx: _Context) -> tuple[pd.Series, pd.Series]:
    quantity = (_parse_number(df["Quantity"], "Quantity", ctx) if "Quantity" in df
                else pd.Series(1.0, index=df.index))
    if quantity.isna().any():
        _fail(ctx.file, "Quantity", "missing quantities", int(quantity.isna().sum()), _locations(
            quantity.index[quantity.isna()]), "fill them in (or remove the lines)")
    if "UnitPrice" in df:
        price = _parse_number(df["UnitPrice"], "UnitPrice", ctx)
        column = "UnitPrice"
    else:
        amount = _parse_number(df[AMOUNT_COLUMN], AMOUNT_COLUMN, ctx)
        price = (amount / quantity.replace(0, np.nan)).where(amount.isna() | (quantity != 0), 0.0)
        column = AMOUNT_COLUMN
        ctx.notes.append("Amount is taken as the line total: UnitPrice = Amount / Quantity.")
    if price.isna().any():
        _fail(ctx.file, column, "missing prices", int(price.isna().sum()), _locations(price.index[price.isna()]),
              "fill them in (or remove the lines)")
    return quantity, price


def _canonical(raw: pd.DataFrame, column_map: Mapping[str, str], ctx: _Context) -> pd.DataFrame:
    if raw.shape[1] == 0 or (raw.shape[0] == 0 and raw.shape[1] <= 1):
        _fail(ctx.file, None, "the file has no columns or no data", None, "", "export the transactions again")
    if not raw.index.is_unique:
        raw = raw.reset_index(drop=True)
    file_columns = [str(c).strip() for c in raw.columns]
    df = _rename(raw, column_map, ctx)
    _check_required(df, file_columns, ctx)
    if len(df) == 0:
        _fail(ctx.file, None, "the file has a header but no transaction lines", None, "",
              "export the transactions again")
    out = pd.DataFrame(index=df.index)
    for column in ("InvoiceNo", "StockCode", "Description"):
        out[column] = _text(df, column)
    out["Quantity"], out["UnitPrice"] = _money(df, ctx)
    out["InvoiceDate"] = _parse_dates(df["InvoiceDate"], ctx)
    out["CustomerID"] = _normalise_ids(_text(df, "CustomerID"))
    out["Country"] = _text(df, "Country")
    if out["CustomerID"].isna().all():
        _fail(ctx.file, "CustomerID", "no line has a customer id", len(out), _locations(out.index),
              "map the column that identifies customers with data.columns")
    if "InvoiceNo" not in df:
        # One order per customer and day when the export has no invoice numbers.
        out["InvoiceNo"] = out["CustomerID"].fillna("guest") + "-" + out["InvoiceDate"].dt.strftime("%Y%m%d")
    for col in ["InvoiceNo", "StockCode", "Description", "CustomerID", "Country"]:
        out[col] = out[col].astype("string")
    return out[CANONICAL_COLUMNS].reset_index(drop=True)


def to_canonical(raw: pd.DataFrame, file: str = "<data>", column_map: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Rename, check and type a raw table into the canonical schema (no rows are dropped here)."""
    return _canonical(raw, column_map or {}, _Context(file))


def missing_column_notes(present: Iterable[str]) -> list[str]:
    """One sentence per optional column the file lacks, saying what is skipped without it."""
    present = set(present)
    missing = [c for c in COLUMN_USES if c not in present]
    if "StockCode" in missing and "Description" in missing:  # no product information at all
        missing.remove("Description")
        return [f"The file has no {c} column: {COLUMN_USES[c]}." if c != "StockCode" else
                f"The file has no StockCode or Description column: {COLUMN_USES[c]}." for c in missing]
    return [f"The file has no {c} column: {COLUMN_USES[c]}." for c in missing]


def load(path: str | Path, column_map: Mapping[str, str] | None = None, sheet: str | int | None = None,
         name: str | None = None) -> Loaded:
    """Read, check and type ``path``; return the transactions with notes and the non-transaction lines counted.

    ``name`` is how the file is called in messages (default: the path as given).
    """
    ctx = _Context(name or str(path))
    raw = _read_checked(path, sheet, ctx)
    raw, dropped = _drop_non_data_rows(raw, ctx)
    if dropped and len(raw) == 0 and raw.shape[1] > 1:
        _fail(ctx.file, None, "the file has a header but no transaction lines", None, "",
              "export the transactions again")
    transactions = _canonical(raw, column_map or {}, ctx)
    present = set(_rename(raw.head(0), column_map or {}, _Context(ctx.file)).columns)
    if "UnitPrice" in present or AMOUNT_COLUMN in present:
        present.add("UnitPrice")
    identity = {"InvoiceNo", "StockCode"} <= present
    return Loaded(transactions=transactions, notes=ctx.notes + missing_column_notes(present), dropped=dropped,
                  line_identity=identity)


def load_transactions(path: str | Path, column_map: Mapping[str, str] | None = None,
                      sheet: str | int | None = None) -> pd.DataFrame:
    """Read ``path`` and return canonical transactions; raise :class:`DataValidationError` on bad input."""
    return load(path, column_map, sheet).transactions


def available_columns(transactions: pd.DataFrame) -> dict[str, bool]:
    """Which optional columns carry information (not entirely missing) in this data."""
    return {c: bool(transactions[c].notna().any()) for c in OPTIONAL_COLUMNS}


# ---------------------------------------------------------------------------------------------------------
# The CDNOW log (ships inside the lifetimes wheel)
# ---------------------------------------------------------------------------------------------------------


def cdnow_source() -> Path:
    """Where the installed ``lifetimes`` package keeps ``CDNOW_master.txt`` (lifetimes is not imported)."""
    try:
        spec = importlib.util.find_spec("lifetimes")
    except (ImportError, ValueError):
        spec = None
    fix = "pip install lifetimes (it is in the project's dev extras: pip install -e '.[dev]')"
    if spec is None or not spec.submodule_search_locations:
        raise DataValidationError(f"data.source is 'cdnow', but the CDNOW log ships with the 'lifetimes' package, "
                                  f"which is not installed. Fix: {fix}")
    path = Path(spec.submodule_search_locations[0]) / "datasets" / CDNOW_FILE
    if not path.exists():
        raise DataValidationError(f"{path}: the CDNOW log is missing from the installed lifetimes package. "
                                  f"Fix: reinstall it ({fix})")
    return path


def convert_cdnow(source: str | Path, target: str | Path) -> Path:
    """Write the whitespace-separated CDNOW master log as a CSV (CustomerID, InvoiceDate, Quantity, Amount)."""
    from retention.io import write_csv_atomic

    names = ["CustomerID", "InvoiceDate", "Quantity", "Amount"]
    try:
        raw = pd.read_csv(source, sep=r"\s+", header=None, names=names, dtype=str)
    except (ValueError, OSError) as exc:
        raise DataValidationError(f"{source}: the CDNOW log could not be read ({exc}). "
                                  f"Fix: reinstall lifetimes.") from None
    if len(raw) and not str(raw.iloc[0, 0]).isdigit():
        raw = raw.iloc[1:]  # the file starts with a header line: customer_id date number_of_cds dollar_value
    dates = pd.to_datetime(raw["InvoiceDate"], format="%Y%m%d", errors="coerce")
    if raw.isna().any().any() or dates.isna().any() or len(raw) == 0:
        raise DataValidationError(f"{source}: the CDNOW log is not in the expected layout (customer id, YYYYMMDD "
                                  f"date, number of CDs, dollar value). Fix: reinstall lifetimes.")
    out = raw.assign(InvoiceDate=dates.dt.strftime("%Y-%m-%d"))
    return write_csv_atomic(out.reset_index(drop=True), target)
