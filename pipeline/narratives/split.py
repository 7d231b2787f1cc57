"""The points of a unit's narrative text as units type them: pasted into one cell from Word or a PDF, with hard
line ends inside sentences, several "- " or "1." points on one line, headings and ";" lists. Vietnamese-aware:
abbreviations (TP., TS., v.v.), numbers (1.250, 12,5%), dates and ranges (2023 - 2024) do not end a point."""
from __future__ import annotations

import re
import unicodedata

_ABBREVIATIONS = {"tp", "ts", "ths", "pgs", "gs", "bs", "q", "p", "tt", "tx", "h", "x", "ông", "bà", "đ/c", "đc",
                  "vd", "st", "cn", "ks", "nxb", "tr", "s"}
# A list marker at a line's start: a bullet symbol, "1." "1)" "(1)" "2.1.", "a." "a)" "(a)" (an upper-case letter
# only with ")": "Q. Ba Đình" and "A. TÌNH HÌNH CHUNG" are not points' markers), or a Roman section number "II.".
_ITEM = re.compile(r"(?:[-+•*–—]+|\(?[0-9]{1,2}(?:\.[0-9]{1,2})*[.)](?=\s)|\([0-9]{1,2}\)|\(?[a-zđ][.)](?=\s)"
                   r"|\([a-zđ]\)|[A-ZĐ]\)(?=\s)|(?=[IVXL]{2})[IVXL]+\.(?=\s))\s*")
_SECTION = re.compile(r"(?:[IVXL]+|[A-ZĐ])\.\s")  # "V. KIẾN NGHỊ", "A. TÌNH HÌNH CHUNG", "II. Kết quả"
# A sentence ends at . ! ? (or …), maybe closed by a quote or a bracket, followed by a space and a capital or a
# digit. (Which letters are capitals is asked of Unicode: a range such as À-Ỹ also holds lower-case letters.)
_END = re.compile(r"[.!?…][\"”’)]?( )(?=[\"“(]?(\w))")  # spaces are collapsed: one
# What the inline scan of a paragraph (its spaces collapsed, its own marker off) looks at, left to right: markers
# (before brackets: "(a)" is a marker), quotes and brackets. A marker stands between spaces; "•" needs none.
# (Each branch starts with a character, not a look-behind, so that re skips quickly to the candidates.)
_INLINE = re.compile(
    r"(?P<dot>•)"
    r"| (?P<bullet>[-+*–—])(?= )"
    r"| (?:\((?P<pn>[0-9]{1,2})\)|(?P<n>[0-9]{1,2})(?P<ns>[.)]))(?= )"
    r"| (?:\((?P<pl>[a-zđ])\)|(?P<l>[a-zđ])\))(?= )"
    r"|(?P<quote>[\"“”])|(?P<open>[(\[])|(?P<close>[)\]])")
_MAYBE_INLINE = re.compile(r" (?:[-+*–—]|\(?[0-9]{1,2}[.)]|\(?[a-zđ]\)) ")  # a quick look first: most have none
_SEMICOLON = re.compile(r"[;\"“”()\[\]]")
_THREE_LETTERS = re.compile(r"[^\W\d_](?:[\W\d_]*[^\W\d_]){2}")
_ENDS = ".!?…:;"  # what ends a sentence at a line's end (":" and ";" end a line's point though not a sentence)
_CLOSERS = "\"”’)]"
_CONTINUES = ",-–(/&"  # a line ending so goes on on the next line whatever that starts with
_LETTERS = "abcdđeghiklmnopqrstuvxy"  # Vietnamese lists run a) b) c) d) đ) e); a) b) c) d) e) is taken too
# Words after which "2." or "a)" is a number in a sentence, not a point's marker ("Điều 2.", "điểm a) khoản 1").
_COUNTED = {"điều", "khoản", "điểm", "mục", "chương", "phần", "số", "quý", "tháng", "ngày", "năm", "lần", "thứ",
            "lớp", "tổ", "khối", "đợt", "nhóm", "q", "p", "quận", "phường", "xã", "câu", "trang", "bước"}
