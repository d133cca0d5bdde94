"""Reading a profile: strict YAML (duplicate keys, tabs, bytes that are not UTF-8 and impossible dates are
reported in one line), and the line of every key, so messages can point at it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from retention.config.errors import ParamsError

__all__ = ["Loc", "StrictSafeLoader", "read_yaml"]

Loc = tuple[str | int, ...]
_MERGE_TAG = "tag:yaml.org,2002:merge"


class StrictSafeLoader(yaml.SafeLoader):
    """A SafeLoader that refuses a key given twice in one mapping and keeps impossible dates as text.

    PyYAML silently keeps the last of two equal keys, and raises a bare ``ValueError`` for ``2011-13-01``;
    here the first is a :class:`ParamsError` naming both lines, the second a string that validation rejects
    with the key's name.
    """

    def __init__(self, stream: str, source: str) -> None:
        super().__init__(stream)
        self.source = source
        self.lines: dict[Loc, int] = {}

    def construct_yaml_timestamp(self, node: ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)

    def read(self) -> Any:
        """The document's data; fills :attr:`lines` (key path -> 1-based line)."""
        node = self.get_single_node()
        if node is None:
            return None
        self._walk(node, (), set())
        return self.construct_document(node)

    def _walk(self, node: Node, path: Loc, seen: set[int]) -> None:
        if id(node) in seen:  # an alias of a node already checked
            return
        seen.add(id(node))
        if isinstance(node, SequenceNode):
            for i, item in enumerate(node.value):
                self.lines[(*path, i)] = item.start_mark.line + 1
                self._walk(item, (*path, i), seen)
        elif isinstance(node, MappingNode):
            first_line: dict[Any, int] = {}
            for key_node, value_node in node.value:
                if key_node.tag == _MERGE_TAG or not isinstance(key_node, ScalarNode):
                    continue
                key, line = self.construct_object(key_node), key_node.start_mark.line + 1
                if key in first_line:
                    raise ParamsError(_duplicate(self.source, path, key, first_line[key], line))
                first_line[key] = line
                self.lines[(*path, key)] = line
                self._walk(value_node, (*path, key), seen)


StrictSafeLoader.add_constructor("tag:yaml.org,2002:timestamp", StrictSafeLoader.construct_yaml_timestamp)


def _duplicate(source: str, path: Loc, key: Any, first: int, second: int) -> str:
    lines = f"on lines {first} and {second}" if first != second else f"on line {first}"
    if not path:
        return (f"{source}, line {second}: section '{key}' appears twice, {lines} (YAML would silently keep only "
                f"the second). Fix: merge the two into one '{key}:' section.")
    where = "".join(f".{p}" if isinstance(p, str) else f"[{p}]" for p in (*path, key)).lstrip(".")
    return (f"{source}, line {second}: key '{where}' is set twice, {lines} (YAML would silently keep only the "
            f"second). Fix: keep one of them.")


def _decode(raw: bytes, source: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise ParamsError(f"{source}, line {line}: byte 0x{raw[exc.start]:02x} is not UTF-8 text. Fix: save the file "
                          f"as UTF-8 (most editors offer it under 'Save as' / 'Encoding').") from None


def _tab_line(text: str, up_to: int) -> int | None:
    """The first line (1-based, at most ``up_to``) indented with a tab, if any."""
    for number, line in enumerate(text.splitlines()[:up_to], start=1):
        indent = line[:len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent and line.strip():
            return number
    return None


def _yaml_error(exc: yaml.YAMLError, text: str, source: str) -> ParamsError:
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark is not None else len(text.splitlines())
    tab = _tab_line(text, line)
    if tab is not None:
        return ParamsError(f"{source}, line {tab}: the line is indented with a tab; YAML allows only spaces. Fix: "
                           f"replace the tab by spaces (two per level, as in params/default.yaml).")
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    where = f", line {line}, column {mark.column + 1}" if mark is not None else ""
    detail = " ".join((f"{problem} ({context})" if context else problem).split())
    return ParamsError(f"{source}{where}: not valid YAML: {detail}. Fix: compare the line with params/default.yaml "
                       f"(indent with spaces, 'key: value', quote text that contains ': ' or starts with a symbol).")


def read_yaml(file: Path, source: str) -> tuple[Any, dict[Loc, int]]:
    """The data of a YAML file and the line of each key; every problem is one :class:`ParamsError`."""
    if not file.exists():
        raise ParamsError(f"Parameter file {source} does not exist. Fix: copy params/default.yaml and edit it.")
    if file.is_dir():
        raise ParamsError(f"Parameter file {source} is a folder. Fix: pass a .yaml file, e.g. params/default.yaml.")
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise ParamsError(f"Parameter file {source} cannot be read ({exc.strerror or exc}). Fix: check the file's "
                          f"permissions.") from None
    text = _decode(raw, source)
    try:
        loader = StrictSafeLoader(text, source)
        try:
            return loader.read(), loader.lines
        finally:
            loader.dispose()
    except yaml.reader.ReaderError as exc:
        line = text[:exc.position].count("\n") + 1
        raise ParamsError(f"{source}, line {line}: character U+{exc.character:04X} is not allowed in YAML. Fix: "
                          f"remove it (files saved by a text editor as UTF-8 do not contain it).") from None
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, text, source) from None
