"""Citations rendered: each briefing's citations and references, by the CSL processor.

After conversion, each briefing's citations (``Document.citations``, found by
``markdown_cite``) are checked against the works it may cite (``references``: the shared
bibliography and its own ``bibliography:`` files), then rendered in the site's
``citation_style`` by one call of the processor per briefing (``csl``; all the briefings of a
build go to it as one batch). A briefing's result depends only on the works it cites, its
citations, the style and the language: ``memo`` keeps it under a digest of exactly those, so
editing one briefing, or one reference, renders again only the briefings that it reaches.
"""

from __future__ import annotations

import difflib
import hashlib
import html
import json
from collections.abc import MutableMapping
from dataclasses import dataclass
from pathlib import Path

from . import csl
from .errors import WARNING, Diagnostic, SourceRef
from .markup import Document
from .model import Briefing, Site
from .references import FORMATS, SHARED, Work, load_file


@dataclass(frozen=True)
class CitedWork:
    """An entry of a briefing's "References", with the paragraphs that cite it."""

    key: str
    html: str
    text: str
    # Where it is cited, each as (id, what the link shows, its label): a paragraph ("p3",
    # "¶3", "paragraph 3"), or a citation outside them ("cite-7", "list item", "a list item").
    places: tuple[tuple[str, str, str], ...]
    highwire: str  # for a citation_reference meta tag
    json_ld: str  # a schema.org entry for the page's JSON-LD "citation", as JSON text


@dataclass(frozen=True)
class References:
    """What a briefing's citations became: each hole's HTML, its works, its notes."""

    citations: tuple[str, ...] = ()
    works: tuple[CitedWork, ...] = ()
    # With a note style, the other holes (see ``markdown_cite.Citations``): each footnote's
    # number (``fnJ``) and each citation's slot in the notes (``noteN``), by name.
    holes: tuple[tuple[str, str], ...] = ()


NONE = References()


def _line(briefing: Briefing, text: str, start: int) -> tuple[int | None, int]:
    """The file's line of ``text`` in the body, looking from ``start``; and where it ends."""
    at = briefing.body.find(text, start)
    if at == -1:
        return briefing.body_line, start
    return briefing.body_line + briefing.body.count("\n", 0, at), at + len(text)


def _style(site: Site, content: Path) -> tuple[str | None, Diagnostic | None]:
    name = site.config.citation_style
    where = SourceRef((content / "site.yml").as_posix())
    try:
        lines = (content / "site.yml").read_text(encoding="utf-8").split("\n")
        where = where.at(next(n for n, line in enumerate(lines, 1)
                              if line.startswith("citation_style:")))
    except (OSError, UnicodeDecodeError, StopIteration):
        pass
    if name not in csl.STYLES and not name.endswith(".csl"):
        close = [style for style in csl.STYLES if style.startswith(name)] or \
            difflib.get_close_matches(name, list(csl.STYLES), n=1)
        return None, Diagnostic(
            f"unknown citation_style '{name}'", where,
            "did you mean " + " or ".join(f"'{c}'" for c in close) + "?" if close else
            "one of " + ", ".join(csl.STYLES) + ", or the path of a .csl file in content/")
    if name not in csl.STYLES and not (content / name).resolve().is_relative_to(
            content.resolve()):
        return None, Diagnostic(f"the citation style '{name}' is outside the content folder",
                                where, "copy the .csl file into the content folder")
    try:
        xml = csl.style_xml(name, content)
        csl.is_note_style(xml)
    except (OSError, UnicodeDecodeError) as exc:
        return None, Diagnostic(f"cannot read the citation style '{name}': "
                                f"{getattr(exc, 'strerror', None) or exc}", where)
    except Exception as exc:  # not XML: ElementTree's ParseError
        return None, Diagnostic(f"the citation style '{name}' is not CSL: {exc}", where)
    return xml, None


def note_style(site: Site, content: Path) -> bool:
    """Whether the site's citation style makes notes of citations (False for a style that
    cannot be used: ``cite`` says why)."""
    xml, _ = _style(site, content)
    return xml is not None and csl.is_note_style(xml)


