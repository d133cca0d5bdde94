"""Turn pydantic's validation errors into our one-line message: ``<file>[, line N]: <section.key> = <value> <what
is wrong> (<what the key means>). Fix: <what to do>``."""

from __future__ import annotations

import datetime as dt
import types
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Union, get_args, get_origin

from annotated_types import Ge, Gt, Le, Lt
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from retention.config.errors import RuleError, ValueProblem, did_you_mean, suggest
from retention.config.root import Params
from retention.config.yaml_io import Loc

__all__ = ["describe"]

_KINDS = {
    "int_type": "a whole number", "int_parsing": "a whole number", "int_from_float": "a whole number",
    "float_type": "a number", "float_parsing": "a number", "bool_type": "true or false",
    "bool_parsing": "true or false", "string_type": "text", "date_type": "a date (YYYY-MM-DD)",
    "date_parsing": "a date (YYYY-MM-DD)", "tuple_type": "a list", "list_type": "a list",
    "dict_type": "a mapping of key: value pairs", "model_type": "a mapping of key: value pairs",
    "model_attributes_type": "a mapping of key: value pairs",
}
_RANGES = {"greater_than_equal": ("ge", "is below the minimum"), "greater_than": ("gt", "must be above"),
           "less_than_equal": ("le", "is above the maximum"), "less_than": ("lt", "must be below")}


@dataclass(frozen=True)
class _Target:
    """What an error location points at: the resolvable path, its type, and the named field it belongs to."""

    path: Loc
    annotation: Any
    field: FieldInfo | None
    model: type[BaseModel] | None
    at_field: bool


def _unwrap(annotation: Any) -> Any:
    """Strip ``Annotated`` and ``| None`` (a union of several types is kept)."""
    while True:
        if get_origin(annotation) is Annotated:
            annotation = get_args(annotation)[0]
        elif get_origin(annotation) in (Union, types.UnionType):
            members = [a for a in get_args(annotation) if a is not type(None)]
            if len(members) > 1:
                return annotation
            annotation = members[0]
        else:
            return annotation


def _model(annotation: Any) -> type[BaseModel] | None:
    inner = _unwrap(annotation)
    return inner if isinstance(inner, type) and issubclass(inner, BaseModel) else None


def _step(annotation: Any, part: str | int) -> Any:
    """The type one step further, or None when ``part`` leads nowhere known."""
    inner, model = _unwrap(annotation), _model(annotation)
    if model is not None:
        return model.model_fields.get(part) if isinstance(part, str) else None
    args = get_args(inner)
    if get_origin(inner) is tuple and isinstance(part, int):
        return args[0] if len(args) == 2 and args[1] is Ellipsis else (args[part] if part < len(args) else None)
    if get_origin(inner) is dict and part != "[key]":
        return args[1]
    return None


def _resolve(loc: Loc) -> _Target:
    path: list[str | int] = []
    annotation: Any = Params
    field: FieldInfo | None = None
    at_field = False
    for part in loc:
        nxt = _step(annotation, part)
        if nxt is None:
            break
        path.append(part)
        at_field = isinstance(nxt, FieldInfo)
        if isinstance(nxt, FieldInfo):
            field, annotation = nxt, Annotated[(nxt.annotation, *nxt.metadata)] if nxt.metadata else nxt.annotation
        else:
            annotation = nxt
    return _Target(tuple(path), annotation, field, _model(annotation), at_field)


def _bounds(annotation: Any) -> dict[str, float]:
    """``ge``/``gt``/``le``/``lt`` declared on a type (through ``Annotated`` and ``| None``)."""
    found: dict[str, float] = {}
    if get_origin(annotation) is Annotated:
        base, *metadata = get_args(annotation)
        found |= _bounds(base)
        for meta in metadata:
            for item in meta.metadata if isinstance(meta, FieldInfo) else [meta]:
                if isinstance(item, Ge | Gt | Le | Lt):
                    name = type(item).__name__.lower()
                    found[name] = getattr(item, name)
    elif get_origin(annotation) in (Union, types.UnionType):
        for member in get_args(annotation):
            found |= _bounds(member)
    return found


