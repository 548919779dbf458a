"""Refusals on the bundled corpus: general-knowledge questions the shelf does not answer.

The bundled corpus (UNITAR's 2009 migration report and the General Debate statements of 2023
and 2024) says nothing about these: each should get `no_answer`. The in-shelf questions,
answered by a sentence of the corpus, should not. Prints the rates and the wrongly answered.
A second set, bench/un_unanswerable.json, asks 30 UN-topic questions (founding dates, office
holders, treaty facts) whose answers no file of corpus/ states: checked here, by searching
every file for the strings that would state each answer, before they are asked. A third,
bench/un_unanswerable_heldout.json, asks 20 more of the kind, never tuned on.

    python -m bench.qa_refusals [--index-dir var/index]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from search_app import qa  # noqa: E402
from search_app.engine.index_handle import IndexHandle  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "qa_refusals.json"
UN_SET = ROOT / "bench" / "un_unanswerable.json"
# Written after the refusal rules and models were designed, and never tuned on: the same
# behaviour checked on questions nothing was shaped by.
HELD_OUT_SET = ROOT / "bench" / "un_unanswerable_heldout.json"
CORPUS = ROOT / "corpus"

# Questions of general knowledge whose answers are in no report of the bundled corpus.
OUT_OF_SHELF: tuple[str, ...] = (
    "Who wrote War and Peace?",
    "Who is the president of the Federal Reserve?",
    "Who won the Nobel Prize in Literature in 2016?",
    "Who painted the Mona Lisa?",
    "Who composed the Moonlight Sonata?",
    "Who discovered penicillin?",
    "Who was the first person to walk on the Moon?",
    "Who invented the telephone?",
    "Who wrote Hamlet?",
    "Who directed the film Jaws?",
    "Who won the 2018 FIFA World Cup?",
    "Who founded Microsoft?",
    "Who developed the theory of general relativity?",
    "Who was the first emperor of Rome?",
    "Who sang Bohemian Rhapsody?",
    "When did the Berlin Wall fall?",
    "When was the Eiffel Tower built?",
    "When did the Titanic sink?",
    "When was the printing press invented?",
    "When did the first iPhone go on sale?",
    "When was Mozart born?",
    "When did the Roman Empire fall?",
    "When was the Magna Carta signed?",
    "When did Apollo 11 land?",
    "When was penicillin discovered?",
    "Where is the Taj Mahal?",
    "Where was Napoleon born?",
    "Where is Mount Kilimanjaro?",
    "Where are the Great Pyramids?",
    "Where is the Louvre museum?",
    "Where did the Olympic Games of 1896 take place?",
    "Where is the headquarters of Google?",
    "Where was the Declaration of Independence signed?",
    "How many moons does Jupiter have?",
    "How many bones are in the human body?",
    "How many players are on a soccer team?",
    "How many keys does a piano have?",
    "How tall is Mount Everest?",
    "How long is the Nile river?",
    "How many strings does a violin have?",
    "How fast does light travel?",
    "How many symphonies did Beethoven write?",
    "What is the boiling point of water in Fahrenheit?",
    "What is the chemical symbol for gold?",
    "What is the speed of sound?",
    "What is the capital of Australia?",
    "What is the largest planet in the solar system?",
    "What language is spoken in Brazil?",
    "What is the square root of 144?",
    "What is the main ingredient of guacamole?",
    "What is the tallest building in the world?",
    "Which planet is known as the Red Planet?",
    "Which element has the atomic number 1?",
    "Which team won the Super Bowl in 2020?",
    "Which composer wrote The Magic Flute?",
    "Which company makes the PlayStation?",
    "What is the population of Tokyo?",
    "What year did the Beatles break up?",
    "In which year was the University of Oxford founded?",
    "What is the currency of Japan?",
)

# Questions the bundled corpus answers (a sentence of it states the answer).
IN_SHELF: tuple[str, ...] = (
    "When did UNITAR take over the chairmanship of the Global Migration Group?",
    "Where was the third Global Forum on Migration and Development held?",
    "What was Benin's growth rate in 2016?",
    "What was Georgia's GDP growth rate in 2021 and 2022?",
    "How many refugees does Chad host?",
    "Who delivered the joint GMG statement at the third Global Forum?",
)


def un_questions(corpus: Path = CORPUS, path: Path = UN_SET) -> list[str]:
    """The UN-topic questions of `path`, once every file of `corpus` is checked to state
    none of their answers (ValueError naming the file otherwise)."""
    items = json.loads(path.read_text("utf-8"))["questions"]
    texts = {
        p: p.read_text("utf-8", "replace")
        for p in corpus.rglob("*")
        if p.is_file() and p.suffix in (".txt", ".md")
    }
    for item in items:
        for needle in item["absent"]:
            holding = [str(p) for p, text in texts.items() if needle in text]
            if holding:
                raise ValueError(f"{needle!r} ({item['q']}) is in {holding[:3]}")
    return [item["q"] for item in items]


def measure(handle: IndexHandle) -> dict:
    """Share of out-of-shelf questions refused (general knowledge, and UN topics the shelf
    does not state) and of in-shelf questions wrongly refused."""
    answered = {q: _answer(handle, q) for q in OUT_OF_SHELF}
    answered = {q: a for q, a in answered.items() if a is not None}
    un = un_questions()
    un_answered = {q: a for q in un if (a := _answer(handle, q)) is not None}
    held_out = un_questions(path=HELD_OUT_SET)
    held_out_answered = {q: a for q in held_out if (a := _answer(handle, q)) is not None}
    refused = [q for q in IN_SHELF if qa.ask(handle, q)["no_answer"]]
    return {
        "out_of_shelf": len(OUT_OF_SHELF),
        "out_of_shelf_refused": round(1 - len(answered) / len(OUT_OF_SHELF), 4),
        "out_of_shelf_answered": answered,
        "un_out_of_shelf": len(un),
        "un_out_of_shelf_refused": round(1 - len(un_answered) / len(un), 4),
        "un_out_of_shelf_answered": un_answered,
        "held_out_un": len(held_out),
        "held_out_un_refused": round(1 - len(held_out_answered) / len(held_out), 4),
        "held_out_un_answered": held_out_answered,
        "in_shelf": len(IN_SHELF),
        "in_shelf_refused": round(len(refused) / len(IN_SHELF), 4),
        "in_shelf_wrongly_refused": refused,
    }


def _answer(handle: IndexHandle, question: str) -> str | None:
    """The answer shown (its short answer, else its sentence, with its confidence), or None
    when the question is refused."""
    body = qa.ask(handle, question)
    if body["no_answer"]:
        return None
    best = body["answers"][0]
    return f"{best['answer'] or best['sentence'][:80]} ({best['confidence']:.0%})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-dir", type=Path, default=ROOT / "var" / "index")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    results = measure(IndexHandle(args.index_dir))
    print(json.dumps(results, indent=1))
    if not args.no_write:
        RESULTS.write_text(json.dumps(results, indent=1) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
