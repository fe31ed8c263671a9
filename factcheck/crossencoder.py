"""A `StanceScorer` backed by a 3-way NLI cross-encoder (sentence-transformers `CrossEncoder`).

`CrossEncoderScorer("packaged:factcheck-verifier")` loads the verifier shipped in
`factcheck/models/verifier/` (fine-tuned all-MiniLM-L6-v2, fp16 weights); any local folder or
Hugging Face hub name of an NLI cross-encoder works too (for example
`cross-encoder/nli-deberta-v3-small`): its `id2label` decides which logit is which class.
"""
from __future__ import annotations

import itertools
import json
import os
import re
import unicodedata
from pathlib import Path
from typing import Sequence

import numpy as np

from factcheck.errors import ConfigError

PACKAGED_PREFIX = "packaged:"
PACKAGED_MODELS = {"factcheck-verifier": Path(__file__).parent / "models" / "verifier",
                   "factcheck-reranker": Path(__file__).parent / "models" / "reranker"}
_TRAIN_COMMAND = {"factcheck-verifier": "train-verifier", "factcheck-reranker": "train-reranker"}
LABEL_ORDER = ("entailment", "neutral", "contradiction")
_LABEL_ALIASES = {
    "entailment": "entailment", "entails": "entailment", "entail": "entailment", "supports": "entailment",
    "support": "entailment", "neutral": "neutral", "not_enough_info": "neutral", "nei": "neutral",
    "contradiction": "contradiction", "contradicts": "contradiction", "refutes": "contradiction",
    "contradict": "contradiction",
}
_HUB_NAME = re.compile(r"^[A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*$")


def resolve_model(model: str | os.PathLike) -> tuple[str, bool]:
    """(path or hub name, is_local). Raises ConfigError for a path that does not exist."""
    text = str(model)
    if text.startswith(PACKAGED_PREFIX):
        key = text[len(PACKAGED_PREFIX):]
        if key not in PACKAGED_MODELS:
            raise ConfigError(f"unknown packaged model {text!r} (known: "
                              + ", ".join(PACKAGED_PREFIX + k for k in PACKAGED_MODELS) + ")")
        path = PACKAGED_MODELS[key]
        if not (path / "config.json").is_file():
            raise ConfigError(f"packaged weights {text!r} not found at {path}; this build ships none yet: train "
                              f"them with 'factcheck {_TRAIN_COMMAND[key]} --data ../shared/data --out {path}'")
        return str(path), True
    path = Path(text).expanduser()
    if path.exists():
        if not (path / "config.json").is_file():
            raise ConfigError(f"model folder {path} has no config.json")
        return str(path), True
    if isinstance(model, str) and _HUB_NAME.match(text) and not text.startswith((".", "~")):
        return text, False
    raise ConfigError(f"model path does not exist: {path}")


def _label_columns(id2label: dict) -> list[int]:
    """Model logit index for each of entailment, neutral, contradiction."""
    names = {int(i): str(n).strip().lower().replace(" ", "_").replace("-", "_") for i, n in id2label.items()}
    mapped = {i: _LABEL_ALIASES.get(n) for i, n in names.items()}
    if len(names) == 3 and all(mapped.values()) and len(set(mapped.values())) == 3:
        inverse = {v: i for i, v in mapped.items()}
        return [inverse[label] for label in LABEL_ORDER]
    if len(names) == 3 and all(re.fullmatch(r"label_\d", n) for n in names.values()):
        return [0, 1, 2]        # unnamed labels: assume the factcheck order
    raise ConfigError(f"verifier model labels {sorted(names.values())} are not a 3-way NLI head "
                      "(need entailment, neutral and contradiction)")


def default_threads() -> int:
    """CPUs available to this process (capped at 8, where more rarely helps a small model)."""
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:
        n = os.cpu_count() or 1
    return max(1, min(n, 8))


