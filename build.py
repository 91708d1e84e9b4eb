"""Build the site: ``python build.py [build|check|new] ...`` (see ``--help``)."""

from briefing_site.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
