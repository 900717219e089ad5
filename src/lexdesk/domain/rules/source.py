"""YAML with line numbers. Pack and vector files are parsed here into plain data plus a map
from each key path to its line, and read through :class:`Node`, whose every accessor fails
with ``file:line: path: what is wrong`` (OpenFisca's silently ignored keys are the lesson)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import NoReturn

import yaml

from lexdesk.domain.rules.errors import PackError

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Document:
    filename: str
    data: object
    lines: dict[Path, int]


def load_document(text: str, filename: str) -> Document:
    """Parse one YAML document, rejecting duplicate keys, which YAML would silently merge."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc)
        raise PackError(f"{filename}:{line}: not valid YAML: {problem}") from None
    except RecursionError:
        raise PackError(f"{filename}:1: not valid YAML: nested too deeply") from None
    if root is None:
        raise PackError(f"{filename}:1: the file is empty")
    lines: dict[Path, int] = {(): root.start_mark.line + 1}
    constructor = yaml.SafeLoader("")
    try:
        data = _convert(root, (), lines, constructor, filename)
    except RecursionError:
        raise PackError(f"{filename}:1: nested too deeply, or an alias refers to itself") from None
    return Document(filename, data, lines)


def _convert(
    node: yaml.Node, path: Path, lines: dict[Path, int], ctor: yaml.SafeLoader, filename: str
) -> object:
    if isinstance(node, yaml.MappingNode):
        mapping: dict[object, object] = {}
        for key_node, value_node in node.value:
            key = _construct(key_node, path, ctor, filename)
            if not isinstance(key, str):
                line = key_node.start_mark.line + 1
                raise PackError(f"{filename}:{line}: {render_path(path)}: keys must be text")
            if key in mapping:
                line = key_node.start_mark.line + 1
                raise PackError(f"{filename}:{line}: {render_path((*path, key))}: duplicate key")
            lines[(*path, key)] = key_node.start_mark.line + 1
            mapping[key] = _convert(value_node, (*path, key), lines, ctor, filename)
        return mapping
    if isinstance(node, yaml.SequenceNode):
        items: list[object] = []
        for index, item in enumerate(node.value):
            lines[(*path, index)] = item.start_mark.line + 1
            items.append(_convert(item, (*path, index), lines, ctor, filename))
        return items
    return _construct(node, path, ctor, filename)


def _construct(node: yaml.Node, path: Path, ctor: yaml.SafeLoader, filename: str) -> object:
    """A scalar's value; a malformed one (``2020-13-01`` looks like a date) is a PackError."""
    try:
        return ctor.construct_object(node)
    except (yaml.YAMLError, ValueError) as exc:
        line = node.start_mark.line + 1
        raise PackError(
            f"{filename}:{line}: {render_path(path)}: not a valid value: {exc}"
        ) from None


def render_path(path: Path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or "(top)"


@dataclass(frozen=True)
class Node:
    """A value in a document, with the path that leads to it."""

    doc: Document
    path: Path
    value: object

    @staticmethod
    def root(doc: Document) -> Node:
        return Node(doc, (), doc.data)

    @property
    def line(self) -> int:
        path = self.path
        while path not in self.doc.lines:
            path = path[:-1]
        return self.doc.lines[path]

    @property
    def where(self) -> str:
        return f"{self.doc.filename}:{self.line}: {render_path(self.path)}"

    def fail(self, message: str) -> NoReturn:
        raise PackError(f"{self.where}: {message}")

    def mapping(self, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> None:
        """Check that this is a mapping with every required key and no unknown one."""
        if not isinstance(self.value, dict):
            self.fail(f"expected a mapping, got {_kind(self.value)}")
        for key in self.value:
            if key not in required and key not in optional:
                allowed = ", ".join((*required, *optional))
                self.child(key).fail(f"unknown key (allowed: {allowed})")
        for key in required:
            if key not in self.value:
                self.fail(f"missing required key '{key}'")

    def child(self, key: str | int) -> Node:
        value = self.value.get(key) if isinstance(self.value, dict) else None
        return Node(self.doc, (*self.path, key), value)

    def has(self, key: str) -> bool:
        return isinstance(self.value, dict) and self.value.get(key) is not None

    def items(self) -> list[tuple[str, Node]]:
        if not isinstance(self.value, dict):
            self.fail(f"expected a mapping, got {_kind(self.value)}")
        return [(str(key), self.child(str(key))) for key in self.value]

    def entries(self) -> list[Node]:
        if not isinstance(self.value, list):
            self.fail(f"expected a list, got {_kind(self.value)}")
        return [Node(self.doc, (*self.path, i), v) for i, v in enumerate(self.value)]

    def text(self) -> str:
        if not isinstance(self.value, str) or not self.value.strip():
            self.fail(f"expected non-empty text, got {_kind(self.value)}")
        return self.value.strip()

    def text_or(self, default: str) -> str:
        return default if self.value is None else self.text()

    def text_list(self) -> tuple[str, ...]:
        return tuple(item.text() for item in self.entries())

    def day(self) -> date:
        if not isinstance(self.value, date):
            self.fail(f"expected a date (YYYY-MM-DD), got {_kind(self.value)}")
        return self.value

    def day_or_none(self) -> date | None:
        return None if self.value is None else self.day()

    def integer(self) -> int:
        if isinstance(self.value, bool) or not isinstance(self.value, int):
            self.fail(f"expected a whole number, got {_kind(self.value)}")
        return self.value


def _kind(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, date):
        return f"a date ({value.isoformat()})"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int | float):
        return f"a number ({value})"
    return f"{value!r}"
