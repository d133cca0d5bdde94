"""Input rows -> canonical lines: the loader's columns and types, plus the loader's non-data flags.

:func:`canonical_lines` reads the canonical dataset (values as they are, types cast once);
:func:`raw_lines` applies the loader's rules to a raw export. Both return the eight canonical columns,
``Revenue`` and the flags ``blank_line`` and ``repeated_header`` (always false for canonical input).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from retention.engine.inputs import REQUIRED
from retention.engine.sql import ibis_module, trim

if TYPE_CHECKING:  # pragma: no cover
    import ibis

__all__ = ["canonical_id", "canonical_lines", "raw_lines"]


def _check_required(schema: Any) -> None:
    missing = [c for c in REQUIRED if c not in schema]
    if missing:
        raise ValueError(
            f"the input has no column(s) {missing} (it has {list(schema)}); the DuckDB and Spark engines read "
            f"canonical column names with {list(REQUIRED)}: use engine='pandas' for other layouts."
        )


def _invoice_per_customer_day(customer: Any, when: Any) -> Any:
    """The loader's stand-in for a missing InvoiceNo: one order per customer and day."""
    return customer.fill_null("guest").concat("-", when.strftime("%Y%m%d"))


def _select(raw: ibis.Table, columns: Mapping[str, Any], blank_line: Any, repeated_header: Any) -> ibis.Table:
    lines = raw.select(**columns, blank_line=blank_line, repeated_header=repeated_header)
    return lines.mutate(Revenue=lines.Quantity * lines.UnitPrice)


def canonical_lines(raw: ibis.Table) -> ibis.Table:
    """The canonical dataset as lines: values as they are, Quantity and UnitPrice float, InvoiceDate timestamp.

    Optional columns may be absent: StockCode, Description and Country are then missing, Quantity is 1
    and InvoiceNo one order per customer and day (as the loader does).
    """
    ibis = ibis_module()
    schema = raw.schema()
    _check_required(schema)

    def column(name: str, kind: str) -> Any:
        if name not in schema:
            return ibis.literal(1.0) if name == "Quantity" else ibis.null(kind)
        return raw[name] if schema[name] == ibis.dtype(kind) else raw[name].cast(kind)

    when = column("InvoiceDate", "timestamp")
    customer = column("CustomerID", "string")
    invoice = column("InvoiceNo", "string") if "InvoiceNo" in schema else _invoice_per_customer_day(customer, when)
    columns = {"InvoiceNo": invoice, "StockCode": column("StockCode", "string"),
               "Description": column("Description", "string"), "Quantity": column("Quantity", "float64"),
               "InvoiceDate": when, "UnitPrice": column("UnitPrice", "float64"), "CustomerID": customer,
               "Country": column("Country", "string")}
    return _select(raw, columns, ibis.literal(False), ibis.literal(False))


def canonical_id(text: Any) -> Any:
    """The loader's customer id (:func:`retention.data.ids.normalise_ids`) of stripped text: ``14294.00`` is
    ``14294``, placeholders (``NULL``, ``N/A``, ``-``, ``.0``, anything without a letter or digit) are missing."""
    from retention.data.ids import PLACEHOLDERS

    ibis = ibis_module()
    decimals = text.re_search(r"^[0-9]*\.0+$").fill_null(False)
    clean = ibis.ifelse(decimals, text.substr(0, text.find(".")), text)
    placeholder = (clean.lower().isin(sorted(PLACEHOLDERS)) | ~clean.re_search("[0-9A-Za-z]") | (clean == ""))
    return ibis.ifelse(placeholder.fill_null(True), ibis.null("string"), clean)


def raw_lines(raw: ibis.Table, headers: Mapping[str, str] | None = None) -> ibis.Table:
    """The canonical columns of :func:`retention.data.load` from a raw export, with the loader's flags.

    As the loader: text is stripped and empty text is missing; CustomerID as :func:`canonical_id`;
    Quantity (1 when the file has none) and UnitPrice are float; InvoiceDate a timestamp; a file without
    InvoiceNo gets one order per customer and day. ``blank_line`` marks lines with every field blank and
    ``repeated_header`` copies of the header line (``headers`` maps each column to its name in the file).
    """
    ibis = ibis_module()
    schema = raw.schema()
    _check_required(schema)
    headers = dict(headers or {})
    stripped = {name: trim(raw[name]) for name in schema if schema[name].is_string()}
    blank = {name: (stripped[name].isnull() | (stripped[name] == "")) if name in stripped else raw[name].isnull()
             for name in schema}
    same = {name: stripped[name].lower() == str(headers.get(name, name)).strip().lower() for name in stripped}
    blank_line = ibis.and_(*blank.values())
    n_same = sum((same[name].fill_null(False).cast("int64") for name in same), ibis.literal(0))
    header = ibis.and_(*[same[name].fill_null(False) | blank[name] if name in same else blank[name]
                         for name in schema]) & (n_same >= max(2, len(schema) // 2))
    data_line = ~(blank_line | header)

    def text(name: str) -> Any:
        if name not in schema:
            return ibis.null("string")
        value = stripped[name] if name in stripped else raw[name].cast("string")
        return value.nullif("")

    def number(name: str) -> Any:
        if name not in schema:
            return ibis.literal(1.0)
        value = stripped[name] if name in stripped else raw[name]
        return ibis.ifelse(data_line, value.cast("float64"), ibis.null("float64"))

    if "InvoiceDate" in stripped:
        when = ibis.ifelse(data_line, stripped["InvoiceDate"].nullif(""), ibis.null("string")).cast("timestamp")
    else:
        when = raw["InvoiceDate"].cast("timestamp")
    customer = canonical_id(text("CustomerID"))
    invoice = text("InvoiceNo") if "InvoiceNo" in schema else _invoice_per_customer_day(customer, when)
    columns = {"InvoiceNo": invoice, "StockCode": text("StockCode"), "Description": text("Description"),
               "Quantity": number("Quantity"), "InvoiceDate": when, "UnitPrice": number("UnitPrice"),
               "CustomerID": customer, "Country": text("Country")}
    return _select(raw, columns, blank_line, header & ~blank_line)
