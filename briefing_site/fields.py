"""Reading typed fields out of a YAML mapping, reporting every problem with its line."""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Iterable
from typing import Any

from . import chars
from .dates import EXPECTED as DATE_EXPECTED
from .dates import parse_date
from .errors import Diagnostic, SourceRef
from .limits import check_markdown
from .model import PartialDate
from .yamlsource import Mapping


class Record:
    """One YAML mapping being read into a model record.

    Each accessor returns a usable value even when the field is wrong, and files a diagnostic,
    so that one pass over the content reports every mistake at once.
    """

    def __init__(
        self,
        data: Mapping,
        where: SourceRef,
        what: str,
        known: Iterable[str],
        diagnostics: list[Diagnostic],
    ) -> None:
        self.data = data
        self.where = where
        self.what = what
        self.diagnostics = diagnostics
        known = sorted(known)
        for key in data:
            if key not in known:
                close = difflib.get_close_matches(key, known, n=1, cutoff=0.75)
                hint = f"did you mean '{close[0]}'?" if close else (
                    "known fields: " + ", ".join(known))
                self.error(key, f"unknown field '{key}' in {what}", hint)

    def line(self, key: str) -> SourceRef:
        line = self.data.line_of(key) if isinstance(self.data, Mapping) else None
        return self.where.at(line)

    def error(self, key: str, message: str, hint: str = "") -> None:
        self.diagnostics.append(Diagnostic(message, self.line(key), hint))

    def _missing(self, key: str) -> None:
        self.diagnostics.append(Diagnostic(
            f"{self.what} has no '{key}'", self.where.at(getattr(self.data, "line", None)),
            f"add '{key}:'"))

    def text(self, key: str, required: bool = False) -> str:
        """A non-empty string (numbers are taken as written)."""
        value = self.data.get(key)
        if value is None or value == "":
            if required:
                self._missing(key) if value is None else self.error(key, f"'{key}' is empty")
            return ""
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.error(key, f"'{key}' must be text, not {_kind(value)}")
            return ""
        return str(value).strip()

    def markdown(self, key: str, required: bool = False) -> str:
        """A text in Markdown, within what can be converted (see ``limits``); else ""."""
        value = self.text(key, required)
        problems = check_markdown(value, self.where, what=f"'{key}'") if value else []
        for problem in problems:  # at the field's line: YAML folds the value's own lines
            self.diagnostics.append(dataclasses.replace(problem, source=self.line(key)))
        return "" if problems else value

    def texts(self, key: str) -> tuple[str, ...]:
        """A list of strings; a single string counts as a list of one."""
        value = self.data.get(key)
        if value is None:
            return ()
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return (str(value).strip(),)
        if isinstance(value, list) and all(
                isinstance(item, (str, int, float)) and not isinstance(item, bool)
                for item in value):
            return tuple(str(item).strip() for item in value)
        self.error(key, f"'{key}' must be a list of text")
        return ()

    def urls(self, key: str) -> tuple[str, ...]:
        """Web addresses that every output can hold as they are (see ``chars.url_problem``):
        only http(s), so no ``javascript:`` or ``data:`` link can get in, and nothing that
        would end the address early in a page, the feed, robots.txt or a reference file."""
        good = []
        for url in self.texts(key):
            problem = chars.url_problem(url)
            if problem is None:
                good.append(url)
            else:
                why, hint = problem
                self.error(key, f"{url!r} in '{key}' is not a web address"
                           + (f": {why}" if why else ""), hint)
        return tuple(good)

    def url(self, key: str) -> str:
        urls = self.urls(key) if self.data.get(key) not in (None, "") else ()
        if len(urls) > 1 or isinstance(self.data.get(key), list):
            self.error(key, f"'{key}' must be a single web address")
            return ""
        return urls[0] if urls else ""

    def language(self, key: str) -> str:
        """A language code (BCP 47: ``en``, ``kk``, ``en-GB``, ``zh-Hant``), as pages' ``lang``
        attributes and the reference files expect it; anything else could break out of them."""
        value = self.text(key)
        if value and not _LANGUAGE.fullmatch(value):
            self.error(key, f"'{key}' {value!r} is not a language code",
                       "a code such as en, ru, kk or en-GB")
            return ""
        return value

    def date(self, key: str, required: bool = False) -> PartialDate | None:
        value = self.data.get(key)
        if value is None or value == "":
            if required:
                self._missing(key)
            return None
        try:
            return parse_date(value)
        except ValueError as exc:
            self.error(key, f"bad '{key}': {exc}", f"expected {DATE_EXPECTED}")
            return None

    def flag(self, key: str, default: bool = False) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            self.error(key, f"'{key}' must be true or false")
            return default
        return value

    def number(self, key: str, default: int) -> int:
        value = self.data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            self.error(key, f"'{key}' must be a whole number above 0")
            return default
        return value

    def mappings(self, key: str) -> list[Mapping]:
        """A list of mappings (each keeps its own line)."""
        value = self.data.get(key)
        if value is None:
            return []
        if isinstance(value, list) and all(isinstance(item, Mapping) for item in value):
            return value
        self.error(key, f"'{key}' must be a list of entries, each with its own fields")
        return []

    def raw(self, key: str) -> Any:
        return self.data.get(key)


# The shape RFC 5646 gives every language tag: subtags of ASCII letters and digits, at most
# eight each, joined by hyphens, the first of letters only.
_LANGUAGE = re.compile(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*")


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__