# Words a section heading is made of ("Kết quả đạt được", "* Tồn tại, hạn chế", "Những khó khăn, vướng mắc"): a
# short line of these and figures only is a heading however it is marked.
_HEADING_WORDS = set("""kết quả đạt được tồn tại hạn chế ưu khuyết nhược điểm nguyên nhân khách chủ quan kiến nghị
    đề xuất khó khăn vướng mắc thuận lợi phương hướng nhiệm vụ trọng tâm giải pháp bài học kinh đánh giá chung
    tình hình đặc những một số các và của năm yếu cụ thể mục tiêu chỉ biện tổng hợp""".split())
_MIN_WORDS_AROUND_SEMICOLON = 4
_STATEMENT_WORDS = 5  # parts this long after a ";" are points whatever their case ("…; giới thiệu cho đoàn viên …")
# Words that open a point even in lower case after a ";" ("…; đề nghị Sở Y tế …"): a list of requests typed in one line.
_OPENERS = ("đề nghị", "kiến nghị", "đề xuất", "mong", "cần")
# " - " before a capital: twice in a paragraph, a Word list pasted flat ("* Kiến nghị - Đề nghị … - Đề nghị …").
_FLAT_DASH = re.compile(r" ([-–]) (?=[\"“]?[^\W\d_])")
_LABEL = re.compile(r"^([^:]{2,40}):\s+(?=\S)")  # "Hạn chế: …", "Kiến nghị, đề xuất: …"


