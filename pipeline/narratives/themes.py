"""Sentences from different units that say the same thing, grouped by the form's thesaurus of themes
(schemas/themes/<form>.toml): offline, deterministic and linear in the number of sentences."""
from __future__ import annotations

import functools
import hashlib
import re
import tomllib
import unicodedata
from array import array
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.form import FormSpec
from pipeline.narratives.addressee import own_names

_WORD = re.compile(r"[0-9a-zà-ỹđ]+(?:/[0-9a-zà-ỹđ]+)?")
_FIGURE = re.compile(r"[0-9]+")
FIGURE_RUN = re.compile(r"[0-9]+(?:[.,][0-9]+)*")  # a figure as units write it: 1.250, 12,5
_REPRESENTATIVE_SAMPLE = 200  # sentences
# The least a point must hold of a theme's phrases to take it: a phrase scores its syllables squared, so one
# phrase of three syllables, two of two, or one of two and one of one.
EVIDENCE = 5
# Numbers every unit shares (a year, a document's number: "năm 2023", "Hướng dẫn số 148/HD-CĐVC") are no unit's
# own figure; what is left (a count, an amount, a day) is.
_SHARED_NUMBERS = re.compile(r"(?<![0-9/.,])(?:19|20)[0-9]{2}(?![0-9/,]|[.][0-9])|(?:số|quyết định|nghị quyết|nghị định|"
                             r"thông tư|chỉ thị|kế hoạch|hướng dẫn|công văn|điều|khoản)\s+[0-9][0-9/\-A-Za-zĐđ]*",
                             re.IGNORECASE)
_OWN_FIGURES = re.compile(r"[0-9]")


@dataclass(frozen=True)
class Theme:
    id: str
    label: str
    phrases: tuple[str, ...]
    excluded: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    addressee: str | None = None


