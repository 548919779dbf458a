"""Question answering on SQuAD v1.1 dev: passage recall, answer-sentence accuracy, span EM.

Indexes the 2,067 dev paragraphs as passages (one document per article) through
indexer.store, asks a fixed seeded sample of questions through search_app.qa, and measures in
the same run the baseline of ranking every sentence with plain BM25 (a Whoosh index of
sentences). Unanswerable questions are questions asked against an index without their
article. Anything tuned (--fit, --calibrate) is tuned on the questions outside the sample.

    python -m bench.qa_squad --sample 3000 --seed 13
    python -m bench.qa_squad --fit         # print sentence-scoring weights (tuning questions)
    python -m bench.qa_squad --calibrate   # print the no-answer confidence model
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import shutil
import string
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # runnable as `python bench/qa_squad.py`
    sys.path.insert(0, str(ROOT))

from whoosh import index as whoosh_index  # noqa: E402
from whoosh.fields import ID, TEXT, Schema  # noqa: E402
from whoosh.qparser import OrGroup, QueryParser  # noqa: E402
from whoosh.searching import Searcher  # noqa: E402

from bench.corpora import DATA  # noqa: E402
from indexer.index import store  # noqa: E402
from indexer.index.analysis import text_analyzer  # noqa: E402
from indexer.models import Document, IndexedDocument, Page, Passage  # noqa: E402
from search_app import qa  # noqa: E402
from search_app.engine.index_handle import IndexHandle  # noqa: E402

SQUAD = DATA / "qa" / "squad-v1.1-dev" / "dev-v1.1.json"
WORK = ROOT / "bench" / "work" / "qa_squad"
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


def product_searcher(index_dir: Path) -> Searcher:
    """A searcher as the app opens it (IndexHandle: the product's ranking model)."""
    return IndexHandle(index_dir).searcher()


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
    generation = store.new_generation(index_dir)
    index = whoosh_index.open_dir(str(generation))
    writer = store.open_writer(index)
    manifest = {}
    for doc in indexed_documents(articles, split):
        store.add_document(writer, doc)
        manifest[doc.document.document_id] = {"title": doc.title, "passages": len(doc.passages)}
    writer.commit()
    store.save_manifest(generation, manifest)
    store.publish(index_dir, generation)


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


def squad_normalize(text: str) -> str:
    """The official SQuAD answer normalisation (lower, no punctuation, no articles)."""
    text = "".join(ch for ch in text.lower() if ch not in set(string.punctuation))
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


def evaluate(searcher: Searcher, items: Iterable[Item]) -> dict:
    """Passage recall, sentence accuracy, span EM and refusals of search_app.qa."""
    counts = dict.fromkeys(
        ["n", "passage@1", "passage@5", "passage@20", "sentence@1", "sentence@5"], 0
    )
    counts.update(spans=0, span_em=0, refused=0, answered_correct=0)
    started = time.perf_counter()
    for item in items:
        ranking = qa.rank_answers(searcher, item.question, limit=5)
        pids = [f["passage_id"] for f, _ in ranking.passages]
        sentences = [a.sentence for a in ranking.answers]
        hits = [contains_answer(s, item) for s in sentences]
        counts["n"] += 1
        counts["passage@1"] += item.passage_id in pids[:1]
        counts["passage@5"] += item.passage_id in pids[:5]
        counts["passage@20"] += item.passage_id in pids[:20]
        counts["sentence@1"] += any(hits[:1])
        counts["sentence@5"] += any(hits[:5])
        if ranking.answers and ranking.answers[0].span:
            counts["spans"] += 1
            text = squad_normalize(ranking.answers[0].span.text)
            counts["span_em"] += any(text == squad_normalize(a) for a in item.answers)
        confident = bool(ranking.answers) and qa.is_confident(ranking.answers[0])
        counts["refused"] += not confident
        counts["answered_correct"] += confident and any(hits[:1])
    return _rates(counts, time.perf_counter() - started)


def _rates(counts: dict, seconds: float) -> dict:
    n = counts["n"] or 1
    out = {k: round(v / n, 4) for k, v in counts.items() if k not in ("n", "span_em", "spans")}
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


def refusal_rate(halves: dict[str, Path], items: list[Item]) -> dict:
    """How often qa refuses questions asked against the index without their article."""
    refused = n = 0
    searchers = {k: product_searcher(p) for k, p in halves.items()}
    for item in items:
        ranking = qa.rank_answers(searchers[other_half(item)], item.question, limit=5)
        n += 1
        refused += not (ranking.answers and qa.is_confident(ranking.answers[0]))
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
    if args.fit or args.calibrate:
        from bench import qa_fit

        tune = random.Random(args.seed).sample(rest, min(args.tune, len(rest)))
        searcher = product_searcher(WORK / "index")
        if args.fit:
            qa_fit.fit_weights(searcher, tune, contains_answer)
        else:
            halves = build_halves(articles, split)
            qa_fit.calibrate(searcher, halves, tune, other_half, contains_answer)
        return 0
    results = run(args, articles, split, sample)
    print(json.dumps(results, indent=1))
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(results, indent=1) + "\n", "utf-8")
        DOCS.write_text(markdown(results), "utf-8")
    return 0


