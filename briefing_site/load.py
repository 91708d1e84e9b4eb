"""Reading ``content/`` into the model, reporting each file's problems with their lines.

Loading checks what one file can tell on its own (syntax, types, required fields, dates,
unknown fields). Checks across files live in ``validate``.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from pathlib import Path

import frontmatter

from . import chars, scholarly, walk
from .errors import Diagnostic, SourceRef
from .fields import Record
from .limits import check_markdown
from .model import (
    Author,
    Briefing,
    Event,
    LaterNote,
    PartialDate,
    Site,
    SiteConfig,
    Sourced,
    Term,
)
from .slugs import MAX_LENGTH, is_slug, slugify
from .yamlsource import Mapping, YamlError, load_yaml

SITE_FIELDS = ("title", "description", "language", "base_url", "publisher", "author",
               "known_abbreviations", "words_per_minute", "trusted_html", "per_page",
               "citation_style", "search")
BRIEFING_FIELDS = ("title", "date", "slug", "subtitle", "type", "authors", "author",
                   "affiliation", "publication", "publisher", "original_url", "summary",
                   "tags", "disclaimer", "language", "draft", "notes", "extra", "bibliography",
                   "nocite", *scholarly.FIELDS)
AUTHOR_FIELDS = ("name", "honorific", "position", "affiliation", "bio", "orcid")
NOTE_FIELDS = ("quote", "note", "sources")
TERM_FIELDS = ("id", "term", "full_name", "native", "kind", "aliases", "short", "definition",
               "related", "later", "sources")
TERM_KINDS = ("organisation", "person", "place", "title", "concept")
LATER_FIELDS = ("date", "note")
EVENT_FIELDS = ("id", "date", "end", "title", "description", "country", "terms", "sources",
                "locator")


@dataclass(frozen=True)
class Loaded:
    """The model read from a content folder, and what could not be read.

    When a file could not be read at all, later checks that depend on it (unknown glossary
    ids, quotes of briefings) would only repeat the same mistake in other words; the flags let
    them stay quiet.
    """

    site: Site
    diagnostics: list[Diagnostic]
    glossary_complete: bool = True
    briefings_complete: bool = True


class Loader:
    """Reads one content folder; every problem found lands in ``diagnostics``."""

    def __init__(self, content_dir: Path) -> None:
        self.root = content_dir
        self.diagnostics: list[Diagnostic] = []
        self.unreadable: set[str] = set()  # "glossary", "briefings", ... that failed to load
        self._real_folders: dict[Path, str] = {}
        self._stats_used: set[str] = set()  # what ``remembered`` knows of files (see there)

    def ref(self, path: Path) -> SourceRef:
        return SourceRef(path.as_posix())

    def read_text(self, path: Path, allow_empty: bool = False) -> str | None:
        """The file's text with BOM and CRLF removed, or None after reporting why not."""
        where = self.ref(path)
        if not path.resolve().is_relative_to(self.root.resolve()):
            self.diagnostics.append(Diagnostic(
                f"the file links to {path.resolve()}, outside the content folder", where,
                "copy the file into the content folder instead of linking to it"))
            return None
        try:
            data = walk.read_regular(path)
        except OSError as exc:
            self.diagnostics.append(Diagnostic(f"cannot read the file: {exc.strerror}", where))
            return None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            self.diagnostics.append(Diagnostic(
                f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x})", where.at(line),
                "save it as UTF-8"))
            return None
        text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
        refused = chars.check_text(text, where)
        if refused:  # the body of a briefing and its front matter alike, before YAML reads it
            self.diagnostics += refused
            return None
        if not text.strip() and not allow_empty:
            self.diagnostics.append(Diagnostic("the file is empty", where))
            return None
        return text

    def read_yaml(self, path: Path, allow_empty: bool = False) -> object:
        text = self.read_text(path, allow_empty)
        if text is None:
            return None
        try:
            return load_yaml(text, self.ref(path))
        except YamlError as exc:
            self.diagnostics += exc.diagnostics
            return None

    def load(self, memo: MutableMapping[str, tuple] | None = None) -> Loaded:
        # As the input digest's walk sees them: a FIFO is no briefing; a broken link is one.
        folder = self.root / "briefings"
        paths = [folder / name for name in walk.named(os.fspath(folder), ".md")]
        keyed = [self.remembered(self.root / "site.yml", memo, self.load_config)]
        keyed += [self.remembered(path, memo, self.load_briefing) for path in paths]
        config = keyed[0][1]
        briefings = tuple(briefing for _, briefing in keyed[1:])
        if None in briefings:
            self.unreadable.add("briefings")
        keyed.append(self.remembered(self.root / "glossary.yml", memo, self.load_glossary))
        terms = keyed[-1][1]
        keyed.append(self.remembered(self.root / "timeline.yml", memo, self.load_timeline))
        events = keyed[-1][1]
        if memo is not None:
            for stale in set(memo) - {key for key, _ in keyed} - self._stats_used:
                del memo[stale]  # keep what this build used
        site = Site(config, tuple(b for b in briefings if b), tuple(terms), tuple(events))
        return Loaded(site, self.diagnostics, "glossary.yml" not in self.unreadable,
                      "briefings" not in self.unreadable)

    def load_config(self, path: Path) -> SiteConfig:
        if not path.is_file():
            self.diagnostics.append(Diagnostic("site settings not found", self.ref(path),
                                               "create site.yml with at least 'title:'"))
            return SiteConfig(title="")
        data = self.read_yaml(path)
        if not isinstance(data, Mapping):
            if data is not None:
                self.diagnostics.append(Diagnostic(
                    "site.yml must be a mapping of settings", self.ref(path)))
            return SiteConfig(title="")
        rec = Record(data, self.ref(path), "site.yml", SITE_FIELDS, self.diagnostics)
        base_url = rec.url("base_url")
        return SiteConfig(
            title=rec.text("title", required=True),
            description=rec.text("description"),
            language=rec.language("language") or "en",
            base_url=base_url.rstrip("/") + "/" if base_url else "",
            publisher=rec.text("publisher"),
            author=rec.text("author"),
            known_abbreviations=rec.texts("known_abbreviations"),
            words_per_minute=rec.number("words_per_minute", 220),
            trusted_html=rec.flag("trusted_html"), search=rec.flag("search", default=True),
            per_page=rec.number("per_page", 10),
            citation_style=rec.text("citation_style") or "apa")

    def load_glossary(self, path: Path) -> list[Term]:
        return self.load_list(path, self.load_term)

    def load_timeline(self, path: Path) -> list[Event]:
        return self.load_list(path, self.load_event)

    def load_list(self, path: Path, load_one):
        """A YAML file holding a list of entries; a missing file is an empty list."""
        if not path.is_file():
            return []
        reported = len(self.diagnostics)
        data = self.read_yaml(path, allow_empty=True)
        if data is None and len(self.diagnostics) == reported:
            return []  # empty, or only comments: a glossary or timeline not yet begun
        if not isinstance(data, list) or not all(isinstance(item, Mapping) for item in data):
            self.unreadable.add(path.name)
            if data is not None:
                self.diagnostics.append(Diagnostic(
                    f"{path.name} must be a list of entries (each starting with '- ')",
                    self.ref(path).at(getattr(data, "line", 1))))
            return []
        return [item for item in (load_one(entry, self.ref(path)) for entry in data) if item]

    def _real(self, path: Path) -> str:
        """``path.resolve()``, resolving each folder once: thousands of briefings share one."""
        if os.path.islink(path):
            return os.path.realpath(path)
        folder = self._real_folders.get(path.parent)
        if folder is None:
            folder = self._real_folders[path.parent] = os.path.realpath(path.parent)
        return os.path.join(folder, path.name)

    def remembered(self, path: Path, memo: MutableMapping[str, tuple] | None,
                   load: Callable[[Path], object]) -> tuple[str, object]:
        """``load(path)``, skipped when ``memo`` has seen this path with these bytes.

        What the loaders make of a file depends on its path and bytes alone, problems and
        all. A file whose size, times, inode and real path are as when it was last read, and
        that had not changed for a while by then, is not even read again (git's rule for its
        index). Returns the memo's key with the result.
        """
        if memo is None:
            return "", load(path)
        try:
            stat = os.stat(path)
        except OSError:
            return "", load(path)  # which reports any problem reading it
        stamp = (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, self._real(path))
        seen_key = f"stat\0{load.__name__}\0{os.fspath(path)}"
        self._stats_used.add(seen_key)
        seen = memo.get(seen_key)
        if seen is not None and walk.as_read(stamp, seen[0], seen[2]) and seen[1] in memo:
            key = seen[1]
        else:
            read_at = time.time_ns()
            try:
                data = walk.read_regular(path)
            except OSError:
                return "", load(path)
            digest = hashlib.blake2b(digest_size=16)
            for part in (load.__name__.encode(), os.fsencode(path), os.fsencode(stamp[4]),
                         data):
                digest.update(part + b"\0")
            key = digest.hexdigest()
            memo[seen_key] = (stamp, key, read_at)
        if key in memo:
            result, problems, unreadable = memo[key]
            self.diagnostics += problems
            self.unreadable |= unreadable
            return key, result
        reported, before = len(self.diagnostics), set(self.unreadable)
        result = load(path)
        memo[key] = (result, self.diagnostics[reported:], self.unreadable - before)
        return key, result

    def load_briefing(self, path: Path) -> Briefing | None:
        where = self.ref(path)
        text = self.read_text(path)
        if text is None:
            return None
        if not frontmatter.YAMLHandler().detect(text):
            self.diagnostics.append(Diagnostic(
                "a briefing must start with front matter", where.at(1),
                "put '---', the fields such as 'title:' and 'date:', and '---' before the text"))
            return None
        try:
            fm_text, body = frontmatter.YAMLHandler().split(text)
        except ValueError:
            self.diagnostics.append(Diagnostic("the front matter is not closed", where.at(1),
                                               "end it with a line '---'"))
            return None
        try:
            # The front matter text keeps the newline after the opening '---', so its
            # line numbers are the file's.
            data = load_yaml(fm_text, where)
        except YamlError as exc:
            self.diagnostics += exc.diagnostics
            return None
        if not isinstance(data, Mapping):
            self.diagnostics.append(Diagnostic("the front matter must be a mapping of fields",
                                               where.at(2), "e.g. 'title: My briefing'"))
            return None
        body_line = text.count("\n", 0, len(text) - len(body)) + 1
        too_much = check_markdown(body, where, body_line)
        if too_much:  # never converted: it could take minutes, or end in a RecursionError
            self.diagnostics += too_much
            return None
        rec = Record(data, where, "the front matter", BRIEFING_FIELDS, self.diagnostics)
        slug = rec.text("slug")
        if slug and not is_slug(slug):
            rec.error("slug", f"'slug' {slug!r} is not usable in a URL",
                      f"use up to {MAX_LENGTH} lower-case letters a-z, digits and single "
                      "hyphens, and not a name Windows reserves (con, nul, com1...)")
            slug = ""
        elif not slug:
            slug = slugify(path.stem)
            if not is_slug(slug):
                self.diagnostics.append(Diagnostic(
                    f"cannot make a URL name from the file name {path.name!r}", where.at(1),
                    "rename the file, or set 'slug:' in the front matter"))
                slug = ""
        if not body.strip():
            self.diagnostics.append(Diagnostic("the briefing has no text after its front matter",
                                               where.at(min(body_line, text.count("\n")))))
        title = rec.text("title", required=True)
        date = rec.date("date", required=True)
        extra = rec.raw("extra")
        if extra is not None and not isinstance(extra, dict):
            rec.error("extra", "'extra' must be a mapping of your own fields")
            extra = None
        return Briefing(
            slug=slug,
            title=title,
            date=date or _NO_DATE,
            body=body,
            body_line=body_line,
            source=where.at(1),
            subtitle=rec.text("subtitle"),
            type=rec.text("type") or "op-ed",
            authors=self.load_authors(rec),
            publication=rec.text("publication"),
            publisher=rec.text("publisher"),
            original_url=rec.url("original_url"),
            summary=rec.markdown("summary"),
            tags=rec.texts("tags"),
            disclaimer=rec.markdown("disclaimer"),
            language=rec.language("language"),
            draft=rec.flag("draft"),
            notes=tuple(self.load_note(entry, where) for entry in rec.mappings("notes")),
            bibliography=rec.texts("bibliography"), nocite=rec.texts("nocite"),
            extra=dict(extra or {}), **scholarly.read(rec, date),
        )

    def load_authors(self, rec: Record) -> tuple[Author, ...]:
        if "authors" in rec.data and "author" in rec.data:
            rec.error("author", "use either 'authors' (a list) or 'author', not both")
        if "author" in rec.data:
            return (Author(name=rec.text("author"), affiliation=rec.text("affiliation")),)
        if "affiliation" in rec.data:
            rec.error("affiliation", "'affiliation' goes with 'author'",
                      "inside 'authors', give each author an 'affiliation'")
        authors = []
        for entry in rec.mappings("authors"):
            one = Record(entry, rec.where, "an author", AUTHOR_FIELDS, self.diagnostics)
            authors.append(Author(
                name=one.text("name", required=True), honorific=one.text("honorific"),
                position=one.text("position"), affiliation=one.text("affiliation"),
                bio=one.markdown("bio"), orcid=scholarly.read_orcid(one)))
        return tuple(authors)

    def load_note(self, entry: Mapping, where: SourceRef) -> Sourced:
        rec = Record(entry, where, "an editor's note", NOTE_FIELDS, self.diagnostics)
        return Sourced(quote=rec.text("quote", required=True),
                       text=rec.markdown("note", required=True), sources=rec.urls("sources"),
                       source=where.at(entry.line))

    def load_term(self, entry: Mapping, where: SourceRef) -> Term | None:
        rec = Record(entry, where, "a glossary term", TERM_FIELDS, self.diagnostics)
        term_id = rec.text("id", required=True)
        if term_id and not is_slug(term_id):
            rec.error("id", f"the id {term_id!r} is not usable as an anchor",
                      "use lower-case letters a-z, digits and single hyphens, e.g. 'csto'")
        kind = rec.text("kind", required=True)
        if kind and kind not in TERM_KINDS:
            rec.error("kind", f"unknown kind {kind!r}", "one of " + ", ".join(TERM_KINDS))
        later = []
        for item in rec.mappings("later"):
            note = Record(item, where, "a 'later' note", LATER_FIELDS, self.diagnostics)
            date, text = note.date("date", required=True), note.markdown("note", required=True)
            if date:
                later.append(LaterNote(date, text))
        return Term(
            id=term_id, term=rec.text("term", required=True), kind=kind,
            definition=rec.markdown("definition", required=True), source=where.at(entry.line),
            full_name=rec.text("full_name"), native=rec.text("native"),
            aliases=rec.texts("aliases"), short=rec.markdown("short"), related=rec.texts("related"),
            later=tuple(sorted(later, key=lambda n: n.date.sort_key())),
            sources=rec.urls("sources"),
        )

    def load_event(self, entry: Mapping, where: SourceRef) -> Event | None:
        rec = Record(entry, where, "a timeline event", EVENT_FIELDS, self.diagnostics)
        date, end = rec.date("date", required=True), rec.date("end")
        title = rec.text("title", required=True)
        if date and end and end.sort_key() <= date.sort_key():
            rec.error("end", f"'end' ({end}) is not after 'date' ({date})")
        event_id = rec.text("id")
        if event_id and not is_slug(event_id):
            rec.error("id", f"the id {event_id!r} is not usable as an anchor",
                      "use lower-case letters a-z, digits and single hyphens")
            event_id = ""
        if not date:
            return None
        return Event(
            id=event_id or slugify(f"{date.iso()} {title}"), date=date, title=title,
            description=rec.markdown("description", required=True), source=where.at(entry.line),
            end=end, country=rec.texts("country"), terms=rec.texts("terms"),
            sources=rec.urls("sources"), locator=rec.text("locator"),
        )


# For a missing date (already an error): kept, the briefing spares knock-on errors.
_NO_DATE = PartialDate(1)


def load_site(content_dir: Path, memo: MutableMapping[str, tuple] | None = None) -> Loaded:
    """Read every content file into the model, with every problem found on the way;
    ``memo`` keeps loaded briefings by path and content across builds (see ``cache``)."""
    if not content_dir.is_dir():
        return Loaded(Site(SiteConfig(title=""), (), (), ()), [Diagnostic(
            "content folder not found", SourceRef(content_dir.as_posix()))], False, False)
    return Loader(content_dir).load(memo)