def _load_cross_encoder(location: str, is_local: bool, max_length: int, device: str):
    """A sentence-transformers CrossEncoder; a folder in the compact form (`factcheck.compact`) is
    rebuilt on the packaged all-MiniLM-L6-v2 weights, whose word embeddings it shares."""
    import torch
    from sentence_transformers import CrossEncoder

    from factcheck.compact import WEIGHTS_FILE, WORD_EMBEDDINGS, load_state_dict

    compact = Path(location) / WEIGHTS_FILE if is_local else None
    if compact is None or not compact.is_file():
        return CrossEncoder(location, device=device, max_length=max_length, local_files_only=is_local,
                            model_kwargs={"dtype": torch.float32})
    from factcheck.training import _base_model_path

    import logging

    from transformers.utils import logging as hf_logging

    config = json.loads((Path(location) / "config.json").read_text())
    # The base checkpoint has no classifier head: its "newly initialised" report is expected here,
    # since the head comes from the compact weights just below.
    verbosity, bars = hf_logging.get_verbosity(), hf_logging.is_progress_bar_enabled()
    st_logger = logging.getLogger("sentence_transformers")
    st_level = st_logger.level
    hf_logging.set_verbosity_error(); hf_logging.disable_progress_bar(); st_logger.setLevel(logging.ERROR)
    try:
        ce = CrossEncoder(_base_model_path(), num_labels=len(config["id2label"]), max_length=max_length,
                          device=device, local_files_only=True, model_kwargs={"dtype": torch.float32})
    finally:
        hf_logging.set_verbosity(verbosity); st_logger.setLevel(st_level)
        if bars:
            hf_logging.enable_progress_bar()
    base_words = ce.model.state_dict()[WORD_EMBEDDINGS]
    ce.model.load_state_dict(load_state_dict(compact, base_words), strict=True)
    ce.model.config.id2label = {int(k): v for k, v in config["id2label"].items()}
    ce.model.config.label2id = {v: int(k) for k, v in config["id2label"].items()}
    return ce


def load_cross_encoder(model: str | os.PathLike, role: str, max_length: int = 256, device: str = "cpu",
                       threads: int | None = None):
    """(CrossEncoder, location, is_local) for a packaged name, folder or hub name; sets the torch
    threads (default: the CPUs available, 0 = leave alone). Any failure is a ConfigError naming `role`."""
    import torch

    location, is_local = resolve_model(model)
    threads = default_threads() if threads is None else threads
    if threads and threads != torch.get_num_threads():
        torch.set_num_threads(threads)
    try:
        return _load_cross_encoder(location, is_local, max_length, device), location, is_local
    except Exception as exc:  # noqa: BLE001 - any loading failure is a configuration problem
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError(f"cannot load {role} model {location}: {first}") from exc


def native_bf16() -> bool:
    """Whether this CPU has bfloat16 arithmetic (AVX512-BF16 or AMX), where bf16 autocast pays off."""
    import torch

    checks = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    return any(bool(getattr(torch.cpu, name, lambda: False)()) for name in checks)


SHAPE_STEP = 32   # tokens: with fixed shapes, a pair is padded to the next multiple of this

# Currency signs other than ASCII's "$" ("€", "£", "¥", "₹", ...): BERT's tokenizer splits only punctuation from a
# word, and these are symbols, so "€148" becomes "€", "##14", "##8", and "£38.5" becomes "£3", "##8", ".", "5":
# the figure's own tokens are lost. A space between such a sign and a digit gives "€", "148" ("$5" is split already).
_CURRENCY = "".join(chr(i) for i in range(0x80, 0x3000) if unicodedata.category(chr(i)) == "Sc")
_SIGN_DIGIT = re.compile(f"([{re.escape(_CURRENCY)}])(?=\\d)|(?<=\\d)([{re.escape(_CURRENCY)}])")
TEXT_FORM = "sp1"   # in scorer versions: model inputs are read with `model_text`


