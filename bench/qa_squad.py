"""Question answering on SQuAD v1.1 dev: passage recall, answer-sentence accuracy, span EM.

Indexes the 2,067 dev paragraphs as passages (one document per article) through
indexer.index, asks a fixed seeded sample of questions through search_app.qa, and measures in
the same run the baseline of ranking every sentence with plain BM25 (a Whoosh index of
sentences). Unanswerable questions are questions asked against an index without their
article. Anything tuned (--fit, --calibrate) is tuned on the questions outside the sample.

    python -m bench.qa_squad --sample 3000 --seed 13
    python -m bench.qa_squad --first 500 --quick   # the sample's first 500, ours only
    python -m bench.qa_squad --fit         # fit sentence-scoring weights (tuning questions)
    python -m bench.qa_squad --calibrate   # fit the no-answer confidence model and threshold
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import shutil
import string
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # runnable as `python bench/qa_squad.py`
    sys.path.insert(0, str(ROOT))

from whoosh import index as whoosh_index  # noqa: E402
from whoosh.fields import ID, TEXT, Schema  # noqa: E402
from whoosh.qparser import OrGroup, QueryParser  # noqa: E402

from bench.corpora import DATA  # noqa: E402
from bench.machine import environ  # noqa: E402
from indexer.index import generations  # noqa: E402
from indexer.index.analysis import text_analyzer  # noqa: E402
from indexer.index.writer import add_document, open_writer  # noqa: E402
from indexer.models import Document, IndexedDocument, Page, Passage  # noqa: E402
from search_app import qa  # noqa: E402
from search_app.engine.index_handle import IndexHandle, Snapshot  # noqa: E402
from search_app.qa import confidence, semantic  # noqa: E402
from search_app.qa.sentence_scoring import Scored  # noqa: E402

SQUAD = DATA / "qa" / "squad-v1.1-dev" / "dev-v1.1.json"
# QA_SQUAD_WORK names another working folder, so that two runs (a fit with and without the
# sentence-embedding model) do not rebuild each other's indexes.
WORK = Path(os.environ.get("QA_SQUAD_WORK") or ROOT / "bench" / "work" / "qa_squad")
RESULTS = ROOT / "bench" / "results" / "qa_squad.json"
DOCS = ROOT / "docs" / "qa.md"


@dataclass(frozen=True)
class Item:
    """One SQuAD question with where its answer lies."""

    qid: str
    question: str
    answers: tuple[str, ...]
    article: int
    passage_id: str


def split_sentences_fn() -> Callable[[str], list[str]]:
    """The product's sentence splitter (Punkt trained on our own text)."""
    from indexer.sentences import split_sentences

    return split_sentences


def product_snapshot(index_dir: Path) -> Snapshot:
    """The index as the app opens it (IndexHandle), for search_app.qa."""
    return IndexHandle(index_dir).snapshot()


def load_squad(path: Path = SQUAD) -> list[dict]:
    return json.loads(path.read_text("utf-8"))["data"]


def document_id(article: dict) -> str:
    return f"squad/{article['title']}"


def indexed_documents(articles: list[dict], split: Callable[[str], list[str]]):
    """One IndexedDocument per article, one passage per paragraph."""
    for article in articles:
        doc_id = document_id(article)
        title = article["title"].replace("_", " ")
        texts = [p["context"].strip() for p in article["paragraphs"]]
        digest = hashlib.sha256("\n\n".join(texts).encode()).hexdigest()
        document = Document(doc_id, "", "text", digest, (Page(1, "\n\n".join(texts)),), title)
        passages = tuple(
            Passage(doc_id, i, text, tuple(split(text)), (), 1, 1) for i, text in enumerate(texts)
        )
        yield IndexedDocument(document, title, (), passages)


def build_index(index_dir: Path, articles: list[dict], split) -> None:
    """Write and publish a passage index of the articles (replacing any previous one)."""
    shutil.rmtree(index_dir, ignore_errors=True)
    index_dir.mkdir(parents=True)
    generation = generations.new_generation(index_dir)
    index = whoosh_index.open_dir(str(generation))
    writer = open_writer(index)
    manifest = {}
    for doc in indexed_documents(articles, split):
        add_document(writer, doc)
        manifest[doc.document.document_id] = {"title": doc.title, "passages": len(doc.passages)}
    writer.commit()
    generations.save_manifest(generation, manifest)
    generations.publish(index_dir, generation)


def items_of(articles: list[dict]) -> list[Item]:
    items = []
    for a, article in enumerate(articles):
        for p, paragraph in enumerate(article["paragraphs"]):
            pid = f"{document_id(article)}#{p}"
            for qa_ in paragraph["qas"]:
                answers = tuple(dict.fromkeys(x["text"] for x in qa_["answers"]))
                items.append(Item(qa_["id"], qa_["question"], answers, a, pid))
    return items


