"""Long queries and pasted paragraphs: read as text, as one bag of key words.

A paragraph pasted from a draft holds quotes, parentheses, hyphens and words such as AND or
NOT that are prose, not syntax; and passages holding all of its words do not exist, so an
all-words tier cannot help (on CACM's long requests it lost to a plain BM25). Such a query is
read as its analysed words, each weighted by how often it occurs in the query (BM25's query
term frequency), and ranked as one BM25F tier. Cost stays within limits.py: at most
max_key_words distinct words are kept, those with the highest tf-idf (count in the query times
idf in the index), as "more like this" classically picks its terms.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from whoosh import query as wq
from whoosh.query import Query

from indexer.index.analysis import analyze
from indexer.index.ranking import idf
from indexer.models import FACETS
from search_app.engine.limits import MAX_QUERY_TERMS, MAX_SYNTAX_CHARS

# Above this many words, a query is read as text unless it is clearly written in the syntax.
VERBOSE_WORDS = 12
_FIELD = re.compile(r"\b(?:title|section|text|" + "|".join(FACETS) + r"):\S")
# prefix*, wild?card, fuzzy~: a question mark ending a word ("computers?") is punctuation.
_EXPANDING = re.compile(r"\w\*|\w\?\w|\w~")
_OPERATOR = re.compile(r"(?:^|\s)(?:AND|OR|NOT)\s")


def reads_as_text(text: str) -> bool:
    """Whether `text` is prose to read word by word rather than the query syntax."""
    if len(text) > MAX_SYNTAX_CHARS:
        return True
    return len(text.split()) > VERBOSE_WORDS and not written_in_syntax(text)


def written_in_syntax(text: str) -> bool:
    """A field:value, a wildcard or fuzzy word, or boolean operators between the words, one
    word in five or more (prose has the odd capitalised "NOT only"; not all capitals)."""
    if _FIELD.search(text) or _EXPANDING.search(text):
        return True
    operators = len(_OPERATOR.findall(text))
    return operators >= 2 and 5 * operators >= len(text.split()) and text != text.upper()


def key_words(text: str, fields: tuple[str, ...], reader: Any = None) -> Query:
    """Any of the analysed words of `text`, each boosted by its count in the text; at most
    max_key_words of them, by tf-idf in `reader`'s index when given, else the first."""
    counts = Counter(analyze(text))
    words = list(counts)
    if len(words) > max_key_words(fields) and reader is not None:
        words.sort(key=lambda w: -_tf_idf(reader, fields[-1], w, counts[w]))
    words = words[: max_key_words(fields)]
    terms = [wq.Term(field, word, boost=float(counts[word])) for word in words for field in fields]
    return wq.Or(terms) if terms else wq.NullQuery


def max_key_words(fields: tuple[str, ...]) -> int:
    """Distinct words a long query keeps: each costs one term lookup per field."""
    return MAX_QUERY_TERMS // len(fields)


def _tf_idf(reader: Any, field: str, word: str, count: int) -> float:
    """A word's weight in the query; 0 for words the index never saw (they find nothing)."""
    frequency = reader.doc_frequency(field, word)
    return count * idf(reader.doc_count_all(), frequency) if frequency else 0.0