def model_text(text: str) -> str:
    """The text a cross-encoder reads: a currency sign set apart from the figure it is written against ("€148
    million" -> "€ 148 million", "148€" -> "148 €"), so the figure keeps its own tokens."""
    return _SIGN_DIGIT.sub(lambda m: f"{m.group(1)} " if m.group(1) else f" {m.group(2)}", text)


def pair_logits(model, tokenizer, pairs: Sequence[tuple[str, str]], batch_size: int = 32, max_length: int = 256,
                bf16: bool = False, fixed_shapes: bool | None = None) -> np.ndarray:
    """All logits (n, num_labels) of a cross-encoder for (claim, passage) pairs, in the input order.

    The model reads `passage [SEP] claim` (premise first, as in NLI training); the passage is
    truncated first. Pairs are batched by token length so that batches carry little padding.

    fixed_shapes (default: when `bf16`): every forward pass has `batch_size` rows (filler rows make
    up a short batch) and a width set by the pair's own length (the next multiple of SHAPE_STEP
    tokens), so a pair's logits do not depend on the pairs scored with it. Under bf16 they would:
    the CPU kernels round differently for different tensor shapes, by up to 0.04 in a logit,
    enough to flip a verdict near a threshold when a recheck scores a claim in other company.
    """
    import torch

    fixed = bf16 if fixed_shapes is None else fixed_shapes
    enc = tokenizer([model_text(str(p)) for _, p in pairs], [model_text(str(c)) for c, _ in pairs],
                    truncation="longest_first", max_length=max_length)
    lengths = [len(x) for x in enc["input_ids"]]
    widths = [min(-(-n // SHAPE_STEP) * SHAPE_STEP, max_length) if fixed else 0 for n in lengths]
    order = np.lexsort((lengths, widths))   # by width, then length (stable)
    keys = [k for k in ("input_ids", "token_type_ids", "attention_mask") if k in enc]
    out = np.zeros((len(pairs), model.config.num_labels), dtype=np.float32)
    batches = []   # never straddling two widths
    for _, same_width in itertools.groupby(order, key=lambda i: widths[i]):
        rows = np.fromiter(same_width, dtype=int)
        batches += [rows[s:s + batch_size] for s in range(0, len(rows), batch_size)]
    was_training = model.training
    model.eval()
    with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
        for idx in batches:
            rows = list(idx) + ([idx[0]] * (batch_size - len(idx)) if fixed else [])
            features = {k: [enc[k][i] for i in rows] for k in keys}
            if fixed:
                batch = tokenizer.pad(features, padding="max_length", max_length=widths[idx[0]], return_tensors="pt")
            else:
                batch = tokenizer.pad(features, return_tensors="pt")
            out[idx] = model(**batch).logits.float().numpy()[:len(idx)]
    model.train(was_training)
    return out


class CrossEncoderScorer:
    """Scores (claim, passage) pairs with an NLI cross-encoder: [entailment, neutral, contradiction].

    model: "packaged:factcheck-verifier" (the shipped weights), a model folder or a hub name.
    batch_size: pairs per forward pass; pairs are sorted by token length first (and returned
        in the caller's order) so that batches carry little padding.
    max_length: tokens per pair; the passage is truncated, the claim kept.
    precision: "auto" (default: bf16 where the CPU computes it natively, else fp32), "fp32";
        "bf16" runs the forward pass under bfloat16 autocast (about
        1.8x faster where the CPU has AVX512-BF16 or AMX, same verdicts in our benchmarks);
        "int8" quantises the linear layers at load time (dynamic; faster still, but it costs
        accuracy: see docs/verifier.md).
    temperature: softmax temperature; default the value in the model folder's
        calibration.json, else 1.0.
    threads: torch CPU threads (intra-op) to use; default the CPUs available to the process,
        at most 8; 0 leaves the process-wide torch setting alone.
    """

    def __init__(self, model: str | os.PathLike = "packaged:factcheck-verifier", batch_size: int = 32,
                 max_length: int = 256, temperature: float | None = None, threads: int | None = None,
                 device: str = "cpu", precision: str = "auto"):
        import torch

        if batch_size < 1:
            raise ConfigError(f"verifier batch size must be >= 1, got {batch_size}")
        if temperature is not None and not temperature > 0:
            raise ConfigError(f"verifier temperature must be > 0, got {temperature}")
        self._ce, location, is_local = load_cross_encoder(model, "verifier", max_length, device, threads)
        self.model = self._ce.model.float().eval()
        if precision == "auto":
            precision = "bf16" if native_bf16() else "fp32"
        if precision not in ("fp32", "bf16", "int8"):
            raise ConfigError(f"verifier precision must be auto, fp32, bf16 or int8, got {precision!r}")
        self.precision = precision
        if precision == "int8":  # dynamic int8 linear layers: ~2.5x faster on CPUs with VNNI / AVX-512
            import warnings
            with warnings.catch_warnings():  # torch.ao points at torchao; the eager API still works
                warnings.simplefilter("ignore")
                self.model = torch.ao.quantization.quantize_dynamic(self.model, {torch.nn.Linear},
                                                                     dtype=torch.qint8)
        self.tokenizer = self._ce.tokenizer
        self.columns = _label_columns(self.model.config.id2label)
        self.batch_size = batch_size
        self.max_length = max_length
        calibration = Path(location) / "calibration.json" if is_local else None
        self.verdict_calibration = None
        if calibration is not None and calibration.is_file():
            from factcheck.verify import VerdictCalibration
            try:
                record = json.loads(calibration.read_text())
                if temperature is None:
                    temperature = float(record["temperature"])
                if "verdict" in record:
                    self.verdict_calibration = VerdictCalibration.from_record(record["verdict"])
            except (ValueError, KeyError, TypeError) as exc:
                raise ConfigError(f"bad calibration file {calibration}: {exc}") from exc
        self.temperature = float(temperature or 1.0)
        self.name = f"crossencoder:{model}" if str(model).startswith(PACKAGED_PREFIX) \
            else f"crossencoder:{Path(location).name if is_local else location}"
        self.version = self._version(location, is_local)

    def _version(self, location: str, is_local: bool) -> str:
        version = self._weights_version(location, is_local) + ("" if self.precision == "fp32" else f"-{self.precision}")
        version += f"-{TEXT_FORM}"
        if self.verdict_calibration is not None:
            cal = self.verdict_calibration
            version += f"-th{cal.threshold:.3g}" + (f"r{cal.refute_threshold:.3g}" if cal.refute_threshold else "")
        return version

    def _weights_version(self, location: str, is_local: bool) -> str:
        if is_local:
            info = Path(location) / "training.json"
            from factcheck.compact import WEIGHTS_FILE
            weights = Path(location) / WEIGHTS_FILE
            if not weights.is_file():
                weights = Path(location) / "model.safetensors"
            tag = ""
            if weights.is_file():
                from factcheck.training import file_sha256
                tag = file_sha256(weights, 12)
            if info.is_file():
                try:
                    seed = json.loads(info.read_text()).get("seed")
                    return f"{tag}-seed{seed}-T{self.temperature:.3g}"
                except ValueError:
                    pass
            return f"{tag or 'local'}-T{self.temperature:.3g}"
        commit = getattr(self.model.config, "_commit_hash", None)
        return f"{commit or 'hub'}-T{self.temperature:.3g}"

    def logits(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """Raw logits (n, 3) ordered [entailment, neutral, contradiction], in the input order."""
        if not pairs:
            return np.zeros((0, 3), dtype=np.float32)
        return pair_logits(self.model, self.tokenizer, pairs, self.batch_size, self.max_length,
                           self.precision == "bf16")[:, self.columns]

    def score(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """Probabilities (n, 3) [entailment, neutral, contradiction]; rows sum to 1."""
        z = self.logits(pairs).astype(np.float64) / self.temperature
        if len(z) == 0:
            return z
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)