def split_sample(items: list[Item], size: int, seed: int) -> tuple[list[Item], list[Item]]:
    """The fixed evaluation sample and the rest (the only questions used for tuning)."""
    chosen = set(random.Random(seed).sample(range(len(items)), size))
    sample = [it for i, it in enumerate(items) if i in chosen]
    rest = [it for i, it in enumerate(items) if i not in chosen]
    return sample, rest


def norm(text: str) -> str:
    return " ".join(text.lower().split())


def contains_answer(sentence: str, item: Item) -> bool:
    sentence = norm(sentence)
    return any(norm(a) in sentence for a in item.answers)


# A short answer is counted right, for the confidence of answers, when it overlaps a gold
# answer by at least this word F1: "Excellency António Guterres" answers as "António Guterres".
RIGHT_F1 = 0.5


def answer_right(answer: Scored, item: Item) -> bool:
    """Whether an answer is right as shown: its short answer overlaps a gold answer by at
    least RIGHT_F1 within a sentence holding one, or (without a short answer) its sentence
    holds one."""
    if not contains_answer(answer.sentence, item):
        return False
    if answer.span is None:
        return True
    return max(f1_score(answer.span.text, a) for a in item.answers) >= RIGHT_F1


def squad_normalize(text: str) -> str:
    """The official SQuAD answer normalisation (lower, no punctuation, no articles)."""
    text = "".join(ch for ch in text.lower() if ch not in set(string.punctuation))
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


def f1_score(prediction: str, gold: str) -> float:
    """The official SQuAD token F1 of two answers."""
    pred, ref = squad_normalize(prediction).split(), squad_normalize(gold).split()
    common = sum((Counter(pred) & Counter(ref)).values())
    if not common:
        return 0.0
    precision, recall = common / len(pred), common / len(ref)
    return 2 * precision * recall / (precision + recall)


def evaluate(
    snapshot: Snapshot, items: Iterable[Item], calibration: Calibration | None = None
) -> dict:
    """Passage recall, sentence accuracy, short-answer EM/F1 and refusals of search_app.qa;
    adds every answer's (confidence, right as shown) and the first answer's (sentence
    probability, sentence right) to `calibration`."""
    counts = dict.fromkeys(
        ["n", "passage@1", "passage@5", "passage@20", "sentence@1", "sentence@5"], 0
    )
    counts.update({"search_order@1": 0, "search_order@5": 0})
    counts.update(spans=0, span_em=0, refused=0, answered_correct=0, em=0, f1=0.0)
    # No later answer shows a higher confidence (and the same by sentence confidence).
    counts.update(first_most_confident=0, first_sentence_most_confident=0)
    started = time.perf_counter()
    for item in items:
        ranking = qa.rank_answers(snapshot, item.question, limit=5)
        pids = [f["passage_id"] for f, _ in ranking.passages]
        # The candidates as search ranked them, before qa ordered them by their sentences.
        searched = [f["passage_id"] for f, _ in sorted(ranking.passages, key=lambda p: -p[1])]
        sentences = [a.sentence for a in ranking.answers]
        hits = [contains_answer(s, item) for s in sentences]
        counts["n"] += 1
        counts["passage@1"] += item.passage_id in pids[:1]
        counts["passage@5"] += item.passage_id in pids[:5]
        counts["passage@20"] += item.passage_id in pids[:20]
        counts["search_order@1"] += item.passage_id in searched[:1]
        counts["search_order@5"] += item.passage_id in searched[:5]
        counts["sentence@1"] += any(hits[:1])
        counts["sentence@5"] += any(hits[:5])
        span = ranking.answers[0].span if hits else None  # cut when the answer was ranked
        if span is not None:
            em = any(squad_normalize(span.text) == squad_normalize(a) for a in item.answers)
            counts["spans"] += 1
            counts["span_em"] += em
            counts["em"] += em
            counts["f1"] += max(f1_score(span.text, a) for a in item.answers)
        confident = bool(ranking.answers) and qa.is_confident(ranking.answers[0])
        if calibration is not None:
            calibration.add(ranking.answers, item, answerable=True)
        counts["refused"] += not confident
        counts["first_most_confident"] += all(
            a.confidence <= ranking.answers[0].confidence for a in ranking.answers
        )
        # The same by the sentences' probability (what `confidence` showed until it was the
        # answer's).
        first_p = ranking.answers[0].features["sentence_probability"] if ranking.answers else 0
        counts["first_sentence_most_confident"] += all(
            a.features["sentence_probability"] <= first_p for a in ranking.answers
        )
        counts["answered_correct"] += confident and any(hits[:1])
    return _rates(counts, time.perf_counter() - started)