def run(args, articles, split, sample: list[Item]) -> dict:
    ours = evaluate(product_searcher(WORK / "index"), sample)
    build_sentence_baseline(WORK / "baseline", articles, split)
    baseline = evaluate_baseline(WORK / "baseline", sample)
    halves = build_halves(articles, split)
    unanswerable = refusal_rate(halves, sample)
    return {
        "dataset": "SQuAD v1.1 dev",
        "articles": len(articles),
        "paragraphs": sum(len(a["paragraphs"]) for a in articles),
        "sample": len(sample),
        "seed": args.seed,
        "sentence_splitter": f"{split.__module__}.{split.__name__}",
        "candidate_passages": qa.CANDIDATE_PASSAGES,
        "no_answer_threshold": qa.NO_ANSWER_THRESHOLD,
        "ours": ours,
        "baseline_bm25_sentences": baseline,
        "unanswerable": unanswerable,
        "false_refusal_rate": ours["refused"],
    }


def markdown(r: dict) -> str:
    o, b, u = r["ours"], r["baseline_bm25_sentences"], r["unanswerable"]
    rows = [
        ("passage Recall@1", o["passage@1"], ""),
        ("passage Recall@5", o["passage@5"], ""),
        ("answer sentence @1", o["sentence@1"], b["sentence@1"]),
        ("answer sentence @5", o["sentence@5"], b["sentence@5"]),
        ("short answer given (share of questions)", o["span_rate"], ""),
        ("short answer exact match (where given)", o["span_exact_match"], ""),
        ("answerable questions refused (false refusal)", o["refused"], ""),
        (
            "first answer correct, where one is given",
            round(o["answered_correct"] / ((1 - o["refused"]) or 1), 4),
            "",
        ),
        ("unanswerable questions refused (no answer found)", u["no_answer_rate"], ""),
    ]
    table = "\n".join(f"| {name} | {ours} | {base} |" for name, ours, base in rows)
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

## How answers are found (`search_app/qa.py`)

1. The question loses its question words and stopwords (`search_app/question.py`); its
   wording gives the kind of answer wanted (`search_app/answer_types.py`): "when" a date,
   "how many" a number, "what percentage" a percentage, "who" a person, "where" a place,
   "which organization / country" a name the facet gazetteers know as one.
2. The {r["candidate_passages"]} best passages for any of its words (the search engine's
   BM25F) are read sentence by sentence (`search_app/sentence_scoring.py`); each sentence
   gets features: IDF-weighted overlap with the question (its section heading counted with
   it), BM25, shared word pairs and word order, proximity, its neighbours' overlap, its
   passage's score and overlap, and whether it holds an answer of the wanted kind near the
   question's words. Their weights are fitted on SQuAD questions outside the sample
   (`python -m bench.qa_squad --fit`).
3. The short answer is the span of the wanted kind nearest the question's words; without
   one, the sentence is the answer.
4. "No answer found" when a logistic confidence (coverage of the question by the best
   sentence and its passage, a missing answer type, the rarest question word missing) is
   below {r["no_answer_threshold"]}; fitted with `--calibrate` on answerable and unanswerable
   questions outside the sample.
"""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--squad", type=Path, default=SQUAD)
    parser.add_argument("--sample", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--tune", type=int, default=3000, help="tuning questions (--fit)")
    parser.add_argument("--fit", action="store_true")
    parser.add_argument("--calibrate", action="store_true")
    parser.add_argument("--no-write", action="store_true", help="print, do not save results")
    return parser.parse_args(argv)


if __name__ == "__main__":
    raise SystemExit(main())
