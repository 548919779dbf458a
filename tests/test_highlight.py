"""Highlighting finds words as the index's analyzer makes them."""

from __future__ import annotations

import pytest
from conftest import DOCUMENTS
from paths import SEED

from indexer.index.analysis import text_analyzer
from search_app.engine.highlight import mark, matches, snippet, tokens

TEXTS = [
    "Café au lait, naïve résumé; ÉMIGRÉS and Ångström.",
    "The U.S. and U.K. signed; UNITAR's report on climate-resilient IL-6 (2009).",
    "A I x 5 42 3.14 e.g. i.e. -- ___ __init__ straße STRASSE ǅemal ﬁnance",
    "Emigrants, emigration, emigrated: the emigrant's stories.",
    "",
    "   \n\n  ",
    *(text for text, _ in DOCUMENTS.values()),
]


@pytest.mark.parametrize("text", TEXTS)
def test_tokens_equal_the_analyzer(text):
    expected = [
        (None if t.stopped else t.text, t.startchar, t.endchar)
        for t in text_analyzer()(text, chars=True, removestops=False)
    ]
    assert tokens(text) == expected


def test_tokens_of_a_real_report_equal_the_analyzer():
    text = SEED.read_text("utf-8")[:50_000]
    expected = [
        (None if t.stopped else t.text, t.startchar, t.endchar)
        for t in text_analyzer()(text, chars=True, removestops=False)
    ]
    assert tokens(text) == expected


TRICKY = "U.S. and U.S.A., e.g. the US; x.US us. 3.5 5 _us us_ US's U.S-led ÉMIGRÉS émigrés"
# Words whose stems do not begin as they do ("dying" makes "die", "ability" makes "abl"):
# highlighting looks for the first letters of a term but its last two.
IRREGULAR = "Dying, LYING and tying; skies, ability, relational, Côte d'Ivoire, SÃO TOMÉ, İstanbul"


@pytest.mark.parametrize("text", [*TEXTS, TRICKY, IRREGULAR, SEED.read_text("utf-8")[:20_000]])
def test_term_matches_equal_the_tokens_with_those_terms(text):
    """Finding only the words of the query gives the tokens a full analysis would mark."""
    words = tokens(text)
    present = sorted({term for term, _, _ in words if term is not None})
    for k in range(0, len(present), 3):
        terms = frozenset(present[k : k + 3] + ["absent"])
        assert matches(text, terms) == [w for w in words if w[0] in terms]


def _phrase_marks_by_full_analysis(text, terms, phrases):
    """What to mark, from every word of the text: a phrase where its words are consecutive
    once stopwords are left out."""
    words = tokens(text)
    hits = {i for i, word in enumerate(words) if word[0] in terms}
    kept = [i for i, word in enumerate(words) if word[0] is not None]
    sequence = [words[i][0] for i in kept]
    for phrase in phrases:
        for k in range(len(sequence) - len(phrase) + 1):
            if sequence[k : k + len(phrase)] == list(phrase):
                hits.update(kept[k : k + len(phrase)])
    return [words[i] for i in sorted(hits)]


@pytest.mark.parametrize("text", [*TEXTS, TRICKY, IRREGULAR, SEED.read_text("utf-8")[:20_000]])
def test_phrase_matches_equal_a_full_analysis(text):
    """Phrases found from the query's words alone, the stopwords between them checked, mark
    what analysing every word would: and not where another word comes between."""
    sequence = [term for term, _, _ in tokens(text) if term is not None]
    pairs = {tuple(sequence[k : k + 2]) for k in range(0, len(sequence) - 1, 7)}
    triples = {tuple(sequence[k : k + 3]) for k in range(0, len(sequence) - 2, 11)}
    skipping = {(sequence[k], sequence[k + 2]) for k in range(0, len(sequence) - 2, 5)}
    for phrases in (sorted(pairs), sorted(triples), sorted(skipping)):
        for k in range(0, len(phrases), 4):
            chosen = tuple(phrases[k : k + 4])
            terms = frozenset(sequence[k : k + 1])
            expected = _phrase_marks_by_full_analysis(text, terms, chosen)
            assert matches(text, terms, chosen) == expected


def test_mark_escapes_and_marks_stems_and_phrases():
    text = "Emigrants <b>& the</b> health workers; workers' health."
    marked = mark(text, frozenset({"emigr"}), (("health", "worker"),))
    assert marked == (
        "<mark>Emigrants</mark> &lt;b&gt;&amp; the&lt;/b&gt; "
        "<mark>health</mark> <mark>workers</mark>; workers' health."
    )


def test_phrase_marks_skip_stopwords_between_words():
    assert mark("State of the art.", frozenset(), (("state", "art"),)) == (
        "<mark>State</mark> of the <mark>art</mark>."
    )


def test_snippet_shows_the_sentence_with_most_terms():
    filler = "This sentence talks about something else entirely, at some length, " * 5
    sentences = (
        filler + "first.",
        "Remittances fell.",
        filler + "again.",
        "Remittances and migrants rose.",
    )
    out = snippet(sentences, " ".join(sentences), frozenset({"remitt", "migrant"}))
    assert out.startswith("\u2026 ")
    assert "<mark>Remittances</mark> and <mark>migrants</mark> rose." in out
    assert "<mark>Remittances</mark> fell." not in out