def _rates(counts: dict, seconds: float) -> dict:
    n = counts["n"] or 1
    out = {k: round(v / n, 4) for k, v in counts.items() if k not in ("n", "span_em", "spans")}
    out["exact_match"], out["f1"] = out.pop("em"), out.pop("f1")
    out["n"] = counts["n"]
    out["span_rate"] = round(counts["spans"] / n, 4)
    out["span_exact_match"] = round(counts["span_em"] / (counts["spans"] or 1), 4)
    out["ms_per_question"] = round(seconds * 1000 / n, 1)
    return out


def build_sentence_baseline(index_dir: Path, articles: list[dict], split) -> None:
    """A plain Whoosh index of every sentence (default BM25F, our analyzer)."""
    shutil.rmtree(index_dir, ignore_errors=True)
    index_dir.mkdir(parents=True)
    schema = Schema(sid=ID(stored=True), text=TEXT(analyzer=text_analyzer(), stored=True))
    index = whoosh_index.create_in(str(index_dir), schema)
    writer = index.writer(limitmb=256)
    for doc in indexed_documents(articles, split):
        for passage in doc.passages:
            for i, sentence in enumerate(passage.sentences):
                writer.add_document(sid=f"{passage.passage_id}/{i}", text=sentence)
    writer.commit()


def evaluate_baseline(index_dir: Path, items: Iterable[Item]) -> dict:
    """Sentence@1 and @5 of ranking all sentences by BM25 on the whole question."""
    index = whoosh_index.open_dir(str(index_dir))
    parser = QueryParser("text", index.schema, group=OrGroup)
    n = at1 = at5 = 0
    with index.searcher() as searcher:
        for item in items:
            query = parser.parse(" ".join(re.findall(r"\w+", item.question)))
            hits = [contains_answer(h["text"], item) for h in searcher.search(query, limit=5)]
            n += 1
            at1 += any(hits[:1])
            at5 += any(hits[:5])
    return {"n": n, "sentence@1": round(at1 / n, 4), "sentence@5": round(at5 / n, 4)}


def other_half(item: Item) -> str:
    """Name of the half index that does not hold the question's article."""
    return "odd" if item.article % 2 == 0 else "even"


def build_halves(articles: list[dict], split) -> dict[str, Path]:
    halves = {
        "even": [a for i, a in enumerate(articles) if i % 2 == 0],
        "odd": [a for i, a in enumerate(articles) if i % 2 == 1],
    }
    paths = {}
    for name, part in halves.items():
        paths[name] = WORK / f"index-{name}"
        build_index(paths[name], part, split)
    return paths


def other_paragraphs(item: Item) -> str:
    """Name of the paragraph half that holds the rest of the question's article but not its
    own paragraph (build_paragraph_halves)."""
    return (
        "paragraphs-odd" if int(item.passage_id.rsplit("#", 1)[1]) % 2 == 0 else "paragraphs-even"
    )


def build_paragraph_halves(articles: list[dict], split) -> dict[str, Path]:
    """Two indexes of every article, one of its even paragraphs, one of its odd ones: a
    question asked of the half without its paragraph meets passages on its topic (its own
    article) that seldom state the fact asked about, harder negatives than another
    article's."""
    paths = {}
    for parity in ("even", "odd"):
        part = [
            {**a, "paragraphs": a["paragraphs"][parity == "odd" :: 2]}
            for a in articles
            if len(a["paragraphs"]) > (parity == "odd")
        ]
        paths[f"paragraphs-{parity}"] = WORK / f"index-paragraphs-{parity}"
        build_index(paths[f"paragraphs-{parity}"], part, split)
    return paths


@dataclass
class Calibration:
    """(probability, right) pairs: of every answer listed (its `confidence`, right as shown)
    and of first answers only (its sentence's probability, the one that refuses)."""

    answers: list[tuple[float, bool]] = field(default_factory=list)
    sentences: list[tuple[float, bool]] = field(default_factory=list)

    def add(self, answers: list[Scored], item: Item, answerable: bool) -> None:
        for answer in answers:
            self.answers.append((answer.confidence, answerable and answer_right(answer, item)))
        if answers:
            first = answers[0]
            right = answerable and contains_answer(first.sentence, item)
            self.sentences.append((first.features["sentence_probability"], right))


