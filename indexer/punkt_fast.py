"""Punkt's sentence splitting with the standard library's regular expressions.

NLTK (3.9.3 and later) runs every regular expression through `nltk.redos`: the `regex`
engine with a wall-clock timeout per call, as a defence against patterns supplied by a
caller. Punkt's own patterns are fixed and linear, and it calls them once or more per word:
about two thirds of the time spent splitting the speeches into sentences went to that
wrapper. Here the same pattern texts are compiled with `re` and given to Punkt the way it
is meant to be extended (a language-variables class and a token class of our own), so that
no NLTK module is changed. This is the one module that knows these names; `self_check`
compares its sentences with Punkt's own on a sample, and `indexer.sentences` uses Punkt as
it is when the check fails (an NLTK release that moves these names).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from nltk.tokenize.punkt import (
    PunktLanguageVars,
    PunktParameters,
    PunktSentenceTokenizer,
    PunktToken,
)

log = logging.getLogger(__name__)


def _plain(pattern: Any) -> re.Pattern[str]:
    """The same pattern compiled by `re` (a `redos.TimedPattern` keeps its source and flags;
    the `regex` engine's own flag bits above re's are left out)."""
    if isinstance(pattern, re.Pattern):
        return pattern
    flags = int(pattern.flags) & (re.IGNORECASE | re.MULTILINE | re.DOTALL | re.VERBOSE)
    return re.compile(pattern.pattern, flags | re.UNICODE)


class _LanguageVars(PunktLanguageVars):
    """English Punkt variables with `re` patterns."""

    re_boundary_realignment = _plain(PunktLanguageVars.re_boundary_realignment)

    def __init__(self) -> None:
        super().__init__()
        self._word_re = _plain(super()._word_tokenizer_re())
        self._period_re = _plain(super().period_context_re())

    def _word_tokenizer_re(self) -> Any:
        return self._word_re

    def period_context_re(self) -> Any:
        return self._period_re


_NON_PUNCT = re.compile(r"[^\W\d]", re.UNICODE)


class _Token(PunktToken):
    """A Punkt token whose properties are tested with `re` patterns."""

    __slots__ = ()
    _RE_ELLIPSIS = _plain(PunktToken._RE_ELLIPSIS)
    _RE_NUMERIC = _plain(PunktToken._RE_NUMERIC)
    _RE_INITIAL = _plain(PunktToken._RE_INITIAL)
    _RE_ALPHA = _plain(PunktToken._RE_ALPHA)

    @property
    def is_non_punct(self) -> Any:
        return _NON_PUNCT.search(self.type)


def tokenizer(params: PunktParameters) -> PunktSentenceTokenizer:
    """A sentence tokenizer with `params` (learned by Punkt's own trainer) and `re` patterns."""
    return PunktSentenceTokenizer(params, lang_vars=_LanguageVars(), token_cls=_Token)


def self_check(fast: PunktSentenceTokenizer, plain: PunktSentenceTokenizer, text: str) -> bool:
    """Whether the two tokenizers give the same sentences of `text`, paragraph by paragraph."""
    try:
        for paragraph in text.split("\n\n"):
            if fast.tokenize(paragraph) != plain.tokenize(paragraph):
                log.warning("fast sentence splitting differs from Punkt's: using Punkt's")
                return False
    except Exception as error:  # noqa: BLE001 - NLTK moved what this module relies on
        log.warning("fast sentence splitting failed (%s): using Punkt's", error)
        return False
    return True
