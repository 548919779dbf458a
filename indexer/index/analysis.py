"""The one analyzer used both to index and to query: tokenize, fold, drop stopwords, stem."""

from __future__ import annotations

import re
from functools import cache, lru_cache
from importlib import resources

from nltk.stem.snowball import SnowballStemmer
from whoosh.analysis import (
    Analyzer,
    CharsetFilter,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.formats import Positions
from whoosh.support.charset import accent_map

# Words, including inner dots (U.S.) but splitting on apostrophes and hyphens, so that
# "UNITAR's" indexes as "unitar" (the lone "s" is dropped by minsize) and
# "climate-resilient" as "climate" + "resilient".
TOKEN_PATTERN = r"\w+(?:\.\w+)*"

_STEMMER = SnowballStemmer("english")


@cache
def stopwords() -> frozenset[str]:
    """English stopwords shipped with the project (no NLTK data download)."""
    text = resources.files("indexer").joinpath("data/stopwords-en.txt").read_text("utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


@cache
def acronyms() -> frozenset[str]:
    """Acronyms kept when written in capitals although their lower case is a stopword."""
    text = resources.files("indexer").joinpath("data/acronyms.txt").read_text("utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


@lru_cache(maxsize=200_000)
def index_term(word: str) -> str | None:
    """The term the analyzer makes of one word as written (None: a stopword, left out); a
    kept acronym is a term of its own, in capitals (WHO, US), though its lower case is a
    stopword or another word."""
    if word in acronyms():
        return word  # its own term: "US" is not the pronoun "us"
    folded = word.lower().translate(accent_map)
    if len(folded) < 2 or folded in stopwords():
        return None
    return stem(folded)


class _MarkAcronyms(Filter):
    """Notes on each token whether it is a kept acronym, before lowercasing hides it."""

    def __call__(self, tokens):
        kept = acronyms()
        for t in tokens:
            t.acronym = t.text in kept
            yield t


class _StopUnlessAcronym(StopFilter):
    """StopFilter that lets the tokens _MarkAcronyms marked through, in capitals again: an
    acronym is a term of its own ("US", not the pronoun "us"; "WHO", not the stopword)."""

    def __call__(self, tokens):
        pos = None
        for t in tokens:
            acronym = getattr(t, "acronym", False)
            if acronym:
                t.text = t.text.upper()
            if acronym or (len(t.text) >= self.min and t.text not in self.stops):
                if self.renumber and t.positions:
                    if pos is None:
                        pos = t.pos
                    else:
                        pos += 1
                        t.pos = pos
                t.stopped = False
                yield t
            elif not t.removestops:
                t.stopped = True
                yield t


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """Snowball (Porter2) stem of a lowercased word; module-level so the schema pickles. A
    kept acronym, in capitals, is its own stem."""
    return word if word.isupper() else _STEMMER.stem(word)


def text_analyzer() -> Analyzer:
    """Analyzer for every full-text field (title, section, text)."""
    return (
        RegexTokenizer(TOKEN_PATTERN)
        | _MarkAcronyms()
        | LowercaseFilter()
        | CharsetFilter(accent_map)
        | _StopUnlessAcronym(stoplist=stopwords(), minsize=2)
        | StemFilter(stemfn=stem, ignore=None, cachesize=-1)
    )


def analyze(text: str) -> list[str]:
    """Terms the index holds for a text, in order (for query analysis and tests)."""
    return list(_analyzed(text))


@lru_cache(maxsize=4096)
def _analyzed(text: str) -> tuple[str, ...]:
    # Kept: a search analyses its words and every name they could start several times, and
    # building the analyzer and its token pipeline costs more than the words.
    return tuple(token.text for token in text_analyzer()(text))


# --- the index side of the analyzer, without Whoosh's token objects ------------------------

Posting = tuple[bytes, int, float, bytes]  # term, frequency, weight, encoded positions
_TOKEN = re.compile(TOKEN_PATTERN)
_POSITIONS = Positions()


def index_postings(text: str, field_boost: float = 1.0) -> tuple[Posting, ...]:
    """What Whoosh's `TEXT(analyzer=text_analyzer()).index(text)` yields (a term's positions
    counted without stopwords, as StopFilter renumbers them), at a fraction of the cost: no
    Token object and five generators per word, and each position list encoded once per
    process. `indexer.index.writer` checks that the two agree before using this."""
    terms = list(map(index_term, _TOKEN.findall(text)))
    kept = [term for term in terms if term is not None]
    if not kept:
        return ()
    # The first kept word keeps its place among all words; the next ones follow it.
    first = terms.index(kept[0])
    positions: dict[str, list[int]] = {}
    for pos, term in enumerate(kept, start=first):
        found = positions.get(term)
        if found is None:
            positions[term] = [pos]
        else:
            found.append(pos)
    return tuple(
        (
            _term_bytes(term),
            len(found),
            float(len(found)) * field_boost,
            _encoded_positions(tuple(found)),
        )
        for term, found in positions.items()
    )


@lru_cache(maxsize=200_000)
def _term_bytes(term: str) -> bytes:
    return term.encode("utf-8")


@lru_cache(maxsize=100_000)
def _encoded_positions(found: tuple[int, ...]) -> bytes:
    """Whoosh's Positions encoding (a pickle of the deltas); most words of a passage occur
    once, so a few hundred lists of one position are most of what is encoded."""
    return _POSITIONS.encode(found)