def refusal_rate(
    halves: dict[str, Path], items: list[Item], calibration: Calibration | None
) -> dict:
    """How often qa refuses questions asked against the index without their article."""
    refused = n = 0
    snapshots = {k: product_snapshot(p) for k, p in halves.items()}
    for item in items:
        ranking = qa.rank_answers(snapshots[other_half(item)], item.question, limit=5)
        n += 1
        refused += not (ranking.answers and qa.is_confident(ranking.answers[0]))
        if calibration is not None:
            calibration.add(ranking.answers, item, answerable=False)
    return {"n": n, "no_answer_rate": round(refused / (n or 1), 4)}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    split = split_sentences_fn()
    articles = load_squad(args.squad)
    items = items_of(articles)
    sample, rest = split_sample(items, args.sample, args.seed)
    started = time.perf_counter()
    build_index(WORK / "index", articles, split)
    print(f"indexed {len(articles)} articles in {time.perf_counter() - started:.1f} s")
    if args.fit_spans:
        from bench import qa_fit

        tune = random.Random(args.seed).sample(rest, min(args.tune, len(rest)))
        snapshot = product_snapshot(WORK / "index")
        qa_fit.fit_spans(snapshot, tune, contains_answer, squad_normalize)
        return 0
    if args.fit_rerank:
        from bench import qa_fit

        tune = random.Random(args.seed).sample(rest, min(args.tune, len(rest)))
        qa_fit.fit_rerank(product_snapshot(WORK / "index"), tune, contains_answer)
        return 0
    if args.choose_threshold:
        from bench import qa_fit

        tune = random.Random(args.seed).sample(rest, min(args.tune, len(rest)))
        halves = build_halves(articles, split)
        qa_fit.choose_answer_threshold(product_snapshot(WORK / "index"), halves, tune, other_half)
        return 0
    if args.fit_answer_confidence:
        from bench import qa_fit

        tune = random.Random(args.seed).sample(rest, min(args.tune, len(rest)))
        halves = build_halves(articles, split)
        paragraphs = (build_paragraph_halves(articles, split), other_paragraphs)
        snapshot = product_snapshot(WORK / "index")
        qa_fit.fit_answer_confidence(
            snapshot, halves, tune, other_half, answer_right, paragraphs=paragraphs
        )
        return 0
    if args.fit or args.calibrate:
        from bench import qa_fit

        tune = random.Random(args.seed).sample(rest, min(args.tune, len(rest)))
        snapshot = product_snapshot(WORK / "index")
        if args.fit:
            qa_fit.fit_weights(snapshot, tune, contains_answer)
        else:
            halves = build_halves(articles, split)
            qa_fit.calibrate(snapshot, halves, tune, other_half, contains_answer)
        return 0
    if args.first:
        sample = sample[: args.first]  # a subsample of the same sample, for quick checks
    results = run(args, articles, split, sample)
    print(json.dumps(results, indent=1))
    if not (args.no_write or args.quick or args.first):
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(results, indent=1) + "\n", "utf-8")
        DOCS.write_text(markdown(results), "utf-8")
    return 0


def run(args, articles, split, sample: list[Item]) -> dict:
    calibration = Calibration()
    ours = evaluate(product_snapshot(WORK / "index"), sample, calibration)
    halves = build_halves(articles, split)
    unanswerable = refusal_rate(halves, sample, calibration)
    if args.quick:  # ours only: no baseline, no words-only run
        return {
            "sample": len(sample),
            "seed": args.seed,
            "ours": ours,
            "unanswerable": unanswerable,
        }
    build_sentence_baseline(WORK / "baseline", articles, split)
    baseline = evaluate_baseline(WORK / "baseline", sample)
    with words_only():
        by_words = evaluate(product_snapshot(WORK / "index"), sample)
        by_words["unanswerable_refused"] = refusal_rate(halves, sample, None)["no_answer_rate"]
    return {
        "dataset": "SQuAD v1.1 dev",
        "articles": len(articles),
        "paragraphs": sum(len(a["paragraphs"]) for a in articles),
        "sample": len(sample),
        "seed": args.seed,
        "sentence_splitter": f"{split.__module__}.{split.__name__}",
        "candidate_passages": qa.CANDIDATE_PASSAGES,
        "no_answer_threshold": confidence.ANSWER_MODEL.threshold,
        "ours": ours,
        "baseline_bm25_sentences": baseline,
        "unanswerable": unanswerable,
        "false_refusal_rate": ours["refused"],
        "semantic_model": semantic.model() is not None,
        "words_only": by_words,
        "reliability": reliability(calibration.answers),
        "sentence_reliability": reliability(calibration.sentences),
    }


def words_only() -> AbstractContextManager[None]:
    """Answers ranked and weighed without the sentence-embedding model, as when it is not
    installed."""
    return environ(semantic.ENV, "0")