def split_sentences(text: str) -> list[str]:
    r"""The points of a unit's text, in order: each a sentence or a list item, NFC, its spaces collapsed, its list
    marker removed; headings and pieces without a word of three letters are dropped. The rules, in turn:

    1. Lines and headings. A line starts a point when it starts with a list marker: "- " "+ " "•" "*" "–" "—",
       "1." "1)" "(1)" "2.1.", "a." "a)" "(a)" "A)", or a Roman number "II." (not "Q. Ba Đình", "TP.", "1.250").
       A line is a heading, not a point, when (its marker aside) it starts with a capital and: is mostly upper
       case in at most 12 words, not ending with . ! ? ; ("V. KIẾN NGHỊ, ĐỀ XUẤT"); or starts with a Roman
       number or a capital and "." in at most 10 words, not ending so ("V. Kiến nghị, đề xuất"); or has at most
       8 words and ends with ":" ("Kiến nghị:", "Một số đề xuất:"); or is at most 8 words, all of a heading's
       vocabulary or figures, not ending so ("* Tồn tại, hạn chế", "B. Nhiệm vụ trọng tâm năm 2024").
    2. Hard wraps. A line continues the one before (joined with a space; with none after a letter and "-",
       "Covid-
19") when that one does not end a sentence (its last mark, closing quotes aside, is not one of
       . ! ? … : ; or is an abbreviation's dot), this one starts no point and is no upper-case heading, and the
       break was a wrap: this line starts with a small letter ("công
doàn"); or the one before ends with
       , - – ( / & or an abbreviation ("tại TP.
Sầm Sơn"); or the text has sure wraps (lines that end no
       sentence followed by one starting with a small letter) and the one before was full: this line's first
       word would not have fitted within 90% of the longest of those (a proportional font's slack). A text
       without sure wraps was not wrapped: "Kết quả nổi bật
Trong năm, ..." or a list typed one per line
       without marks stays apart. A blank line ends a paragraph.
    3. Points within a paragraph. A marker between spaces inside a paragraph starts a point only outside quotes
       and brackets, and only:
       - "•", always;
       - "-" "+" "*" "–" "—" when the mark before it (closing quotes aside) is one of . ! ? … : ; and a letter
         follows; or when the paragraph already runs points of that very symbol (it starts with it, or one was
         taken) and a capital follows: "- Tổ chức hội nghị - Thăm hỏi đoàn viên" is two points, while "đoàn
         viên - người lao động", "kinh tế - xã hội", "2023 - 2024", "28/7/1929 - 28/7/2024", "1,5 - 2 triệu",
         "Covid-19", "nhiệm kỳ 2023-2028" and the quoted "“Lao động giỏi - Lao động sáng tạo”" stay whole;
       - "1." "1)" "(1)" "a)" "(a)" when a letter follows and they run in sequence in one style (the paragraph
         starts with "1." and this is "2.", then "3."; a) b) c), d) đ) or d) e)) or start one ("1", "a" after
         . ! ? … : ;), and (but for "(1)" "(a)") no word that takes a number comes before ("Điều 2.", "điểm a)",
         "tổ 2.", "Q. 1"). "1.250 người", "12,5%", "TP. Thanh Hóa" hold no marker.
       A piece before the first marker that is a heading by rule 1 is left out ("Kiến nghị: - ...").
    4. Sentences within a point. A sentence ends at . ! ? … (maybe closed by a quote or a bracket) followed by
       a space and a capital or a digit, unless the word before is an abbreviation (TP., TS., Q.) or a single
       letter; "v.v." ends one.
    5. ";" in a sentence, outside brackets and quotes, separates points when every part has at least 4 words
       (the first counted after a ":" in it) and either every part after a ";" starts with a capital, or the
       sentence is its whole unmarked paragraph with at least 3 parts ("a; b; c"). So "nam; nữ", "xuất sắc 20
       người; tốt 50 người", "... Q. Ba Đình; v.v." and a clause in running text ("...; trong năm kết nạp mới 4
       đoàn viên.") stay whole. A ";" stays with the point before it.
    Each step reads the text once, left to right, with patterns that cannot backtrack: time is linear.
    """
    points: list[str] = []
    for marker, body in _paragraphs(unicodedata.normalize("NFC", text or "")):
        segments = _inline_points(body, marker)
        for index, segment in enumerate(segments):
            if index == 0 and len(segments) > 1 and _is_heading(segment):  # "Kiến nghị: - ..."
                continue
            sentences = _sentences(segment)
            whole_line = marker is None and len(segments) == 1 and len(sentences) == 1
            for sentence in sentences:
                points.extend(_semicolon_points(sentence, whole_line))
    return [point for point in map(_without_label, points) if _has_words(point)]


def _without_label(point: str) -> str:
    """A point opened by a heading's words and a colon ("Hạn chế: Việc …", "Đề xuất: Đề nghị …") without them."""
    label = _LABEL.match(point)
    words = label.group(1).split() if label else []
    if label and (all(word.strip(",.").lower() in _HEADING_WORDS for word in words)
                  or words[0].lower() == "về" and len(words) <= 6):  # "Về chăm lo đời sống: …"
        return point[label.end():]
    return point


# ---- 1 and 2: lines, headings and hard wraps ---------------------------------------------------------------

def _paragraphs(text: str) -> list[tuple[str | None, str]]:
    """(marker, body) of each paragraph: lines joined where they were wrapped, headings left out."""
    lines = [" ".join(line.split()) for line in text.splitlines()]  # str.split's whitespace is re's \s
    width = _wrap_width(lines)
    paragraphs: list[tuple[str | None, str]] = []
    marker: str | None = None
    parts: list[str] = []
    previous = ""  # the last line taken into parts

    def flush() -> None:
        body = "".join(parts).strip()
        if body:
            paragraphs.append((marker, body))
        parts.clear()

    for line in lines:
        if not line:
            flush()
            previous = ""
            continue
        if parts and _continues(previous, line, width):
            parts.append(_joined(previous, line))
            previous = line
            continue
        item = _ITEM.match(line)
        flush()
        previous = line
        if _is_heading(line):
            previous = ""  # nothing continues a heading
            continue
        marker = item.group().strip() if item else None
        parts.append(line[item.end():] if item else line)
    flush()
    return paragraphs


