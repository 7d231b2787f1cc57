"""Recognise text typed with legacy Vietnamese encodings (TCVN3 "ABC", VNI) and turn it into NFC Unicode."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Literal

LegacyEncoding = Literal["tcvn3", "vni"]

# Column order of the tables below: no tone, huyền, sắc, hỏi, ngã, nặng.
_TONES = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")

# TCVN 5712:1993 VN3 (".VnTime" fonts), each byte as it reads back through cp1252/Latin-1.
# VN3 has no capitals with tones: the ".VnTimeH" fonts draw these lowercase codes as capitals.
_TCVN3_ROWS = {
    "a": "aµ¸¶·¹",
    "ă": "¨»¾¼½Æ",
    "â": "©ÇÊÈÉË",
    "e": "eÌÐÎÏÑ",
    "ê": "ªÒÕÓÔÖ",
    "i": "i×ÝØÜÞ",
    "o": "oßãáâä",
    "ô": "«åèæçé",
    "ơ": "¬êíëìî",
    "u": "uïóñòô",
    "ư": "\xadõøö÷ù",
    "y": "yúýûüþ",
}
_TCVN3_OTHERS = {"đ": "®", "Ă": "¡", "Â": "¢", "Ê": "£", "Ô": "¤", "Ơ": "¥", "Ư": "¦", "Đ": "§"}
_TCVN3_CAPITALS = frozenset("¡¢£¤¥¦§")

# VNI-Windows: a base letter followed by a mark byte; i, ỵ, ơ, ư and đ have one-byte forms.
# Capitals are the same sequences upper-cased ("AØ" is À, "Ñ" is Đ).
_VNI_ROWS = {
    "a": ("a", "aø", "aù", "aû", "aõ", "aï"),
    "ă": ("aê", "aè", "aé", "aú", "aü", "aë"),
    "â": ("aâ", "aà", "aá", "aå", "aã", "aä"),
    "e": ("e", "eø", "eù", "eû", "eõ", "eï"),
    "ê": ("eâ", "eà", "eá", "eå", "eã", "eä"),
    "i": ("i", "ì", "í", "æ", "ó", "ò"),
    "o": ("o", "oø", "où", "oû", "oõ", "oï"),
    "ô": ("oâ", "oà", "oá", "oå", "oã", "oä"),
    "ơ": ("ô", "ôø", "ôù", "ôû", "ôõ", "ôï"),
    "u": ("u", "uø", "uù", "uû", "uõ", "uï"),
    "ư": ("ö", "öø", "öù", "öû", "öõ", "öï"),
    "y": ("y", "yø", "yù", "yû", "yõ", "î"),
}


def _lowercase_pairs(rows: Mapping[str, Sequence[str]]) -> list[tuple[str, str]]:
    """(Unicode letter, legacy code) for every lowercase vowel-with-marks in a table."""
    return [
        (unicodedata.normalize("NFC", base + tone), code)
        for base, codes in rows.items()
        for tone, code in zip(_TONES, codes)
    ]


def _build_tcvn3() -> tuple[dict[str, str], dict[int, str]]:
    encode: dict[str, str] = {}
    for letter, code in [*_lowercase_pairs(_TCVN3_ROWS), ("đ", "®")]:
        encode[letter] = code
        # A capital with a tone can only be typed as its lowercase code (see .VnTimeH above).
        encode[letter.upper()] = code.upper() if code.isascii() else code
    encode.update(_TCVN3_OTHERS)
    decode = {ord(code): letter for letter, code in encode.items() if not code.isascii() and letter == letter.lower()}
    decode.update({ord(code): letter for letter, code in _TCVN3_OTHERS.items()})
    return encode, decode


def _build_vni() -> tuple[dict[str, str], dict[str, str]]:
    encode: dict[str, str] = {}
    for letter, code in [*_lowercase_pairs(_VNI_ROWS), ("đ", "ñ")]:
        encode[letter] = code
        encode[letter.upper()] = code.upper()
    decode: dict[str, str] = {}
    for letter, code in encode.items():
        if code.isascii():
            continue
        decode[code] = letter
        if len(code) == 2:
            # Keyboards did not always match the mark's case to the base letter's.
            decode[code[0] + code[1].swapcase()] = letter
    return encode, decode


_TCVN3_ENCODE, _TCVN3_DECODE = _build_tcvn3()
_VNI_ENCODE, _VNI_DECODE = _build_vni()
_VNI_SEQUENCE = re.compile("|".join(map(re.escape, sorted(_VNI_DECODE, key=len, reverse=True))))

_VIETNAMESE_LETTERS = frozenset(_TCVN3_ENCODE)
# Letters that only Unicode Vietnamese text can contain: legacy text is all Latin-1 lookalikes.
_UNICODE_ONLY_LETTERS = frozenset(c for c in _VIETNAMESE_LETTERS if ord(c) > 0xFF)
_UNICODE_ONLY = re.compile("[" + re.escape("".join(sorted(_UNICODE_ONLY_LETTERS))) + "]")
# Converted letters that betray the encoding: those Latin-1 cannot hold, plus those whose code
# could not sit inside a Western word (a TCVN3 symbol such as "«", a VNI doubled vowel as in "oâ").
# French "où" read as VNI gives "ó", which is no telltale.
_TELLTALES: dict[str, frozenset[str]] = {
    "tcvn3": _UNICODE_ONLY_LETTERS | {c for c, code in _TCVN3_ENCODE.items() if not code.isalpha()},
    "vni": _UNICODE_ONLY_LETTERS | set("âêôÂÊÔ"),
}

# A word is a run of letters or TCVN3 code points, which include symbols such as "µ" and "«".
_TCVN3_SYMBOLS = "".join(sorted({chr(point) for point in _TCVN3_DECODE}))
_WORD = re.compile(rf"(?:[^\W\d_]|[{re.escape(_TCVN3_SYMBOLS)}])+")

# Vietnamese syllable structure, on a lowercase word with its tone mark removed.
_SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|th|tr|qu|[bcdđghklmnprstvx])?"
    r"(?:iêu|yêu|oai|oay|oao|oeo|uây|uôi|uya|uyê|uyu|ươi|ươu"
    r"|ai|ao|au|ay|âu|ây|eo|êu|ia|iê|iu|oa|oă|oe|oi|ôi|ơi|oo|ua|uâ|uê|ui|uô|uơ|uy|ưa|ưi|ươ|ưu|yê"
    r"|[aăâeêioôơuưy])"
    r"(?P<coda>ch|ng|nh|[cmnptk])?"
)
_TONE_MARKS = frozenset(_TONES[1:])
# Syllables closed by a stop can only carry sắc or nặng.
_STOP_TONES = frozenset({"", "\u0301", "\u0323"})


def _is_vietnamese_syllable(word: str) -> bool:
    """Whether `word` is spelled like one Vietnamese syllable, in lower, Title or UPPER case."""
    if not (word.islower() or word.isupper() or (word[0].isupper() and word[1:] == word[1:].lower())):
        return False
    decomposed = unicodedata.normalize("NFD", word.lower())
    tones = [c for c in decomposed if c in _TONE_MARKS]
    if len(tones) > 1:
        return False
    bare = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONE_MARKS))
    match = _SYLLABLE.fullmatch(bare)
    if not match:
        return False
    return match["coda"] not in {"c", "ch", "p", "t", "k"} or (tones[0] if tones else "") in _STOP_TONES


def _tcvn3_word(word: str) -> str:
    converted = word.translate(_TCVN3_DECODE)
    # .VnTimeH users type capitals with lowercase codes; a word whose ASCII letters are all
    # capitals past its first letter was typed in capitals ("VIÖT" is VIỆT, "Tõ" stays Từ).
    if not any(c.isascii() and c.islower() for c in word) and any(
        (c.isascii() and c.isupper()) or c in _TCVN3_CAPITALS for c in word[1:]
    ):
        return converted.upper()
    return converted


def convert_legacy(text: str, encoding: LegacyEncoding) -> str:
    """`text` typed in `encoding`, as NFC Unicode; characters outside the encoding pass through."""
    if encoding == "tcvn3":
        converted = _WORD.sub(lambda match: _tcvn3_word(match.group()), text)
    elif encoding == "vni":
        converted = _VNI_SEQUENCE.sub(lambda match: _VNI_DECODE[match.group()], text)
    else:
        raise ValueError(f"Bảng mã không được hỗ trợ: {encoding!r}")
    return unicodedata.normalize("NFC", converted)


def encode_legacy(text: str, encoding: LegacyEncoding) -> str:
    """Unicode `text` as a legacy keyboard would have typed it (for building test fixtures).

    TCVN3 cannot hold capitals with tones other than Ă Â Ê Ô Ơ Ư Đ: they become the lowercase
    code, as .VnTimeH users typed them, so title-case "Ủy" comes back as "ủy".
    """
    table = _TCVN3_ENCODE if encoding == "tcvn3" else _VNI_ENCODE
    return "".join(table.get(c, c) for c in unicodedata.normalize("NFC", text))


def _evidence(text: str, encoding: LegacyEncoding) -> tuple[int, int, int, int]:
    """(good words, marked letters in them, telltale letters in them, bad words).

    A good word is not a Vietnamese syllable as it stands but becomes one when converted;
    a bad word is changed by conversion into something that is not a syllable. Words that
    are syllables either way ("mét" / "một") prove nothing and are not counted, nor are
    lone characters, which are as often a bullet or a sign ("·", "×") as the word "ở".
    """
    good = marked = telltale = bad = 0
    for word in _WORD.findall(text):
        converted = convert_legacy(word, encoding)
        if converted == word or len(word) < 2:
            continue
        if not _is_vietnamese_syllable(converted):
            bad += 1
        elif not _is_vietnamese_syllable(word):
            good += 1
            marked += sum(not c.isascii() for c in converted)
            telltale += sum(c in _TELLTALES[encoding] for c in converted)
    return good, marked, telltale, bad


def detect_legacy_encoding(text: str) -> LegacyEncoding | None:
    """The legacy encoding `text` was evidently typed in, or None when it is (or may be) Unicode.

    Conservative by design: it needs at least two converted letters, at least one telltale
    letter, and at most one doubtful word for every three convincing ones.
    Short cells carry little evidence; judge a whole sheet's text at once where possible.
    """
    text = unicodedata.normalize("NFC", text)
    # A letter only Unicode has, found at C speed (most Vietnamese texts have one), or a combining mark.
    if _UNICODE_ONLY.search(text) or (not text.isascii() and any(unicodedata.combining(c) for c in text)):
        return None
    best: tuple[int, int] = (0, 0)
    found: LegacyEncoding | None = None
    for encoding in ("tcvn3", "vni"):
        good, marked, telltale, bad = _evidence(text, encoding)
        if marked >= 2 and telltale >= 1 and good >= 3 * bad and (good, marked) > best:
            best, found = (good, marked), encoding
    return found


def normalize_text(text: str) -> tuple[str, str | None]:
    """NFC-normalised Unicode text and the legacy encoding converted from (None if it was already Unicode)."""
    encoding = detect_legacy_encoding(text)
    if encoding is None:
        return unicodedata.normalize("NFC", text), None
    return convert_legacy(unicodedata.normalize("NFC", text), encoding), encoding
