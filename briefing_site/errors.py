"""Diagnostics: where a problem is, what is wrong, and what was expected.

This module imports nothing else from the package, so every stage can report
problems in the same shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class SourceRef:
    """A place in a content file: its path as the author knows it, line and column."""

    path: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        # A name with a line break or another control character is quoted, escapes and all:
        # as it stands it would forge a line of the report.
        parts = [self.path if self.path.isprintable() else repr(self.path)]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def at(self, line: int | None, column: int | None = None) -> SourceRef:
        """The same file at another line."""
        return SourceRef(self.path, line, column)


ERROR = "error"
WARNING = "warning"  # an error under --strict
NOTE = "note"  # information only, whatever the flags


@dataclass(frozen=True)
class Diagnostic:
    """One problem found in the content, ready to show to an author."""

    message: str
    source: SourceRef | None = None
    hint: str = ""
    severity: str = ERROR

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def sort_key(self) -> tuple:
        if self.source is None:
            return ("", 0, 0, self.message)
        return (self.source.path, self.source.line or 0, self.source.column or 0, self.message)

    def __str__(self) -> str:
        where = f"{self.source}: " if self.source else ""
        text = f"{where}{self.severity}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text

    def as_error(self) -> Diagnostic:
        """This diagnostic promoted to an error (``--strict``)."""
        return Diagnostic(self.message, self.source, self.hint, ERROR)


@dataclass
class BuildFailed(Exception):
    """Raised with every error of a build, so that all of them are reported together."""

    diagnostics: list[Diagnostic] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(f"{len(self.diagnostics)} error(s)")


class OutputError(Exception):
    """The output folder may not be replaced, or could not be written; the old site stands."""