def unwrapped_lines(text: str) -> list[str]:
    """The text's lines as its writer meant them: hard wraps undone by rule 2 of split_sentences (a PDF's or an
    email's line ends inside a sentence), list items and headings kept as lines of their own, blank lines
    dropped. Each line keeps its own characters (a non-breaking space, two spaces), only its ends trimmed; the
    rules read it with its spaces collapsed, as split_sentences does. For printing a unit's text whole (the
    annex); the points are split_sentences' work."""
    raw = [line.strip() for line in unicodedata.normalize("NFC", text or "").splitlines()]
    lines = [" ".join(line.split()) for line in raw]  # as _paragraphs reads them
    width = _wrap_width(lines)
    joined: list[str] = []
    previous = ""  # the last line, when the next may continue it
    for line, kept in zip(lines, raw):
        if not line:
            previous = ""
            continue
        if previous and _continues(previous, line, width):
            joined[-1] += _joined(previous, kept)
            previous = line
            continue
        joined.append(kept)
        previous = "" if _is_heading(line) else line  # nothing continues a heading
    return joined


def _continues(previous: str, line: str, width: float) -> bool:
    """Rule 2: `line` goes on with the sentence `previous` left open (a wrap), not a point or a heading of its own."""
    return (not _ITEM.match(line) and not _upper_heading(line) and not _ends_sentence(previous)
            and _wrapped(previous, line, width))


def _joined(previous: str, line: str) -> str:
    """`line` as it continues `previous`: after a space, or right after a letter and "-" ("Covid-\n19")."""
    return line if previous.endswith("-") and previous[-2:-1].isalnum() else " " + line


def _is_heading(line: str) -> bool:
    if _upper_heading(line):
        return True
    item = _ITEM.match(line)
    body = line[item.end():] if item else line
    words = body.split()
    if not words or not body[0].isupper():
        return False
    if body.endswith(":") and len(words) <= 8:
        return True
    if _SECTION.match(line) and len(line.split()) <= 11 and not line.endswith((".", "!", "?", ";")):
        return True
    if len(words) > 8 or body.endswith((".", "!", "?", ";")):
        return False
    plain = (w.strip(",.:;()\"“”").lower() for w in words)
    return all(w in _HEADING_WORDS or w.isdigit() or not w for w in plain)


def _upper_heading(line: str) -> bool:
    """Mostly upper case, in at most 12 words (and a marker or a section number): "V. KIẾN NGHỊ, ĐỀ XUẤT"."""
    if len(line) > 160 or len(line.split()) > 13 or line.endswith((".", "!", "?", ";")):
        return False
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 4 and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


def _ends_sentence(line: str) -> bool:
    end = line.rstrip(_CLOSERS)
    if not end or end[-1] not in _ENDS:
        return False
    return not (end[-1] == "." and _ends_with_abbreviation(end, 0, len(end)))


def _wrap_width(lines: list[str]) -> float:
    """How long a line must be for the next one's first word not to have fitted on it. A text with sure wraps
    (a line that ends no sentence followed by one starting with a small letter) was wrapped at about its longest
    such line, give or take a proportional font's 10%; a text without was not wrapped."""
    sure = [len(line) for line, following in zip(lines, lines[1:])
            if line and following[:1].islower() and not _ends_sentence(line)]
    return 0.9 * max(sure) if sure else float("inf")


def _wrapped(previous: str, line: str, width: float) -> bool:
    if line[0].islower() or previous.endswith(tuple(_CONTINUES)):
        return True
    if previous.endswith(".") and _ends_with_abbreviation(previous, 0, len(previous), letters=False):
        return True  # "tại TP.\nSầm Sơn"
    first_word = line.split(" ", 1)[0]
    return len(previous) + 1 + len(first_word) > width


