"""Fit the sentence-scoring weights and the no-answer model of search_app.qa on SQuAD.

Used by `python -m bench.qa_squad --fit / --calibrate / --fit-spans / --fit-rerank /
--fit-answer-confidence`, always on questions outside the evaluation sample. Each writes its
model's data file in search_app/qa/models/ (search_app.qa.fitted) and prints what it measured.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
from scipy import sparse

from search_app import qa
from search_app.qa import confidence, fitted, rerank, semantic, sentence_scoring, short_answer
from search_app.qa.answering import reordered
from search_app.qa.question import analyze_question
from search_app.qa.sentence_scoring import FEATURES, score_passages

# The answer sentence of each tuning question, kept between fits of the span model.
# An edge word becomes a feature of the span model when seen this often in the tuning data.
MIN_WORD_COUNT = 20
L2 = 1e-4  # the span model's L2 penalty
RERANK_L2 = 1e-3  # the re-ordering's: its inputs overlap (sentence score and its own inputs)
SPAN_CACHE = Path(__file__).resolve().parent / "work" / "qa_squad" / "span-sentences"


def candidate_matrix(snapshot, items, contains_answer: Callable) -> list[tuple]:
    """Per question: feature matrix of its candidate sentences and which ones hold an answer."""
    groups = []
    for item in items:
        question = analyze_question(item.question)
        if not question.terms:
            continue
        passages = qa.retrieve(snapshot, question)
        scored = score_passages(snapshot.searcher(), question, passages)
        if not scored:
            continue
        x = np.array([[s.features[f] for f in FEATURES] for s in scored])
        y = np.array([contains_answer(s.sentence, item) for s in scored], dtype=float)
        if y.any():  # questions with no correct candidate cannot teach the ranking
            groups.append((x, y))
    return groups


def fit_weights(snapshot, items, contains_answer: Callable, steps: int = 600) -> np.ndarray:
    """Softmax over each question's candidates, maximising the probability of the correct
    ones; prints the weights and the tuning set's sentence@1 before and after."""
    groups = candidate_matrix(snapshot, items, contains_answer)
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
    weights = dict(zip(FEATURES, w.tolist(), strict=True))
    print(f"wrote {_write('sentence', sentence_scoring.MODEL_VERSION, '--fit', FEATURES, weights)}")
    return w


def fit_rerank(snapshot, items, contains_answer: Callable, steps: int = 1500) -> None:
    """Softmax over each question's rerank.DEPTH best sentences (before the list is
    cleaned: search_app.qa.answering.reordered) on every input of the
    re-ordering score (search_app.qa.rerank.INPUTS), L2 RERANK_L2 on all but the sentence
    score; prints the weights, scaled so that the sentence score counts 1, and the tuning
    set's sentence@1 before and after."""
    names = list(rerank.INPUTS)
    groups = []
    for item in items:
        # The whole re-ordered list, not the answers as listed: clean_list drops the later
        # sentences of a passage listed above, and which ones it keeps depends on the weights.
        question = analyze_question(item.question)
        if not question.terms:
            continue
        scored = score_passages(snapshot.searcher(), question, qa.retrieve(snapshot, question))
        answers, _ = reordered(item.question, question, scored, rerank.DEPTH)
        y = np.array([contains_answer(a.sentence, item) for a in answers], dtype=float)
        if y.any():
            groups.append((np.array([[a.features.get(n, 0.0) for n in names] for a in answers]), y))
    w = np.zeros(len(names))
    w[0] = 1.0
    penalized = np.arange(len(names)) > 0
    for _ in range(steps):
        grad = np.zeros_like(w)
        for x, y in groups:
            s = x @ w
            p = np.exp(s - s.max())
            p /= p.sum()
            grad += x.T @ (p - p * y / (p * y).sum())
        w -= 0.5 * (grad / len(groups) + RERANK_L2 * w * penalized)
    in_use = np.array([rerank.WEIGHTS.get(n, 0.0) for n in names])
    print(
        f"{len(groups)} questions with a right sentence; sentence@1 by the sentence score "
        f"{_at1(groups, np.eye(len(names))[0]):.4f}, "
        f"by the weights in use {_at1(groups, in_use):.4f}, refitted {_at1(groups, w):.4f}"
    )
    weights = {n: float(v / w[0]) for n, v in zip(names, w, strict=True)}
    print(f"wrote {_write('rerank', rerank.MODEL_VERSION, '--fit-rerank', names, weights)}")


