"""Typos: does a query with one misspelt word find what the correct spelling finds?

    python -m bench.typos

A seeded typo set: in each SciFact test query and each CACM query, one word of five letters
or more (not a stopword) gets one edit: a letter dropped, doubled, replaced, or swapped with
its neighbour. Both collections are written as Markdown files and indexed with `report-search
index`; both spellings go through /api/search over HTTP (passages); a typo query counts as
fixed when its top result is the correct spelling's. Target: >= 90%.
Results: bench/results/typos.json.
"""

from __future__ import annotations

import json
import random
import string
from pathlib import Path
from typing import Any

from bench.product import Api, shown
from indexer.index.analysis import stopwords

RESULTS = Path(__file__).resolve().parent / "results" / "typos.json"
SEED = 12
TARGET = 0.90
EDITS = ("delete", "double", "replace", "transpose")


def misspell(word: str, rng: random.Random) -> str:
    """`word` with one edit of a random kind at a random place (never the first letter)."""
    while True:
        i = rng.randrange(1, len(word) - 1)
        kind = rng.choice(EDITS)
        if kind == "delete":
            typo = word[:i] + word[i + 1 :]
        elif kind == "double":
            typo = word[:i] + word[i] + word[i:]
        elif kind == "replace":
            typo = word[:i] + rng.choice(string.ascii_lowercase) + word[i + 1 :]
        else:
            typo = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        if typo != word:
            return typo


def typo_query(text: str, rng: random.Random) -> tuple[str, str, str] | None:
    """(query with one misspelt word, the word, its typo), or None without a word to spoil."""
    words = text.split()
    candidates = [
        i
        for i, w in enumerate(words)
        if w.isalpha() and len(w) >= 5 and w.lower() not in stopwords()
    ]
    if not candidates:
        return None
    i = rng.choice(candidates)
    typo = misspell(words[i], rng)
    return " ".join([*words[:i], typo, *words[i + 1 :]]), words[i], typo


def measure(api: Api, queries: dict[str, str]) -> dict[str, Any]:
    """Each query with one typo against its correct spelling, top passage by top passage."""

    def top(q: str) -> tuple[str | None, str | None]:
        body = api.search(q=q, group="passage", per_page=1)
        hits = shown(body)
        first = hits[0]["passage_id"] if hits else None
        return first, body.get("corrected_query")

    rng = random.Random(SEED)
    fixed = corrected = asked = 0
    misses: list[dict[str, Any]] = []
    for qid, text in queries.items():
        spoilt = typo_query(text, rng)
        if spoilt is None:
            continue
        q, word, typo = spoilt
        asked += 1
        expected = top(text)[0]
        got, correction = top(q)
        fixed += got == expected
        corrected += correction is not None
        if got != expected and len(misses) < 15:
            misses.append({"id": qid, "word": word, "typo": typo, "corrected_query": correction})
    return {
        "queries": asked,
        "top_result_same": round(fixed / asked, 4),
        "corrected": round(corrected / asked, 4),
        "misses": misses,
    }


def combine(sets: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The typo sets' figures and their overall share of top results kept."""
    asked = sum(s["queries"] for s in sets.values())
    same = sum(s["top_result_same"] * s["queries"] for s in sets.values())
    return {"seed": SEED, "top_result_same": round(same / asked, 4), "target": TARGET, "sets": sets}


def main() -> dict[str, Any]:
    """The typo sets alone, through the product path (files, `report-search index`, HTTP)."""
    from bench import relevance

    result = relevance.run(["typos"])["typos"]
    RESULTS.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return result


if __name__ == "__main__":
    print(json.dumps(main(), indent=1))
