"""Fit the sentence-scoring weights and the no-answer model of search_app.qa on SQuAD.

Used by `python -m bench.qa_squad --fit / --calibrate`, always on questions outside the
evaluation sample. Prints the constants to paste into search_app/sentence_scoring.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np

from search_app import qa
from search_app.qa.question import analyze_question
from search_app.qa.sentence_scoring import CONFIDENCE_FEATURES, FEATURES, score_passages


def candidate_matrix(searcher, items, contains_answer: Callable) -> list[tuple]:
    """Per question: feature matrix of its candidate sentences and which ones hold an answer."""
    groups = []
    for item in items:
        question = analyze_question(item.question)
        if not question.terms:
            continue
        scored = score_passages(searcher, question, qa.retrieve(searcher, question))
        if not scored:
            continue
        x = np.array([[s.features[f] for f in FEATURES] for s in scored])
        y = np.array([contains_answer(s.sentence, item) for s in scored], dtype=float)
        if y.any():  # questions with no correct candidate cannot teach the ranking
            groups.append((x, y))
    return groups


def fit_weights(searcher, items, contains_answer: Callable, steps: int = 600) -> np.ndarray:
    """Softmax over each question's candidates, maximising the probability of the correct
    ones; prints the weights and the tuning set's sentence@1 before and after."""
    groups = candidate_matrix(searcher, items, contains_answer)
    w = np.zeros(len(FEATURES))
    lr = 2.0
    for step in range(steps):
        grad = np.zeros_like(w)
        loss = 0.0
        for x, y in groups:
            s = x @ w
            p = np.exp(s - s.max())
            p /= p.sum()
            q = p * y / (p * y).sum()  # posterior over the correct candidates
            loss -= np.log((p * y).sum() + 1e-12)
            grad += x.T @ (p - q)
        w -= lr * grad / len(groups)
        if step % 100 == 0:
            print(f"step {step} loss {loss / len(groups):.4f} at1 {_at1(groups, w):.4f}")
    print(f"tuning questions with a correct candidate: {len(groups)}; at1 {_at1(groups, w):.4f}")
    print(json.dumps({f: round(float(v), 3) for f, v in zip(FEATURES, w, strict=True)}, indent=1))
    return w


def _at1(groups, w) -> float:
    return float(np.mean([y[np.argmax(x @ w)] for x, y in groups]))


def calibrate(searcher, halves, items, other_half: Callable, contains_answer: Callable) -> None:
    """Logistic model of 'the best sentence answers the question' from its coverage features,
    on answerable (full index) and unanswerable (other half) tuning questions."""
    from search_app.engine.index_handle import IndexHandle

    others = {k: IndexHandle(p).searcher() for k, p in halves.items()}
    rows, labels = [], []
    for item in items:
        for s, label in ((searcher, 1.0), (others[other_half(item)], 0.0)):
            ranking = qa.rank_answers(s, item.question, limit=1)
            if not ranking.answers:
                rows.append([0.0] * len(CONFIDENCE_FEATURES))
            else:
                f = ranking.answers[0].features
                rows.append([f[name] for name in CONFIDENCE_FEATURES])
            labels.append(label)
    x = np.hstack([np.ones((len(rows), 1)), np.array(rows)])
    y = np.array(labels)
    w = np.zeros(x.shape[1])
    for _ in range(5000):
        p = 1 / (1 + np.exp(-(x @ w)))
        w -= 1.0 * x.T @ (p - y) / len(y)
    p = 1 / (1 + np.exp(-(x @ w)))
    names = ["bias", *CONFIDENCE_FEATURES]
    print(json.dumps(dict(zip(names, w.round(3).tolist(), strict=True))))
    for threshold in (0.3, 0.4, 0.5, 0.6, 0.7):
        refused_answerable = float(np.mean(p[y == 1] < threshold))
        refused_unanswerable = float(np.mean(p[y == 0] < threshold))
        print(
            f"threshold {threshold}: false refusals {refused_answerable:.3f}, "
            f"no-answer on unanswerable {refused_unanswerable:.3f}"
        )
