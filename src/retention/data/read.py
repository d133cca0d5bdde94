"""Open a transaction file of any accepted kind as a :class:`Source`: a header and chunks of raw rows.

A source can be iterated more than once (the loader reads twice: evidence first, conversion second) and
never holds the whole file: CSV text is decoded and parsed ``chunk_rows`` lines at a time, Parquet in
record batches, Excel workbooks row by row (openpyxl's read-only mode). Decisions, so the same file always
gives the same result:

* The kind of file is sniffed from its first bytes (a workbook renamed to ``.csv`` is read as a workbook).
* Text files: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252 (Latin-1); the separator is
  sniffed from the first lines (``,``, ``;``, tab, ``|``, else runs of spaces).
* Excel: every sheet is stacked when they share the same columns (empty sheets are skipped), or the one
  named by ``sheet``; leading and trailing empty rows are not lines of the log.
"""

from __future__ import annotations

import codecs
import csv
import re
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from retention.data.errors import MAX_EXAMPLES, Context, DataValidationError
from retention.data.excel import excel_source
from retention.data.source import READ_ERRORS, Source, check_header, unreadable

__all__ = ["CHUNK_ROWS", "Source", "open_source", "frame_source", "check_readable"]

CHUNK_ROWS = 200_000
_BLOCK = 1 << 20
_SEPARATOR_NAMES = {";": "semicolons (';')", "\t": "tabs", "|": "vertical bars ('|')", r"\s+": "spaces"}
_KNOWN_SUFFIXES = {".parquet": "parquet", ".xlsx": "excel", ".xlsm": "excel", ".xls": "xls", ".csv": "text",
                   ".txt": "text", ".tsv": "text"}


# ---------------------------------------------------------------------------------------------------------
# Opening
# ---------------------------------------------------------------------------------------------------------


def check_readable(path: str | Path, name: str | None = None) -> Path:
    """The path as a file that exists and can be opened; otherwise the one-line error saying why."""
    path = Path(path)
    ctx = Context(name or str(path))
    if not path.exists():
        ctx.fail(None, "the file does not exist", None, "",
                 "check data.path in your params file (paths are relative to the project root)")
    if path.is_dir():
        ctx.fail(None, "this is a folder, not a file", None, "", "point data.path at the transaction file")
    try:
        with open(path, "rb") as fh:
            fh.read(1)
    except PermissionError:
        ctx.fail(None, "the file cannot be read: permission denied", None, "",
                 "give your user read access to it (e.g. chmod a+r), or copy it to a folder you own and point "
                 "data.path there")
    except OSError as exc:
        ctx.fail(None, f"the file cannot be read ({exc.strerror or exc})", None, "",
                 "check that it is a regular file on a disk that is mounted, or copy it and point data.path there")
    if path.stat().st_size == 0:
        ctx.fail(None, "the file is empty", None, "", "export the transactions again")
    return path


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


def open_source(path: str | Path, sheet: str | int | None = None, name: str | None = None,
                chunk_rows: int = CHUNK_ROWS) -> Source:
    """Check ``path`` and open it as a :class:`Source` (notes on what was detected go to ``source.ctx``)."""
    ctx = Context(name or str(path))
    path = check_readable(path, ctx.file)
    suffix = path.suffix.lower()
    if suffix not in _KNOWN_SUFFIXES:
        ctx.fail(None, f"unsupported file type '{suffix}'", None, "", "use .csv, .parquet or .xlsx")
    kind = _kind_of_file(path)
    if kind != _KNOWN_SUFFIXES[suffix] and kind != "text":
        what = {"excel": "an Excel workbook", "parquet": "a Parquet table", "xls": "an old .xls workbook"}[kind]
        ctx.notes.append(f"The file is named '{path.name}' but holds {what}; it was read as one.")
    if kind == "xls":
        ctx.fail(None, "old-style .xls workbooks are not supported", None, "",
                 "open it in Excel or LibreOffice and save it as .xlsx or CSV")
    if kind == "text" and _KNOWN_SUFFIXES[suffix] != "text":
        ctx.notes.append(f"The file is named '{path.name}' but holds text; it was read as CSV.")
    opener = {"excel": lambda: excel_source(path, sheet, ctx, chunk_rows),
              "parquet": lambda: _parquet_source(path, ctx, chunk_rows),
              "text": lambda: _text_source(path, ctx, chunk_rows)}[kind]
    try:
        return opener()
    except DataValidationError:
        raise
    except READ_ERRORS as exc:
        unreadable(ctx, kind, exc)
    except Exception as exc:
        if type(exc).__module__.split(".")[0] not in {"openpyxl", "pyarrow", "zipfile", "xml"}:
            raise
        unreadable(ctx, kind, exc)
    raise AssertionError("unreachable")


