"""Write bench/queries.json: 200 search requests drawn from the speeches' own vocabulary.

One, two and four words, quoted phrases, and a quarter of them with facet filters (country,
year range). Generated once with a fixed seed and committed; run again only to regenerate.
Run: python -m bench.make_queries
"""

from __future__ import annotations

import csv
import json
import random
import re
from collections import Counter
from pathlib import Path

from bench import corpora
from indexer.index.analysis import stopwords

OUT = Path(__file__).resolve().parent / "queries.json"
WORD = re.compile(r"[a-z]{3,}")
SHAPES = {"one": 50, "two": 50, "four": 50, "phrase": 50}


def vocabulary(root: Path) -> tuple[Counter[str], Counter[tuple[str, str]], list[list[str]]]:
    """Word and adjacent-pair counts over the speeches (stopwords left out of words)."""
    words: Counter[str] = Counter()
    pairs: Counter[tuple[str, str]] = Counter()
    sentences: list[list[str]] = []
    stop = stopwords()
    for path in sorted(root.rglob("*.txt")):
        tokens = WORD.findall(path.read_text("utf-8", errors="replace").lower())
        words.update(t for t in tokens if t not in stop)
        content = [t for t in tokens if t not in stop]
        pairs.update(zip(content, content[1:], strict=False))
        sentences.append(content)
    return words, pairs, sentences


def banded(counter: Counter, rng: random.Random, count: int, low: int = 5) -> list:
    """`count` items spread over frequency bands: common, middling and rare."""
    ranked = [item for item, n in counter.most_common() if n >= low]
    thirds = [ranked[: len(ranked) // 20], ranked[len(ranked) // 20 : len(ranked) // 4]]
    thirds.append(ranked[len(ranked) // 4 :])
    picks = []
    for i in range(count):
        picks.append(rng.choice(thirds[i % 3]))
    return picks


def filters(rng: random.Random, countries: list[str]) -> dict:
    if rng.random() < 0.5:
        return {"filters": {"country": [rng.choice(countries)]}}
    start = rng.randrange(1950, 2020)
    return {"year_from": start, "year_to": start + rng.choice((5, 10, 20))}


def main() -> None:
    rng = random.Random(20261128)
    root = corpora.ungdc_corpus(corpora.QUICK_SPEECHES)
    words, pairs, sentences = vocabulary(root)
    with open(root / "metadata.csv", encoding="utf-8") as handle:
        countries = sorted({row["country"] for row in csv.DictReader(handle)})
    queries = [{"q": w, "shape": "one"} for w in banded(words, rng, SHAPES["one"])]
    queries += [{"q": " ".join(p), "shape": "two"} for p in banded(pairs, rng, SHAPES["two"])]
    for _ in range(SHAPES["four"]):
        sentence = rng.choice([s for s in sentences if len(s) > 40])
        start = rng.randrange(len(sentence) - 30)
        queries.append(
            {"q": " ".join(rng.sample(sentence[start : start + 30], 4)), "shape": "four"}
        )
    queries += [{"q": f'"{" ".join(p)}"', "shape": "phrase"} for p in banded(pairs, rng, 50, 20)]
    for query in rng.sample(queries, len(queries) // 4):
        query.update(filters(rng, countries))
    OUT.write_text(json.dumps(queries, indent=1) + "\n", "utf-8")
    print(f"{len(queries)} queries written to {OUT}")


if __name__ == "__main__":
    main()
