"""The CSL processor: Pandoc's citeproc, each briefing as if its own document, many in one process.

Citations are rendered by Pandoc 3 (the ``pypandoc-binary`` wheel ships it) with ``--citeproc``:
it matched citeproc-js on the test fixture (tests/test_citeproc.py) where citeproc-py did not.
Each briefing is rendered as a document of its own would be (its year suffixes, "et al." and
disambiguation depend on what it cites, not on the rest of the archive); briefings that cannot
influence each other share one (``shared_documents``), which costs less. The documents of a
build go to a few Pandoc processes, many to each, through the ``pandoc-server`` API that the
same binary answers as a CGI program (no port, no network: the request is its standard input,
and everything runs in Pandoc's pure mode, so a reference can make it read no file).

What comes back is Pandoc's document tree, turned here into HTML with ElementTree: each
citation, and each bibliography entry with its plain text (for hints and meta tags).
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import xml.etree.ElementTree as etree
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import shared_documents

STYLE_FOLDER = Path(__file__).resolve().parent / "csl"
# The styles a site names in site.yml, from the official CSL repository (see csl/README.md).
STYLES = {"apa": "apa.csl", "chicago-author-date": "chicago-author-date.csl",
          "chicago-note-bibliography": "chicago-notes-bibliography.csl"}
_CSL = "http://purl.org/net/xbiblio/csl"
API_VERSION = [1, 23, 1, 1]
MODES = {"normal": "NormalCitation", "author-in-text": "AuthorInText",
         "suppress-author": "SuppressAuthor"}
_QUOTES = {"DoubleQuote": ("“", "”"), "SingleQuote": ("‘", "’")}
_TAGS = {"Emph": "i", "Strong": "b", "Underline": "u", "Strikeout": "s", "Superscript": "sup",
         "Subscript": "sub", "SmallCaps": "span"}
# Documents sent to one Pandoc process: each carries the whole style (the server API has no
# other way), so a batch of a thousand would be a request of a hundred megabytes.
BATCH = 100


class ProcessorError(Exception):
    """Pandoc could not be run, or refused a document."""


@dataclass(frozen=True)
class Item:
    """One work cited in a citation: ``[see @key, p. 33]`` is prefix "see", suffix ", p. 33"
    (Pandoc finds the locator and its label in the suffix)."""

    key: str
    prefix: str = ""
    suffix: str = ""
    mode: str = "normal"  # or "author-in-text" (@key), "suppress-author" ([-@key])


@dataclass(frozen=True)
class Job:
    """One briefing's citations, in order, with the references they may cite."""

    references: tuple[str, ...]  # each a CSL-JSON item, as JSON text
    clusters: tuple[tuple[Item, ...], ...]
    style: str  # the CSL style's XML
    lang: str  # e.g. "en-US"
    nocite: tuple[str, ...] = ()


@dataclass(frozen=True)
class Entry:
    key: str
    html: str
    text: str


@dataclass(frozen=True)
class Rendered:
    """What the processor made of one job: each citation's HTML (a note's text, for note
    styles) and the bibliography's entries, in the style's order."""

    citations: tuple[str, ...]
    entries: tuple[Entry, ...]
    notes: bool  # the citations are notes (Chicago notes and bibliography)
    texts: tuple[str, ...] = ()  # each citation's plain text (its note's, for note styles)
    in_text: tuple[str, ...] = ()  # for note styles: what stays in the text ("Sullivan")


def pandoc() -> str:
    """The Pandoc binary of the ``pypandoc-binary`` wheel."""
    import pypandoc  # (imported here: a site without citations never needs it)

    return pypandoc.get_pandoc_path()


def style_xml(name: str, content: Path) -> str:
    """The XML of the style ``name``: one of ``STYLES``, or a .csl file in ``content``."""
    path = STYLE_FOLDER / STYLES[name] if name in STYLES else content / name
    return path.read_text(encoding="utf-8")


@lru_cache(maxsize=8)
def is_note_style(xml: str) -> bool:
    root = etree.fromstring(xml.encode("utf-8"))
    return root.get("class") == "note"


def run(executable: str, args: list[str], data: bytes) -> bytes:
    """``executable`` given ``data`` on its standard input; what it prints."""
    done = subprocess.run(args, executable=executable, input=data, capture_output=True,
                          check=False, env={**_CGI, "CONTENT_LENGTH": str(len(data))})
    if done.returncode != 0:
        raise ProcessorError(done.stderr.decode("utf-8", "replace").strip())
    return done.stdout


# What the binary needs to answer as ``pandoc-server.cgi``: one POST to /batch.
_CGI = {"REQUEST_METHOD": "POST", "PATH_INFO": "/batch", "CONTENT_TYPE": "application/json",
        "REMOTE_ADDR": "127.0.0.1", "SERVER_NAME": "localhost", "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1", "PANDOC_SERVER_TIMEOUT": "3600"}