def _works(paths: list[tuple[Path, str]], memo) -> tuple[dict[str, Work], list[Diagnostic]]:
    found: dict[str, Work] = {}
    problems: list[Diagnostic] = []
    for path, shown in paths:
        works, issues = load_file(path, shown, memo)
        problems += issues
        for work in works:
            if work.key in found:
                problems.append(Diagnostic(
                    f"the reference '{work.key}' is defined twice (also at "
                    f"{found[work.key].source})", work.source,
                    "remove one, or give it another key"))
            else:
                found[work.key] = work
    return found, problems


def cite(site: Site, docs: dict[str, Document], content: Path,
         memo: MutableMapping[str, object] | None = None, jobs: int = 1,
         complete: bool = True) -> tuple[dict[str, References], list[Diagnostic]]:
    """Each briefing's rendered citations, by slug (those without any are left out), and
    the problems found: unknown keys, unreadable bibliographies, works no briefing cites."""
    memo = {} if memo is None else memo
    used: set[str] = set()
    seen = _Used(memo, used)
    shared, problems = _works([(content / name, (content / name).as_posix())
                               for name in SHARED if (content / name).is_file()], seen)
    unreadable = any(p.is_error for p in problems)
    style, trouble = None, None
    planned: dict[str, tuple[csl.Job, Document, str]] = {}
    written: dict[str, References] = {}
    cited_anywhere: set[str] = set()
    for briefing in site.briefings:
        doc = docs.get(briefing.slug)
        if doc is None or not (doc.citations or briefing.nocite):
            continue
        own_paths = []
        for name in briefing.bibliography:
            path = content / name
            if not name.lower().endswith(FORMATS):
                problems.append(Diagnostic(f"the bibliography '{name}' is not .bib, .json or "
                                           ".yaml", briefing.source))
            elif not path.resolve().is_relative_to(content.resolve()) or not path.is_file():
                problems.append(Diagnostic(f"the bibliography '{name}' is not a file in the "
                                           "content folder", briefing.source))
            else:
                own_paths.append((path, path.as_posix()))
        own, issues = _works(own_paths, seen)
        problems += issues
        # A bibliography that could not be read would make every key it holds unknown.
        readable = not issues and not unreadable
        for key, work in own.items():
            if key in shared:
                problems.append(Diagnostic(
                    f"the reference '{key}' is defined twice (also at {shared[key].source})",
                    work.source, "remove one, or give it another key"))
        available = {**shared, **own}
        if style is None and trouble is None:
            style, trouble = _style(site, content)
            if trouble:
                problems.append(trouble)
        clusters, holes, start, keys = [], [], 0, []
        for cluster in doc.citations:
            line, start = _line(briefing, cluster.text, start)
            missing = [item.key for item in cluster.items if item.key not in available]
            close = {key: difflib.get_close_matches(key, list(available), n=1, cutoff=0.75)
                     for key in missing}
            if missing and cluster.bare and not close[missing[0]]:
                holes.append(None)  # "@someone": a handle, not a citation
                continue
            for key in missing if readable else ():
                problems.append(Diagnostic(
                    f"no reference '{key}'", briefing.source.at(line),
                    f"did you mean '{close[key][0]}'?" if close[key] else
                    "add it to references.bib, or to a file in the briefing's 'bibliography'"))
            if missing:
                holes.append(None)
                continue
            holes.append(len(clusters))
            clusters.append(tuple(csl.Item(i.key, i.prefix, i.suffix, i.mode)
                                  for i in cluster.items))
            keys += [i.key for i in cluster.items]
        for key in briefing.nocite:
            if key not in available and readable:
                close = difflib.get_close_matches(key, list(available), n=1, cutoff=0.75)
                problems.append(Diagnostic(
                    f"no reference '{key}' (in 'nocite')", briefing.source,
                    f"did you mean '{close[0]}'?" if close else "add it to references.bib"))
        nocite = tuple(k for k in briefing.nocite if k in available)
        cited = sorted(set(keys) | set(nocite))
        cited_anywhere |= set(cited)
        if not cited:  # only "@someone"s: the text stays as written
            written[briefing.slug] = References(tuple(
                " " * c.spaced + html.escape(c.text, quote=False) for c in doc.citations),
                holes=tuple(_numbers(doc, [])))
        if style is None or not cited:
            continue
        job = csl.Job(tuple(available[k].data for k in cited), tuple(clusters), style,
                      briefing.language or site.config.language, nocite)
        planned[briefing.slug] = (job, doc, json.dumps(holes))
    if complete and not unreadable:
        for key, work in sorted(shared.items()):
            if key not in cited_anywhere:
                problems.append(Diagnostic(f"the reference '{key}' is cited by no briefing",
                                           work.source, "cite it, list it in a briefing's "
                                           "'nocite', or remove it", WARNING))
    if any(p.is_error for p in problems):
        return {}, problems
    digests = {slug: _digest(job) for slug, (job, _, _) in planned.items()}
    todo = sorted({digests[slug]: job for slug, (job, _, _) in planned.items()
                   if digests[slug] not in memo}.items())
    try:
        for (digest, _), rendered in zip(todo, csl.process([j for _, j in todo], jobs),
                                         strict=True):
            memo[digest] = rendered
    except csl.ProcessorError as exc:
        return {}, [Diagnostic(f"the citations could not be rendered: {exc}",
                               SourceRef(content.as_posix()))]
    used |= set(digests.values())
    for stale in [k for k in memo if k.startswith(("cites/", "works/")) and k not in used]:
        del memo[stale]
    made = written
    for slug, (job, doc, holes) in planned.items():
        inputs = (digests[slug], holes, doc.citations, doc.paragraphs)
        last = memo.get(f"made/{slug}")
        if last is None or last[0] != inputs:  # (else the very object the last build made)
            last = (inputs, _references(memo[digests[slug]], doc, holes, job.references))
            memo[f"made/{slug}"] = last
        used.add(f"made/{slug}")
        made[slug] = last[1]
    for stale in [k for k in memo if k.startswith("made/") and k not in used]:
        del memo[stale]
    return made, problems


