"""Snippets: the sentences around a passage's best match, HTML-escaped, terms in <mark>.

The passage's own sentences (from the structure stage) are the fragments: the best sentence
is the one with the most distinct query terms, widened with its neighbours up to a length.
Words are marked by their index terms, made as the index's analyzer makes them, so stems
highlight as they matched ("emigration" for the query "emigrants"). The analyzer's steps are
repeated here on plain tuples, with each word's term cached: Whoosh's token pipeline costs
more than the rest of a search for the dozens of passages a result page shows.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from functools import lru_cache

from whoosh import query as wq
from whoosh.query import Query

from indexer.index.analysis import TOKEN_PATTERN, index_term
from search_app.engine.query import TEXT_FIELDS

MAX_CHARS = 320
ELLIPSIS = "\u2026"
# What to mark: single terms (anywhere) and phrases (only where their words follow each other).
Marks = tuple[frozenset[str], tuple[tuple[str, ...], ...]]
# A word of a text: its index term (None for a stopword), start and end offsets.
Token = tuple[str | None, int, int]
_WORD = re.compile(TOKEN_PATTERN)
_NON_ASCII_LETTER = re.compile(r"(?=\w)[^\x00-\x7f]")


def tokens(text: str) -> list[Token]:
    """The words of `text` with their index terms and character offsets."""
    return [(index_term(m.group()), m.start(), m.end()) for m in _WORD.finditer(text)]


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
    hits = matches(text, terms, phrases)
    if not hits:
        return html.escape(text, quote=False)
    return _format(text, hits, 0, len(text))


def matches(text: str, terms: frozenset[str], phrases: Sequence[Sequence[str]] = ()) -> list[Token]:
    """The tokens to mark, in order: terms anywhere, phrases where their words follow each other."""
    if not phrases:
        return _words_of(text, terms)
    found = _words_of(text, terms.union(*phrases))
    return [found[i] for i in sorted(_hits(text, found, terms, phrases))]


def _words_of(text: str, terms: frozenset[str]) -> list[Token]:
    """The words of `text` whose index term is one of `terms`, in order. Only the words that
    begin as a term does are analysed (tokenizing every word of every shown passage cost more
    than the rest of a search), and the words with letters outside ASCII (accented, which the
    analyzer folds)."""
    finder = _term_starts(terms)
    found: dict[int, Token] = {}
    starts = [m.start() for m in finder.finditer(text)] if finder is not None else []
    if not text.isascii() and _NON_ASCII_LETTER.search(text):  # not for curly quotes alone
        starts += [m.start() for m in _WORD.finditer(text) if not m.group().isascii()]
    for start in starts:
        word = _WORD.match(text, start)
        term = index_term(word.group()) if word else None
        if word and term in terms:
            found[start] = (term, start, word.end())
    return [found[start] for start in sorted(found)]


@lru_cache(maxsize=256)
def _term_starts(terms: frozenset[str]) -> re.Pattern[str] | None:
    """Where a word that may make one of `terms` begins: at the start of a token, the term's
    letters but the last two (the stemmer may have changed those: "dying" makes "die", "ability"
    makes "abl"), in any case (an ASCII word's lower case is what the analyzer stems). Every
    word it finds is then analysed."""
    beginnings = {re.escape(term[: max(1, len(term) - 2)]) for term in terms if term}
    if not beginnings:
        return None
    alternatives = "|".join(sorted(beginnings, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?<!\w\.)(?:{alternatives})", re.IGNORECASE)


def _hits(
    text: str, found: list[Token], terms: frozenset[str], phrases: Sequence[Sequence[str]]
) -> set[int]:
    """Indexes in `found` of the words to mark: terms anywhere, and a phrase where its words
    are found one after another with only stopwords between them (stopwords leave no gap)."""
    hits = {i for i, word in enumerate(found) if word[0] in terms}
    for phrase in phrases:
        wanted, size = list(phrase), len(phrase)
        for k in range(len(found) - size + 1):
            # The first word rules out nearly every place: compare the rest only where it is.
            if (
                size
                and found[k][0] == wanted[0]
                and [word[0] for word in found[k : k + size]] == wanted
                and all(
                    _stopwords_only(text, found[i][2], found[i + 1][1])
                    for i in range(k, k + size - 1)
                )
            ):
                hits.update(range(k, k + size))
    return hits


def _stopwords_only(text: str, start: int, end: int) -> bool:
    """Whether every word of text[start:end] is one the index leaves out."""
    return all(index_term(m.group()) is None for m in _WORD.finditer(text, start, end))


def _format(text: str, marked: Sequence[Token], begin: int, stop: int) -> str:
    """text[begin:stop] escaped, with the marked tokens (in order, apart) in <mark>."""
    out, index = [], begin
    for _, start, end in marked:
        if start < index:
            continue
        out.append(html.escape(text[index:start], quote=False))
        out.append(f"<mark>{html.escape(text[start:end], quote=False)}</mark>")
        index = end
    out.append(html.escape(text[index:stop], quote=False))
    return "".join(out)


def snippet(
    sentences: Sequence[str],
    text: str,
    terms: frozenset[str],
    phrases: Sequence[Sequence[str]] = (),
) -> str:
    """HTML snippet: the best-matching sentences of a passage, cut on sentence boundaries.

    The passage is analyzed once; its sentences are found in it by their character offsets.
    """
    hits = matches(text, terms, phrases) if terms or phrases else []
    spans = _sentence_spans(text, sentences)
    best = _best_sentence(spans, hits)
    first, last = _widen(spans, best)
    begin, stop = spans[first][0], spans[last - 1][1]
    if stop - begin > MAX_CHARS:
        begin, stop = _cut_around_match(text, begin, stop, hits)
    body = _format(text, [w for w in hits if begin <= w[1] and w[2] <= stop], begin, stop)
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


def _best_sentence(spans: Sequence[tuple[int, int]], matches: Sequence[Token]) -> int:
    """Index of the sentence with the most distinct matching words (the first on ties)."""
    scores = [len({t[0] for t in matches if start <= t[1] < end}) for start, end in spans]
    return max(range(len(scores)), key=lambda i: (scores[i], -i))


def _widen(spans: Sequence[tuple[int, int]], best: int) -> tuple[int, int]:
    """Add following, then preceding sentences while the snippet stays short."""
    first, last = best, best + 1
    while last < len(spans) and spans[last][1] - spans[first][0] < MAX_CHARS:
        last += 1
    while first > 0 and spans[last - 1][1] - spans[first - 1][0] < MAX_CHARS:
        first -= 1
    return first, last


def _cut_around_match(
    text: str, begin: int, stop: int, matches: Sequence[Token]
) -> tuple[int, int]:
    """A span of at most MAX_CHARS within [begin, stop), cut at spaces, around the first match."""
    inside = [t[1] for t in matches if begin <= t[1] < stop]
    start = max(begin, (inside[0] if inside else begin) - MAX_CHARS // 3)
    if start > begin:
        start = text.find(" ", start, stop) + 1 or start
    end = min(stop, start + MAX_CHARS)
    if end < stop and " " in text[start:end]:
        end = text.rfind(" ", start, end)
    return start, end
