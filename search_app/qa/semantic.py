"""How close in meaning a question and its candidate answer sentences are.

The sentence-embedding model of indexer/embedding.py (all-MiniLM-L6-v2, 8-bit, ONNX
Runtime). It tells a sentence that answers from one that only shares the question's words
("Who ruled the duchy?" against a sentence about the duchy's borders), which word counts
cannot.

Optional: without the model (no `semantic` extra, or REPORT_SEARCH_SEMANTIC=0),
similarities() returns None and answers are ranked by their words alone.
"""

from __future__ import annotations

from collections.abc import Sequence

from indexer import embedding

ENV = embedding.ENV


def enabled() -> bool:
    """Whether the environment allows the model (REPORT_SEARCH_SEMANTIC is not 0)."""
    return embedding.enabled()


def model() -> embedding.Encoder | None:
    """The sentence-embedding model, loaded once per process; None when absent or disabled."""
    return embedding.encoder()


def similarities(question: str, sentences: Sequence[str]) -> list[float] | None:
    """Cosine similarity of the question to each sentence, or None without the model."""
    found = model()
    if found is None or not sentences:
        return None
    vectors = found.encode([question, *sentences])
    return [float(v) for v in vectors[1:] @ vectors[0]]


def warm() -> None:
    """Load the model now rather than on the first question (under a second)."""
    model()
