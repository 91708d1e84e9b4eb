"""Characters that content may not hold: in any text, and in a web address.

Every page, the feed and the reference files are made from the same strings, so the rules
are kept here once and applied where content is read (``load``, ``yamlsource``, ``fields``),
before anything is built from it; the writers of the reference files apply the address rule
again (``cite``), for callers that build a model without loading it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from .errors import Diagnostic, SourceRef

# What XML 1.0 does not allow (C0 controls but tab, line feed and carriage return; lone
# surrogates; U+FFFE and U+FFFF): one such character makes feed.xml unreadable, and every
# feed reader then rejects the whole feed. With them, what XML 1.0 and Unicode advise against
# (DEL and the C1 controls, the noncharacters U+FDD0-U+FDEF and the last two code points of
# every plane): no text means them, and C1 controls are what text mis-decoded from
# Windows-1252 holds in place of quotes and dashes.
_NONCHARACTERS = "".join(f"{chr(plane + 0xFFFE)}{chr(plane + 0xFFFF)}"
                         for plane in range(0, 0x110000, 0x10000))
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef"
                       + _NONCHARACTERS + "]")
# The same for text with no character beyond U+FFFF, which is nearly all text: five to ten
# times quicker, the other planes' noncharacters making the class slow to match.
_IN_BMP = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef"
                     "\ufffe\uffff]")


# The private-use characters the build marks its own ids and hint holes with (see
# markdown_ext), as they are or as character references: content may not forge them.
_MARK = re.compile(r"[\ue000-\ue002]|&#(?:[xX]0*[eE]00[0-2]|0*5734[4-6]);")


def forbidden(text: str) -> re.Pattern[str]:
    """``FORBIDDEN``, or its quicker equal for ``text`` (see ``_IN_BMP``)."""
    if text.isascii() or len(text.encode("utf-16-le", "surrogatepass")) == 2 * len(text):
        return _IN_BMP
    return FORBIDDEN

# At most this many lines of one file are reported: a file full of such characters (a binary
# file saved as .md) should not bury every other message.
MAX_REPORTED_LINES = 10


def describe(char: str) -> str:
    """``the control character U+0001``: what a forbidden character is, by its code point."""
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        kind = "the lone surrogate"
    elif code < 0x20 or 0x7F <= code <= 0x9F:
        kind = "the control character"
    else:
        kind = "the noncharacter"
    return f"{kind} U+{code:04X}"


def hint(char: str) -> str:
    """What an author can do about ``char``."""
    if 0x80 <= ord(char) <= 0x9F:
        return ("delete it; text converted from Windows-1252 holds such characters where "
                "quotes and dashes were")
    return "delete it"


def forbidden_lines(text: str) -> Iterator[tuple[int, str]]:
    """(line, first forbidden character on it) for each line of ``text`` that has one,
    lines counted from 1."""
    line, position, last = 1, 0, 0
    for match in forbidden(text).finditer(text):
        line += text.count("\n", position, match.start())
        position = match.start()
        if line != last:
            last = line
            yield line, match.group()


def _message(char: str) -> str:
    return f"the text contains {describe(char)}, which web pages and feeds cannot hold"


def check_text(text: str, where: SourceRef) -> list[Diagnostic]:
    """A diagnostic for each line of a file's ``text`` that holds a forbidden character
    (the first of them on the line), at most ``MAX_REPORTED_LINES`` and a last word."""
    problems = []
    for line, char in forbidden_lines(text):
        if len(problems) == MAX_REPORTED_LINES:
            problems.append(Diagnostic(f"more lines hold such characters; only the first "
                                       f"{MAX_REPORTED_LINES} are shown", where.at(line)))
            break
        problems.append(Diagnostic(_message(char), where.at(line), hint(char)))
    mark = _MARK.search(text)
    if mark:  # (one is enough to say it: no text means them)
        problems.append(Diagnostic(
            f"the text contains {mark.group()!r}, a private-use character that briefing-site "
            "keeps for its own marks in pages", where.at(text.count("\n", 0, mark.start()) + 1),
            "delete it"))
    return problems


def check_value(value: str, where: SourceRef) -> Diagnostic | None:
    """The diagnostic for a YAML value that holds a forbidden character, or None.

    Written as they are, such characters are refused with the file's text (``check_text``);
    in a value they come from escapes in double quotes (``"\\0"``, ``"\\x01"``), which YAML
    turns into the characters themselves.
    """
    match = forbidden(value).search(value)
    if match is None:
        return None
    code = ord(match.group())
    escape = (f"\\x{code:02X}" if code < 0x100 else f"\\u{code:04X}" if code < 0x10000
              else f"\\U{code:08X}")
    return Diagnostic(_message(match.group()), where,
                      f"delete the escape that writes it in double quotes, such as \"{escape}\"")


# Characters that may not appear, written as they are, in an address. Each can end or break
# out of the place an address is written: whitespace ends it in robots.txt and the RIS file
# and starts a new line there; quotes and angle brackets end an HTML or XML attribute, and a
# Markdown autolink; braces and the backslash end the BibTeX field or start a TeX command.
# RFC 3986 allows none of them unencoded but the apostrophe, and each can be written
# percent-encoded (a space as %20, an apostrophe as %27), so no real address is refused.
URL_REFUSED = frozenset("\"'<>{}\\`")


def _url_refused(char: str) -> bool:
    return char in URL_REFUSED or char.isspace() or unicodedata.category(char) == "Cc"


def percent_encoded(char: str) -> str:
    """``%7D`` for ``}``: how ``char`` is written in an address."""
    return "".join(f"%{byte:02X}" for byte in char.encode("utf-8", "surrogatepass"))


def url_problem(url: str) -> tuple[str, str] | None:
    """Why ``url`` is not a web address that every output can hold, as (problem, hint), or
    None. Only ``http://`` and ``https://`` are addresses, so no ``javascript:`` or ``data:``
    link gets in."""
    if not url.lower().startswith(("http://", "https://")):
        return "", "write it in full, starting with https://"
    char = next((ch for ch in url if _url_refused(ch)), None)
    if char is None:
        return None
    name = {" ": "a space", "\n": "a line break", "\t": "a tab"}.get(char)
    if name is None:
        name = (f"{char!r}" if char.isprintable() and not char.isspace()
                else f"the character U+{ord(char):04X}")
    return f"it contains {name}", f"write it as {percent_encoded(char)}"


def encode_url(url: str) -> str:
    """``url`` with every character that ``url_problem`` refuses percent-encoded: an address
    that passed ``url_problem`` comes back unchanged."""
    return "".join(percent_encoded(ch) if _url_refused(ch) else ch for ch in url)