def reliability(pairs: list[tuple[float, bool]], bins: int = 10) -> list[dict]:
    """Per confidence bin: how many first answers, their mean confidence and how many were
    right (answerable and unanswerable questions together)."""
    rows = []
    for b in range(bins):
        low, high = b / bins, (b + 1) / bins
        inside = [(c, ok) for c, ok in pairs if low <= c < high or (b == bins - 1 and c == 1.0)]
        if inside:
            rows.append(
                {
                    "bin": f"{low:.1f}-{high:.1f}",
                    "n": len(inside),
                    "mean_confidence": round(sum(c for c, _ in inside) / len(inside), 3),
                    "accuracy": round(sum(ok for _, ok in inside) / len(inside), 3),
                }
            )
    return rows


def markdown(r: dict) -> str:
    o, b, u = r["ours"], r["baseline_bm25_sentences"], r["unanswerable"]
    rows = [
        ("passage Recall@1 (ordered by their best sentence)", o["passage@1"], ""),
        ("passage Recall@5 (ordered by their best sentence)", o["passage@5"], ""),
        ("passage Recall@1 in search order", o["search_order@1"], ""),
        ("passage Recall@5 in search order", o["search_order@5"], ""),
        ("answer sentence @1", o["sentence@1"], b["sentence@1"]),
        ("answer sentence @5", o["sentence@5"], b["sentence@5"]),
        ("short answer given (share of questions)", o["span_rate"], ""),
        ("short answer exact match (where given)", o["span_exact_match"], ""),
        ("short answer exact match, all questions", o["exact_match"], ""),
        ("short answer F1, all questions", o["f1"], ""),
        ("answerable questions refused (false refusal)", o["refused"], ""),
        (
            "first answer correct, where one is given",
            round(o["answered_correct"] / ((1 - o["refused"]) or 1), 4),
            "",
        ),
        ("unanswerable questions refused (no answer found)", u["no_answer_rate"], ""),
        ("first answer the most confident of its list", o["first_most_confident"], ""),
    ]
    table = "\n".join(f"| {name} | {ours} | {base} |" for name, ours, base in rows)
    bins, sentence_bins = (
        "\n".join(
            f"| {row['bin']} | {row['n']} | {row['mean_confidence']} | {row['accuracy']} |"
            for row in r[key]
        )
        for key in ("reliability", "sentence_reliability")
    )
    return f"""# Question answering: SQuAD v1.1 dev

Measured by `python -m bench.qa_squad --sample {r["sample"]} --seed {r["seed"]}`
(`make bench-qa`): {r["paragraphs"]:,} paragraphs of {r["articles"]} articles indexed as
passages, a fixed random sample of {r["sample"]:,} questions (seed {r["seed"]}). The baseline
ranks every sentence with plain BM25 (a Whoosh index of sentences, default BM25F), in the same
run. A sentence is correct when it contains a gold answer (case and spacing ignored); exact
match uses the official SQuAD normalisation. Unanswerable questions are the same questions
asked against an index of the other half of the articles (without their own).
Weights and the no-answer threshold were fitted on questions outside the sample.

| measure | ours | baseline (BM25 over sentences) |
|---|---|---|
{table}

Average time per question (ours): {o["ms_per_question"]} ms. Raw figures:
`bench/results/qa_squad.json`.
{words_only_section(r)}

## Reliability of `confidence`

Every answer listed (up to five) for every sample question, asked of the full index and of
the half without its article (always wrong), by its `confidence`. An answer is right as
shown when its short answer overlaps a gold answer by at least half (word F1 >= 0.5) in a
sentence holding one, or, without a short answer, when its sentence holds one:

| confidence | answers | mean confidence | share right |
|---|---|---|---|
{bins}

The probability that the first answer's sentence answers the question (its
`sentence_confidence`, which decides "no answer found"), first answers only, right when the
sentence holds a gold answer:

| sentence confidence | answers | mean | share right |
|---|---|---|---|
{sentence_bins}

## How answers are found (`search_app/qa/`)

1. The question loses its question words and stopwords (`search_app/qa/question.py`); its
   wording gives the kind of answer wanted (`search_app/qa/answer_types.py`): "when" a date,
   "how many" a number, "what percentage" a percentage, "who" a person, "where" a place,
   "which organization / country" a name the facet gazetteers know as one.
2. The {r["candidate_passages"]} best passages for any of its words, ranked as search ranks
   them (exact BM25F, `indexer/index/ranking.py`, through `search_app/engine/retrieval.py`),
   are read sentence by sentence (`search_app/qa/sentence_scoring.py`); each sentence
   gets features: IDF-weighted overlap with the question (its section heading counted with
   it), BM25, shared word pairs and word order, proximity, its neighbours' overlap, its
   passage's score and overlap, and whether it holds an answer of the wanted kind near the
   question's words. Their weights are fitted on SQuAD questions outside the sample
   (`python -m bench.qa_squad --fit`). The passages are then ordered by their best
   sentence: that order is the one measured as passage recall above and the one of the
   closest passages shown when there is no answer.
3. The short answer (`search_app/qa/short_answer.py`) is one of the sentence's
   phrases of up to six words (no punctuation inside, no stopword at an edge, not only the
   question's words) under a log-linear model over what the phrase is (number, year, date,
   percentage, money, a quantity with its unit, capitalised name, gazetteer place /
   organization / country, length, whether it holds or ends with the noun the question
   asks about, whether it cuts a name in two, the endings of its first and last words, the
   word before and after it, whether it is a quoted phrase), each crossed with the kind of
   question, where it is (next to the question's words, the share of question words around
   it and on its left), how it is bound to the question's words (the share of them in its
   own clause, clauses parting at ";", ":", parentheses, dashes and ", and"/", but"; a
   question word just before it or just after it, prepositions and articles aside: "COP28,
   held in the United Arab Emirates ..., and ... COP29, to be hosted this year by
   Azerbaijan" answers "Where was COP28 held?" with the first and "Where will COP29 be
   hosted?" with the second; the noun asked about just before it: 'a strategy of "treat,
   train and retain"'), and the words at and around its edges; fitted with `--fit-spans`
   on questions outside the sample. A quoted phrase of up to eight words is one candidate,
   commas and all; the initials of a name the question gives ("GHWA" for "the Global
   Health Workforce Alliance") are never one. Of the phrases, weighed by that model's
   probabilities, the one chosen overlaps
   the others most in expectation (minimum Bayes risk for F1): where the model hesitates
   between "the Eiffel Tower" and "Eiffel Tower in Paris", the shared words win. Dates
   include ranges ("1859 and 1865"), decades ("the late 1920s") and months;
   quantities, ranges ("8–15") and units ("151 votes"). The question word that asks sets
   the kind ("How old was Tesla when..." asks for a number, not a date). Questions asking
   for a quantity, a percentage or a date only take a phrase of that kind (never a bare year
   or a paragraph number for "how many"); with none, `answer` is null and the sentence is
   given to read.
4. The six best sentences (at most five from one passage) are then re-ordered by one linear
   score over everything then known of each: its score and every input of it, how good a
   short answer it holds (the short-answer model's raw score of its best phrase, that
   phrase's probability and how many phrases it had to choose from), the inputs of the
   confidence model below, and how close in meaning it is to the question: the cosine of the
   question's and the sentence's embeddings by all-MiniLM-L6-v2 (`search_app/qa/semantic.py`;
   exported once to an 8-bit ONNX file shipped in `indexer/data/` and run by ONNX Runtime,
   `indexer/embedding.py`). All weights are fitted together with `--fit-rerank` on questions
   outside the sample (`search_app/qa/rerank.py`). A sentence that restates the question
   without answering it drops below the one next to it that names the answer; one that
   shares the question's words but is about something else drops below one that answers in
   other words. A first sentence that opens by pointing back ("This approach, advocated by
   the Global Health Workforce Alliance, ...") gives way to the sentence before it when
   that one is listed with a short answer the short-answer model prefers: the two are one
   statement. Without the model (`REPORT_SEARCH_SEMANTIC=0`, or the `semantic` extra not
   installed) the similarity counts 0. The passage of the first answer is the first closest
   passage.
5. Each answer's `sentence_confidence` is a logistic model (`search_app/qa/confidence.py`) over the
   sentence's and its passage's coverage of the question, the rarest question word missing,
   how few words the question has, whether the short answer of the asked kind is missing
   (a date apart), how clearly the short-answer model prefers its phrase, how much of the
   phrase repeats or echoes the question, whether a name was asked for and the phrase is
   none, the question's word pairs in the sentence and passage, the question's names,
   numbers and multiword names ("War and Peace") missing from the passage, and the
   sentence's similarity in meaning to the question (a second model without it serves when
   the sentence-embedding model is off, fitted with `REPORT_SEARCH_SEMANTIC=0`); fitted with
   `--calibrate` on questions outside the sample asked of the full index (right when the
   first sentence holds a gold answer) and of the half without their article (wrong). See
   the second reliability table above.
6. Each answer's `confidence`, the one shown, is the probability that it is right as shown:
   its short answer, or its sentence when it has none. A second logistic model weighs the
   sentence confidence with how clearly the short-answer model prefers the phrase, whether
   the phrase is of the asked kind (a quantity, a date), the answer's place in the list
   (first, and how far its re-ordering score lies below the first's), and two signals that
   tell a shelf that states the fact from one that only discusses the topic: the share of
   the question's names, years and numbers that the answer's sentence (with its document's
   title) does not hold, as written or by initials, and how many other listed answers from
   other passages give the same short answer once normalised; fitted with
   `--fit-answer-confidence` on every listed answer to questions outside the sample, each
   asked of the full index, of the half without its article (always wrong) and of an index
   of its own article without its paragraph (passages on its topic that seldom state its
   fact; right only where another paragraph does), see the first reliability table; it
   also chooses the threshold below on the first two. A sentence may
   well answer while the phrase cut from it
   does not ("Mr President" from a sentence naming the Secretary-General): the short
   answer's confidence says so.
7. "No answer found" when the first answer's own `confidence` is below
   {r["no_answer_threshold"]}, the threshold chosen on tuning questions
   (the highest refusing at most 8% of them asked of the full index),
   when a question asking "when" gets a first sentence that says nothing of time (no date,
   no phrase such as "after liberation"), or when one asking for a person ("who was the
   first ... High Commissioner", "who presided") gets a short answer that cannot name one
   (a figure; a body, place or country the gazetteers know; a title or form of address
   alone, "Secretary-General", "Distinguished delegates"; a phrase with a word naming a
   body, "Arab Contact Committee"; a lowercase phrase; one word echoing the question,
   "Roman" for "Who was the first emperor of Rome?"), or a sentence naming none of the
   bodies the question names ("Carlos Lopes, Executive Director of UNITAR" for "Who was
   Director General of the International Organization for Migration in 2009?"), or a
   common noun after an article ("the Parties"), or, asked who was "the first" of an office,
   a sentence that does not say first; or when the question names a year its answer's
   passage does not hold, or one of a series ("its sixty-fourth session") that its sentence
   numbers otherwise ("the 79th Session"); or when it asks when something was founded,
   adopted, entered into force, born or died and the sentence names no such event
   (`search_app/qa/events.py`); or when it asks the relation of a named entity ("What is
   the capital of France?") and the sentence does not say it of that entity ("with
   Jerusalem as the capital", in France's own statement; `search_app/qa/relation.py`:
   such sentences go after those that do, and give no short answer; "Where is the
   headquarters of Google?" asks a relation too). A year opening another name ("the 1985
   Treaty of Rarotonga") is no date of the one asked about, and "when did X join" needs a
   sentence about joining or admission. A figure said near "our" or "my" in a country's
   statement is that country's ("eleven million of our people" in Bangladesh's), and
   answers only a question naming it (`search_app/qa/scope.py`); a quantity without a
   figure ("millions") answers "how many" only when it counts what was asked ("hundreds
   of thousands of ... refugees"); a figure closing a name or numbering a document ("the
   Group of 20", "the Committee of Ten", "resolution 1325", "Agenda 2063") is no count and
   no year; a sentence that numbers no session is read in its statement's title (a
   President congratulated at the 79th session is the 79th's). A question's possessive
   name ("Costa Rica's") is the name, and a sentence in the first person is near its
   speaker's country. The closest passages are then given as related reading.
8. The list is clean: no two answers with the same text once normalised (case,
   punctuation, articles) or the same sentence, and after the first, no short answer of
   another kind than asked (a place the gazetteers know for "where", a person for "who"):
   its sentence is then given to read, without it. A city agrees with its country in the
   answer's confidence ("Dubai" with "United Arab Emirates"), so a country is never shown
   less likely than a city within it. After the first, a passage already listed comes
   again only with another short answer of the asked type, never as another sentence to
   read. Each answer cites its passage with the
   fields of a search result
   (`search_app.engine.results.citation`).
{refusals_section(r)}{speed_section()}{storm_section()}"""


