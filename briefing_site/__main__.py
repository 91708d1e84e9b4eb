"""``python -m briefing_site``."""

from .cli import main

raise SystemExit(main())
