"""Sentence splitting with the standard library's regular expressions (indexer/punkt_fast.py)
gives Punkt's own sentences, and Punkt is used as it is when it would not."""

from __future__ import annotations

from pathlib import Path

from nltk.tokenize.punkt import PunktSentenceTokenizer

from indexer import punkt_fast, sentences

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def _plain() -> PunktSentenceTokenizer:
    return PunktSentenceTokenizer(sentences._parameters())


def test_the_fast_tokenizer_is_the_one_in_use():
    assert isinstance(sentences.tokenizer()._lang_vars, punkt_fast._LanguageVars)


def test_same_sentences_as_punkt_on_the_bundled_corpus():
    fast, plain = sentences.tokenizer(), _plain()
    texts = [p.read_text("utf-8") for p in sorted(CORPUS.rglob("*.txt"))]
    assert len(texts) > 300
    paragraphs = [" ".join(b.split()) for t in texts for b in t.split("\n\n") if b.strip()]
    assert [fast.tokenize(p) for p in paragraphs] == [plain.tokenize(p) for p in paragraphs]


def test_self_check_refuses_a_tokenizer_that_splits_otherwise():
    class Wrong(PunktSentenceTokenizer):
        def tokenize(self, text, realign_boundaries=True):
            return [text]

    wrong = Wrong(sentences._parameters())
    text = "We met at 10 a.m. in New York. Then we left. It rained."
    assert punkt_fast.self_check(_plain(), _plain(), text)
    assert not punkt_fast.self_check(wrong, _plain(), text)


def test_self_check_refuses_a_tokenizer_that_fails():
    class Broken(PunktSentenceTokenizer):
        def tokenize(self, text, realign_boundaries=True):
            raise AttributeError("_re_word_tokenizer")

    assert not punkt_fast.self_check(Broken(sentences._parameters()), _plain(), "A. B.")


def test_punkt_as_it_is_when_the_check_fails(monkeypatch):
    monkeypatch.setattr(punkt_fast, "self_check", lambda fast, plain, text: False)
    sentences.tokenizer.cache_clear()
    try:
        chosen = sentences.tokenizer()
        assert not isinstance(chosen._lang_vars, punkt_fast._LanguageVars)
        assert sentences.split_sentences("We met Mr. Smith. Then we left.") == [
            "We met Mr. Smith.",
            "Then we left.",
        ]
    finally:
        sentences.tokenizer.cache_clear()
