"""Whether a figure is said of the speaker's own country rather than of what was asked.

"Over eleven million of our people live and work worldwide", in Bangladesh's statement,
counts Bangladesh's emigrants, not the world's migrants: asked "How many migrants are there
in the world?", that figure answers another question. A figure said of "our" or "my" people,
country or population is the speaker's; it answers only a question that names the speaker's
country ("How many Bangladeshis live abroad?" by its demonym is not recognised and is
refused rather than guessed).
"""

from __future__ import annotations

import re

from search_app.qa.answer_types import NUMBER, PERCENT, Span

# First-person words of a speaker (a country's statement) within a few words of a figure:
# "eleven million of our people", "our population of 5 million", "11 per cent of our
# inhabitants", "my country hosts 3 million refugees".
_FIRST_PERSON = re.compile(r"\b(?:our|my)\b", re.IGNORECASE)
_SPEAKER = re.compile(r"\b(?:our|my|we|I)\b", re.IGNORECASE)
_WORD = re.compile(r"[\w'’-]+|[;:()]")
WORDS_BEFORE = 4
WORDS_AFTER = 4
FIGURE_TYPES = (NUMBER, PERCENT)


def own_figure(
    question: str, answer_type: str | None, sentence: str, span: Span | None, own_country: str
) -> bool:
    """Whether the short answer is a figure the speaker gives of their own country (a
    first-person word near it, in the same clause) while the question does not name that
    country."""
    if span is None or answer_type not in FIGURE_TYPES or not own_country:
        return False
    if re.search(rf"(?<!\w){re.escape(own_country)}(?!\w)", question, re.IGNORECASE):
        return False
    before = _WORD.findall(sentence[: span.start])[-WORDS_BEFORE:]
    after = _WORD.findall(sentence[span.end :])[:WORDS_AFTER]
    near = _clause(before, keep_last=True) + _clause(after, keep_last=False)
    return any(_FIRST_PERSON.fullmatch(word) for word in near)


def about_the_speaker(sentence: str) -> bool:
    """Whether the sentence speaks in the first person ("11 per cent of our inhabitants"):
    in a country's statement it is then about that country, whose name the title holds."""
    return _SPEAKER.search(sentence) is not None


def _clause(words: list[str], keep_last: bool) -> list[str]:
    """The words on the figure's side of the nearest clause mark (;:())."""
    marks = [k for k, w in enumerate(words) if w in ";:()"]
    if not marks:
        return words
    return words[marks[-1] + 1 :] if keep_last else words[: marks[0]]
