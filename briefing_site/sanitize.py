"""Cleaning rendered HTML through an allow-list, so that content cannot run code in a browser.

Briefings come from many hands. Whatever raw HTML an author writes, in a briefing or in any
Markdown field, reaches readers only as the elements and attributes listed here: no scripts,
styles, frames, forms, event handlers, or ``javascript:`` and ``data:`` URLs.
"""

from __future__ import annotations

import re

import nh3

from .chars import forbidden
from .markdown_ext import OWN_ID, TIP_END, TIP_START  # the build's own marks (see there)

TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd",
    "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s",
    "samp", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot",
    "th", "thead", "time", "tr", "u", "ul", "var", "wbr",
}
ATTRIBUTES = {
    # What the Markdown extensions and this project's own extensions write.
    "*": {"id", "class", "title", "lang", "dir", "aria-label", "aria-describedby",
          "aria-hidden"},
    "a": {"href", "hreflang"},
    "span": {"data-tip"},
    "img": {"src", "alt", "width", "height"},
    "time": {"datetime"},
    "abbr": {"title"},
    "ol": {"start", "reversed"},
    "td": {"colspan", "rowspan", "style"},
    "th": {"colspan", "rowspan", "scope", "style"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "del": {"cite", "datetime"},
    "ins": {"cite", "datetime"},
}
URL_SCHEMES = {"http", "https", "mailto"}
# The ids a page gives its own parts (see the templates; tests/test_hardening.py checks that
# every literal one is here), and the shapes of those it makes from data. An author's id of
# one of these, raw or from a heading (`## Main`, `## P3`, `## Cite APA`), would make links
# to it land on the wrong element: it gets an underscore, which no page id has.
PAGE_IDS = frozenset({"main", "cite-this", "terms-here", "related-head", "reference",
                      "topics", "authors", "about-author", "latest", "listed",
                      "references-head", "refs", "corrections-head"})
_PAGE_ID = re.compile(r"[py]\d+|(?:cite|tip|letter|ref|cn|cnref|search)-.*")
_SCHEME = re.compile(r"([a-z][a-z0-9+.-]*):", re.IGNORECASE)
# Dropped with everything inside them, not just their tags.
DROP_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "template", "noscript",
                     "form", "textarea", "select", "button", "svg", "math"}




_OWN_ID = {"p": re.compile(OWN_ID + r"p\d+"), "span": re.compile(OWN_ID + r"cite-\d+")}
_MARKS = re.compile(f"[{OWN_ID}{TIP_START[0]}{TIP_END}]")  # the build's own marks
_ADDRESSES = {"href", "src", "cite"}


def _attribute(tag: str, attribute: str, value: str) -> str | None:
    """Each attribute's value as it may stay (None: dropped).

    Checked as it will be written: without the characters no page may hold (which
    ``clean_html`` drops, and which would otherwise join ``java&#1;script:`` into a scheme
    after nh3 checked it), and without the build's own marks except where the build puts
    them (a hint's hole in a term link's ``data-tip``, a paragraph's id, a citation's).
    """
    own = False
    if not (value.isascii() and value.isprintable()):  # (most values: nothing to drop)
        value = forbidden(value).sub("", value)
        own = attribute == "id" and tag in _OWN_ID and bool(_OWN_ID[tag].fullmatch(value))
        if not own and not (attribute == "data-tip" and tag == "span"):
            value = _MARKS.sub("", value)
    if attribute == "id":
        if own:
            return value[len(OWN_ID):]
        return f"{value}_" if value in PAGE_IDS or _PAGE_ID.fullmatch(value) else value
    if attribute in _ADDRESSES:  # nh3 checks href and src, but before the above; cite never
        # Browsers ignore tabs and line breaks in an address, and spaces around it.
        scheme = _SCHEME.match("".join(value.split()))
        return value if scheme is None or scheme.group(1).lower() in URL_SCHEMES else None
    return value


# Built once: setting up the allow-lists costs several times more than cleaning a paragraph.
_CLEANER = nh3.Cleaner(
    tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES,
    clean_content_tags=DROP_WITH_CONTENT, link_rel=None, attribute_filter=_attribute,
    # Tables written in Markdown align columns with an inline style; keep only that.
    filter_style_properties={"text-align"}, strip_comments=True)


def clean_html(html: str) -> str:
    """``html`` with everything outside the allow-list removed.

    A character reference to a character no page or feed may hold (``&#1;``, ``&#xFFFE;``)
    comes out of the cleaner as that character itself, which would make feed.xml invalid;
    it is dropped, as Python's ``html.unescape`` drops it from the plain text that the
    summaries and reference files are made of, so every output shows the same text. (Such
    characters written as they are, or as YAML escapes, are refused when content is read.)
    """
    cleaned = _CLEANER.clean(html)
    return forbidden(cleaned).sub("", cleaned)
