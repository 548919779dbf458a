"""Phrase matching over term positions, for the passages that hold all the words.

Whoosh checks phrases with generic span matchers, one candidate at a time, which costs most of
a second for a common phrase at 200,000 passages. Here every word's positions are one sorted
array of `docnum << 32 | position` keys (postings.py), cut down to the candidate passages
(those holding every word), and following a word is a binary search: for each key of the next
word, the nearest key of the chain before it. The cost does not depend on the slop. The rule
is Whoosh's (`query.Phrase`): each word follows the previous one within `slop` positions, in
the same passage.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from search_app.engine.limits import check_deadline
from search_app.engine.postings import SHIFT


def phrase_mask(keys: Sequence[np.ndarray], slop: int, candidates: np.ndarray) -> np.ndarray:
    """Passages of `candidates` (a mask) where the words, given by their position keys in
    phrase order, occur in order, each within `slop` positions of the previous one."""
    result = np.zeros(len(candidates), dtype=bool)
    if not len(keys) or not candidates.any():
        return result
    chain = _in(keys[0], candidates)
    for following in keys[1:]:
        check_deadline()
        chain = _followers(chain, _in(following, candidates), slop)
        if not len(chain):
            return result
    result[chain >> SHIFT] = True
    return result


def _in(keys: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """The keys that fall in candidate passages."""
    return keys[candidates[keys >> SHIFT]]


def _followers(chain: np.ndarray, following: np.ndarray, slop: int) -> np.ndarray:
    """Keys of `following` that come 1..slop positions after a key of `chain`, in the same
    passage (both sorted).

    Only the nearest key of `chain` before a key can be within reach if any is, so one
    binary search per key decides, whatever the slop.
    """
    if not len(following) or not len(chain) or slop < 1:
        return following[:0]
    before = np.searchsorted(chain, following) - 1  # the nearest chain key below, or -1
    nearest = chain[np.maximum(before, 0)]
    same_passage = (nearest >> SHIFT) == (following >> SHIFT)
    return following[(before >= 0) & same_passage & (following - nearest <= slop)]
