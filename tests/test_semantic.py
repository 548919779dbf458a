"""Answers re-ordered by meaning: the bundled sentence-embedding model, its effect on real
questions, and the ranking by words alone without it."""

from __future__ import annotations

import json
import math
from concurrent.futures import ThreadPoolExecutor

import pytest
from paths import SHARED_DATA, needs_shared

from indexer.pipeline import run
from search_app import qa
from search_app.engine.index_handle import IndexHandle
from search_app.qa import confidence, rerank, semantic

ATHENS = "Where was the third Global Forum on Migration and Development held?"
SQUAD = SHARED_DATA / "qa" / "squad-v1.1-dev" / "dev-v1.1.json"


def test_the_model_is_installed_and_loads():
    """`make` installs the semantic extra: a broken install must fail here, not fall back
    to words alone unnoticed."""
    assert semantic.enabled()
    assert semantic.model() is not None


def test_a_sentence_that_answers_is_closer_than_one_that_shares_words():
    found = semantic.similarities(
        "When do farmers plant rice?",
        [
            "Farmers plant rice when the first heavy showers arrive in June.",
            "Rainfall records at the forty stations go back to 1901.",
        ],
    )
    assert found is not None and len(found) == 2
    assert all(-1.0 <= s <= 1.0 for s in found)
    assert found[0] > found[1] + 0.3


def test_answers_weigh_their_similarity(handle):
    answers = qa.rank_answers(handle.snapshot(), ATHENS).answers
    expected = semantic.similarities(ATHENS, [a.sentence for a in answers])
    assert expected is not None
    for answer, similarity in zip(answers, expected, strict=True):
        assert answer.features["similarity"] == pytest.approx(similarity, abs=1e-4)
        assert answer.score == pytest.approx(rerank.score(answer.features))
        # Confidence weighs the similarity too, with the model fitted with it.
        assert answer.features["semantic"] == 1.0
        assert confidence.WEIGHTS["similarity"] > 0
        sentence_probability = confidence.probability(answer.features)
        assert answer.features["sentence_probability"] == pytest.approx(sentence_probability)


def test_disabled_the_answers_are_ranked_by_words(handle, monkeypatch):
    monkeypatch.setenv(semantic.ENV, "0")
    assert semantic.similarities("Where?", ["Here."]) is None
    answers = qa.rank_answers(handle.snapshot(), ATHENS).answers
    assert answers and all(a.features["similarity"] == 0.0 for a in answers)
    assert all(a.features["semantic"] == 0.0 for a in answers)
    x = confidence.WORDS_WEIGHTS["bias"] + sum(
        confidence.WORDS_WEIGHTS[name] * answers[0].features[name] for name in confidence.FEATURES
    )
    assert answers[0].features["sentence_probability"] == pytest.approx(1 / (1 + math.exp(-x)))
    assert answers[0].span is not None and answers[0].span.text == "Athens"


@pytest.fixture(scope="module")
def handle(small_index):
    return IndexHandle(small_index)


@pytest.fixture(scope="module")
def normans(tmp_path_factory):
    """A real index of one SQuAD dev article, "Normans", as plain text."""
    if not SQUAD.is_file():
        pytest.skip(f"needs {SQUAD}")
    articles = json.loads(SQUAD.read_text("utf-8"))["data"]
    article = next(a for a in articles if a["title"] == "Normans")
    root = tmp_path_factory.mktemp("normans")
    corpus = root / "corpus"
    corpus.mkdir()
    text = "\n\n".join(p["context"] for p in article["paragraphs"])
    (corpus / "normans.txt").write_text(f"Normans\n\n{text}\n", "utf-8")
    report = run([corpus], root / "index", workers=1)
    assert not report.summary()["failures"]
    return IndexHandle(root / "index")


# Questions whose best sentence by words alone does not hold the answer, and by meaning does.
FLIPS = (
    ("Where was Dyrrachium located?", "the Adriatic"),
    ("What is the most important type of Norman art preserved in churches?", "mosaics"),
)


@needs_shared
@pytest.mark.parametrize(("question", "answer"), FLIPS)
def test_meaning_finds_the_sentence_that_words_miss(normans, monkeypatch, question, answer):
    first = qa.rank_answers(normans.snapshot(), question, limit=1).answers[0]
    assert answer in first.sentence
    monkeypatch.setenv(semantic.ENV, "0")
    by_words = qa.rank_answers(normans.snapshot(), question, limit=1).answers[0]
    assert answer not in by_words.sentence


def test_a_very_long_sentence_is_read_up_to_the_models_training_length():
    """The model learnt on 128 word pieces: what lies beyond is not read (and not paid for),
    so two sentences alike in their first 150 words weigh the same."""
    opening = " ".join(["Farmers plant rice when the first heavy showers arrive."] * 15)
    found = semantic.similarities(
        "When do farmers plant rice?",
        [f"{opening} Rainfall records go back to 1901.", f"{opening} Nobody eats the rice."],
    )
    assert found is not None
    assert found[0] == pytest.approx(found[1], abs=1e-6)


def test_questions_asked_at_once_from_many_threads():
    """The server answers from several threads: encodings must not trip over each other."""
    questions = [f"When do farmers plant rice in region {k}?" for k in range(16)]
    sentences = ["Farmers plant rice when the showers arrive.", "Rainfall is measured."]
    alone = [semantic.similarities(q, sentences) for q in questions]
    with ThreadPoolExecutor(max_workers=8) as pool:
        together = list(pool.map(lambda q: semantic.similarities(q, sentences), questions))
    for a, b in zip(alone, together, strict=True):
        assert a is not None and b is not None
        assert a == pytest.approx(b, abs=1e-4)
