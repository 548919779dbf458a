"""Key phrases counted with Counter are those NLTK's collocation finder gives."""

from __future__ import annotations

from pathlib import Path

import pytest
from nltk.collocations import BigramAssocMeasures, BigramCollocationFinder

from indexer.metadata.topics import (
    TOPICS_PER_DOCUMENT,
    _topic_words,
    key_phrases,
    topic_stopwords,
)

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def nltk_key_phrases(text: str) -> list[str]:
    """The earlier implementation, on NLTK's BigramCollocationFinder."""
    words = _topic_words(text)
    blocked = topic_stopwords()
    finder = BigramCollocationFinder.from_words(words)
    finder.apply_freq_filter(3 if len(words) > 1500 else 2)
    finder.apply_word_filter(lambda w: w is None or len(w) < 3 or w in blocked)
    finder.apply_ngram_filter(lambda a, b: f"{a} {b}" in blocked)
    try:
        scores = dict(finder.score_ngrams(BigramAssocMeasures.likelihood_ratio))
    except ValueError:
        scores = {}
    counts = finder.ngram_fd
    by_count = sorted(counts, key=lambda pair: (-counts[pair], -scores.get(pair, 0.0), pair))
    return [" ".join(pair) for pair in by_count[:TOPICS_PER_DOCUMENT]]


SMALL = [
    "",
    "Climate change.",
    "climate change climate change",
    "Climate change is real. Climate change matters; climate change, again. Migration "
    "policy and migration policy: Migration policy.",
    "sea-level rise and sea-level rise, Sea-level rise! small island states, small island states",
]


@pytest.mark.parametrize("text", SMALL)
def test_small_texts_as_nltk(text: str) -> None:
    assert key_phrases(text) == nltk_key_phrases(text)


def test_bundled_speeches_as_nltk() -> None:
    files = sorted(CORPUS.rglob("*.txt"))[::8]
    assert len(files) >= 40
    for path in files:
        text = path.read_text("utf-8")
        assert key_phrases(text) == nltk_key_phrases(text), path.name