def _span_at1(scores: np.ndarray, gold: np.ndarray, offsets: list[int]) -> float:
    """Share of questions whose best-scored candidate is a gold answer."""
    hits = [
        gold[a + int(np.argmax(scores[a:b]))] for a, b in zip(offsets, offsets[1:], strict=False)
    ]
    return float(np.mean(hits))


def _at1(groups, w) -> float:
    return float(np.mean([y[np.argmax(x @ w)] for x, y in groups]))


def calibrate(snapshot, halves, items, other_half: Callable, contains_answer: Callable) -> None:
    """Logistic model of 'the first answer is right' (search_app.qa.confidence) on tuning
    questions asked of the full index (right when its sentence holds a gold answer) and of
    the half without their article (wrong); prints the weights and, per threshold, the share
    of questions refused on the full index and without their article."""
    from search_app.engine.index_handle import IndexHandle

    others = {k: IndexHandle(p).snapshot() for k, p in halves.items()}
    rows, labels, full = [], [], []
    for item in items:
        for s, answerable in ((snapshot, True), (others[other_half(item)], False)):
            ranking = qa.rank_answers(s, item.question, limit=1)
            if not ranking.answers:
                rows.append([0.0] * len(confidence.FEATURES))
                labels.append(0.0)
            else:
                f = ranking.answers[0].features
                rows.append([f[name] for name in confidence.FEATURES])
                labels.append(
                    float(answerable and contains_answer(ranking.answers[0].sentence, item))
                )
            full.append(answerable)
    x = np.hstack([np.ones((len(rows), 1)), np.array(rows)])
    y, full_index = np.array(labels), np.array(full)
    w = np.zeros(x.shape[1])
    for _ in range(20000):
        p = 1 / (1 + np.exp(-(x @ w)))
        w -= 2.0 * x.T @ (p - y) / len(y)
    p = 1 / (1 + np.exp(-(x @ w)))
    names = ["bias", *confidence.FEATURES]
    for k, name in enumerate(names[1:], start=1):
        fired = x[:, k] == 1.0
        if set(np.unique(x[:, k])) <= {0.0, 1.0} and fired.any():
            print(
                f"{name}: fires for {int(fired.sum())} answers ({int((fired & full_index).sum())}"
                f" on the full index), right {y[fired].mean():.3f}, predicted {p[fired].mean():.3f}"
            )
    # What refusing by the sentence's probability would do (the answer's own refuses:
    # --choose-threshold).
    for threshold in np.arange(0.05, 0.5, 0.01):
        refused_full = float(np.mean(p[full_index] < threshold))
        refused_other = float(np.mean(p[~full_index] < threshold))
        print(
            f"threshold {threshold:.2f}: refused on the full index {refused_full:.3f}, "
            f"without their article {refused_other:.3f}"
        )
    name = "confidence" if semantic.model() is not None else "confidence-words"
    weights = dict(zip(names, w.tolist(), strict=True))
    out = _write(name, confidence.MODEL_VERSION, "--calibrate", confidence.FEATURES, weights)
    print(f"wrote {out}")