# ---- 3: points within a line -------------------------------------------------------------------------------

def _inline_points(body: str, marker: str | None) -> list[str]:
    """The body cut at the markers that start a point in the middle of it (see split_sentences, rule 3)."""
    if "•" not in body and not _MAYBE_INLINE.search(body):
        return [body]
    symbol, sequence = None, None  # the bullet symbol the line runs; the numbered style and its next number
    if marker:
        symbol, sequence = _chain(marker)
    found = list(_FLAT_DASH.finditer(body))
    dashes = [(m.group(1), _next_visible(body, m.end()).isupper()) for m in found]
    if symbol not in ("-", "–"):  # no dash of its own, but a flat-pasted dash list: " - Đề nghị … - Kiến nghị …"
        flat = [char for char, capital in dashes if capital]
        if len(flat) >= 2:
            symbol = flat[0]
    # A dash list typed flat in lower case ("- a - b - c"): its own dash and two more make it a list.
    # Every piece has its four words, so "kinh tế - xã hội …, tài liệu hỏi - đáp pháp luật" stays whole.
    bounds = [0, *(m.start() for m in found), len(body)]
    lower_case_list = (symbol in ("-", "–") and marker == symbol and len(dashes) >= 2
                       and all(len(body[a:b].split()) >= 5 for a, b in zip(bounds, bounds[1:], strict=False)))
    cuts: list[tuple[int, int]] = []
    straight_quote, curly, brackets = False, 0, 0
    for match in _INLINE.finditer(body):
        kind = match.lastgroup
        if kind == "quote":
            char = match.group()
            if char == '"':
                straight_quote = not straight_quote
            else:
                curly = curly + 1 if char == "“" else max(curly - 1, 0)
            continue
        if kind == "open":
            brackets += 1
            continue
        if kind == "close":
            brackets = max(brackets - 1, 0)
            continue
        if straight_quote or curly or brackets:
            continue
        start, end = match.span()
        after = _next_visible(body, end)
        before = _before(body, start)
        if kind == "dot":
            cuts.append((start, end))
            continue
        if kind == "bullet" and after.isdigit() and match.group("bullet") == symbol and before.isalpha():
            cuts.append((start, end))  # "- … tại Hà Giang - 100% CBCCVCLĐ …" (never "1929 - 2024", "1,5 - 2")
            continue
        if not after.isalpha() and after not in "\"“":
            continue
        if kind == "bullet":
            char = match.group("bullet")
            if before in _ENDS or (char == symbol and (after.isupper() or lower_case_list)):
                cuts.append((start, end))
                symbol = char
            continue
        style, value = _numbering(match)
        if not style.startswith("(") and _previous_word(body, start) in _COUNTED:
            continue
        if sequence and sequence[0] == style and value in sequence[1]:
            cuts.append((start, end))
        elif value in ("1", "a") and (start == 0 or before in _ENDS):
            cuts.append((start, end))
        else:
            continue
        sequence = (style, _following(value))
    if not cuts:
        return [body]
    pieces, last = [], 0
    for start, end in cuts:
        pieces.append(body[last:start])
        last = end
    pieces.append(body[last:])
    return [p.strip() for p in pieces]


def _chain(marker: str) -> tuple[str | None, tuple[str, set[str]] | None]:
    """What a line's own marker lets run on it: "-" more "- " points, "1." a "2.", "a)" a "b)"."""
    if marker[0] in "-+•*–—":
        return marker[0], None
    number = re.fullmatch(r"(\()?([0-9]{1,2}|[a-zđ])([.)])", marker)
    if not number:
        return None, None
    value = number.group(2)
    style = ("()" if number.group(1) else number.group(3)) + ("9" if value.isdigit() else "a")
    return None, (style, _following(value))


