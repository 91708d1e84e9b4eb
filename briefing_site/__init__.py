"""briefing-site: a static site generator for research briefings."""

from pathlib import Path

__version__ = "0.1.0"

# The theme that ships with briefing-site, used when a project has no templates/ of its own.
DEFAULT_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
