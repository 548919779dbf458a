"""Sentence splitting with NLTK's Punkt, trained once on our own text (no data download)."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer, PunktTrainer

from indexer import punkt_fast

# Shipped with the package: UN report and General Debate text to learn sentence starters and
# collocations from, and abbreviations Punkt would not learn from so little text.
TRAINING_TEXT = "data/punkt-training.txt"
ABBREVIATIONS = "data/abbreviations.txt"


def _data_lines(name: str) -> list[str]:
    text = resources.files("indexer").joinpath(name).read_text("utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"]


# How much of the training text checks the fast tokenizer against Punkt's own.
_CHECKED_CHARACTERS = 40_000


@cache
def tokenizer() -> PunktSentenceTokenizer:
    """The Punkt tokenizer, trained on first use and cached for the process; with the
    standard library's regular expressions (indexer.punkt_fast) when they agree."""
    plain = PunktSentenceTokenizer(_parameters())
    fast = punkt_fast.tokenizer(_parameters())
    sample = _training_text()[:_CHECKED_CHARACTERS]
    return fast if punkt_fast.self_check(fast, plain, sample) else plain


def _training_text() -> str:
    return resources.files("indexer").joinpath(TRAINING_TEXT).read_text("utf-8")


@cache
def _parameters() -> PunktParameters:
    """What Punkt learns from our text, with our abbreviations."""
    trainer = PunktTrainer()
    trainer.INCLUDE_ALL_COLLOCS = True
    trainer.train(_training_text())
    params: PunktParameters = trainer.get_params()
    # From so little text Punkt also learns words that merely ended a sentence twice
    # ("türkiye"): keep only learned abbreviations that look like ones (u.n, h.e, t).
    learned = {a for a in params.abbrev_types if "." in a or len(a) <= 2}
    params.abbrev_types = learned | set(_data_lines(ABBREVIATIONS))
    return params


# A sentence that is only a list marker or a footnote number is glued to the next one.
_FRAGMENT = re.compile(r"^(?:\(?[a-z0-9]{1,3}[.)]|[\d¹²³⁴⁵⁶⁷⁸⁹⁰]+\.?)$", re.IGNORECASE)


def split_sentences(text: str) -> list[str]:
    """Split a paragraph's text into sentences; whitespace inside each sentence is kept."""
    text = text.strip()
    if not text:
        return []
    sentences: list[str] = []
    pending = ""
    for sentence in tokenizer().tokenize(text):
        if _FRAGMENT.match(sentence):
            pending = f"{pending} {sentence}".strip()
            continue
        sentences.append(f"{pending} {sentence}".strip() if pending else sentence)
        pending = ""
    if pending:
        if sentences:
            sentences[-1] = f"{sentences[-1]} {pending}"
        else:
            sentences.append(pending)
    return sentences
