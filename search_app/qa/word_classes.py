"""The parts of speech an English word can take, from lemminflect's lexicon (no context).

Short answers are noun phrases far more often than not: a candidate that ends on a word that
can only be a verb ("Kuznets saw", "relationships pertains") or opens with an adverb
("rapidly finds") seldom is one. Without a tagger trained on tagged text (NLTK's needs a data
download), the lexicon's classes of each word are what the span model can weigh.
"""

from __future__ import annotations

from functools import lru_cache

from lemminflect import getAllLemmas

NOUN, VERB, ADJECTIVE, ADVERB = "noun", "verb", "adjective", "adverb"
_UPOS = {"NOUN": NOUN, "PROPN": NOUN, "VERB": VERB, "AUX": VERB, "ADJ": ADJECTIVE, "ADV": ADVERB}


@lru_cache(maxsize=65536)
def classes(word: str) -> frozenset[str]:
    """The classes the lexicon gives the (lowercased) word; none for unknown words and
    for figures and punctuation."""
    if not word[:1].isalpha():
        return frozenset()
    return frozenset(_UPOS[u] for u in getAllLemmas(word.lower()) if u in _UPOS)


def only(word: str, kind: str) -> bool:
    """Whether the lexicon knows the word as this class and no other."""
    return classes(word) == {kind}
