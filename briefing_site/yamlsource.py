"""Safe YAML that remembers where each mapping and key stands in its file."""

from __future__ import annotations

import re
from typing import Any

import yaml

from . import chars
from .errors import Diagnostic, SourceRef


class Mapping(dict):
    """A YAML mapping with the file line of itself and of each of its keys."""

    line: int | None = None
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int | None:
        return self.key_lines.get(key, self.line)


# libyaml's parser where PyYAML was built with it (several times faster on large glossaries);
# construction stays in Python either way, so lines and checks are the same.
_BASE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BASE):
    """SafeLoader that records lines, refuses duplicate keys and leaves dates as text."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> Mapping:
        mapping = Mapping()
        mapping.line = node.start_mark.line + 1
        mapping.key_lines = {}
        self.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                raise yaml.constructor.ConstructorError(
                    None, None, "a key must be plain text", key_node.start_mark)
            key = str(key)
            if key in mapping:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key {key!r} appears twice in the same mapping",
                    key_node.start_mark)
            mapping[key] = self.construct_object(value_node, deep=deep)
            mapping.key_lines[key] = key_node.start_mark.line + 1
        return mapping

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        """An integer, or NumberTooLong: Python refuses to turn more than 4,300 digits into
        a number or back into text (a bare ValueError), and hexadecimal or ``1:2:3`` forms
        can make one that large from fewer digits."""
        if sum(char.isalnum() for char in node.value) > MAX_NUMBER_DIGITS:
            raise NumberTooLong(node)
        try:
            value = super().construct_yaml_int(node)
        except ValueError:  # a lower limit set through PYTHONINTMAXSTRDIGITS
            raise NumberTooLong(node) from None
        if abs(value) >= _TOO_LARGE:
            raise NumberTooLong(node)
        return value


class NumberTooLong(yaml.constructor.ConstructorError):
    """A YAML integer too long for Python to read or write as text."""

    def __init__(self, node: yaml.ScalarNode) -> None:
        super().__init__(None, None, "a number too long to read", node.start_mark)
        self.text = node.value

    def __str__(self) -> str:
        unit = "digits" if self.text.isdigit() else "characters"
        return (f"the number {self.text[:12]}... ({len(self.text):,} {unit}) is too large to "
                f"read: a whole number may have at most {MAX_NUMBER_DIGITS:,} digits")


# Python's default limit on converting between whole numbers and text, which it enforces
# with a ValueError; no real content comes near it.
MAX_NUMBER_DIGITS = 4300
_TOO_LARGE = 10 ** MAX_NUMBER_DIGITS

_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _Loader.construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)
# Dates are read by our own code at their stated precision; YAML's timestamps would turn
# "2022-01-05" into a datetime and crash on "2022-13-45" with a bare ValueError.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


# A document may expand to at most this many values once aliases (*name) are followed: far
# beyond any real glossary, far below what a "billion laughs" document would need.
MAX_EXPANDED_NODES = 1_000_000
_LEADING_TABS = re.compile(r"^[ \t]*\t[ \t]*", re.MULTILINE)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _check_expansion(root: yaml.Node, quoted: list[yaml.ScalarNode]) -> str | None:
    """Why the document must be refused (it refers to itself, or expands too far), or None.

    Counts each node as often as aliases repeat it, without expanding anything: the count for
    a node shared by many aliases is computed once. On the way, as this visits every node
    once, puts in ``quoted`` each double-quoted value holding a character that no page or
    feed may hold: only these can, by an escape (``"\\0"``), once the text is clean.
    """
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            open_nodes.discard(key)
            sizes[key] = 1 + sum(sizes[id(c)] for c in _children(node))
            if sizes[key] > MAX_EXPANDED_NODES:
                return (f"its aliases (*name) expand to more than {MAX_EXPANDED_NODES:,} "
                        "values")
            continue
        if key in sizes:
            continue
        if isinstance(node, yaml.ScalarNode) and node.style == '"' and \
                chars.forbidden(node.value).search(node.value):
            quoted.append(node)
        open_nodes.add(key)
        stack.append((node, True))
        for child in _children(node):
            if id(child) in open_nodes:
                return "an alias (*name) refers to the value that contains it"
            if id(child) not in sizes:
                stack.append((child, False))
    return None


class YamlError(Exception):
    """A YAML document could not be read; carries the diagnostics to show (one at least)."""

    def __init__(self, *diagnostics: Diagnostic) -> None:
        super().__init__(str(diagnostics[0]))
        self.diagnostics = list(diagnostics)


def load_yaml(text: str, where: SourceRef) -> Any:
    """Parse ``text``; the first line of ``text`` is line 1 of ``where``'s file.

    Raises YamlError naming the file, line and column of the syntax problem. Tabs used for
    indentation, which YAML forbids, count as two spaces each.
    """
    refused = chars.check_text(text, where)  # characters as they stand, before YAML sees them
    if refused:
        raise YamlError(*refused)
    text = _LEADING_TABS.sub(lambda m: m.group().replace("\t", "  "), text)
    try:
        return _load(text, where)
    except yaml.reader.ReaderError as exc:  # raised by the pure-Python and the C reader alike
        line = text.count("\n", 0, exc.position) + 1
        raise YamlError(Diagnostic(
            f"the text contains the control character U+{exc.character:04X}, which YAML does "
            "not allow", where.at(line), "delete it")) from None
    except RecursionError:
        raise YamlError(Diagnostic("the YAML is nested too deeply to read", where)) from None
    except NumberTooLong as exc:
        mark = exc.problem_mark
        raise YamlError(Diagnostic(str(exc), where.at(mark.line + 1, mark.column + 1),
                                   "put it in quotes to keep it as text")) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.problem:
            problem = f"{exc.context}, {exc.problem}"
        hint = ("a value that contains ': ' must be in quotes, e.g. title: \"Crisis: A Study\""
                if "mapping values are not allowed" in problem else "")
        raise YamlError(Diagnostic(f"invalid YAML: {problem}", where.at(line, column),
                                   hint)) from None
    except yaml.YAMLError as exc:
        raise YamlError(Diagnostic(f"invalid YAML: {exc}", where)) from None


def _load(text: str, where: SourceRef) -> Any:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        quoted: list[yaml.ScalarNode] = []
        problem = _check_expansion(node, quoted)
        if problem:
            raise YamlError(Diagnostic(f"refusing this YAML: {problem}",
                                       where.at(node.start_mark.line + 1)))
        if quoted:
            raise YamlError(*sorted(
                (chars.check_value(n.value, where.at(n.start_mark.line + 1)) for n in quoted),
                key=Diagnostic.sort_key))
        return loader.construct_document(node)
    finally:
        loader.dispose()