def process(jobs: list[Job], jobs_at_once: int = 1) -> list[Rendered]:
    """Each job rendered, as if alone; jobs that cannot influence each other share a
    document (``shared_documents``); ``BATCH`` documents to a Pandoc process,
    ``jobs_at_once`` processes at once."""
    if not jobs:
        return []
    executable = pandoc()
    documents = _documents(jobs)
    # As many chunks for each process, so that none is left working alone at the end.
    at_once = max(1, min(jobs_at_once, len(documents)))
    count = at_once * -(-len(documents) // (BATCH * at_once))
    chunks = [documents[start::count] for start in range(count)]
    with ThreadPoolExecutor(max_workers=max(1, jobs_at_once)) as pool:  # work is in children
        answers = list(pool.map(lambda chunk: _batch(executable, [d for d, _ in chunk]),
                                chunks))
    rendered: list[Rendered | None] = [None] * len(jobs)
    for chunk, answer in zip(chunks, answers, strict=True):
        for (_, members), whole in zip(chunk, answer, strict=True):
            start = 0
            for index in members:
                job = jobs[index]
                end = start + len(job.clusters)
                keys = {json.loads(text)["id"] for text in job.references}
                rendered[index] = Rendered(
                    whole.citations[start:end], tuple(e for e in whole.entries if e.key in keys),
                    whole.notes, whole.texts[start:end], whole.in_text[start:end])
                start = end
    return rendered  # type: ignore[return-value]


def _documents(jobs: list[Job]) -> list[tuple[Job, list[int]]]:
    """The documents to render, each with the jobs it holds (by index), in order."""
    alike: dict[tuple[str, str], list[int]] = {}
    for index, job in enumerate(jobs):
        alike.setdefault((job.style, job.lang), []).append(index)
    documents = []
    for (style, lang), indices in alike.items():
        sharing = shared_documents.sharing(style)
        if sharing is None:
            documents += [(jobs[index], [index]) for index in indices]
            continue
        for group in shared_documents.groups([jobs[i].references for i in indices],
                                             first=sharing == "first"):
            members = [indices[i] for i in group]
            documents.append((Job(
                tuple(r for i in members for r in jobs[i].references),
                tuple(c for i in members for c in jobs[i].clusters), style, lang,
                tuple(k for i in members for k in jobs[i].nocite)), members))
    return documents


def _batch(executable: str, jobs: list[Job]) -> list[Rendered]:
    if not jobs:
        return []
    request = json.dumps([_request(job) for job in jobs]).encode("utf-8")
    answer = run(executable, ["pandoc-server.cgi"], request)
    head, _, body = answer.partition(b"\r\n\r\n")
    if not body:
        head, _, body = answer.partition(b"\n\n")
    if not head.startswith(b"Status: 200"):
        raise ProcessorError(body.decode("utf-8", "replace").strip() or head.decode())
    results = json.loads(body)
    rendered = []
    for job, result in zip(jobs, results, strict=True):
        if "error" in result:
            raise ProcessorError(result["error"])
        rendered.append(_read(json.loads(result["output"]), is_note_style(job.style)))
    return rendered


@lru_cache(maxsize=8)
def compact(style: str) -> str:
    """The style without comments and the whitespace between its elements: the same style
    to a processor, which Pandoc reads in two thirds of the time."""
    root = etree.fromstring(style.encode("utf-8"))
    for element in root.iter():
        namespace, _, name = str(element.tag).rpartition("}")
        if namespace != "{" + _CSL:  # (a foreign element: leave the style as it is)
            return style
        element.tag = name
        if len(element) and element.text and not element.text.strip():
            element.text = None
        if element.tail and not element.tail.strip():
            element.tail = None
    root.set("xmlns", _CSL)  # (ElementTree cannot write a default namespace and xml:lang)
    return etree.tostring(root, encoding="unicode")


def _meta(value: object) -> dict:
    """A CSL-JSON value as Pandoc metadata."""
    if isinstance(value, dict):
        return {"t": "MetaMap", "c": {k: _meta(v) for k, v in value.items()}}
    if isinstance(value, list):
        return {"t": "MetaList", "c": [_meta(v) for v in value]}
    if isinstance(value, bool):
        return {"t": "MetaBool", "c": value}
    return {"t": "MetaString", "c": str(value)}


def _text(text: str) -> list[dict]:
    """Plain text as Pandoc inlines."""
    inlines: list[dict] = []
    for number, word in enumerate(text.split(" ")):
        if number:
            inlines.append({"t": "Space"})
        if word:
            inlines.append({"t": "Str", "c": word})
    return inlines


def _request(job: Job) -> dict:
    blocks = []
    for number, cluster in enumerate(job.clusters, 1):
        citations = [{"citationId": item.key, "citationPrefix": _text(item.prefix),
                      "citationSuffix": _text(item.suffix),
                      "citationMode": {"t": MODES[item.mode]}, "citationNoteNum": number,
                      "citationHash": 0} for item in cluster]
        blocks.append({"t": "Para", "c": [{"t": "Cite", "c": [citations, []]}]})
    meta = {"references": _meta([json.loads(r) for r in job.references]),
            "csl": _meta("style.csl"), "lang": _meta(job.lang),
            "link-citations": _meta(True), "link-bibliography": _meta(True)}
    if job.nocite:
        meta["nocite"] = {"t": "MetaInlines", "c": [{"t": "Cite", "c": [[
            {"citationId": key, "citationPrefix": [], "citationSuffix": [],
             "citationMode": {"t": "NormalCitation"}, "citationNoteNum": 0,
             "citationHash": 0} for key in job.nocite], []]}]}
    document = {"pandoc-api-version": API_VERSION, "meta": meta, "blocks": blocks}
    return {"text": json.dumps(document), "from": "json", "to": "json", "citeproc": True,
            "files": {"style.csl": base64.b64encode(compact(job.style).encode("utf-8")).decode()}}


def _plain(element: etree.Element) -> str:
    return " ".join("".join(element.itertext()).split())


def _read(document: dict, notes: bool) -> Rendered:
    """The citations and entries of a document Pandoc rendered (entries first: each link of
    a citation to its entry gets the entry's text as its hint)."""
    entries = []
    for block in document["blocks"]:
        if block["t"] == "Div":
            for entry in block["c"][1]:
                (ident, _, _), content = entry["c"]
                element = etree.Element("div")
                for paragraph in content:
                    _inlines(paragraph["c"], element)
                entries.append(Entry(ident.removeprefix("ref-"), _html(element),
                                     _plain(element)))
    tips = {f"#ref-{entry.key}": entry.text for entry in entries}
    citations, texts, in_text = [], [], []
    for block in document["blocks"]:
        if block["t"] == "Para":
            element = etree.Element("span", {"class": "citation"})
            found: list[etree.Element] = []
            _inlines(block["c"], element, found if notes else None)
            if notes:  # the note is the citation; what is left stays in the text
                in_text.append(_html(element) if len(element) or element.text else "")
                element = found[0] if found else etree.Element("span", {"class": "citation"})
            else:
                _hints(element, tips)
            texts.append(_plain(element))
            citations.append(etree.tostring(element, encoding="unicode", method="html"))
    return Rendered(tuple(citations), tuple(entries), notes, tuple(texts), tuple(in_text))


def _hints(element: etree.Element, tips: dict[str, str]) -> None:
    """Each link to an entry, in a hint of the entry's text, shown on hover and focus as
    the glossary's are (``.gl``); the entry describes the link for screen readers."""
    for position, child in enumerate(list(element)):
        href = child.get("href", "")
        if child.tag == "a" and href in tips:
            wrap = etree.Element("span", {"class": "gl cited", "data-tip": tips[href]})
            child.set("class", "citation-link")
            child.set("aria-describedby", href[1:])
            wrap.append(child)
            wrap.tail, child.tail = child.tail, None
            element.remove(child)
            element.insert(position, wrap)
        else:
            _hints(child, tips)


def _html(element: etree.Element) -> str:
    """The element's content as HTML (without its own tag)."""
    text = etree.tostring(element, encoding="unicode", method="html", short_empty_elements=False)
    return text[text.index(">") + 1:text.rindex("<")]


def _append_text(parent: etree.Element, text: str) -> None:
    if len(parent):
        parent[-1].tail = (parent[-1].tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def _inlines(inlines: list[dict], parent: etree.Element,
             notes: list[etree.Element] | None = None, linked: bool = False) -> None:
    """Pandoc's inlines as ElementTree children of ``parent``; a note's go to an element of
    their own in ``notes``, where given. Inside a link, no other link is made."""
    for inline in inlines:
        kind, content = inline["t"], inline.get("c")
        if kind == "Str":
            _append_text(parent, content)
        elif kind in ("Space", "SoftBreak", "LineBreak"):
            _append_text(parent, " ")
        elif kind in _TAGS:
            child = etree.SubElement(parent, _TAGS[kind])
            if kind == "SmallCaps":
                child.set("class", "small-caps")
            _inlines(content, child, notes, linked)
        elif kind == "Quoted":
            opening, closing = _QUOTES[content[0]["t"]]
            _append_text(parent, opening)
            _inlines(content[1], parent, notes, linked)
            _append_text(parent, closing)
        elif kind == "Link":
            _, label, (url, _) = content
            if linked:
                child = parent
            elif url.startswith("#ref-"):  # a citation's link to its entry
                child = etree.SubElement(parent, "a", {"href": url})
            elif url.startswith(("https://", "http://")):
                child = etree.SubElement(parent, "a", {"href": url, "rel": "external"})
            else:  # no other address is a link: only its text stays
                child = parent
            _inlines(label, child, notes, linked or child is not parent)
        elif kind in ("Span", "Cite"):  # (csl-left-margin, nocase...: nothing a reader sees)
            _inlines(content[1], parent, notes, linked)
        elif kind == "Note":
            inner = [i for block in content for i in block.get("c", []) if isinstance(i, dict)]
            if notes is None:
                _inlines(inner, parent, notes, linked)
            else:
                note = etree.Element("span", {"class": "citation"})
                _inlines(inner, note)
                notes.append(note)
        elif kind in ("Code", "Math"):
            _append_text(parent, content[-1])


def executable_exists() -> bool:
    """Whether Pandoc can be run here."""
    try:
        return os.access(pandoc(), os.X_OK)
    except (ImportError, OSError):
        return False