def words_only_section(r: dict) -> str:
    """The same questions answered without the sentence-embedding model."""
    w = r.get("words_only")
    if not w or not r.get("semantic_model"):
        return ""
    return f"""
Without the sentence-embedding model (`REPORT_SEARCH_SEMANTIC=0`, or the `semantic` extra
not installed), in the same run: answer sentence @1 {w["sentence@1"]}, @5 {w["sentence@5"]};
exact match {w["exact_match"]}, F1 {w["f1"]}; answerable questions refused {w["refused"]},
unanswerable ones {w["unanswerable_refused"]}; {w["ms_per_question"]} ms per question.
"""


def refusals_section(r: dict) -> str:
    """The general-knowledge refusals on the bundled corpus (bench/qa_refusals.py), if run."""
    path = RESULTS.parent / "qa_refusals.json"
    if not path.exists():
        return ""
    g = json.loads(path.read_text("utf-8"))
    answered = "; ".join(f"{q} {a}" for q, a in dict(g["out_of_shelf_answered"]).items())
    un = "; ".join(f"{q} {a}" for q, a in g.get("un_out_of_shelf_answered", {}).items())
    held = "; ".join(f"{q} {a}" for q, a in g.get("held_out_un_answered", {}).items())
    return f"""
## Questions the bundled corpus does not answer

`python -m bench.qa_refusals` asks {g["out_of_shelf"]} general-knowledge questions the bundled
corpus does not answer ("Who wrote War and Peace?"), {g.get("un_out_of_shelf", 0)} UN-topic
questions whose answers no file of `corpus/` states (`bench/un_unanswerable.json`: founding
dates, office holders, treaty facts; the script checks the corpus for the strings that would
state each answer before asking) and {g["in_shelf"]} questions that it does answer:
{g["out_of_shelf_refused"]:.1%} of the general-knowledge questions and
{g.get("un_out_of_shelf_refused", 0):.1%} of the UN-topic ones were refused
({g.get("held_out_un_refused", 0):.1%} of {g.get("held_out_un", 0)} more UN-topic ones written
afterwards, `bench/un_unanswerable_heldout.json`: never tuned on, but the five it once
answered wrongly were read to find why, so it is no longer quite held out),
{g["in_shelf_refused"]:.1%} of the answerable ones wrongly refused.
Answered although out of shelf: {answered or "none"}. UN-topic questions answered: {un or "none"}.
Held-out UN-topic questions answered: {held or "none"}.
"""


