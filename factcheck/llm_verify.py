"""A verifier that asks an LLM for the verdict on each claim from its numbered passages."""
from __future__ import annotations

from typing import Any, Sequence

from factcheck.errors import LLMError
from factcheck.llm import ChatClient, Message, one_line, schema_error
from factcheck.records import Evidence, Hit, Label, Stance, Verdict

VERDICT_SCHEMA: dict = {
    "type": "object",
    "required": ["label", "confidence", "cited"],
    "properties": {
        "label": {"enum": [label.value for label in Label]},
        "confidence": {"type": "number", "minimum": 0, "maximum": 1},
        "cited": {"type": "array", "items": {"type": "integer"}},
        "stances": {"type": "object", "additionalProperties": {"enum": [stance.value for stance in Stance]}},
    },
}

SYSTEM_PROMPT = """You are a careful fact-checker. Decide whether the CLAIM is supported or refuted \
by the numbered PASSAGES. Use only the passages, not your own knowledge.
- SUPPORTED: the passages state the claim, or something that clearly implies it.
- REFUTED: the passages contradict the claim (e.g. a different number, date, name or outcome for the same fact).
- NOT_ENOUGH_INFO: the passages do not settle the claim either way.
A hedged claim ("reportedly", "about", "up to") is judged as hedged. Cite at least one passage \
for SUPPORTED or REFUTED.
Answer with one JSON object and nothing else:
{"label": "SUPPORTED" | "REFUTED" | "NOT_ENOUGH_INFO", "confidence": <number from 0 to 1>, \
"cited": [<numbers of the passages the label rests on>], \
"stances": {"<passage number>": "supports" | "refutes" | "neutral", ...}}"""

_LABEL_STANCE = {Label.SUPPORTED: Stance.SUPPORTS, Label.REFUTED: Stance.REFUTES, Label.NOT_ENOUGH_INFO: Stance.NEUTRAL}


def verdict_messages(claim: str, hits: Sequence[Hit]) -> list[Message]:
    """The chat messages asking for the verdict on `claim` from its passages, numbered from 1."""
    passages = "\n\n".join(f"[{n}] (source: {hit.source_id}) {hit.text.strip()}" for n, hit in enumerate(hits, 1))
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": f"CLAIM: {claim.strip()}\n\nPASSAGES:\n{passages}"},
    ]


class LLMVerifier:
    """A Verifier that sends each claim with its numbered passages to a chat model."""

    version = "1"

    def __init__(self, client: ChatClient, max_evidence: int = 3):
        self.client = client
        self.max_evidence = max_evidence
        self.name = "llm:" + client.model

    def verify(self, claims: Sequence[str], hits: Sequence[Sequence[Hit]]) -> list[Verdict]:
        """One verdict per claim; LLMError naming the claim index on the first claim that fails."""
        return [self._verify(claim, claim_hits, f"claim {i} ({one_line(claim, 60)!r})")
                for i, (claim, claim_hits) in enumerate(zip(claims, hits, strict=True))]

    def verify_one(self, claim: str, hits: Sequence[Hit]) -> Verdict:
        """The verdict on one claim, so a caller can skip claims whose answer is unusable."""
        return self._verify(claim, hits, f"claim {one_line(claim, 60)!r}")

    def _verify(self, claim: str, hits: Sequence[Hit], where: str) -> Verdict:
        if not hits:
            return Verdict(Label.NOT_ENOUGH_INFO, 1.0, ())
        try:
            answer = self.client.complete_json(verdict_messages(claim, hits), "verdict")
        except LLMError as exc:
            raise LLMError(f"{where}: {exc}") from exc
        try:
            return self._verdict(answer, hits)
        except ValueError as exc:
            raise LLMError(f"invalid LLM verdict for {where}: {exc}") from None

    def _verdict(self, answer: dict[str, Any], hits: Sequence[Hit]) -> Verdict:
        answer = _normalised(answer)
        problem = schema_error(answer, VERDICT_SCHEMA)
        if problem:
            raise ValueError(problem)
        n = len(hits)
        label, confidence = Label(answer["label"]), float(answer["confidence"])
        cited = list(dict.fromkeys(int(c) for c in answer["cited"]))
        for number in cited:
            if not 1 <= number <= n:
                raise ValueError(f"cited passage {number} is out of range 1..{n}")
        if label is not Label.NOT_ENOUGH_INFO and not cited:
            raise ValueError(f"label {label.value} cites no passage")
        stances = {}
        for key, value in answer.get("stances", {}).items():
            if not key.strip().isdigit() or not 1 <= int(key) <= n:
                raise ValueError(f"stances key {key!r} is not a passage number in 1..{n}")
            stances[int(key)] = Stance(value)
        rest = [number for number in range(1, n + 1) if number not in cited]
        order = (cited + rest)[: max(self.max_evidence, len(cited))]
        evidence = tuple(
            Evidence(hits[number - 1].passage_id, hits[number - 1].source_id, hits[number - 1].text,
                     round(confidence, 4) if number in cited else 0.0,
                     stances.get(number, _LABEL_STANCE[label] if number in cited else Stance.NEUTRAL))
            for number in order
        )
        return Verdict(label, confidence, evidence)


def _normalised(answer: dict[str, Any]) -> dict[str, Any]:
    """Forgive letter case in the label and stances, the slips models make most."""
    answer = dict(answer)
    if isinstance(answer.get("label"), str):
        answer["label"] = "_".join(answer["label"].upper().split())
    if isinstance(answer.get("stances"), dict):
        answer["stances"] = {str(k): v.strip().lower() if isinstance(v, str) else v
                             for k, v in answer["stances"].items()}
    return answer
