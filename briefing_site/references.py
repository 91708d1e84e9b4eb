"""Reading the works briefings cite: BibTeX or BibLaTeX, CSL-JSON or CSL-YAML, with lines.

The shared files are ``references.bib``, ``references.json`` and ``references.yaml`` in the
content folder; a briefing may add files of its own (``bibliography:``, paths from the
content folder). Every work becomes a CSL-JSON item (``Work``), kept as JSON text with the
file and line that define it, for the messages. BibTeX is read by Pandoc (``csl``), whose
syntax errors name their line; a key defined twice, in one file or two, is an error.

A file's works depend on its bytes alone: ``memo`` keeps them by a digest of the bytes, so
that an unchanged .bib is not read by Pandoc again.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from collections.abc import MutableMapping
from dataclasses import dataclass
from pathlib import Path

from . import csl
from .errors import Diagnostic, SourceRef
from .yamlsource import Mapping, YamlError, load_yaml

SHARED = ("references.bib", "references.json", "references.yaml")
FORMATS = (".bib", ".json", ".yaml", ".yml")
_BIB_ENTRY = re.compile(r"^[ \t]*@[ \t]*(\w+)[ \t]*[{(][ \t]*([^,\s{}()]+)[ \t]*,", re.MULTILINE)
_BIB_NOT_ENTRIES = {"string", "comment", "preamble"}
_PANDOC_LINE = re.compile(r"\(line (\d+), column (\d+)\):?\s*(.*)", re.DOTALL)
_JSON_ID = re.compile(r'"id"\s*:\s*"((?:[^"\\]|\\.)*)"')


@dataclass(frozen=True)
class Work:
    """One work as the CSL processor reads it, and where it is defined."""

    key: str
    data: str  # the CSL-JSON item, as JSON text with sorted keys
    source: SourceRef

    @property
    def item(self) -> dict:
        return json.loads(self.data)


def load_file(path: Path, shown: str, memo: MutableMapping[str, object] | None = None
              ) -> tuple[tuple[Work, ...], tuple[Diagnostic, ...]]:
    """The works of one bibliography file, with its problems; ``shown`` is its path as the
    author knows it."""
    where = SourceRef(shown)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return (), (Diagnostic(f"cannot read the bibliography: {exc.strerror}", where),)
    key = "works/" + hashlib.blake2b(shown.encode() + b"\0" + data, digest_size=16).hexdigest()
    if memo is not None and key in memo:
        return memo[key]  # type: ignore[return-value]
    try:
        text = data.decode("utf-8").removeprefix("\ufeff").replace("\r\n", "\n")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        result: tuple = ((), (Diagnostic("the bibliography is not UTF-8 text", where.at(line),
                                         "save it as UTF-8"),))
    else:
        suffix = path.suffix.lower()
        reader = _bibtex if suffix == ".bib" else _json if suffix == ".json" else _yaml
        result = reader(text, where)
    if memo is not None:
        memo[key] = result
    return result


def _checked(items: list[tuple[dict, int]], where: SourceRef
             ) -> tuple[tuple[Work, ...], tuple[Diagnostic, ...]]:
    works, problems, seen = [], [], {}
    for item, line in items:
        key = item.get("id")
        if not isinstance(key, str) or not key:
            problems.append(Diagnostic("a reference has no 'id'", where.at(line),
                                       "give each reference an id, the key citations use"))
            continue
        if key in seen:
            problems.append(Diagnostic(f"the reference '{key}' is defined twice (first on "
                                       f"line {seen[key]})", where.at(line),
                                       "remove one, or give it another key"))
            continue
        seen[key] = line
        works.append(Work(key, json.dumps(item, sort_keys=True, ensure_ascii=False),
                          where.at(line)))
    return tuple(works), tuple(problems)


def _bibtex(text: str, where: SourceRef) -> tuple[tuple[Work, ...], tuple[Diagnostic, ...]]:
    keyed = [(match[2], text.count("\n", 0, match.start()) + 1)
             for match in _BIB_ENTRY.finditer(text) if match[1].lower() not in _BIB_NOT_ENTRIES]
    done = subprocess.run([csl.pandoc(), "--from", "biblatex", "--to", "csljson"],
                          input=text.encode("utf-8"), capture_output=True, check=False)
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace")
        found = _PANDOC_LINE.search(message)
        line = int(found[1]) if found else None
        why = " ".join((found[3] if found else message).split("\n")[0].split())
        return (), (Diagnostic(f"the BibTeX does not parse: {why}", where.at(line),
                               "check the braces, commas and quotes of the entry"),)
    items = json.loads(done.stdout or b"[]")
    by_key = {item.get("id"): item for item in items}
    # Pandoc keeps one entry of a key given twice: the lines tell of the other.
    return _checked([(by_key.get(key, {"id": key}), line) for key, line in keyed], where)


def _json(text: str, where: SourceRef) -> tuple[tuple[Work, ...], tuple[Diagnostic, ...]]:
    try:
        items = json.loads(text)
    except ValueError as exc:
        return (), (Diagnostic(f"the CSL-JSON does not parse: {exc.msg}",
                               where.at(getattr(exc, "lineno", None))),)
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        return (), (Diagnostic("a CSL-JSON bibliography must be a list of references",
                               where.at(1)),)
    lines = [text.count("\n", 0, m.start()) + 1 for m in _JSON_ID.finditer(text)]
    return _checked([(item, lines[n] if n < len(lines) else 1)
                     for n, item in enumerate(items)], where)


def _plain(value: object) -> object:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _yaml(text: str, where: SourceRef) -> tuple[tuple[Work, ...], tuple[Diagnostic, ...]]:
    try:
        data = load_yaml(text, where)
    except YamlError as exc:
        return (), tuple(exc.diagnostics)
    if isinstance(data, Mapping) and "references" in data:
        data = data["references"]
    if not isinstance(data, list) or not all(isinstance(item, Mapping) for item in data):
        return (), (Diagnostic("a CSL-YAML bibliography must be a list of references (or "
                               "'references:' and one)", where.at(1)),)
    return _checked([(_plain(item), item.line or 1) for item in data], where)