class _Used(dict):
    """The memo as ``references.load_file`` sees it, noting each key it uses."""

    def __init__(self, memo: MutableMapping[str, object], used: set[str]) -> None:
        super().__init__()
        self.memo, self.used = memo, used

    def __contains__(self, key: object) -> bool:
        if key in self.memo:
            self.used.add(key)  # type: ignore[arg-type]
            return True
        return False

    def __getitem__(self, key: str) -> object:
        return self.memo[key]

    def __setitem__(self, key: str, value: object) -> None:
        self.used.add(key)
        self.memo[key] = value


def _digest(job: csl.Job) -> str:
    digest = hashlib.blake2b(repr((job.references, job.clusters, job.lang, job.nocite))
                             .encode(), digest_size=16)
    digest.update(hashlib.blake2b(job.style.encode(), digest_size=16).digest())
    return "cites/" + digest.hexdigest()


def _references(rendered: csl.Rendered, doc: Document, holes_json: str,
                items: tuple[str, ...]) -> References:
    holes_at = json.loads(holes_json)
    texts = tuple(cluster.text for cluster in doc.citations)
    data = {item["id"]: item for item in map(json.loads, items)}
    numbers = {p.id: p.number for p in doc.paragraphs}
    places: dict[str, list[tuple[str, str, str]]] = {}
    for n, (cluster, hole) in enumerate(zip(doc.citations, holes_at, strict=True), 1):
        if hole is None:
            continue
        at = numbers.get(cluster.paragraph or "")
        here = (cluster.paragraph, f"¶{at}", f"paragraph {at}") if at else \
            (f"cite-{n}", cluster.where, f"a {cluster.where}")
        for item in cluster.items:
            if here not in places.setdefault(item.key, []):
                places[item.key].append(here)
    citations, holes, number = [], [], 0
    notes = [n for n, (c, h) in enumerate(zip(doc.citations, holes_at, strict=True), 1)
             if h is not None and not c.in_note] if rendered.notes else []
    for n, (hole, text, cluster) in enumerate(zip(holes_at, texts, doc.citations,
                                                  strict=True), 1):
        space = " " if cluster.spaced and n not in notes else ""
        if hole is None:
            citations.append(space + html.escape(text, quote=False))
        elif rendered.notes and cluster.in_note:  # in a footnote: its text, there
            citations.append(space + " ".join(filter(None, (rendered.in_text[hole],
                                                              rendered.citations[hole]))))
        elif rendered.notes:  # a note of its own, numbered with the body's footnotes
            number += 1
            k = number + cluster.notes_before
            plain = rendered.texts[hole]
            citations.append(rendered.in_text[hole])
            holes.append((f"mark{n}", f'<span class="gl cited" data-tip="{html.escape(plain)}">'
                          f'<sup class="cite-ref"><a href="#cn-{k}" id="cnref-{k}" class='
                          f'"footnote-ref" aria-describedby="cn-{k}">{k}</a></sup></span>'))
            holes.append((f"note{n}", f'<li id="cn-{k}"><p>{rendered.citations[hole]}&#160;<a '
                          f'class="footnote-backref" href="#cnref-{k}" title="Jump back to '
                          f'note {k} in the text">↩</a></p></li>'))
        else:
            citations.append(space + rendered.citations[hole])
    if rendered.notes:
        holes += _numbers(doc, notes)
    works = tuple(CitedWork(e.key, e.html, e.text, tuple(places.get(e.key, ())),
                            highwire(data[e.key]), json.dumps(json_ld(data[e.key], e.text),
                                                              ensure_ascii=False))
                  for e in rendered.entries)
    return References(tuple(citations), works, tuple(holes))


