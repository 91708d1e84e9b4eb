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
    jobs: int = 1  # processes that convert bodies, cite, analyse for search and render

    def settings(self, templates: object) -> dict[str, object]:
        """What of these, with the templates folder, goes into a build's input digest."""
        return {"drafts": self.drafts, "strict": self.strict, "base_url": self.base_url,
                "templates": str(templates)}
