"""What a text is about: the development goals it names and its frequent key phrases."""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from importlib import resources

from indexer.index.analysis import stopwords

TOPICS_PER_DOCUMENT = 5

_GOAL_NUMBERED = re.compile(r"\b(MDG|SDG)\s?-?(\d{1,2})\b")
_GOAL_NAMED = re.compile(r"\b(Millennium|Sustainable) Development Goal\s+(\d{1,2})\b")
_GOAL_BARE = re.compile(r"\bGoals?\s+(\d{1,2}(?:\s*(?:,|and|&|or)\s*\d{1,2})*)\b")
_GOAL_SETS = (
    (re.compile(r"\bMillennium Development Goals\b|\bMDGs\b"), "MDGs"),
    (re.compile(r"\bSustainable Development Goals\b|\bSDGs\b|\b2030 Agenda\b"), "SDGs"),
)
_GOAL_COUNT = {"MDG": 8, "SDG": 17}
# Every goal pattern above holds one of these: a text without any names no goal and is not
# scanned by the patterns (starting at a word's edge, each costs some 13 ns a character).
_GOAL_WORDS = ("Goal", "MDG", "SDG", "2030 Agenda")
_TOPIC_TOKEN = re.compile(r"[A-Za-z][a-z]+(?:-[a-z]+)*|[^\sA-Za-z]+|[A-Z]\w*")


def goals(text: str, family: str = "SDG") -> list[str]:
    """Goals a text mentions: 'MDG 6', 'SDG 13', and 'MDGs'/'SDGs' for the sets as a whole.
    A bare 'Goal 6' belongs to `family` (the document's)."""
    if not _may_name_goals(text):
        return []
    found: list[tuple[str, str]] = []
    for match in _GOAL_NUMBERED.finditer(text):
        found.append((match[1], match[2]))
    for match in _GOAL_NAMED.finditer(text):
        found.append(("MDG" if match[1] == "Millennium" else "SDG", match[2]))
    for match in _GOAL_BARE.finditer(text):
        found += [(family, n) for n in re.findall(r"\d{1,2}", match[1])]
    values = [f"{kind} {int(n)}" for kind, n in found if 1 <= int(n) <= _GOAL_COUNT[kind]]
    values += [label for pattern, label in _GOAL_SETS if pattern.search(text)]
    return list(dict.fromkeys(values))


def _may_name_goals(text: str) -> bool:
    return any(word in text for word in _GOAL_WORDS)


@cache
def goal_names() -> dict[str, str]:
    """Goal code -> its short name ("SDG 13" -> "Climate action"), from data/goals.tsv."""
    text = resources.files("indexer").joinpath("data/goals.tsv").read_text("utf-8")
    rows = (line.split("\t") for line in text.splitlines() if line and not line.startswith("#"))
    return {code: name for code, name in rows}


def goal_label(code: str) -> str:
    """The facet value of a goal: "SDG 13: Climate action"; the sets by their names."""
    name = goal_names().get(code)
    if name is None:
        return code
    return name if code.endswith("s") else f"{code}: {name}"


def goal_family(text: str, date: str) -> str:
    """Which goals a bare 'Goal 6' means: the set the document names, else by its year."""
    sdg = mdg = 0
    if _may_name_goals(text):
        sdg = len(_GOAL_SETS[1][0].findall(text)) + len(re.findall(r"\bSDG", text))
        mdg = len(_GOAL_SETS[0][0].findall(text)) + len(re.findall(r"\bMDG", text))
    if sdg or mdg:
        return "SDG" if sdg >= mdg else "MDG"
    return "MDG" if date and date[:4] < "2016" else "SDG"


@cache
def topic_stopwords() -> frozenset[str]:
    """Words and word pairs never taken as topics: data/topic-stopwords.txt and stopwords."""
    text = resources.files("indexer").joinpath("data/topic-stopwords.txt").read_text("utf-8")
    words = {line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"}
    return frozenset(words) | stopwords()


def key_phrases(text: str) -> list[str]:
    """A few key phrases of the document: frequent two-word collocations of lowercase words
    (capitalised words are names, which the organization and place facets already hold).

    What NLTK's BigramCollocationFinder gives (same counts, filters and likelihood-ratio tie
    breaks), counted with Counter: its word-by-word loop was a tenth of indexing's CPU.
    """
    from nltk.metrics import BigramAssocMeasures

    words = _topic_words(text)
    blocked = topic_stopwords()
    word_counts = Counter(words)
    word_counts.pop(None, None)  # a name or punctuation: counted by no one, pairs with none
    total = sum(word_counts.values())
    least = 3 if len(words) > 1500 else 2

    def usable(word: str | None) -> bool:
        return word is not None and len(word) >= 3 and word not in blocked

    counts = {
        pair: count
        for pair, count in Counter(zip(words, words[1:], strict=False)).items()
        if count >= least
        and usable(pair[0])
        and usable(pair[1])
        and f"{pair[0]} {pair[1]}" not in blocked
    }
    try:
        scores = {
            pair: BigramAssocMeasures.likelihood_ratio(
                float(count), (word_counts[pair[0]], word_counts[pair[1]]), total
            )
            for pair, count in counts.items()
        }
    except ValueError:  # NLTK's likelihood ratio fails on degenerate counts in tiny texts
        scores = {}
    by_count = sorted(counts, key=lambda pair: (-counts[pair], -scores.get(pair, 0.0), pair))
    return [f"{a} {b}" for a, b in by_count[:TOPICS_PER_DOCUMENT]]


def _topic_words(text: str) -> list[str | None]:
    """The text's words for key phrases, lowercased; None for names and punctuation.

    A capitalised word at a sentence start is folded when the text also uses it in lower
    case ("Migration"); other capitalised words (names) and punctuation break phrases.
    """
    tokens = _TOPIC_TOKEN.findall(text)
    distinct = set(tokens)
    lower = {token for token in distinct if token.islower()}
    ends = {".", "!", "?"}
    previous = ["."] + tokens[:-1] if tokens else []  # the first one starts a sentence
    # Each distinct token decided once, in a sentence and at its start: a speech uses each
    # word many times, and a dictionary look-up is cheaper than the string tests.
    inside: dict[str, str | None] = {}
    starting: dict[str, str | None] = {}
    for token in distinct:
        kept = token if "-" in token and token.islower() else None
        alpha = token.isalpha()
        inside[token] = token.lower() if alpha and token.islower() else kept
        folds = alpha and (token.islower() or token.lower() in lower)
        starting[token] = token.lower() if folds else kept
    return [
        starting[token] if before in ends else inside[token]
        for token, before in zip(tokens, previous, strict=True)
    ]