def _numbers(doc: Document, notes: list[int]) -> list[tuple[str, str]]:
    """Each footnote's number among the notes: its own, and one for each citation's note
    before it; the slots and marks of citations that made no note stay empty."""
    before = [doc.citations[n - 1].notes_before for n in notes]
    numbers = [(f"fn{j}", str(j + sum(b < j for b in before))) for j in
               range(1, doc.footnotes + 1)]
    return numbers + [(f"{hole}{n}", "") for n in range(1, len(doc.citations) + 1)
                      if n not in notes for hole in ("note", "mark")]


def _names(item: dict, role: str = "author") -> list[str]:
    names = []
    for name in item.get(role) or ():
        if not isinstance(name, dict):
            continue
        if name.get("literal"):
            names.append(str(name["literal"]))
        else:
            family = " ".join(str(name[part]) for part in (
                "dropping-particle", "non-dropping-particle", "family") if name.get(part))
            names.append(", ".join(part for part in (family, str(name.get("given") or ""))
                                   if part))
    return names


def _date(item: dict) -> str:
    parts = (item.get("issued") or {}).get("date-parts") or [[]]
    numbers = [int(p) for p in (parts[0] or []) if str(p).isdigit()]
    return "-".join(f"{n:02d}" if i else f"{n:04d}" for i, n in enumerate(numbers))


def highwire(item: dict) -> str:
    """A work as Google Scholar reads a ``citation_reference`` (Highwire's fields, "; ")."""
    fields = [("citation_title", item.get("title"))]
    fields += [("citation_author", name) for name in _names(item)]
    fields += [("citation_publication_date", _date(item).replace("-", "/")),
               ("citation_journal_title", item.get("container-title")),
               ("citation_volume", item.get("volume")), ("citation_issue", item.get("issue")),
               ("citation_publisher", item.get("publisher")),
               ("citation_technical_report_number", item.get("number")),
               ("citation_doi", item.get("DOI"))]
    first, _, last = str(item.get("page") or "").partition("-")
    fields += [("citation_firstpage", first), ("citation_lastpage", last)]
    return "; ".join(f"{name}={' '.join(str(value).replace(';', ',').split())}"
                     for name, value in fields if value)


_TYPES = {"article-journal": "ScholarlyArticle", "book": "Book", "chapter": "Chapter",
          "report": "Report", "webpage": "WebPage", "article-newspaper": "NewsArticle",
          "thesis": "Thesis", "article": "Article", "article-magazine": "Article"}


def json_ld(item: dict, text: str) -> dict:
    """A work as a schema.org entry of the page's JSON-LD ``citation``."""
    entry: dict = {"@type": _TYPES.get(str(item.get("type")), "CreativeWork"),
                   "name": str(item.get("title") or text)}
    authors = [{"@type": "Organization" if "," not in name else "Person", "name": name}
               for name in _names(item)]
    if authors:
        entry["author"] = authors
    if _date(item):
        entry["datePublished"] = _date(item)
    if item.get("container-title"):
        entry["isPartOf"] = {"@type": "CreativeWork", "name": str(item["container-title"])}
    if item.get("DOI"):
        entry["sameAs"] = f"https://doi.org/{item['DOI']}"
    if str(item.get("URL") or "").startswith(("https://", "http://")):
        entry["url"] = str(item["URL"])
    return entry
