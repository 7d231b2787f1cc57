"""How well and how fast narratives are split and grouped. On the independent set of texts as units type them
(tests/data/narratives-eval-2-dev.toml, and its test half, -test.toml, scored only at the end): the share of
points split intact per shape, pairwise precision and recall per field, what kind of point each is (restating
the form, boilerplate, finding) and addressees. On the older set (tests/data/narratives-eval.toml): precision,
recall and adjusted Rand index per field. Then the time to split and group 100 and 1,000 demo units.
Prints figures; asserts nothing.

    python benchmarks/bench_narratives.py [--units 100,1000] [--half dev|test|both]
"""
from __future__ import annotations

import argparse
import random
import sys
import time
import tomllib
from collections import Counter
from itertools import combinations
from math import comb
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.form import load_spec  # noqa: E402
from pipeline.narratives.addressee import addressee  # noqa: E402
from pipeline.narratives.split import split_sentences  # noqa: E402
from pipeline.narratives.themes import group_sentences, thesaurus_for  # noqa: E402

EVAL_SET = ROOT / "tests" / "data" / "narratives-eval.toml"
TEXTS = {"dev": ROOT / "tests" / "data" / "narratives-eval-2-dev.toml",
         "test": ROOT / "tests" / "data" / "narratives-eval-2-test.toml",
         "third": ROOT / "tests" / "data" / "narratives-eval-3.toml"}  # written later, by another hand


def pairwise(gold: list[str], found: list[int]) -> tuple[float, float, float]:
    """Precision and recall over pairs of sentences put together, and the adjusted Rand index."""
    together = same = both = 0
    for i, j in combinations(range(len(gold)), 2):
        same_found, same_gold = found[i] == found[j], gold[i] == gold[j]
        together += same_found
        same += same_gold
        both += same_found and same_gold
    precision = both / together if together else 1.0
    recall = both / same if same else 1.0
    return precision, recall, adjusted_rand(gold, found)


def field_table(thesaurus, labelled: dict[str, list[tuple[str, str]]], counted: str) -> None:
    """Per field: its texts, gold themes, groups found, pairwise precision, recall and ARI; then all, weighted."""
    print(f"{'field':<10} {counted:>9} {'themes':>6} {'groups':>6} {'precision':>9} {'recall':>7} {'ARI':>6}")
    totals = []
    for field, rows in labelled.items():
        groups, (precision, recall, ari) = scored(thesaurus, field, rows)
        totals.append((precision, recall, len(rows)))
        print(f"{field:<10} {len(rows):>9} {len({theme for _, theme in rows}):>6} {len(groups):>6} "
              f"{precision:>9.2f} {recall:>7.2f} {ari:>6.2f}")
    weight = sum(n for _, _, n in totals)
    print(f"{'all':<10} {weight:>9} {'':>6} {'':>6} {sum(p * n for p, _, n in totals) / weight:>9.2f} "
          f"{sum(r * n for _, r, n in totals) / weight:>7.2f}   (weighted by {counted})")


def scored(thesaurus, field: str, labelled: list[tuple[str, str]]):
    """(the groups of one field's texts, their pairwise precision, recall and ARI against the gold themes)."""
    groups = group_sentences(thesaurus, field, [(str(i), "", text) for i, (text, _) in enumerate(labelled)])
    found = [0] * len(labelled)
    for number, group in enumerate(groups):
        for code, _, _ in group.sentences:
            found[int(code)] = number
    return groups, pairwise([theme for _, theme in labelled], found)


def adjusted_rand(gold: list, found: list) -> float:
    n = len(gold)
    pairs = Counter(zip(gold, found, strict=True))
    index = sum(comb(c, 2) for c in pairs.values())
    rows = sum(comb(c, 2) for c in Counter(gold).values())
    cols = sum(comb(c, 2) for c in Counter(found).values())
    expected = rows * cols / comb(n, 2) if n > 1 else 0
    top = (rows + cols) / 2
    return (index - expected) / (top - expected) if top != expected else 1.0


def quality(spec) -> None:
    thesaurus = thesaurus_for(spec)
    sentences = tomllib.loads(EVAL_SET.read_text(encoding="utf-8"))["sentences"]
    print(f"Labelled set: {len(sentences)} sentences, {len({s['theme'] for s in sentences})} themes "
          f"({EVAL_SET.relative_to(ROOT)})")
    field_table(thesaurus, {field: [(s["text"], s["theme"]) for s in sentences if s["field"] == field]
                            for field in sorted({s["field"] for s in sentences})}, "sentences")
    rows = [s for s in sentences if "addressee" in s]
    named = [s for s in rows if addressee(s["text"], None) is not None]
    right_named = sum(addressee(s["text"], None) == s["addressee"] for s in named)
    def with_default(s):
        theme = thesaurus.theme_of(s["text"], "tm_V")
        return addressee(s["text"], theme.addressee if theme else None)
    right = sum(with_default(s) == s["addressee"] for s in rows)
    print(f"addressee (tm_V): {right_named}/{len(named)} right where the sentence names one; "
          f"{right}/{len(rows)} right with the theme's own addressee where it names none")