def _num(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else repr(float(value))


_BOUND_WORDS = {"ge": "of at least", "gt": "above", "le": "of at most", "lt": "below"}


def _range_fix(bounds: Mapping[str, float]) -> str:
    """E.g. "use a value from 1 to 12", "use a value above 0 and below 1", "use a value of at least 0"."""
    if set(bounds) == {"ge", "le"}:
        return f"use a value from {_num(bounds['ge'])} to {_num(bounds['le'])}"
    words = [f"{_BOUND_WORDS[k]} {_num(bounds[k])}" for k in ("ge", "gt", "le", "lt") if k in bounds]
    return "use a value " + " and ".join(words).replace("and of at most", "and at most")


def _value(value: Any) -> str | None:
    """How a value is shown after ``key =`` (None when it is too long to help)."""
    if value is None:
        text = "null"
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, dt.date):
        text = value.isoformat()
    else:
        text = repr(value)
    return text if len(text) <= 60 else None


def _got(value: Any) -> str:
    for kind, word in ((bool, "true/false"), (int, "a whole number"), (float, "a number"), (str, "text"),
                       (dt.date, "a date"), (list, "a list"), (dict, "a mapping")):
        if isinstance(value, kind):
            return word
    return "empty" if value is None else type(value).__name__


def _dotted(path: Loc) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f"[{part!r}]" if " " in str(part) else f".{part}")
    return text.lstrip(".")


