"""Fast parameter sweeps for SciFact on the *train* split (never test).

Vectorised re-implementations of Whoosh's BM25F (per-field BM25 summed, its one-byte field
lengths) and of exact BM25F (frequencies combined across fields, then saturated once: the
model of indexer.index.ranking), so that hundreds of settings can be tried in minutes. The
chosen setting is then verified through the product's own engine by bench.scifact.
Run: python -m bench.tune_scifact
"""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import ir_measures
import numpy as np
from whoosh.util.numeric import byte_to_length, length_to_byte

from bench import scifact
from indexer.index import ranking
from indexer.index.analysis import analyze

Analyzer = Callable[[str], list[str]]


def _quantized(length: int) -> int:
    return byte_to_length(length_to_byte(length))


def idf_value(kind: str, n: int, df: int) -> float:
    """Whoosh's idf, or Robertson/Sparck Jones as Lucene's BM25 has it (the ranking's)."""
    if kind == "whoosh":
        return math.log(n / (df + 1)) + 1
    return ranking.idf(n, df)


@dataclass
class FieldIndex:
    postings: dict[str, tuple[np.ndarray, np.ndarray]]  # term -> (doc indexes, tf)
    lengths: np.ndarray
    avg: float


def field_index(texts: Sequence[str], analyzer: Analyzer) -> FieldIndex:
    postings: dict[str, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    lengths = np.zeros(len(texts))
    for i, text in enumerate(texts):
        terms = analyzer(text)
        lengths[i] = _quantized(len(terms))
        for term, tf in Counter(terms).items():
            docs, tfs = postings[term]
            docs.append(i)
            tfs.append(tf)
    arrays = {t: (np.array(d), np.array(f, dtype=float)) for t, (d, f) in postings.items()}
    return FieldIndex(arrays, lengths, float(lengths.mean()) or 1.0)


@dataclass
class Setting:
    k1: float = 1.2
    b: float = 0.75
    title_b: float | None = None
    title_tf: float = 3.0  # index-time field boost (multiplies tf)
    title_weight: float = 1.0  # query-time multiplier
    prf_docs: int = 0
    prf_terms: int = 0
    prf_weight: float = 0.0
    idf: str = "whoosh"  # or "robertson" (Lucene's BM25 idf)
    exact: bool = False  # exact BM25F: title_weight and title_b/b per field, one saturation


class Emulator:
    def __init__(self, analyzer: Analyzer = analyze) -> None:
        corpus = scifact.load_corpus()
        self.ids = [r["_id"] for r in corpus]
        self.analyzer = analyzer
        self.title = field_index([r["title"] for r in corpus], analyzer)
        self.text = field_index([r["text"] for r in corpus], analyzer)
        self.n = len(corpus)

    def _term(self, fi: FieldIndex, term: str, k1: float, b: float, tfboost: float, kind: str):
        hit = fi.postings.get(term)
        if hit is None:
            return None
        docs, tf = hit
        tf = tf * tfboost
        idf = idf_value(kind, self.n, len(docs))
        norm = k1 * ((1 - b) + b * fi.lengths[docs] / fi.avg)
        return docs, idf * tf * (k1 + 1) / (tf + norm)

    def score(self, terms: dict[str, float], s: Setting) -> np.ndarray:
        if s.exact:
            return self.exact_score(terms, s)
        scores = np.zeros(self.n)
        tb = s.b if s.title_b is None else s.title_b
        for term, weight in terms.items():
            for fi, b, tfb, qw in (
                (self.title, tb, s.title_tf, s.title_weight),
                (self.text, s.b, 1.0, 1.0),
            ):
                got = self._term(fi, term, s.k1, b, tfb, s.idf)
                if got is not None:
                    np.add.at(scores, got[0], weight * qw * got[1])
        return scores

    def exact_score(self, terms: dict[str, float], s: Setting) -> np.ndarray:
        """Exact BM25F with the Robertson idf over the documents having the word anywhere."""
        scores = np.zeros(self.n)
        tb = s.b if s.title_b is None else s.title_b
        for term, weight in terms.items():
            tf = np.zeros(self.n)
            for fi, b, fw in ((self.title, tb, s.title_weight), (self.text, s.b, 1.0)):
                hit = fi.postings.get(term)
                if hit is not None:
                    docs, freqs = hit
                    tf[docs] += fw * freqs / ((1 - b) + b * fi.lengths[docs] / fi.avg)
            docs = np.flatnonzero(tf)
            if len(docs):
                idf = idf_value("robertson", self.n, len(docs))
                scores[docs] += weight * idf * tf[docs] * (s.k1 + 1) / (tf[docs] + s.k1)
        return scores

    def search(self, query: str, s: Setting, k: int = 100) -> list[tuple[str, float]]:
        terms: dict[str, float] = Counter(self.analyzer(query))
        scores = self.score(terms, s)
        if s.prf_docs and s.prf_terms:
            top = np.argsort(-scores)[: s.prf_docs]
            for term, w in self.bo1(top, s.prf_terms, set(terms)):
                terms[term] = terms.get(term, 0) + s.prf_weight * w
            scores = self.score(terms, s)
        top = np.argsort(-scores)[:k]
        return [(self.ids[i], float(scores[i])) for i in top if scores[i] > 0]

    def bo1(self, docs: np.ndarray, count: int, skip: set[str]) -> list[tuple[str, float]]:
        """Whoosh's Bo1 key terms of the top documents' text field, normalised to max 1."""
        top: Counter[str] = Counter()
        # Raw text re-analysis, as Whoosh does for stored (non-vectored) fields.
        for d in docs:
            top.update(self.analyzer(self._texts[d]))
        out = []
        for term, wtop in top.items():
            if term in skip:
                continue
            _, tfs = self.text.postings[term]
            f = tfs.sum() / self.n
            out.append((term, wtop * math.log2((1 + f) / f) + math.log2(1 + f)))
        out.sort(key=lambda x: -x[1])
        out = out[:count]
        best = out[0][1] if out else 1.0
        return [(t, w / best) for t, w in out]

    @property
    def _texts(self) -> list[str]:
        if not hasattr(self, "_cached_texts"):
            self._cached_texts = [r["text"] for r in scifact.load_corpus()]
        return self._cached_texts


def evaluate(em: Emulator, s: Setting, split: str = "train") -> dict[str, float]:
    queries, qrels = scifact.load_queries(), scifact.load_qrels(split)
    run = {}
    for qid in qrels:
        hits = em.search(queries[qid], s)
        run[qid] = {d: sc - r * 1e-9 for r, (d, sc) in enumerate(hits)}
    agg = ir_measures.calc_aggregate(scifact.MEASURES, qrels, run)
    return {str(m): round(v, 4) for m, v in agg.items()}


def sweep(em: Emulator, grid: dict[str, Sequence], base: Setting | None = None):
    base = base or Setting()
    names = list(grid)
    results = []
    for values in itertools.product(*(grid[n] for n in names)):
        s = Setting(**{**base.__dict__, **dict(zip(names, values, strict=True))})
        r = evaluate(em, s)
        results.append((r["nDCG@10"], r["R@100"], dict(zip(names, values, strict=True))))
        print(results[-1], flush=True)
    return sorted(results, key=lambda x: -x[0])


SHIPPED = Setting(k1=1.5, b=0.9, title_b=0.5, title_weight=2.0, exact=True)
EXACT_GRID = {
    "k1": (1.2, 1.5, 2.0, 2.5),
    "title_b": (0.5, 0.75),
    "b": (0.8, 0.9, 1.0),
    "title_weight": (1.5, 2.0, 3.0, 4.0),
}

if __name__ == "__main__":
    em = Emulator()
    print("shipped (train)", evaluate(em, SHIPPED))
    for row in sweep(em, EXACT_GRID, SHIPPED)[:10]:
        print(row)
