"""What a "when" question dates, and whether an answer's sentence dates the same kind of event.

"When was the International Fund for Agricultural Development founded?" asks the date of a
founding: a sentence about the Fund's "replenishment consultation in December" names the
Fund and a date, but dates another event. Questions about a founding, an adoption or entry
into force, joining a body, a birth or a death are answered only by a sentence naming an
event of that kind ("was established in 1816", "signed ... in 1896", "was admitted to the
United Nations in 2011", "died on 7 January 1943"). Other events
("move", "depart", "start to show") are said in too many ways to judge by words: the models
weigh them.
"""

from __future__ import annotations

import re

# Each kind of event, as its words are written (stems at word starts).
_KINDS: dict[str, re.Pattern[str]] = {
    "founding": re.compile(
        r"\b(?:found(?:ed|ing|ation|er|ers)?|establish\w*|creat\w*|set\s+up|launch\w*"
        r"|inaugurat\w*|incorporat\w*|form(?:ed|ation))\b",
        re.IGNORECASE,
    ),
    "adoption": re.compile(
        r"\b(?:adopt\w*|sign(?:ed|ing|ature|atories|atory)?|ratif\w*|enact\w*"
        r"|(?:enter(?:ed|s)?|entry|came|come|comes|coming)\s+into\s+force)\b",
        re.IGNORECASE,
    ),
    "membership": re.compile(
        r"\b(?:join(?:ed|ing|s)?|admitted|admission|accession|acced\w*|members?(?:hip)?)\b",
        re.IGNORECASE,
    ),
    "birth": re.compile(r"\b(?:born|birth\w*)\b", re.IGNORECASE),
    "death": re.compile(r"\b(?:died|dies|death\w*)\b", re.IGNORECASE),
}
# The question's own words that name its topic rather than the event: capitalised names
# ("the Treaty on the Non-Proliferation...") are left out before looking for the event.
_NAME = re.compile(r"\b[A-Z][\w'’-]*")


def asked_events(question: str) -> frozenset[str]:
    """The kinds of event a question's own (lowercase) words name: "founded" -> founding."""
    words = _NAME.sub(" ", question)
    return frozenset(kind for kind, pattern in _KINDS.items() if pattern.search(words))


def event_missing(asked: frozenset[str], sentence: str) -> bool:
    """Whether a question dating an event of some kind gets a sentence naming none of them."""
    return bool(asked) and not any(_KINDS[kind].search(sentence) for kind in asked)