@dataclass(eq=False, slots=True)
class Group:
    """One thing said by one or more units: its theme (None for a sentence no theme covers). Most groups hold
    one unit's one sentence, ten thousands of them in a large province: what they are asked for is computed
    when asked, not stored beforehand."""

    field: str
    theme: Theme | None
    sentences: list[tuple[str, str, str]] = field(default_factory=list)  # (unit code, unit name, sentence)
    _memo: dict | None = field(default=None, repr=False)

    @property
    def label(self) -> str:
        """The theme's label, or the first sentence without its figures (sentences alike but for them)."""
        return self.theme.label if self.theme else self._remembered("label", lambda: figures_masked(self.sentences[0][2]))

    @property
    def units(self) -> list[str]:
        if len(self.sentences) == 1:
            return [self.sentences[0][0]]
        return self._remembered("units", lambda: sorted({code for code, _, _ in self.sentences}))

    @property
    def representative(self) -> str:
        """The clearest sentence: of ordinary length, sharing the most words with the rest of the group."""
        if len(self.sentences) == 1:
            return self.sentences[0][2]
        return self._remembered("representative", self._representative)

    def _remembered(self, name: str, compute):
        """Computed once per size of the group: the workbook and the report ask for the same groups often."""
        if self._memo is None:
            self._memo = {}
        known = self._memo.get(name)
        if known is None or known[0] != len(self.sentences):
            known = self._memo[name] = (len(self.sentences), compute())
        return known[1]

    def _representative(self) -> str:
        if len(self.sentences) == 1:
            return self.sentences[0][2]
        # A large group is judged on an even sample of its sentences: the words most of them share show in
        # any few hundred, and the cost stays bounded however many units wrote alike.
        step = -(-len(self.sentences) // _REPRESENTATIVE_SAMPLE)
        sample = [text for _, _, text in self.sentences[::step]]
        texts = list(dict.fromkeys(sample))
        syllable_lists = {text: syllables(text) for text in texts}
        words = {text: set(found) for text, found in syllable_lists.items()}
        counts: Counter[str] = Counter()
        for text in sample:  # a set at a time: counted in C
            counts.update(words[text])
        def score(text: str) -> tuple[bool, float, int]:
            length_penalty = abs(len(syllable_lists[text]) - 18) / 18
            shared = sum(map(counts.__getitem__, words[text])) / max(len(words[text]), 1)
            # a sentence without one unit's own figures speaks for the group best
            return (not _FIGURE.search(text), shared - length_penalty * len(sample) * 0.3, -len(text))
        return max(texts, key=score)


@dataclass(frozen=True, eq=False)  # hashed by identity: its methods' caches would otherwise hash every theme
class Thesaurus:
    themes: tuple[Theme, ...]
    # Phrases of a point that restates one of the form's figures or answers ("tổng số đoàn viên", "xếp loại"):
    # with a figure, a date or a rating word such a point is said by the figures section, not drafted.
    restates: tuple[str, ...] = ()
    rating_words: tuple[str, ...] = ()  # an answer in words ("hoàn thành xuất sắc nhiệm vụ")
    boilerplate: tuple[str, ...] = ()  # openings copied from the guidance ("thực hiện hướng dẫn số")
    office: tuple[str, ...] = ()  # the office's own names: a request to it is not one it forwards

    def kind_of(self, text: str, words: list[str] | None = None) -> str:
        """"restates", "boilerplate" or "finding": what a point is, for the draft (pipeline/narratives/draft.py).
        `words`: the point's syllables, when the caller has them."""
        padded = f" {' '.join(syllables(text) if words is None else words)} "
        if any(padded.startswith(opening) for opening in self._phrases("boilerplate")):
            return "boilerplate"
        if any(word in padded for word in self._phrases("rating_words")):
            return "restates"
        if (_OWN_FIGURES.search(text) and _OWN_FIGURES.search(_SHARED_NUMBERS.sub(" ", text))
                and any(p in padded for p in self._phrases("restates"))):
            return "restates"
        return "finding"

    @functools.lru_cache(maxsize=4)  # noqa: B019 (three lists, asked for every point the draft considers)
    def _phrases(self, kind: str) -> tuple[str, ...]:
        """A list's phrases as padded syllable strings, matched whole-word against a padded point."""
        return tuple(f" {' '.join(syllables(phrase))} " for phrase in getattr(self, kind))

    @functools.cached_property
    def numbers(self) -> dict[int, int]:
        """id(theme) -> its number: a theme's own hash would hash all its phrases at every sentence."""
        return {id(theme): number for number, theme in enumerate(self.themes)}

    @functools.cached_property
    def excluded(self) -> list[tuple[str, ...]]:
        """Per theme number, its `not` phrases as padded syllable strings."""
        return [tuple(f" {' '.join(syllables(p))} " for p in theme.excluded) for theme in self.themes]

    @functools.cached_property
    def index(self) -> dict[tuple[str, ...], list[int]]:
        index: dict[tuple[str, ...], list[int]] = {}
        for number, theme in enumerate(self.themes):
            for phrase in theme.phrases:
                index.setdefault(tuple(syllables(phrase)), []).append(number)
        return index

    def theme_of(self, sentence: str, field_code: str) -> Theme | None:
        return self._theme_of(_folded(sentence), field_code)

    @functools.lru_cache(maxsize=8192)  # noqa: B019 (bounded; a thesaurus lives as long as its process)
    def key_of(self, sentence: str, field_code: str) -> tuple[Theme | None, str]:
        """(theme, group key): the theme's, or with no theme the sentence's own words whatever figures each
        unit put in them ("đạt khoảng 8.400.000 đồng" and "… 9.120.000 đồng" say the same)."""
        words = _WORD.findall(_folded(sentence))
        # A point restating the form with a unit's own figures ("thăm hỏi 27 lượt") is not the theme's finding
        # ("thăm hỏi kịp thời"): it stands alone, or with points of the same words but for their figures.
        theme = self._best(words, field_code) if self.kind_of(sentence, words) != "restates" else None
        if theme is not None:
            return theme, f"theme:{theme.id}"
        return None, "text:" + _FIGURE.sub("#", " ".join(words))

    @functools.cached_property
    def trie(self) -> dict:
        """The phrases word by word: {word: {next word: …, None: [theme numbers ending here]}}."""
        root: dict = {}
        for phrase, numbers in self.index.items():
            node = root
            for word in phrase:
                node = node.setdefault(word, {})
            node.setdefault(None, []).extend(numbers)
        return root

    @functools.lru_cache(maxsize=8192)  # noqa: B019 (bounded; a thesaurus lives as long as its process)
    def _theme_of(self, folded: str, field_code: str) -> Theme | None:
        return self._best(_WORD.findall(folded), field_code)

    def _best(self, words: list[str], field_code: str) -> Theme | None:
        """The theme whose phrases the words hold most, a long phrase counting more; walking the trie from each
        word stops at the first word no phrase continues with, so a sentence costs about its length."""
        scores: dict[int, int] = {}
        trie, count = self.trie, len(words)
        # most words start no phrase: they are passed over by one membership test each, at C speed
        for start in [at for at, word in enumerate(words) if word in trie]:
            node, size = trie[words[start]], 1
            while node is not None:
                for number in node.get(None, ()):
                    scores[number] = scores.get(number, 0) + size * size
                if start + size >= count:
                    break
                node, size = node.get(words[start + size]), size + 1
        padded = f" {' '.join(words)} "
        best: tuple[int, Theme] | None = None
        if max(scores.values(), default=0) < EVIDENCE:
            return None  # one short phrase ("tết", "đời sống") is too little to say what a point is about
        for number, score in sorted(scores.items(), key=lambda item: (-item[1], item[0])):
            theme = self.themes[number]
            if theme.fields and field_code not in theme.fields:
                continue
            if any(phrase in padded for phrase in self.excluded[number]):
                continue
            if best is not None:  # a point two themes claim equally stands alone: a wrong merge is worse than none
                return None if score == best[0] else best[1]
            best = (score, theme)
        return best[1] if best else None


def figures_masked(text: str) -> str:
    """A sentence without its figures ("… người (… nữ)"): the label of sentences alike but for their figures,
    which then carries no one unit's numbers."""
    return FIGURE_RUN.sub("…", text)


def syllables(text: str) -> list[str]:
    return _WORD.findall(_folded(text))



def _folded(text: str) -> str:
    return unicodedata.normalize("NFC", text).lower()


def form_thesaurus_path(spec: FormSpec) -> Path:
    """The thesaurus beside the form's spec: schemas/themes/<id>.toml."""
    return Path(spec.source).parent / "themes" / f"{spec.id}.toml"


def office_thesaurus_path(spec: FormSpec) -> Path:
    """The office's own thesaurus beside its workspace: tu-dien-nhom-<form id>.toml in the working folder (the one
    holding inbox/ and outbox/), as `consolidate corrections --thesaurus` writes it (narratives/office_thesaurus.py)."""
    return Path.cwd() / f"tu-dien-nhom-{spec.id}.toml"


def thesaurus_for(spec: FormSpec) -> Thesaurus:
    """The themes beside the form's spec (schemas/themes/<id>.toml; none when the form has no such file), with the
    office's thesaurus in the working folder when there is one (office_thesaurus_path): its themes before the
    form's, a theme of a form theme's id adding its phrases to that theme. A broken office thesaurus raises
    SpecError naming the file and the line. Asked once per text while reading: one stat of the office's file, the
    rest cached by the file's identity and time (an edited file is read again)."""
    import os  # here: this function is all of the module that needs it

    try:
        found = os.stat(office_thesaurus_path(spec))
    except OSError:
        return _load(spec)
    return _load(spec, (found.st_dev, found.st_ino, found.st_mtime_ns, found.st_size))


@functools.lru_cache(maxsize=8)
def _load(spec: FormSpec, office: tuple[int, ...] | None = None) -> Thesaurus:
    """The form's thesaurus; with `office` (the office file's identity and time), the office's themes added."""
    if office is not None:
        from pipeline.narratives.office_thesaurus import combined

        return combined(_load(spec), office_thesaurus_path(spec), spec)
    path = form_thesaurus_path(spec)
    if not path.is_file():
        return Thesaurus(())
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    kinds = raw.get("points", {})
    return Thesaurus(tuple(Theme(t["id"], t["label"], tuple(t["any"]), tuple(t.get("not", ())),
                                 tuple(t.get("fields", ())), t.get("addressee")) for t in raw.get("themes", [])),
                     tuple(kinds.get("restates", ())), tuple(kinds.get("rating_words", ())),
                     tuple(kinds.get("boilerplate", ())),
                     # the office's own names: the thesaurus' and those of the office the spec is written for now
                     tuple(dict.fromkeys((*raw.get("addressees", {}).get("office", ()),
                                          *own_names(spec.office, spec.symbol)))))


def group_sentences(thesaurus: Thesaurus, field_code: str,
                    sentences: list[tuple[str, str, str]]) -> list[Group]:
    """Every sentence in exactly one group, largest first (by units, then sentences, then label)."""
    return _groups(field_code, [(code, name, text, *thesaurus.key_of(text, field_code)) for code, name, text in sentences])


def _groups(field_code: str, keyed: list[tuple[str, str, str, Theme | None, str]]) -> list[Group]:
    groups: dict[str, Group] = {}
    for code, name, text, theme, key in keyed:
        group = groups.get(key)
        if group is None:
            group = groups[key] = Group(field_code, theme)
        group.sentences.append((code, name, text))
    return ordered_groups(groups.values())


def ordered_groups(groups) -> list[Group]:
    """Largest first (units, then sentences), then by label; one unit's one sentence by the sentence itself,
    so that ten thousands of labels are not made only to be sorted."""
    return sorted(groups, key=lambda g: (-len(g.units), -len(g.sentences),
                                         g.sentences[0][2] if len(g.sentences) == 1 and g.theme is None else g.label))


def group_narratives(spec: FormSpec, narratives: dict[str, list[tuple[str, str, str]]],
                     keyed: dict[str, list[Keyed | None]] | None = None) -> dict[str, list[Group]]:
    """Per narrative field, the sentences of every unit's text in groups (see group_sentences).

    `keyed[code][i]` may give the sentences of the i-th text already with their keys (sentence_keys, run in
    the processes that read the files); a text without them is split and keyed here."""
    thesaurus = thesaurus_for(spec)
    themes = thesaurus.themes
    grouped = {}
    for code, entries in narratives.items():
        known = (keyed or {}).get(code) or [None] * len(entries)
        groups: dict[int, Group] = {}
        for (unit, name, text), found in zip(entries, known):
            sentences, keys = found if found is not None else _sentence_keys(thesaurus, code, text)
            for sentence, key in zip(sentences, keys):
                group = groups.get(key)
                if group is None:
                    theme = themes[key] if key < len(themes) else None
                    group = groups[key] = Group(code, theme)
                group.sentences.append((unit, name, sentence))
        grouped[code] = ordered_groups(groups.values())
    return grouped


# A text's sentences and, in step, their group keys: a theme's number in the thesaurus, or for a sentence no
# theme covers a number digested from its words, at least 2**63 (compact to send from a worker, the same in
# every process), kept as an array of unsigned 64-bit numbers: eight bytes a key where a list of Python ints
# takes forty-four, a few megabytes for every thousand units held all run long.
Keyed = tuple[list[str], "array[int]"]


def sentence_keys(spec: FormSpec, field_code: str, text: str, thesaurus: Thesaurus | None = None) -> Keyed:
    """The text's sentences and their group keys (see Keyed), by `thesaurus` when the caller has it at hand
    (thesaurus_for looks for the office's file on disk each time it is asked)."""
    return _sentence_keys(thesaurus or thesaurus_for(spec), field_code, text)


def _sentence_keys(thesaurus: Thesaurus, field_code: str, text: str) -> Keyed:
    from pipeline.narratives.split import split_sentences

    numbers = thesaurus.numbers
    sentences = split_sentences(text)
    keys = []
    for sentence in sentences:
        theme, key = thesaurus.key_of(sentence, field_code)
        keys.append(numbers[id(theme)] if theme else _digest(key))
    return sentences, array("Q", keys)


def _digest(key: str) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "big") | 1 << 63


def groups_of_units(groups: list[Group]) -> dict[str, list[str]]:
    """Per unit, the labels of the groups its sentences fall in (shared ones only), largest group first."""
    labels: dict[str, list[str]] = {}
    for group in groups:
        if len(group.units) < 2:
            continue
        for code in group.units:
            labels.setdefault(code, []).append(group.label)
    return labels


def joined_labels(labels: list[str], words: int | None = None) -> str:
    """Group labels as one line ("A; B"): a label that is a sentence keeps no end stop before the next ("A.; B");
    with `words`, a longer label is cut to its first words and "…" (enough to find its group by)."""
    cut = [label.rstrip(" .;") for label in labels]
    if words is not None:
        cut = [" ".join(label.split()[:words]) + "…" if len(label.split()) > words else label for label in cut]
    return "; ".join(cut)
