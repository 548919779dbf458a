"""Question answering: question analysis, answer types, sentence scoring and ask()."""

from search_app.qa.answering import (
    CANDIDATE_PASSAGES,
    MAX_ANSWERS,
    NO_ANSWER_THRESHOLD,
    AskRequest,
    ask,
    confidence_label,
    is_confident,
    parse_ask_args,
    rank_answers,
    retrieve,
    shown_answers,
    warm,
)

__all__ = [
    "CANDIDATE_PASSAGES",
    "MAX_ANSWERS",
    "NO_ANSWER_THRESHOLD",
    "AskRequest",
    "ask",
    "confidence_label",
    "is_confident",
    "parse_ask_args",
    "rank_answers",
    "retrieve",
    "shown_answers",
    "warm",
]
