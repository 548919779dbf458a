"""Snippets: the sentences around a passage's best match, HTML-escaped, terms in <mark>.

The passage's own sentences (from the structure stage) are the fragments: the best sentence
is the one with the most distinct query terms, widened with its neighbours up to a length.
Whoosh's highlighter marks the tokens, through the same analyzer as the index, so stems
highlight as they matched ("emigration" for the query "emigrants").
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

from whoosh import query as wq
from whoosh.highlight import Formatter, Fragment, get_text
from whoosh.query import Query

from indexer.analysis import text_analyzer
from search_app.query import TEXT_FIELDS

MAX_CHARS = 320
ELLIPSIS = "\u2026"
_ANALYZER = text_analyzer()
# What to mark: single terms (anywhere) and phrases (only where their words follow each other).
Marks = tuple[frozenset[str], tuple[tuple[str, ...], ...]]


class MarkFormatter(Formatter):
    """Escape all text, wrap matched tokens in <mark>."""

    between = f" {ELLIPSIS} "

    def _text(self, text: str) -> str:
        return html.escape(text, quote=False)

    def format_token(self, text: str, token, replace: bool = False) -> str:
        return f"<mark>{self._text(get_text(text, token, replace))}</mark>"


_FORMATTER = MarkFormatter()


def query_terms(q: Query | None) -> frozenset[str]:
    """Index terms of the full-text fields that a query looks for (not those it excludes)."""
    terms, phrases = query_marks(q)
    return terms | {word for phrase in phrases for word in phrase}


def query_marks(q: Query | None) -> Marks:
    """What to mark for a query: single terms anywhere, and phrases only where they occur."""
    terms: set[str] = set()
    phrases: list[tuple[str, ...]] = []

    def walk(node: Query) -> None:
        if isinstance(node, wq.Not):
            return
        if isinstance(node, wq.AndNot):
            walk(node.a)
            return
        if isinstance(node, wq.Term) and node.fieldname in TEXT_FIELDS:
            terms.add(node.text)
        elif (
            isinstance(node, wq.Phrase)
            and node.fieldname in TEXT_FIELDS
            and tuple(node.words) not in phrases
        ):
            phrases.append(tuple(node.words))
        for child in node.children():
            walk(child)

    if q is not None:
        walk(q)
    return frozenset(terms), tuple(phrases)


def mark(text: str, terms: frozenset[str], phrases: Sequence[Sequence[str]] = ()) -> str:
    """`text` escaped, with its matching tokens in <mark>: terms anywhere, phrases in order."""
    tokens = [t.copy() for t in _ANALYZER(text, chars=True, removestops=False)]
    hits = _hits(tokens, terms, phrases)
    if not hits:
        return html.escape(text, quote=False)
    fragment = Fragment(text, [tokens[i] for i in sorted(hits)], 0, len(text))
    return _FORMATTER.format_fragment(fragment)


def _hits(tokens: list, terms: frozenset[str], phrases: Sequence[Sequence[str]]) -> set[int]:
    """Indexes of the tokens to mark."""
    hits = {i for i, t in enumerate(tokens) if not t.stopped and t.text in terms}
    words = [i for i, t in enumerate(tokens) if not t.stopped]
    for phrase in phrases:
        size = len(phrase)
        for k in range(len(words) - size + 1):
            if all(tokens[words[k + j]].text == phrase[j] for j in range(size)):
                hits.update(words[k : k + size])
    return hits


def snippet(
    sentences: Sequence[str],
    text: str,
    terms: frozenset[str],
    phrases: Sequence[Sequence[str]] = (),
) -> str:
    """HTML snippet: the best-matching sentences of a passage, cut on sentence boundaries."""
    sentences = [s for s in sentences if s.strip()] or [text]
    best = _best_sentence(sentences, terms, phrases)
    start, end = _widen(sentences, best)
    chosen = " ".join(sentences[start:end])
    cut_start = cut_end = False
    if len(chosen) > MAX_CHARS:
        chosen, cut_start, cut_end = _cut_around_match(
            chosen, terms | {w for phrase in phrases for w in phrase}
        )
    prefix = f"{ELLIPSIS} " if start > 0 or cut_start else ""
    suffix = f" {ELLIPSIS}" if end < len(sentences) or cut_end else ""
    return prefix + mark(chosen, terms, phrases) + suffix


def _best_sentence(
    sentences: Sequence[str], terms: frozenset[str], phrases: Sequence[Sequence[str]]
) -> int:
    """Index of the sentence with the most distinct matching words (the first on ties)."""
    if not terms and not phrases:
        return 0

    def score(sentence: str) -> int:
        tokens = [t.copy() for t in _ANALYZER(sentence, chars=True, removestops=False)]
        return len({tokens[i].text for i in _hits(tokens, terms, phrases)})

    scores = [score(s) for s in sentences]
    return max(range(len(scores)), key=lambda i: (scores[i], -i))


def _widen(sentences: Sequence[str], best: int) -> tuple[int, int]:
    """Add following, then preceding sentences while the snippet stays short."""
    start, end = best, best + 1
    length = len(sentences[best])
    while end < len(sentences) and length + len(sentences[end]) < MAX_CHARS:
        length += len(sentences[end]) + 1
        end += 1
    while start > 0 and length + len(sentences[start - 1]) < MAX_CHARS:
        start -= 1
        length += len(sentences[start]) + 1
    return start, end


def _cut_around_match(sentence: str, terms: Iterable[str]) -> tuple[str, bool, bool]:
    """A long sentence cut at word boundaries to MAX_CHARS around its first match; whether
    its start and its end were cut."""
    terms = frozenset(terms)
    first = next((t.startchar for t in _ANALYZER(sentence, chars=True) if t.text in terms), 0)
    begin = max(0, first - MAX_CHARS // 3)
    if begin:
        begin = sentence.find(" ", begin) + 1 or begin
    stop = begin + MAX_CHARS
    if stop < len(sentence):
        stop = sentence.rfind(" ", begin, stop) if " " in sentence[begin:stop] else stop
    return sentence[begin:stop].strip(), begin > 0, stop < len(sentence)