def fit_answer_confidence(
    snapshot,
    halves,
    items,
    other_half: Callable,
    answer_right: Callable,
    steps: int = 5000,
    paragraphs: tuple[dict, Callable] | None = None,
) -> None:
    """Logistic model of 'the answer is right as shown' (search_app.qa.confidence's
    ANSWER_FEATURES) on every listed answer to tuning questions asked of the full index, of
    the half without their article (always wrong) and, with `paragraphs` (the paragraph
    halves and the function naming the one without a question's paragraph), of their own
    article without their paragraph (right only where another paragraph states the answer:
    the shelf discusses the topic, it seldom states the fact); prints the weights and the
    tuning answers' reliability by bins of 0.1. The threshold is chosen on the full index
    and the other article's half, as ask() is measured."""
    from search_app.engine.index_handle import IndexHandle

    names = confidence.ANSWER_FEATURES
    others = {k: IndexHandle(p).snapshot() for k, p in halves.items()}
    same_topic = {k: IndexHandle(p).snapshot() for k, p in (paragraphs or ({}, None))[0].items()}
    rows, labels = [], []
    # Per question asked: the row of its first answer (None without one), whether the full
    # index was asked, and whether the rules let the first answer answer at all.
    firsts: list[tuple[int | None, bool, bool]] = []
    for item in items:
        asked = [(snapshot, True, True), (others[other_half(item)], False, True)]
        if paragraphs is not None:
            asked.append((same_topic[paragraphs[1](item)], True, False))
        for s, answerable, measured in asked:
            answers = qa.rank_answers(s, item.question, limit=5).answers
            ok = bool(answers) and confidence.answers_the_question(answers[0].features)
            if measured:
                firsts.append((len(rows) if answers else None, s is snapshot, ok))
            for k, a in enumerate(answers):
                gap = answers[0].score - a.score
                inputs = confidence.answer_inputs(a.features, a.span is not None, k == 0, gap)
                rows.append([inputs[n] for n in names])
                labels.append(float(answerable and answer_right(a, item)))
    x, y = np.array(rows), np.array(labels)
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    xs = np.hstack([np.ones((len(x), 1)), (x - mean) / scale])
    w = np.zeros(xs.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(xs @ w)))
        w -= 0.5 * (xs.T @ (p - y) / len(y) + L2 * np.r_[0.0, w[1:]])
    raw = w[1:] / scale
    weights = {"bias": float(w[0] - raw @ mean), **dict(zip(names, raw.tolist(), strict=True))}
    p = 1 / (1 + np.exp(-(xs @ w)))
    # The first answers' probabilities, -1 where there is none or the rules refuse it.
    first_p = np.array([p[r] if r is not None and ok else -1.0 for r, _, ok in firsts])
    asked_full = np.array([full for _, full, _ in firsts])
    threshold = _threshold(first_p[asked_full], first_p[~asked_full])
    name = "answer-confidence" if semantic.model() is not None else "answer-confidence-words"
    version = confidence.ANSWER_MODEL_VERSION
    out = _write(name, version, "--fit-answer-confidence", names, weights, threshold)
    print(f"wrote {out}")
    for n, v in weights.items():
        print(f"  {n}: {v:+.3f}")
    print(f"{len(y)} answers, {y.mean():.3f} right")
    for low in np.arange(0.0, 1.0, 0.1):
        inside = (p >= low) & (p < low + 0.1)
        if inside.any():
            print(
                f"{low:.1f}-{low + 0.1:.1f}: {int(inside.sum())} answers, predicted "
                f"{p[inside].mean():.3f}, right {y[inside].mean():.3f}"
            )


# The threshold --fit-answer-confidence and --choose-threshold write: the highest that
# refuses at most this share of the tuning questions asked of the full index (the target is
# 10% of the evaluation sample; 8% until the rules of confidence.names_absent took part).
REFUSED_ANSWERABLE_BY_ANSWER = 0.08


def _threshold(full_p: np.ndarray, other_p: np.ndarray) -> float:
    """The highest threshold on the first answer's probability that refuses at most
    REFUSED_ANSWERABLE_BY_ANSWER of the questions asked of the full index; prints the
    share refused of each index per threshold."""
    chosen = 0.0
    for threshold in np.arange(0.02, 0.6, 0.01):
        refused_full = float(np.mean(full_p < threshold))
        refused_other = float(np.mean(other_p < threshold))
        print(
            f"threshold {threshold:.2f}: refused on the full index {refused_full:.3f}, "
            f"without their article {refused_other:.3f}"
        )
        if refused_full <= REFUSED_ANSWERABLE_BY_ANSWER:
            chosen = round(float(threshold), 2)
    print(f"threshold {chosen}")
    return chosen


def choose_answer_threshold(snapshot, halves, items, other_half: Callable) -> None:
    """The threshold on the probability that the first answer is right as shown, below
    which ask() refuses: each tuning question asked of the full index and of the half
    without its article; prints the share refused of each per threshold, and writes the
    highest refusing at most REFUSED_ANSWERABLE_BY_ANSWER of the first into the answer
    model's file. An answer the rules refuse (confidence.answers_the_question) counts as
    refused at every threshold."""
    from search_app.engine.index_handle import IndexHandle

    others = {k: IndexHandle(p).snapshot() for k, p in halves.items()}
    full, other = [], []
    for item in items:
        for s, found in ((snapshot, full), (others[other_half(item)], other)):
            answers = qa.rank_answers(s, item.question, limit=1).answers
            first = answers[0] if answers else None
            ok = first is not None and confidence.answers_the_question(first.features)
            found.append(first.confidence if ok else -1.0)
    chosen = _threshold(np.array(full), np.array(other))
    name = "answer-confidence" if semantic.model() is not None else "answer-confidence-words"
    model = (
        confidence.ANSWER_MODEL if name == "answer-confidence" else confidence.WORDS_ANSWER_MODEL
    )
    # The same weights, with the threshold chosen (the command that fitted them kept).
    out = fitted.write(name, model.version, model.fitted_by, model.features, model.weights, chosen)
    print(f"threshold {chosen} for {len(items)} tuning questions; wrote {out}")


