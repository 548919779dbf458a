"""The one ranking model of the passage index: exact BM25F with the Robertson/Sparck Jones idf.

BM25F as Robertson and Zaragoza (2009) define it: a word's frequencies in the title, section
and text are weighted and length-normalised per field, added, and saturated once with K1,
with one idf for the word. search_app.engine.scoring computes it, for every search and for
question answering's candidate passages; nothing else ranks passages.

Settings tuned on the SciFact *train* split with bench/tune_scifact.py: k1 1.2-2.0, title
weight 2-4, title b 0.5-0.75 and text b 0.8-0.9 all give nDCG@10 0.700-0.706; these sit
inside that plateau. The title repeats on every passage of a report, so its weight is kept
at the low end. The section has no SciFact counterpart: it is weighted as the title.
"""

from __future__ import annotations

from math import log

K1 = 1.5
FIELDS: dict[str, tuple[float, float]] = {  # field -> (weight, b)
    "title": (2.0, 0.5),
    "section": (2.0, 0.5),
    "text": (1.0, 0.9),
}


def idf(doc_count: int, doc_frequency: int) -> float:
    """Robertson/Sparck Jones idf, as Lucene and Pyserini have it: never below zero.

    Whoosh's own idf, log(N / (df + 1)) + 1, keeps common words at idf >= 1, so a query's
    frequent words outweigh its rare, telling ones more than BM25 intends.
    """
    return log(1 + (doc_count - doc_frequency + 0.5) / (doc_frequency + 0.5))
