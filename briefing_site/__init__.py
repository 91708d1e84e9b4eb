"""briefing-site: a static site generator for research briefings."""

__version__ = "0.1.0"