def span_groups(snapshot, items, contains_answer: Callable, normalize: Callable) -> list[tuple]:
    """Per question: the candidates of its best-ranked sentence holding a gold answer, as
    sparse feature rows, and which candidates are a gold answer (official normalisation)."""
    from search_app.qa.short_answer import candidates

    cache = SPAN_CACHE.with_suffix(f".{len(items)}.json")
    sentences = json.loads(cache.read_text("utf-8")) if cache.exists() else {}
    groups = []
    for item in items:
        if item.qid not in sentences:
            ranking = qa.rank_answers(snapshot, item.question, limit=5)
            sentences[item.qid] = next(
                (a.sentence for a in ranking.answers if contains_answer(a.sentence, item)), None
            )
        sentence = sentences[item.qid]
        if sentence is None:
            continue
        found = candidates(sentence, analyze_question(item.question))
        gold = {normalize(a) for a in item.answers}
        y = np.array([normalize(span.text) in gold for span, _ in found], dtype=float)
        if y.any():
            groups.append(([f for _, f in found], y))
    cache.write_text(json.dumps(sentences), "utf-8")
    return groups


def fit_spans(
    snapshot,
    items,
    contains_answer: Callable,
    normalize: Callable,
    steps: int = 1500,
    l2: float = L2,
) -> None:
    """Softmax over each question's candidate spans (L2-regularised); writes the weights."""
    from search_app.qa.short_answer import feature_names

    raw = span_groups(snapshot, items, contains_answer, normalize)
    # The fixed features and the words seen at candidates' edges ("first=called") at least
    # MIN_WORD_COUNT times in the tuning questions.
    seen = Counter(name for rows, _ in raw for row in rows for name in row if "=" in name)
    names = [*feature_names(), *sorted(n for n, c in seen.items() if c >= MIN_WORD_COUNT)]
    column = {n: k for k, n in enumerate(names)}
    # All candidates in one sparse matrix, each question's rows together (`offsets`).
    data, rows_at, cols, y, offsets = [], [], [], [], [0]
    for rows, gold in raw:
        for features in rows:
            for name, value in features.items():
                if name in column:
                    data.append(value)
                    rows_at.append(len(y))
                    cols.append(column[name])
            y.append(0.0)
        y[-len(rows) :] = gold.tolist()
        offsets.append(len(y))
    x = sparse.csr_matrix((data, (rows_at, cols)), shape=(len(y), len(names)))
    gold_y, starts = np.array(y), np.array(offsets[:-1])
    group_of = np.repeat(np.arange(len(starts)), np.diff(offsets))
    w = np.zeros(len(names))
    lr = 3.0
    for step in range(steps):
        s = x @ w
        s = s - np.maximum.reduceat(s, starts)[group_of]
        e = np.exp(s)
        p = e / np.add.reduceat(e, starts)[group_of]
        py = p * gold_y
        q = py / np.add.reduceat(py, starts)[group_of]
        w -= lr * (l2 * w + x.T @ (p - q) / len(starts))
        if step % 300 == 0:
            print(f"step {step} span@1 {_span_at1(x @ w, gold_y, offsets):.4f}")
    groups = raw
    print(f"questions with a gold candidate: {len(groups)} of {len(items)}")
    print(f"span@1 {_span_at1(x @ w, gold_y, offsets):.4f}")
    # Only the features with a weight: the edge words fitted to 0 are not worth listing.
    kept = {n: float(v) for n, v in zip(names, w, strict=True) if abs(v) >= 0.0005}
    out = _write("span", short_answer.MODEL_VERSION, "--fit-spans", list(kept), kept)
    print(f"wrote {out}")


def _write(name, version, option, features, weights, threshold=None):
    """Write a fitted model's data file (search_app.qa.fitted) naming the command that fits it."""
    words = "REPORT_SEARCH_SEMANTIC=0 " if name.endswith("-words") else ""
    command = f"{words}python -m bench.qa_squad {option}"
    return fitted.write(name, version, command, features, weights, threshold)
