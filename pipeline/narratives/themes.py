"""Sentences from different units that say the same thing, grouped by the form's thesaurus of themes
(schemas/themes/<form>.toml): offline, deterministic and linear in the number of sentences."""
from __future__ import annotations

import functools
import re
import tomllib
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.form import FormSpec

_WORD = re.compile(r"[0-9a-zà-ỹđ]+(?:/[0-9a-zà-ỹđ]+)?")
_FIGURE = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class Theme:
    id: str
    label: str
    phrases: tuple[str, ...]
    excluded: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    addressee: str | None = None


@dataclass
class Group:
    """One thing said by one or more units: its theme (None for a sentence no theme covers)."""

    field: str
    label: str
    theme: Theme | None
    sentences: list[tuple[str, str, str]] = field(default_factory=list)  # (unit code, unit name, sentence)

    _memo: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def units(self) -> list[str]:
        return self._remembered("units", lambda: sorted({code for code, _, _ in self.sentences}))

    @property
    def representative(self) -> str:
        """The clearest sentence: of ordinary length, sharing the most words with the rest of the group."""
        return self._remembered("representative", self._representative)

    def _remembered(self, name: str, compute):
        """Computed once per size of the group: the workbook and the report ask for the same groups often."""
        known = self._memo.get(name)
        if known is None or known[0] != len(self.sentences):
            known = self._memo[name] = (len(self.sentences), compute())
        return known[1]

    def _representative(self) -> str:
        if len(self.sentences) == 1:
            return self.sentences[0][2]
        texts = list(dict.fromkeys(text for _, _, text in self.sentences))
        words = {text: _word_set(text) for text in texts}
        counts = Counter(w for _, _, text in self.sentences for w in words[text])
        def score(text: str) -> tuple[bool, float, int]:
            length_penalty = abs(_word_count(text) - 18) / 18
            shared = sum(counts[w] for w in words[text]) / max(len(words[text]), 1)
            # a sentence without one unit's own figures speaks for the group best
            return (not _FIGURE.search(text), shared - length_penalty * len(self.sentences) * 0.3, -len(text))
        return max(texts, key=score)


@dataclass(frozen=True, eq=False)  # hashed by identity: its methods' caches would otherwise hash every theme
class Thesaurus:
    themes: tuple[Theme, ...]

    @functools.cached_property
    def index(self) -> dict[tuple[str, ...], list[int]]:
        index: dict[tuple[str, ...], list[int]] = {}
        for number, theme in enumerate(self.themes):
            for phrase in theme.phrases:
                index.setdefault(tuple(syllables(phrase)), []).append(number)
        return index

    def theme_of(self, sentence: str, field_code: str) -> Theme | None:
        return self._theme_of(_folded(sentence), field_code)

    @functools.lru_cache(maxsize=65536)
    def key_of(self, sentence: str, field_code: str) -> tuple[Theme | None, str]:
        """(theme, group key): the theme's, or with no theme the sentence's own words whatever figures each
        unit put in them ("đạt khoảng 8.400.000 đồng" and "… 9.120.000 đồng" say the same)."""
        folded = _folded(sentence)
        theme = self._theme_of(folded, field_code)
        if theme is not None:
            return theme, f"theme:{theme.id}"
        return None, "text:" + _FIGURE.sub("#", " ".join(_WORD.findall(folded)))

    @functools.cached_property
    def starts(self) -> dict[str, int]:
        """The longest phrase beginning with each word: most words of a sentence begin none, and are skipped."""
        longest: dict[str, int] = {}
        for phrase in self.index:
            longest[phrase[0]] = max(longest.get(phrase[0], 0), len(phrase))
        return longest

    @functools.lru_cache(maxsize=65536)
    def _theme_of(self, folded: str, field_code: str) -> Theme | None:
        words = _WORD.findall(folded)
        scores: dict[int, int] = {}
        index, starts = self.index, self.starts
        for start, word in enumerate(words):
            longest = starts.get(word)
            if longest is None:
                continue
            for size in range(1, min(longest, len(words) - start) + 1):
                for number in index.get(tuple(words[start:start + size]), ()):
                    scores[number] = scores.get(number, 0) + size * size  # a long phrase says more
        best = None
        for number, score in sorted(scores.items(), key=lambda item: (-item[1], item[0])):
            theme = self.themes[number]
            if theme.fields and field_code not in theme.fields:
                continue
            padded = f" {' '.join(words)} "
            if any(f" {' '.join(syllables(p))} " in padded for p in theme.excluded):
                continue
            best = theme
            break
        return best


def syllables(text: str) -> list[str]:
    return _WORD.findall(_folded(text))


@functools.lru_cache(maxsize=131072)
def _word_set(text: str) -> frozenset[str]:
    return frozenset(syllables(text))


@functools.lru_cache(maxsize=131072)
def _word_count(text: str) -> int:
    return len(syllables(text))


def _folded(text: str) -> str:
    return unicodedata.normalize("NFC", text).lower()


def thesaurus_for(spec: FormSpec) -> Thesaurus:
    """The themes beside the form's spec (schemas/themes/<id>.toml); none when the form has no such file."""
    return _load(str(Path(spec.source).parent / "themes" / f"{spec.id}.toml"))


@functools.lru_cache(maxsize=8)
def _load(path: str) -> Thesaurus:
    if not Path(path).is_file():
        return Thesaurus(())
    raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    return Thesaurus(tuple(Theme(t["id"], t["label"], tuple(t["any"]), tuple(t.get("not", ())),
                                 tuple(t.get("fields", ())), t.get("addressee")) for t in raw.get("themes", [])))


def group_sentences(thesaurus: Thesaurus, field_code: str,
                    sentences: list[tuple[str, str, str]]) -> list[Group]:
    """Every sentence in exactly one group, largest first (by units, then sentences, then label)."""
    groups: dict[str, Group] = {}
    for code, name, text in sentences:
        theme, key = thesaurus.key_of(text, field_code)
        group = groups.get(key)
        if group is None:
            group = groups[key] = Group(field_code, theme.label if theme else text, theme)
        group.sentences.append((code, name, text))
    return sorted(groups.values(), key=lambda g: (-len(g.units), -len(g.sentences), g.label))


def group_narratives(spec: FormSpec, narratives: dict[str, list[tuple[str, str, str]]]) -> dict[str, list[Group]]:
    """Per narrative field, the sentences of every unit's text in groups (see group_sentences)."""
    from pipeline.narratives.split import split_sentences

    thesaurus = thesaurus_for(spec)
    return {code: group_sentences(thesaurus, code, [(unit, name, sentence) for unit, name, text in entries
                                                    for sentence in split_sentences(text)])
            for code, entries in narratives.items()}


def groups_of_units(groups: list[Group]) -> dict[str, list[str]]:
    """Per unit, the labels of the groups its sentences fall in (shared ones only), largest group first."""
    labels: dict[str, list[str]] = {}
    for group in groups:
        if len(group.units) < 2:
            continue
        for code in group.units:
            labels.setdefault(code, []).append(group.label)
    return labels