def frame_source(frame: pd.DataFrame, file: str = "<data>") -> Source:
    """A table already in memory as a one-chunk source (rows are named ``row N``)."""
    ctx = Context(file)
    raw = frame.copy()
    raw.columns = [str(c).strip() for c in raw.columns]
    raw.index = pd.RangeIndex(len(raw))
    return Source(ctx, "table", list(raw.columns), lambda: iter([raw]))


# ---------------------------------------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------------------------------------


def _first_non_ascii_word(text: str) -> str | None:
    """The first word of ``text`` with a character outside ASCII (for the encoding note)."""
    found = re.search(r"[^\x00-\x7f]", text)
    if not found:
        return None
    stops = " \t\r\n,;|\""
    start, end = found.start(), found.end()
    while start > 0 and text[start - 1] not in stops:
        start -= 1
    while end < len(text) and text[end] not in stops:
        end += 1
    return text[start:end]


def _scan_text(path: Path, encoding: str, want_word: bool = False) -> tuple[int | None, bool, bool, str | None]:
    """Decode the file block by block: (first bad byte or None, has NUL, has non-blank text, first non-ASCII word)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    offset, has_nul, has_text, word = 0, False, False, None
    with open(path, "rb") as fh:
        while True:
            block = fh.read(_BLOCK)
            try:
                text = decoder.decode(block, final=not block)
            except UnicodeDecodeError as exc:
                return offset + exc.start, has_nul, has_text, word
            offset += len(block)
            has_nul = has_nul or "\x00" in text
            has_text = has_text or not text.isspace() and bool(text)
            if word is None and want_word:
                word = _first_non_ascii_word(text)
            if not block:
                return None, has_nul, has_text, word


def _encoding(path: Path, ctx: Context) -> str:
    """UTF-8 (BOM or not), UTF-16 with BOM, else Windows-1252 / Latin-1 (noted); NUL bytes and blank files stop."""
    with open(path, "rb") as fh:
        head = fh.read(2)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        ctx.notes.append("The file is UTF-16 text (as Excel's 'Unicode text' export writes); decoded as such.")
        encoding = "utf-16"
        scan = _scan_text(path, encoding)
    else:
        encoding = "utf-8-sig"
        scan = _scan_text(path, encoding)
        if scan[0] is not None:
            position = scan[0]
            encoding, label = "cp1252", "Windows-1252 (cp1252)"
            scan = _scan_text(path, encoding, want_word=True)
            if scan[0] is not None:
                encoding, label = "latin-1", "Latin-1 (ISO 8859-1)"
                scan = _scan_text(path, encoding, want_word=True)
            example = f", e.g. {scan[3][:40]!r}" if scan[3] else ""
            ctx.notes.append(f"The file is not UTF-8 (byte {position:,} is not valid UTF-8), so it was decoded as "
                             f"{label}{example}. Save it as UTF-8 if accented characters look wrong.")
    if scan[1]:
        ctx.fail(None, "the file is not text (it contains NUL bytes)", None, "",
                 "export the transactions as CSV, .xlsx or Parquet")
    if not scan[2]:
        ctx.fail(None, "the file is empty (only blank lines)", None, "", "export the transactions again")
    return encoding


def _sniff_separator(lines: list[str]) -> str:
    """The separator that splits the first lines into the most, equally long, fields."""
    lines = [line for line in lines if line.strip()]
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


def _first_lines(path: Path, encoding: str, n: int = 50) -> list[str]:
    lines = []
    with open(path, encoding=encoding, newline=None) as fh:
        for line in fh:
            lines.append(line.rstrip("\n"))
            if len(lines) >= n:
                break
    return lines


def _header_names(first: str, sep: str) -> list[str]:
    cells = first.split() if sep == r"\s+" else next(csv.reader([first], delimiter=sep), [])
    return [c.strip() for c in cells]


def _text_source(path: Path, ctx: Context, chunk_rows: int) -> Source:
    encoding = _encoding(path, ctx)
    lines = _first_lines(path, encoding)
    sep = _sniff_separator(lines)
    ctx.separator = sep
    if sep in _SEPARATOR_NAMES:
        ctx.notes.append(f"Columns are separated by {_SEPARATOR_NAMES[sep]} (detected from the first lines).")
    ctx.where = lambda position: f"line {position + 2}"
    options = {"sep": sep, "encoding": encoding, "dtype": str, "keep_default_na": False, "na_values": [""],
               "skip_blank_lines": False, "index_col": False, "engine": "c"}
    try:
        columns = [str(c).strip() for c in pd.read_csv(path, nrows=0, **options).columns]
    except pd.errors.EmptyDataError:
        ctx.fail(None, "the file has no header line", None, "", "export the transactions again")
    check_header(ctx, _header_names(lines[0], sep) if lines else [])

    def chunks() -> Iterator[pd.DataFrame]:
        offset = 0
        # index_col=False: extra fields on a line must not silently become an index; pandas warns about them
        # instead, and the warning is turned into the explanation below.
        with pd.read_csv(path, chunksize=chunk_rows, **options) as reader:
            iterator = iter(reader)
            while True:
                with warnings.catch_warnings():
                    warnings.simplefilter("error", pd.errors.ParserWarning)
                    try:
                        chunk = next(iterator)
                    except StopIteration:
                        return
                    except (pd.errors.ParserError, pd.errors.ParserWarning) as exc:
                        _too_many_fields(path, encoding, sep, ctx, exc)
                chunk.columns = columns
                chunk.index = pd.RangeIndex(offset, offset + len(chunk))
                offset += len(chunk)
                yield chunk

    return Source(ctx, "text", columns, chunks)


def _too_many_fields(path: Path, encoding: str, sep: str, ctx: Context, exc: Exception) -> None:
    """Explain a CSV whose lines have more fields than its header (the C parser stops at the first)."""
    if sep == r"\s+":
        ctx.fail(None, f"the file could not be read as space-separated text ({exc})", None, "",
                 "use a comma- or semicolon-separated CSV")
    count, shown, width = 0, [], 0
    with open(path, encoding=encoding, newline="") as fh:
        reader = csv.reader(fh, delimiter=sep)
        width = len(next(reader, []))
        for row in reader:
            if len(row) > width:
                count += 1
                if len(shown) < MAX_EXAMPLES:
                    shown.append(f"line {reader.line_num}: {sep.join(row)[:60]!r}")
    if not count:
        ctx.fail(None, f"the file could not be read as CSV ({exc})", None, "",
                 "check the quoting around the line named above (an opening \" without a closing one)")
    ctx.fail(None, f"lines with more fields than the header's {width}", count, ", ".join(shown),
             f"quote text fields that contain the separator {sep!r}, or remove the extra separators")


# ---------------------------------------------------------------------------------------------------------
# Parquet
# ---------------------------------------------------------------------------------------------------------


def _plain_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Categorical (dictionary-encoded) columns as their plain values."""
    for column in frame.columns:
        if isinstance(frame[column].dtype, pd.CategoricalDtype):
            frame[column] = np.asarray(frame[column], dtype=object)
    return frame


def _parquet_source(path: Path, ctx: Context, chunk_rows: int) -> Source:
    import pyarrow as pa
    import pyarrow.parquet as pq

    names = [str(n).strip() for n in pq.ParquetFile(path).schema_arrow.names]
    check_header(ctx, names)
    ctx.where = lambda position: f"row {position + 1}"

    def chunks() -> Iterator[pd.DataFrame]:
        offset = 0
        parquet = pq.ParquetFile(path)
        for batch in parquet.iter_batches(batch_size=chunk_rows):
            frame = _plain_columns(pa.Table.from_batches([batch]).to_pandas())
            frame.columns = names
            frame.index = pd.RangeIndex(offset, offset + len(frame))
            offset += len(frame)
            yield frame
        if offset == 0:
            yield pd.DataFrame(columns=names)

    return Source(ctx, "parquet", names, chunks)