def _line(loc: Loc, lines: Mapping[Loc, int]) -> int | None:
    for end in range(len(loc), 0, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None


def _pick(errors: list[dict[str, Any]]) -> tuple[dict[str, Any], list[str]]:
    """The error to report, and the kinds a union accepts when every member refused the value's type."""
    first = errors[0]
    if first["type"] == "missing":  # a misspelt key is also a missing one: name the misspelling
        misspelt = [e for e in errors if e["type"] == "extra_forbidden" and e["loc"][:-1] == first["loc"][:-1]]
        first = misspelt[0] if misspelt else first
    path = _resolve(first["loc"]).path
    same = [e for e in errors if _resolve(e["loc"]).path == path and len(e["loc"]) > len(path)]
    if len(same) < 2:
        return first, []
    specific = [e for e in same if e["type"] not in _KINDS]
    if specific:
        return specific[0], []
    return first, list(dict.fromkeys(_KINDS[e["type"]] for e in same))


def _unknown(error: dict[str, Any], target: _Target) -> str:
    name = error["loc"][len(target.path)] if len(error["loc"]) > len(target.path) else error["loc"][-1]
    options = list(target.model.model_fields) if target.model is not None else []
    if not target.path:
        return (f"unknown section '{name}'.{suggest(name, options, 'sections')} Fix: correct the section name, or "
                f"remove the section.")
    return (f"unknown key '{_dotted((*target.path, name))}'.{suggest(name, options)} Fix: correct the key, or "
            f"remove it.")


def _wrong_type(value: Any, target: _Target, head: str, help_: str, wanted: str) -> str:
    where = _dotted(target.path)
    if len(target.path) == 1 and "mapping" in wanted:
        return (f"section '{where}' must be a mapping of key: value pairs, not {_got(value)}. Fix: write "
                f"'{where}:' followed by indented 'key: value' lines, as in params/default.yaml.")
    default = target.field.default if target.field is not None and target.at_field else None
    simple = isinstance(default, int | float | str | dt.date) and default is not PydanticUndefined
    example = f" (default: {_value(default)})" if simple else ""
    return f"{head} has the wrong type: expected {wanted}, got {_got(value)}{help_}. Fix: write {wanted}{example}."


def _not_a_choice(value: Any, target: _Target, head: str, help_: str) -> str:
    choices = get_args(_unwrap(target.annotation))
    close = did_you_mean(value, choices) if isinstance(value, str) else None
    hint = f" Did you mean '{close}'?" if close else ""
    listed = "[" + ", ".join(str(_value(c)) for c in choices) + "]"
    return f"{head} is not one of {listed}{help_}.{hint} Fix: use one of them."


def _body(error: dict[str, Any], kinds: list[str]) -> str:
    """The message after ``<file>: `` for one pydantic error."""
    kind, ctx, value = error["type"], error.get("ctx", {}), error.get("input")
    target = _resolve(error["loc"])
    exc = ctx.get("error")
    if kind in ("extra_forbidden", "invalid_key"):
        return _unknown(error, target)
    if isinstance(exc, RuleError):
        return exc.text
    shown, about = _value(value), target.field.description if target.field is not None else None
    head = _dotted(target.path) + (f" = {shown}" if shown is not None else "")
    help_ = f" ({about})" if about else ""
    if isinstance(exc, ValueProblem):
        hint = f" Did you mean '{exc.hint}'?" if exc.hint else ""
        return f"{head} {exc.what}{help_}.{hint} Fix: {exc.fix}."
    if kinds or kind in _KINDS:
        return _wrong_type(value, target, head, help_, " or ".join(kinds or [_KINDS[kind]]))
    if kind == "literal_error":
        return _not_a_choice(value, target, head, help_)
    if kind in _RANGES:
        key, words = _RANGES[kind]
        return f"{head} {words} {_num(ctx[key])}{help_}. Fix: {_range_fix(_bounds(target.annotation))}."
    return _shape(error, target, head, help_)


def _shape(error: dict[str, Any], target: _Target, head: str, help_: str) -> str:
    """Missing keys, lists of the wrong length, empty text, and anything else pydantic reports."""
    kind, ctx = error["type"], error.get("ctx", {})
    if kind == "missing" and target.path and isinstance(target.path[-1], int):
        container = target.path[:-1]
        size = len(get_args(_unwrap(_resolve(container).annotation)))
        shown = _value(error.get("input"))
        where = _dotted(container) + (f" = {shown}" if shown is not None else "")
        return f"{where} needs exactly {size} values. Fix: write [low, high]."
    if kind == "missing":
        return f"{_dotted(target.path)} is missing{help_}. Fix: add it."
    if kind == "finite_number":
        return f"{head} is not a finite number{help_}. Fix: write a number (.inf and .nan are not allowed)."
    if kind == "string_too_short":
        return f"{head} must not be empty{help_}. Fix: write some text, or remove the key to use the default."
    if kind in ("too_short", "too_long") and ctx.get("field_type") == "Tuple" and "min_length" not in ctx:
        return f"{head} needs exactly {ctx['max_length']} values{help_}. Fix: write [low, high]."
    if kind == "too_short":
        entries = "entry" if ctx["min_length"] == 1 else "entries"
        return f"{head} needs at least {ctx['min_length']} {entries}{help_}. Fix: add {entries}."
    if kind == "too_long":
        return f"{head} has more than {ctx['max_length']} entries{help_}. Fix: remove entries."
    message = str(ctx["error"]) if "error" in ctx else error["msg"]
    return f"{head}: {message.rstrip('.')}{help_}. Fix: compare with params/default.yaml."


def describe(exc: ValidationError, source: str, lines: Mapping[Loc, int]) -> str:
    """One line for the first problem of ``exc``: file, line (when known), key, value, problem and fix."""
    error, kinds = _pick(exc.errors(include_url=False))
    rule = error.get("ctx", {}).get("error")
    loc = rule.loc if isinstance(rule, RuleError) and rule.loc else tuple(error["loc"])
    line = _line(loc, lines)
    where = f"{source}, line {line}" if line is not None else source
    return f"{where}: {_body(error, kinds)}"