def _collapsed(text: str) -> str:
    """A point compared as its words: spaces collapsed, the stop or separator that ends it left out."""
    import unicodedata

    return " ".join(unicodedata.normalize("NFC", text).split()).rstrip(" .;")


def texts_quality(spec, half: str) -> None:
    """The independent set: splitting per shape, grouping per field over the gold points, kinds, addressees."""
    from pipeline.narratives.addressee import OFFICE

    path = TEXTS[half]
    if not path.is_file():
        print(f"({path.relative_to(ROOT)} not found)")
        return
    texts = tomllib.loads(path.read_text(encoding="utf-8"))["texts"]
    points = [(t, p) for t in texts for p in t["points"]]
    print(f"\nIndependent set, {half} half: {len(texts)} texts, {len(points)} points ({path.relative_to(ROOT)})")
    by_shape: dict[str, list[int]] = {}
    for text in texts:
        found = {_collapsed(s) for s in split_sentences(text["text"])}
        for point in text["points"]:
            by_shape.setdefault(text["shape"], []).append(_collapsed(point["text"]) in found)
    print("points split intact: " + "; ".join(f"{shape} {sum(v) / len(v):.0%} of {len(v)}"
                                                for shape, v in sorted(by_shape.items())))
    every = [v for values in by_shape.values() for v in values]
    print(f"  all shapes {sum(every) / len(every):.1%}")
    thesaurus = thesaurus_for(spec)
    field_table(thesaurus, {field: [(p["text"], p["theme"]) for t, p in points if t["field"] == field]
                            for field in sorted({t["field"] for t in texts})}, "points")
    kinds = Counter((p.get("kind", "finding"), thesaurus.kind_of(p["text"])) for _, p in points)
    for gold in ("finding", "restates-figure", "boilerplate"):
        row = {found: n for (g, found), n in kinds.items() if g == gold}
        print(f"  kind {gold}: " + ", ".join(f"{k} {n}" for k, n in sorted(row.items())))
    asked = [p for t, p in points if "addressee" in p]
    names = {"dang-nha-nuoc": "dang-nha-nuoc", "cong-doan": "cong-doan", "van-phong": OFFICE}
    right = Counter(p["addressee"] for p in asked
                    if addressee(p["text"], _theme_addressee(thesaurus, p["text"]), thesaurus.office)
                    == names.get(p["addressee"]))
    print("  addressee right: " + ", ".join(f"{k} {right[k]}/{n}" for k, n in
                                            sorted(Counter(p["addressee"] for p in asked).items())))


def _theme_addressee(thesaurus, text: str) -> str | None:
    theme = thesaurus.theme_of(text, "tm_V")
    return theme.addressee if theme else None


def speed(spec, units: int) -> None:
    from pipeline.demo import demo_roster, demo_values

    rng = random.Random(units)
    roster = demo_roster(rng)
    texts = []
    for index in range(units):
        unit = roster[index % len(roster)]
        values = demo_values(spec, unit, rng)
        texts.append((f"U{index:04d}", unit.name, values))
    thesaurus = thesaurus_for(spec)
    thesaurus._theme_of.cache_clear()
    thesaurus.key_of.cache_clear()
    start = time.perf_counter()
    count = groups = 0
    for field in spec.narrative_fields:
        sentences = [(code, name, s) for code, name, values in texts for s in split_sentences(values[field.code])]
        count += len(sentences)
        groups += len(group_sentences(thesaurus, field.code, sentences))
    elapsed = time.perf_counter() - start
    print(f"{units} units: {count} sentences in {groups} groups, split and grouped in {elapsed:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", default="100,1000")
    parser.add_argument("--half", default="dev", choices=("dev", "test", "third", "both", "all"))
    args = parser.parse_args()
    spec = load_spec()
    halves = {"both": ("dev", "test"), "all": ("dev", "test", "third")}.get(args.half, (args.half,))
    for half in halves:
        texts_quality(spec, half)
    print()
    quality(spec)
    for units in (int(n) for n in args.units.split(",") if n):
        speed(spec, units)


if __name__ == "__main__":
    main()
