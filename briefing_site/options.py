"""How to build: the choices a command line or a caller makes, as one record."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Options:
    """None of these changes a byte of the output unless the content asks for it (drafts,
    strictness, the address)."""

    drafts: bool = False  # include briefings marked draft
    strict: bool = False  # warnings are errors
    base_url: str | None = None  # overrides site.yml's
    jobs: int = 1  # worker processes that convert bodies and render pages
