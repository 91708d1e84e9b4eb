"""``new``: a briefing file with every front-matter field, ready to fill in."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from .slugs import RESERVED, is_slug, slugify

TEMPLATE = """\
---
title: {title}
date: {date}                 # YYYY, YYYY-MM or YYYY-MM-DD: as precise as you know it
# subtitle: ""
# type: op-ed                # op-ed, report, research-note, ...
# authors:
#   - name: ""
#     honorific: Dr.
#     position: ""
#     affiliation: ""
#     bio: ""                # Markdown, shown at the end of the article
# publication: ""            # e.g. the journal that first ran it
# publisher: ""
# original_url: ""           # where it was first published
summary: ""                  # one or two sentences for the home page
tags: []
# disclaimer: ""             # Markdown
# language: en
draft: true                  # left out of the site until you set this to false
# notes:                     # editors' notes, shown beside the paragraph they quote
#   - quote: "a few words exactly as in the text"
#     note: "What the sources say (Markdown)."
#     sources: ["https://..."]
# extra: {{}}                # your own fields, available to templates
---

Write the briefing here, in Markdown.
"""


class ScaffoldError(Exception):
    """The briefing could not be created (it exists already, or the title is unusable)."""


def create_briefing(content: Path, title: str, today: datetime.date | None = None) -> Path:
    """Write ``content/briefings/<slug>.md`` for ``title`` and return its path.

    A title whose slug Windows reserves (``CON``, ``nul``...) gets ``-briefing`` after it:
    the build refuses such a file name, and Windows cannot even create it.
    """
    slug = slugify(title)
    if slug in RESERVED:
        slug = f"{slug}-briefing"
    if not is_slug(slug):  # empty, or anything else the build would refuse
        raise ScaffoldError(f"cannot make a file name from the title {title!r}")
    path = content / "briefings" / f"{slug}.md"
    if path.exists():
        raise ScaffoldError(f"{path} already exists")
    today = today or datetime.date.today()
    text = TEMPLATE.format(title=json.dumps(title, ensure_ascii=False), date=today.isoformat())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