def speed_section() -> str:
    """/api/ask beside /api/search on a real server (bench/qa_speed.py), if run."""
    path = RESULTS.parent / "qa_speed.json"
    if not path.exists():
        return ""
    t = json.loads(path.read_text("utf-8"))
    ask, search = t["ask_one_client"], t["search_one_client"]
    return f"""
## Speed

`python -m bench.qa_speed {t["index"]}` ({t["passages"]:,} passages, waitress, one client):
`/api/ask` p50 {ask["p50_ms"]} ms, p95 {ask["p95_ms"]} ms over {ask["queries"]} questions;
`/api/search` p50 {search["p50_ms"]} ms, p95 {search["p95_ms"]} ms over {search["queries"]}
queries, in the same run.
"""


def storm_section() -> str:
    """Start-to-ready time and searches during an ask storm (bench/ask_storm.py), if run."""
    path = RESULTS.parent / "ask_storm.json"
    if not path.exists():
        return ""
    t = json.loads(path.read_text("utf-8"))
    quiet, during = t["search_quiet"], t["search_during_storm"]
    asks = t["asks_during_storm"]
    return f"""
## Ready, and searches during a storm of questions

`python -m bench.ask_storm {t["index"]}` (the bundled corpus, waitress, {t["threads"]} threads):
`/api/live` answered {t["alive_s"]} s after start, `/api/health` 200 (ready: caches built,
sentence-embedding model loaded, one question asked) after {t["ready_s"]} s, and the first
question after it took {t["first_ask_after_ready_ms"]} ms. `/api/search`, one client: p50
{quiet["p50_ms"]} ms alone, {during["p50_ms"]} ms while 8 clients asked without pause
({t["search_p50_ratio"]}x; p90 {quiet["p90_ms"]} and {during["p90_ms"]} ms); of the asks,
{asks.get("200", 0)} answered and {asks.get("503", 0)} refused at once with 503 `busy`
(each asker then waited its `Retry-After`). Measured on a shared 2-core machine under load,
so the times are slow; the ratios are of one run.
"""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--squad", type=Path, default=SQUAD)
    parser.add_argument("--sample", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--tune", type=int, default=3000, help="tuning questions (--fit)")
    parser.add_argument("--fit", action="store_true")
    parser.add_argument("--calibrate", action="store_true")
    parser.add_argument(
        "--fit-rerank", action="store_true", help="fit the re-ordering by short answers"
    )
    parser.add_argument("--fit-spans", action="store_true", help="fit the short-answer model")
    parser.add_argument(
        "--fit-answer-confidence",
        action="store_true",
        help="fit the confidence of answers as shown",
    )
    parser.add_argument(
        "--choose-threshold",
        action="store_true",
        help="choose the no-answer threshold on the answer's probability (tuning questions)",
    )
    parser.add_argument("--no-write", action="store_true", help="print, do not save results")
    parser.add_argument(
        "--first",
        type=int,
        default=0,
        help="ask only the sample's first N questions (a quick check; results not saved)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="measure ours only (no baseline, no words-only run; results not saved)",
    )
    return parser.parse_args(argv)


if __name__ == "__main__":
    raise SystemExit(main())
