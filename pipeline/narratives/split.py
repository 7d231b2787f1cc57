"""Vietnamese-aware sentence splitting: abbreviations (TP., TS., v.v.), numbers (1.250, 12,5%), dates and
list items ("-", "+", "•", "1.", "a)") do not end a sentence; a line of its own is an item of its own."""
from __future__ import annotations

import re
import unicodedata

_ABBREVIATIONS = {"tp", "ts", "ths", "pgs", "gs", "bs", "q", "p", "tt", "tx", "h", "x", "ông", "bà", "đ/c", "đc",
                  "vd", "st", "cn", "ks", "nxb", "tr", "s"}
_ITEM = re.compile(r"^\s*(?:[-+•*–—]+|\(?[0-9]{1,2}[.)](?=\s)|\(?[a-zđ][.)](?=\s))\s*", re.IGNORECASE)
# A sentence ends at . ! ? (or …) followed by a space and a capital or a digit, or at the end of the text.
# (Which letters are capitals is asked of Unicode: a range such as À-Ỹ also holds lower-case letters.)
_END = re.compile(r"(?<=[.!?…])\s+(?=[\"“(]?(\w))")
_SPACES = re.compile(r"\s+")
_THREE_LETTERS = re.compile(r"[^\W\d_](?:[\W\d_]*[^\W\d_]){2}")


def split_sentences(text: str) -> list[str]:
    """The sentences of a unit's text as it stands (NFC, spaces collapsed), list markers removed."""
    sentences: list[str] = []
    for line in unicodedata.normalize("NFC", text or "").splitlines():
        item = _ITEM.match(line)  # a match, not a sub: a sub would try every position of the line
        line = " ".join((line[item.end():] if item else line).split())  # str.split's whitespace is re's \s
        if not line:
            continue
        start = 0
        for match in _END.finditer(line):
            following = match.group(1)
            if not (following.isupper() or following.isdigit()):
                continue
            piece = line[start:match.start()]
            if _ends_with_abbreviation(piece):
                continue
            sentences.append(piece)
            start = match.end()
        sentences.append(line[start:])
    return [s for s in (s.strip() for s in sentences) if _has_words(s)]


def _ends_with_abbreviation(piece: str) -> bool:
    last = piece.rsplit(" ", 1)[-1].rstrip(".").lower()
    return last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha())


def _has_words(sentence: str) -> bool:
    return _THREE_LETTERS.search(sentence) is not None
