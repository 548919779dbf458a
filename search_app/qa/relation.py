"""Whether an answer's sentence states the relation a question asks of its named entity.

"What is the capital of France?" asks the capital *of France*: a sentence that names a
capital without France ("with Jerusalem as the capital", said in France's own statement, or
"Skopje, the capital of North Macedonia") states the capital of something else, whatever
the passage or its title is about. A sentence that names the entity ("Paris, the capital of
France"), or points back to its topic ("its capital", "France's capital", "our capital",
"It is the capital"), may state it; so may one that does not use the relation's word at all
(then nothing is judged here and the models weigh it, unless a name is asked: a place,
a person, a body or a country is only given by a sentence that says the relation).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from indexer.index.analysis import stem
from search_app.qa.answer_types import NAME_TYPES

# A capitalised name, its words joined by "of", "and", "the"...: "New South Wales",
# "International Organization for Migration".
_NAME = r"[A-Z][\w'’-]*(?:\s+(?:(?:of|and|the|for|on|de)\s+)*[A-Z][\w'’-]*)*"


def _asking(noun: str) -> re.Pattern[str]:
    """ "What is the capital of France?", "Who was the president of the Federal Reserve?",
    "What is the largest city of New South Wales?", "Where is the headquarters of Google?":
    a noun starting as `noun` allows (up to two words before it), "of", then a name."""
    return re.compile(
        r"^(?:what|which|who|whom|where)\s+(?:is|was|are|were)\s+the\s+(?:[a-z-]+\s+){0,2}?"
        rf"(?P<noun>{noun}[a-z-]+)\s+(?:city\s+)?of\s+(?:the\s+)?(?P<name>{_NAME})"
    )


_ASKED = _asking("[a-z]")  # a lowercase noun: "the President of France" is read below
_ASKED_TITLE = _asking("[A-Za-z]")  # an office written capitalised too
_WORD = re.compile(r"[\w'’-]+")
# The relation's word said of the topic the sentence is about: "its capital", "France's
# capital", "our capital", "the city's population".
_POINTS_TO_TOPIC = re.compile(r"(?:\b(?:its|their|our|his|her|my)|\w['’]s)\s+(?:[\w-]+\s+)?$")
# ... or of the sentence's subject when a pronoun opens it ("It is the capital and...").
_OPENS_WITH_PRONOUN = re.compile(r"^\W*(?:It|They|She|He)\b")
# The relation said of a name: "the capital of North Macedonia", "the capital of both
# States", "of an independent State".
_OF_A_NAME = re.compile(r"^\s+of\s+(?:(?:the|a|an|both|each|all|every)\s+)*(?:[a-z-]+\s+)?[A-Z]")
# The relation's word bare, said of nothing named: "with Jerusalem as the capital."
_BARE_BEFORE = re.compile(r"\b(?:the|a|an|as)\s+$")
_BARE_AFTER = re.compile(r"^\s*(?:[.,;:)]|and\b|$)")


@dataclass(frozen=True)
class Relation:
    """What a question asks of a named entity: its `noun` (stemmed) of the `name`."""

    noun: str
    name: str


@lru_cache(maxsize=256)  # asked of every answer sentence, several times each
def asked_relation(question: str, titles: bool = False) -> Relation | None:
    """The relation the question asks of a named entity ("the capital of France"), if any;
    with `titles`, an office written capitalised too ("the President of France": as a
    relation only to find its holder, since "the Bank of England" is a name as well)."""
    asked = _ASKED_TITLE if titles else _ASKED
    found = asked.match(" ".join(question.split()).lstrip("¿"))
    if found is None:
        lowered = question[:1].lower() + question[1:]
        found = asked.match(" ".join(lowered.split()))
    if found is None:
        return None
    return Relation(stem(found.group("noun")), found.group("name"))


def bound(relation: Relation, sentence: str, context: str | None = None) -> bool | None:
    """Whether the sentence says the relation of the question's entity: None when it does
    not use the relation's word at all; False when it does without naming the entity (as
    written or by its initials) and every time says it of another name ("the capital of
    North Macedonia") or of nothing named ("as the capital."), never of its topic ("its
    capital") where its `context` (its document's title, the sentence before it) names the
    entity ("with East Jerusalem as its capital" in South Africa's statement is not
    Ukraine's capital); False too when it names the entity but says the relation only of
    other names ("... the International Organization for Migration ... at United Nations
    Headquarters"); True otherwise."""
    said = [m for m in _WORD.finditer(sentence) if stem(m.group().lower()) == relation.noun]
    if not said:
        return None
    if _names(sentence, relation.name):
        return not all(_of_another_name(sentence, word, relation.name) for word in said)
    of_topic = context is None or _names(context, relation.name)
    if of_topic and _OPENS_WITH_PRONOUN.match(sentence):
        return True
    for word in said:
        before, after = sentence[: word.start()], sentence[word.end() :]
        if _POINTS_TO_TOPIC.search(before):
            if of_topic:
                return True
            continue
        of_another = _OF_A_NAME.match(after) is not None
        bare = _BARE_BEFORE.search(before) is not None and _BARE_AFTER.match(after) is not None
        if not (of_another or bare):
            return True  # said in a way not judged here: the models weigh it
    return False


def unbound(
    relation: Relation | None, sentence: str, answer_type: str | None, context: str | None = None
) -> bool:
    """Whether a sentence cannot answer the relation asked (bound() is False), or, for a
    name asked ("What is the capital of Azerbaijan?", "Who is the mayor of San Francisco?"),
    does not say the relation at all: "Armenia and Azerbaijan ... the South Caucasus" names
    a place near the entity, not its capital."""
    if relation is None:
        return False
    said = bound(relation, sentence, context)
    return said is False or (said is None and answer_type in NAME_TYPES)


# A name right before the relation's word: "United Nations Headquarters", "UNICEF's office".
_NAME_BEFORE = re.compile(r"(?:[A-Z][\w'’-]*\s+){1,4}$")
_DETERMINERS = frozenset({"The", "A", "An", "Its", "Their", "Our", "This", "These", "Every"})
# ... or "of" a name after it, joined by "of", "for", "and", "the": "of the International
# Organization for Migration".
_OF_NAME = re.compile(rf"\s+of\s+(?:the\s+)?({_NAME})")


def _of_another_name(sentence: str, word: re.Match[str], name: str) -> bool:
    """Whether this mention of the relation's word is said of a name other than `name`: a
    name written just before it ("United Nations Headquarters"), or "of" another name after
    it ("the capital of North Macedonia")."""
    before, after = sentence[: word.start()], sentence[word.end() :]
    named = _NAME_BEFORE.search(before)
    words = [w for w in named.group().split() if w not in _DETERMINERS] if named else []
    # Two capitalised words at least, or an acronym: "the French capital" may be France's.
    if (len(words) >= 2 or (words and words[0].isupper() and len(words[0]) > 1)) and not (
        _same_name(" ".join(words), name)
    ):
        return True
    of_name = _OF_NAME.match(after)
    return of_name is not None and not _same_name(of_name.group(1), name)


def _same_name(found: str, name: str) -> bool:
    """Whether a name found beside the relation's word is the entity's, whole or in part."""
    return _names(found, name) or _names(name, found)


def _names(sentence: str, name: str) -> bool:
    """Whether the sentence holds the name as written (any case) or by its initials."""
    if re.search(rf"(?<!\w){re.escape(name.lower())}(?!\w)", sentence.lower()):
        return True
    initials = "".join(w[0] for w in name.split() if w[:1].isupper())
    return len(initials) >= 2 and re.search(rf"\b{initials}\b", sentence) is not None


# A name as a sentence writes a holder's: capitalised words, a particle between them.
_HOLDER = (
    r"(?P<who>[A-Z][\w'’.-]*(?:\s+(?:(?:de|da|del|van|von|bin|al|el)\s+)?[A-Z][\w'’.-]*){0,3})"
)
# "His Excellency Mr. Joe Biden. President of the United States;": a list of dignitaries,
# each name then its office, cut into sentences at the name's full stop.
_NAME_LISTED = re.compile(r"(?P<who>[A-Z][\w'’-]+(?:\s+[A-Z]\.)?(?:\s+[A-Z][\w'’-]+){1,2})\.\s+$")
# "Emmanuel Macron, President of France": the holder, a comma, up to two words, the noun.
_HOLDER_BEFORE = re.compile(_HOLDER + r"\s*,\s*(?:the\s+)?(?:[\w-]+\s+){0,2}?$")


# An office said of one who held it before: "the former President of the United States".
_PAST_HOLDER = re.compile(r"\b(?:former|late|then|outgoing|previous|ex-)\s*$", re.IGNORECASE)
_ASKS_PRESENT = re.compile(r"^\W*(?:who|what)\s+(?:is|are)\b", re.IGNORECASE)


def said_at(relation: Relation, sentence: str, question: str = "") -> list[int]:
    """Where the sentence says the relation of the entity asked, word for word ("President
    of the United States"): the offsets of the relation's word; asked who holds it now ("Who
    is..."), not where it says a former holder's."""
    entity = rf"\s+of\s+(?:the\s+)?{re.escape(relation.name)}(?!\w)"
    now = _ASKS_PRESENT.match(question) is not None
    return [
        word.start()
        for word in _WORD.finditer(sentence)
        if stem(word.group().lower()) == relation.noun
        and re.match(entity, sentence[word.end() :])
        and not (now and _PAST_HOLDER.search(sentence[: word.start()]))
    ]


def said_of_a_past_holder(relation: Relation, sentence: str, question: str) -> bool:
    """Whether, asked who holds the office now, the sentence says it only of a former holder."""
    return bool(said_at(relation, sentence)) and not said_at(relation, sentence, question)


def holder(relation: Relation, sentence: str) -> tuple[int, int] | None:
    """Where the sentence names, in apposition, who or what holds the relation asked of its
    entity: "Emmanuel Macron, President of France", "President Emmanuel Macron of France",
    "the President of France, Emmanuel Macron", "Mr. Joe Biden. President of the United
    States;" in a list of dignitaries (character offsets), or None."""
    entity = rf"(?:the\s+)?{re.escape(relation.name)}(?!\w)"
    for word in _WORD.finditer(sentence):
        if stem(word.group().lower()) != relation.noun:
            continue
        after = sentence[word.end() :]
        named_between = re.match(rf"\s+{_HOLDER}\s+of\s+{entity}", after)
        if named_between:
            return word.end() + named_between.start("who"), word.end() + named_between.end("who")
        named_after = re.match(rf"\s+of\s+{entity}\s*,\s*{_HOLDER}", after)
        if named_after:
            return word.end() + named_after.start("who"), word.end() + named_after.end("who")
        named_before = _HOLDER_BEFORE.search(sentence[: word.start()]) or _NAME_LISTED.search(
            sentence[: word.start()]
        )
        if named_before and re.match(rf"\s+of\s+{entity}", after):
            return named_before.start("who"), named_before.end("who")
    return None


def opens_with_office(relation: Relation, sentence: str) -> bool:
    """Whether the sentence opens with the office asked ("President of the United States;
    His Excellency..."): in a list of dignitaries, its holder may end the sentence before."""
    return 0 in said_at(relation, sentence)