def _numbering(match: re.Match) -> tuple[str, str]:
    if match.group("pn"):
        return "()9", match.group("pn")
    if match.group("n"):
        return match.group("ns") + "9", match.group("n")
    if match.group("pl"):
        return "()a", match.group("pl")
    return ")a", match.group("l")


def _following(value: str) -> set[str]:
    if value.isdigit():
        return {str(int(value) + 1)}
    after = {chr(ord(value) + 1)} if value.isascii() else set()
    if value in _LETTERS[:-1]:
        after.add(_LETTERS[_LETTERS.index(value) + 1])
    return after


def _next_visible(text: str, end: int) -> str:
    while end < len(text) and text[end] == " ":
        end += 1
    return text[end] if end < len(text) else ""


def _before(text: str, start: int) -> str:
    """The mark before a marker at start (its space and closing quotes aside)."""
    index = start - 1
    while index >= 0 and text[index] == " ":
        index -= 1
    while index > 0 and text[index] in _CLOSERS:
        index -= 1
    return text[index] if index >= 0 else ""


def _previous_word(text: str, start: int) -> str:
    end = start - 1 if start and text[start - 1] == " " else start
    return text[text.rfind(" ", 0, end) + 1:end].rstrip(".").lower()


# ---- 4 and 5: sentences and ";" -----------------------------------------------------------------------------

def _sentences(segment: str) -> list[str]:
    sentences, start = [], 0
    for match in _END.finditer(segment):
        following = match.group(2)
        if not (following.isupper() or following.isdigit()):
            continue
        if _ends_with_abbreviation(segment, start, match.start(1)):
            continue
        sentences.append(segment[start:match.start(1)])
        start = match.end(1)
    sentences.append(segment[start:])
    return [s.strip() for s in sentences]


def _semicolon_points(sentence: str, whole_line: bool) -> list[str]:
    """The sentence cut at its ";" when it is a list of points (see split_sentences, rule 5)."""
    cuts, brackets, straight_quote, curly = [], 0, False, 0
    for match in _SEMICOLON.finditer(sentence):
        char = match.group()
        if char in "([":
            brackets += 1
        elif char in ")]":
            brackets = max(brackets - 1, 0)
        elif char == '"':
            straight_quote = not straight_quote
        elif char in "“”":
            curly = curly + 1 if char == "“" else max(curly - 1, 0)
        elif not (brackets or straight_quote or curly):
            cuts.append(match.end())
    if not cuts:
        return [sentence]
    # All or nothing: a list of points when every part has its words, else one sentence with an enumeration.
    bounds = [0, *cuts, len(sentence)]
    parts = [sentence[start:end] for start, end in zip(bounds, bounds[1:])]
    first = parts[0][parts[0].rfind(":") + 1:]  # "giới tính: nam; nữ": the enumeration starts after the colon
    if any(len(part.split()) < _MIN_WORDS_AROUND_SEMICOLON for part in (first, *parts[1:])):
        return [sentence]
    parts = [part.strip() for part in parts]
    if not (all(part[0].isupper() or part.lower().startswith(_OPENERS) for part in parts[1:])
            or all(len(part.split()) >= _STATEMENT_WORDS for part in (first, *parts[1:]))
            or (whole_line and len(parts) >= 3)):
        return [sentence]  # clauses of a sentence: "...; trong năm kết nạp mới 4 đoàn viên."
    return parts


def _ends_with_abbreviation(text: str, start: int, end: int, letters: bool = True) -> bool:
    """The word ending at end (its dots aside) is an abbreviation or (with letters) a single letter: "TP.", "A."."""
    last = text[max(text.rfind(" ", start, end) + 1, start):end].rstrip(".").lower()
    return last in _ABBREVIATIONS or (letters and len(last) == 1 and last.isalpha())


def _has_words(sentence: str) -> bool:
    return _THREE_LETTERS.search(sentence) is not None
