"""Snippets: the sentences around a passage's best match, HTML-escaped, terms in <mark>.

The passage's own sentences (from the structure stage) are the fragments: the best sentence
is the one with the most distinct query terms, widened with its neighbours up to a length.
Whoosh's highlighter marks the tokens, through the same analyzer as the index, so stems
highlight as they matched ("emigration" for the query "emigrants").
"""

from __future__ import annotations

import html
from collections.abc import Sequence

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
    """HTML snippet: the best-matching sentences of a passage, cut on sentence boundaries.

    The passage is analyzed once; its sentences are found in it by their character offsets.
    """
    tokens = [t.copy() for t in _ANALYZER(text, chars=True, removestops=False)]
    hits = sorted(_hits(tokens, terms, phrases)) if terms or phrases else []
    spans = _sentence_spans(text, sentences)
    best = _best_sentence(spans, [tokens[i] for i in hits])
    first, last = _widen(spans, best)
    begin, stop = spans[first][0], spans[last - 1][1]
    if stop - begin > MAX_CHARS:
        begin, stop = _cut_around_match(text, begin, stop, [tokens[i] for i in hits])
    matches = [
        tokens[i] for i in hits if begin <= tokens[i].startchar and tokens[i].endchar <= stop
    ]
    body = _FORMATTER.format_fragment(Fragment(text, matches, begin, stop)) if matches else None
    body = body if body is not None else html.escape(text[begin:stop], quote=False)
    prefix = f"{ELLIPSIS} " if text[:begin].strip() else ""
    suffix = f" {ELLIPSIS}" if text[stop:].strip() else ""
    return prefix + " ".join(body.split()) + suffix  # line breaks of the text: plain spaces


def _sentence_spans(text: str, sentences: Sequence[str]) -> list[tuple[int, int]]:
    """Character spans of the sentences in `text` (the whole text when they cannot be found)."""
    spans, position = [], 0
    for sentence in sentences:
        sentence = sentence.strip()
        if not sentence:
            continue
        start = text.find(sentence[:40], position)
        if start < 0:
            return [(0, len(text))]
        spans.append((start, min(start + len(sentence), len(text))))
        position = spans[-1][1]
    return spans or [(0, len(text))]


def _best_sentence(spans: Sequence[tuple[int, int]], matches: Sequence) -> int:
    """Index of the sentence with the most distinct matching words (the first on ties)."""
    scores = [len({t.text for t in matches if start <= t.startchar < end}) for start, end in spans]
    return max(range(len(scores)), key=lambda i: (scores[i], -i))


def _widen(spans: Sequence[tuple[int, int]], best: int) -> tuple[int, int]:
    """Add following, then preceding sentences while the snippet stays short."""
    first, last = best, best + 1
    while last < len(spans) and spans[last][1] - spans[first][0] < MAX_CHARS:
        last += 1
    while first > 0 and spans[last - 1][1] - spans[first - 1][0] < MAX_CHARS:
        first -= 1
    return first, last


def _cut_around_match(text: str, begin: int, stop: int, matches: Sequence) -> tuple[int, int]:
    """A span of at most MAX_CHARS within [begin, stop), cut at spaces, around the first match."""
    inside = [t.startchar for t in matches if begin <= t.startchar < stop]
    start = max(begin, (inside[0] if inside else begin) - MAX_CHARS // 3)
    if start > begin:
        start = text.find(" ", start, stop) + 1 or start
    end = min(stop, start + MAX_CHARS)
    if end < stop and " " in text[start:end]:
        end = text.rfind(" ", start, end)
    return start, end
