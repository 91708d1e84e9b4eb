"""How deep and how dense Markdown may be: what Python-Markdown converts in time linear in the
text, and without running out of stack.

Python-Markdown scans forward from every ``[`` for its closing bracket, and from every
abbreviation for every other; nested blocks and emphasis recurse, a few frames per level.
So a few kilobytes of brackets took minutes, and a list nested a few hundred deep ended in
Python's RecursionError. Text within these limits converts at a steady rate (at worst about
thirty seconds per megabyte, for text that is nothing but brackets); no real briefing comes
near them. They are checked on the Markdown source, before any of it is converted, and each
one broken is reported at its line.
"""

from __future__ import annotations

import re

from .errors import Diagnostic, SourceRef

# Per run of inline text (a paragraph, a list item, a table row, a heading): what one
# conversion scans across.
MAX_BRACKETS = 200  # '[' (links, images, footnote references)
MAX_EMPHASIS = 200  # '*' and '_' that could open or close emphasis
# Per briefing.
MAX_ABBREVIATIONS = 200  # '*[ABC]: ...' definitions
MAX_HTML_BLOCKS = 100  # HTML blocks whose content is Markdown (markdown="1"), which nest
# Per line: blockquote markers, list markers and indentation, together.
MAX_DEPTH = 16

# Where a line starts a new run of inline text: a list item, a table row, a heading, a
# footnote or link definition, a fence.
_NEW_RUN = re.compile(r"(?:[-*+]|\d{1,9}[.)])(?:\s|$)|\||#|\[\^?[^\]]*\]:|```|~~~")
_LIST_MARKER = re.compile(r"(?:[-*+]|\d{1,9}[.)])(?:[ \t]+|$)")
_QUOTE_MARKER = re.compile(r">[ \t]?")
_HTML_BLOCK = re.compile(r"""\bmarkdown\s*=\s*["']?(?:1|block|span)""", re.IGNORECASE)
_ABBREVIATION = re.compile(r"\*\[[^\]]*\]:")
_BRACKET = re.compile(r"(?<!\\)\[")  # an escaped one is never scanned from
_EMPHASIS = re.compile(r"(?<!\\)[*_]")
_RULE = re.compile(r"[ \t]*(?:[-*_][ \t]*){3,}$")  # a horizontal rule, not emphasis


def _depth(line: str) -> tuple[int, str, bool]:
    """How deeply ``line`` nests (quotes, list markers, indentation), what is left, and
    whether it begins a list item."""
    depth, position, width, item = 0, 0, 0, False
    while position < len(line):
        char = line[position]
        if char == " ":
            width += 1
        elif char == "\t":
            width += 4 - width % 4
        else:
            match = _QUOTE_MARKER.match(line, position)
            listed = None if match else _LIST_MARKER.match(line, position)
            if match is None and listed is None:
                break
            item = item or listed is not None
            depth += 1
            position = (match or listed).end()
            continue
        position += 1
    return depth + width // 4, line[position:], item


def check_markdown(text: str, where: SourceRef, first_line: int = 1,
                   what: str = "the text") -> list[Diagnostic]:
    """What in the Markdown ``text`` (whose first line is ``first_line`` of ``where``) breaks
    a limit: one error per limit, at the first line that breaks it."""
    problems: dict[str, Diagnostic] = {}

    def report(kind: str, line: int, message: str, hint: str) -> None:
        if kind not in problems:
            problems[kind] = Diagnostic(message, where.at(first_line + line), hint)

    brackets = emphasis = abbreviations = nested = 0
    started, last_depth = 0, 0  # line of the run of inline text being counted, its depth
    in_code = False
    for number, line in enumerate(text.split("\n")):
        depth, rest, item = _depth(line)
        stripped = rest.strip()
        if stripped.startswith(("```", "~~~")):
            in_code = not in_code
        if depth > MAX_DEPTH:
            report("depth", number, f"{what} nests {depth} levels deep (quotes, lists and "
                   f"indentation together); at most {MAX_DEPTH} can be converted",
                   "flatten the nesting")
        # A run of inline text goes on over lines at the same depth (a quoted or indented
        # paragraph's lines are one text to Python-Markdown); a list item starts a new one.
        if not stripped or in_code or _NEW_RUN.match(rest) or item or depth != last_depth:
            brackets = emphasis = 0
            started = number if stripped else number + 1
        last_depth = depth
        nested += len(_HTML_BLOCK.findall(rest))
        if nested > MAX_HTML_BLOCKS:
            report("html", number, f"{what} has more than {MAX_HTML_BLOCKS} HTML blocks whose "
                   "content is Markdown (markdown=\"1\"); they cannot all be converted",
                   "use fewer, or nest them less")
        if in_code:
            continue
        if _ABBREVIATION.match(stripped):
            abbreviations += 1
            if abbreviations > MAX_ABBREVIATIONS:
                report("abbreviations", number, f"{what} defines more than "
                       f"{MAX_ABBREVIATIONS} abbreviations", "define the ones readers need, "
                       "or put terms in the glossary")
        brackets += len(_BRACKET.findall(rest))
        if not _RULE.match(rest):
            emphasis += len(_EMPHASIS.findall(rest))
        if brackets > MAX_BRACKETS:
            report("brackets", started, f"{what} has more than {MAX_BRACKETS} '[' in one "
                   "paragraph, list item or row", "split it, or write a bracket as '\\['")
        if emphasis > MAX_EMPHASIS:
            report("emphasis", started, f"{what} has more than {MAX_EMPHASIS} '*' and '_' in "
                   "one paragraph, list item or row", "split it, or write them as '\\*' and "
                   "'\\_'")
    return list(problems.values())
