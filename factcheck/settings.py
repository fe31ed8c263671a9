"""One settings object, read from the environment (prefix FACTCHECK_) and CLI options."""
from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_dir
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PACKAGED_EMBEDDER = "packaged:all-MiniLM-L6-v2"
PACKAGED_VERIFIER = "packaged:factcheck-verifier"


class Settings(BaseSettings):
    """Every knob of the pipeline; each field can be set as FACTCHECK_<NAME> in the environment."""

    model_config = SettingsConfigDict(env_prefix="FACTCHECK_", extra="ignore")

    home: Path = Field(default_factory=lambda: Path(user_data_dir("factcheck")),
                       description="Data directory holding the vector index and other state.")
    database_url: str | None = Field(None, description="SQLAlchemy URL; default sqlite:///<home>/factcheck.db.")
    embedding_model: str = Field(PACKAGED_EMBEDDER,
                                 description="sentence-transformers model: 'packaged:all-MiniLM-L6-v2', a path or a hub name.")
    embedding_batch_size: int = Field(64, ge=1, description="Texts per embedding batch.")
    index_batch_size: int = Field(1024, ge=1, description="Passages embedded and added to the index per step.")
    index_save_seconds: float = Field(30.0, ge=0, description="Save the index at least this often while embedding.")
    ann_threshold: int = Field(200_000, ge=0,
                               description="Switch the flat index to IVF-SQ8 at this many vectors (0: never).")
    verifier: str = Field(PACKAGED_VERIFIER,
                          description="'packaged:factcheck-verifier' (default: the shipped trained cross-encoder), "
                                      "'baseline', 'llm', or a CrossEncoder path or hub name.")
    verifier_precision: str = Field("auto", description="Cross-encoder verifier arithmetic: 'auto' (bf16 where the CPU "
                                                         "has it natively, else fp32), 'fp32', 'bf16' or 'int8' "
                                                         "(fastest, less accurate).")
    verifier_gate: str = Field("0.25,0.45", description="Cross-encoder verifier: 'low,high' cosines between claim and "
                                                        "sentence below which a contradiction does not count, above which "
                                                        "it counts fully (linear between), or 'off'.")
    verifier_words_gate: str = Field("0,0.25", description="Cross-encoder verifier: 'low,high' shares of the claim's "
                                                          "own words (not its names or figures) that a sentence uses, "
                                                          "at or below which its contradiction does not count, from "
                                                          "which it counts fully (linear between), or 'off'.")
    verifier_gate_model: str = Field(PACKAGED_EMBEDDER, description="Sentence embedder of the verifier's gate (its "
                                                                     "thresholds are fitted to the packaged MiniLM).")
    verifier_agree_overlap: float = Field(0.6, ge=0.0, le=1.0,
                                          description="Cross-encoder verifier: a sentence restating this share of the "
                                                      "claim's words and all its figures counts as support where the "
                                                      "model reads a contradiction; 0 turns the cue off.")
    verifier_paraphrase: float = Field(0.85, ge=0.0, le=1.0,
                                       description="Cross-encoder verifier: a sentence whose embedding cosine to the "
                                                   "claim (by verifier_gate_model) reaches this, with no figure, name, "
                                                   "negation or direction mismatch, counts as support where the model "
                                                   "reads a contradiction; 0 turns the cue off.")
    verifier_restate: float = Field(0.8, ge=0.0, le=1.0,
                                    description="Cross-encoder verifier: a sentence whose embedding cosine to the "
                                                "claim reaches this, using half of its words with no figure, name, "
                                                "negation or direction mismatch, counts as support where the model "
                                                "reads it as neutral; 0 turns the cue off.")
    verifier_torn: float = Field(0.3, ge=0.0, le=1.0,
                                 description="Cross-encoder verifier: a sentence the model reads as both support and "
                                             "contradiction (each at least this), using half of the claim's own words "
                                             "with no figure, date, name, negation or direction mismatch, counts as "
                                             "support; 0 turns the cue off.")
    verifier_related: float = Field(0.55, ge=0.0, le=1.0,
                                    description="Cross-encoder verifier: a sentence whose relatedness to the claim "
                                                "(the mean of the passage's retrieval cosine and the share of the "
                                                "claim's words it uses, as the baseline verifier reads it) reaches "
                                                "this, with no figure, date, name, negation or direction mismatch, "
                                                "counts as support where the model reads it as neutral; 0 turns the "
                                                "cue off.")
    verifier_windows: str = Field("derived", pattern="^(off|support|strict|both|derived)$",
                                  description="Cross-encoder verifier: also score each two consecutive sentences of a "
                                              "passage as one piece of evidence, for claims that need both: 'off', "
                                              "'support' (such a window only supports), 'strict' (only where the model "
                                              "itself reads support, no sentence inside refutes and each sentence gives "
                                              "a part of the claim), 'both' (docs/benchmarks.md, session 27) or 'derived' "
                                              "(only two sentences that together, and neither alone, give a figure the "
                                              "claim works out from one figure of each; session 28).")
    verifier_relevance_gate: str = Field("-5,-1", description="Cross-encoder verifier: 'low,high' logits of the relevance "
                                                             "reranker below which a passage does not count (for a claim, "
                                                             "or for and against it: verifier_relevance_gate_sides), above "
                                                             "which it counts fully, or 'off' (docs/benchmarks.md, session 12).")
    verifier_relevance_gate_sides: str = Field("support", pattern="^(support|both)$",
                                               description="What the relevance gate weighs: 'support' (the default) "
                                                           "or 'both' support and refutation.")
    claim_extractor: str = Field("atomic", description="'atomic' (spaCy, offline), 'sentences' or 'llm'.")
    claim_processes: int = Field(0, ge=0, description="Worker processes of the atomic extractor for a batch of "
                                                      "articles; 0 = automatic: one per core (at most 4) for batches "
                                                      "of 100 articles or more, else none.")
    checkworthiness_threshold: float = Field(0.5, ge=0.0, le=1.0, description="Claims scoring below this are skipped.")
    passage_sentences: int = Field(3, ge=1, description="Sentences per passage window.")
    passage_stride: int = Field(2, ge=1, description="Sentences the passage window moves by.")
    top_k: int = Field(5, ge=1, description="Passages retrieved per claim.")
    dense_weight: float = Field(1.0, ge=0.0, description="Weight of dense retrieval in rank fusion.")
    lexical_weight: float = Field(1.0, ge=0.0, description="Weight of lexical (BM25) retrieval in rank fusion.")
    reranker: str | None = Field("packaged:factcheck-reranker",
                                 description="Second stage: 'packaged:factcheck-reranker' (default: the shipped "
                                             "relevance cross-encoder), any one-logit CrossEncoder path or hub name, "
                                             "a 3-way NLI model (reranks by stance), or 'none'.")
    rerank_depth: int | None = Field(None, ge=1, description="Candidates the reranker reorders per claim; default the "
                                                             "model's reranker.json, else 10 (20 for an NLI model).")
    rerank_weight: float | None = Field(None, ge=0.0, description="Weight of the relevance reranker's rank against the "
                                                                 "first stage's in rank fusion; default the model's "
                                                                 "reranker.json, else 1.0.")
    verify_batch_size: int = Field(64, ge=1, description="Claims per verification batch (and per Prefect task).")
    llm_base_url: str | None = Field(None, description="OpenAI-compatible endpoint, e.g. http://localhost:11434/v1.")
    llm_model: str | None = Field(None, description="Model name sent to the LLM endpoint.")
    llm_api_key: SecretStr | None = Field(None, description="API key for the LLM endpoint (FACTCHECK_LLM_API_KEY).")
    llm_timeout: float = Field(60.0, gt=0, description="Seconds before an LLM request times out.")

    @field_validator("verifier_gate", "verifier_relevance_gate", "verifier_words_gate", mode="after")
    @classmethod
    def _check_gate(cls, value: str, info) -> str:
        if value.strip().lower() in ("off", "none", ""):
            return "off"
        what, least = {"verifier_gate": ("cosines", -1.0), "verifier_words_gate": ("shares", 0.0)}.get(
            info.field_name, ("logits", None))
        try:
            low, high = (float(x) for x in value.split(","))
        except ValueError:
            raise ValueError(f"{info.field_name} must be 'low,high' (two {what}) or 'off', got {value!r}") from None
        if low > high or (least is not None and not least <= low <= high <= 1.0):
            bounds = f"{least:g} <= low <= high <= 1" if least is not None else "low <= high"
            raise ValueError(f"{info.field_name} needs {bounds}, got {value!r}")
        return f"{low:g},{high:g}"

    @staticmethod
    def _bounds(value: str) -> tuple[float, float] | None:
        if value == "off":
            return None
        low, high = (float(x) for x in value.split(","))
        return low, high

    @property
    def gate_bounds(self) -> tuple[float, float] | None:
        """The verifier gate's (low, high) cosines, or None when it is off."""
        return self._bounds(self.verifier_gate)

    @property
    def words_gate_bounds(self) -> tuple[float, float] | None:
        """The verifier's own-words gate (low, high) shares, or None when it is off."""
        return self._bounds(self.verifier_words_gate)

    @property
    def relevance_gate_bounds(self) -> tuple[float, float] | None:
        """The verifier's relevance gate (low, high) reranker logits, or None when it is off."""
        return self._bounds(self.verifier_relevance_gate)

    @field_validator("home", mode="after")
    @classmethod
    def _expand_home(cls, value: Path) -> Path:
        return value.expanduser()

    @property
    def db_url(self) -> str:
        """The database URL, defaulting to an SQLite file under `home`."""
        return self.database_url or f"sqlite:///{self.home / 'factcheck.db'}"

    @property
    def index_dir(self) -> Path:
        return self.home / "index"

    def run_params(self) -> dict:
        """The settings that shape a run's evidence and verdicts, recorded with the run (`runs.params`)."""
        return {"settings": {name: getattr(self, name) for name in RUN_PARAMS}}


RUN_PARAMS = ("claim_extractor", "embedding_model", "dense_weight", "lexical_weight", "top_k", "reranker",
              "rerank_depth", "rerank_weight", "verifier", "verifier_gate", "verifier_words_gate",
              "verifier_agree_overlap", "verifier_paraphrase", "verifier_restate", "verifier_torn",
              "verifier_related", "verifier_windows", "verifier_relevance_gate", "verifier_relevance_gate_sides")
