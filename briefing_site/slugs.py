"""Turning titles and names into URL-safe identifiers."""

from __future__ import annotations

import functools
import re
import unicodedata

# Letters that Unicode decomposition leaves alone; enough for the region's names.
_TRANSLIT = str.maketrans({
    "а": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "i", "к": "k", "қ": "q", "л": "l", "м": "m", "н": "n", "ң": "n",
    "о": "o", "ө": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ұ": "u", "ү": "u",
    "ф": "f", "х": "kh", "һ": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "",
    "ы": "y", "і": "i", "ь": "", "э": "e", "ю": "yu", "я": "ya", "ә": "a",
    "ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "ł": "l", "đ": "d", "þ": "th",
})

SLUG_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MAX_LENGTH = 80
# Names Windows will not create as files, whatever the extension.
RESERVED = frozenset({"con", "prn", "aux", "nul", *(f"com{n}" for n in range(10)),
                      *(f"lpt{n}" for n in range(10))})


@functools.lru_cache(maxsize=65536)  # authors and topics are slugged again on every build
def slugify(text: str) -> str:
    """ASCII, lower case, words joined by hyphens: ``"Елбасы"`` -> ``"elbasy"``."""
    text = text.lower().translate(_TRANSLIT)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return slug[:MAX_LENGTH].rstrip("-")


def is_slug(text: str) -> bool:
    """Whether ``text`` may be used as a file name or fragment as it stands."""
    return (len(text) <= MAX_LENGTH and SLUG_PATTERN.fullmatch(text) is not None
            and text not in RESERVED)
