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
from whoosh.highlight import Formatter, WholeFragmenter, get_text, highlight
from whoosh.query import Query

from indexer.analysis import text_analyzer
from search_app.query import TEXT_FIELDS

MAX_CHARS = 320
ELLIPSIS = "\u2026"
_ANALYZER = text_analyzer()


class MarkFormatter(Formatter):
    """Escape all text, wrap matched tokens in <mark>."""

    between = f" {ELLIPSIS} "

    def _text(self, text: str) -> str:
        return html.escape(text, quote=False)

    def format_token(self, text: str, token, replace: bool = False) -> str:
        return f"<mark>{self._text(get_text(text, token, replace))}</mark>"


_FORMATTER = MarkFormatter()
_FRAGMENTER = WholeFragmenter(charlimit=None)


def query_terms(q: Query | None) -> frozenset[str]:
    """Index terms of the full-text fields that a query looks for (not those it excludes)."""
    found: set[str] = set()

    def walk(node: Query) -> None:
        if isinstance(node, wq.Not):
            return
        if isinstance(node, wq.AndNot):
            walk(node.a)
            return
        if isinstance(node, wq.Term) and node.fieldname in TEXT_FIELDS:
            found.add(node.text)
        elif isinstance(node, wq.Phrase) and node.fieldname in TEXT_FIELDS:
            found.update(node.words)
        for child in node.children():
            walk(child)

    if q is not None:
        walk(q)
    return frozenset(found)


def mark(text: str, terms: frozenset[str]) -> str:
    """`text` escaped, with every token whose term is in `terms` in <mark>."""
    if terms:
        marked = highlight(text, terms, _ANALYZER, _FRAGMENTER, _FORMATTER, top=1)
        if marked:
            return marked
    return html.escape(text, quote=False)


def snippet(sentences: Sequence[str], text: str, terms: frozenset[str]) -> str:
    """HTML snippet: the best-matching sentences of a passage, cut on sentence boundaries."""
    sentences = [s for s in sentences if s.strip()] or [text]
    best = _best_sentence(sentences, terms)
    start, end = _widen(sentences, best)
    chosen = " ".join(sentences[start:end])
    cut_start = cut_end = False
    if len(chosen) > MAX_CHARS:
        chosen, cut_start, cut_end = _cut_around_match(chosen, terms)
    prefix = f"{ELLIPSIS} " if start > 0 or cut_start else ""
    suffix = f" {ELLIPSIS}" if end < len(sentences) or cut_end else ""
    return prefix + mark(chosen, terms) + suffix


def _matched(sentence: str, terms: frozenset[str]) -> set[str]:
    return {t.text for t in _ANALYZER(sentence, removestops=False) if t.text in terms}


def _best_sentence(sentences: Sequence[str], terms: frozenset[str]) -> int:
    """Index of the sentence with the most distinct query terms (the first on ties)."""
    scores = [len(_matched(s, terms)) for s in sentences] if terms else [0]
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
