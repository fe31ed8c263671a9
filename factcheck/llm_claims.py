"""A claim extractor that asks an LLM for atomic claims, each with the article's words it came from.

Each claim's span is found from its quote: exactly, then ignoring whitespace, case and quote or
dash styles, then as the closest sentence by difflib. Claims whose quote cannot be found are
dropped and counted in `last_dropped`.
"""
from __future__ import annotations

import re
from difflib import SequenceMatcher

from factcheck.errors import LLMError
from factcheck.llm import ChatClient, Message, schema_error
from factcheck.records import Claim, Document
from factcheck.text import split_sentences, words

CLAIMS_SCHEMA: dict = {
    "type": "object",
    "required": ["claims"],
    "properties": {
        "claims": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["claim", "quote", "checkworthiness"],
                "properties": {
                    "claim": {"type": "string", "minLength": 1},
                    "quote": {"type": "string", "minLength": 1},
                    "checkworthiness": {"type": "number", "minimum": 0, "maximum": 1},
                },
            },
        },
    },
}

SYSTEM_PROMPT = """You extract check-worthy factual claims from a tech-news article.
Rules:
- Atomic: one fact per claim (one number, date, event or relation); split compound sentences.
- Self-contained: replace pronouns and vague references ("the company", "it", "the new model") \
with the names they refer to, so each claim can be checked without the article.
- Resolve relative dates ("yesterday", "last week", "this year") to absolute dates using the \
article's publication date.
- Skip opinions, predictions, speculation, questions, advice and marketing language.
- Keep hedges as hedges: if the article says "reportedly", "about", "up to", "according to X", \
the claim keeps that qualifier.
- "quote": the exact words of the article the claim comes from (a sentence or part of one), \
copied character for character.
- "checkworthiness": from 0 to 1, how specific, verifiable and worth checking the claim is.
Answer with one JSON object and nothing else:
{"claims": [{"claim": "...", "quote": "...", "checkworthiness": 0.9}]}
If the article makes no checkable claim, answer {"claims": []}."""

_QUOTES = "\"'“”‘’«»„"
_CHAR_CLASSES = {**{q: "[\"“”«»„]" for q in "\"“”«»„"}, **{q: "['‘’`]" for q in "'‘’`"},
                 **{d: "[-‐‑‒–—]" for d in "-‐‑‒–—"}}
_FUZZY_COVERAGE = 0.7


def claim_messages(article: Document) -> list[Message]:
    """The chat messages asking for the claims of `article`, with its publication date."""
    published = (f"{article.published.isoformat()} (resolve relative dates against it)"
                 if article.published else "unknown (keep relative dates as written)")
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": f"Published: {published}\nTitle: {article.title.strip()}\n\n"
                                    f"ARTICLE:\n{article.text}"},
    ]


class LLMClaimExtractor:
    """A ClaimExtractor that asks a chat model for atomic, self-contained claims with their quotes."""

    name = "llm"

    def __init__(self, client: ChatClient, threshold: float = 0.5):
        self.client = client
        self.threshold = threshold
        self.last_dropped = 0

    def extract(self, article: Document) -> list[Claim]:
        """The article's claims in reading order; claims whose quote is not in the article are dropped."""
        self.last_dropped = 0
        try:
            answer = self.client.complete_json(claim_messages(article), "claims")
        except LLMError as exc:
            raise LLMError(f"article {article.id!r}: {exc}") from exc
        problem = schema_error(answer, CLAIMS_SCHEMA)
        if problem:
            raise LLMError(f"invalid LLM claims for article {article.id!r}: {problem}")
        sentences = split_sentences(article.text)
        claims, dropped = [], 0
        for item in answer["claims"]:
            score = float(item["checkworthiness"])
            if score < self.threshold:
                continue
            span = locate_quote(article.text, item["quote"], sentences)
            if span is None:
                dropped += 1
                continue
            claims.append(Claim(" ".join(item["claim"].split()), span[0], span[1], article.id, round(score, 3)))
        self.last_dropped = dropped
        return sorted(claims, key=lambda c: (c.start, c.end))


def locate_quote(text: str, quote: str, sentences: list[tuple[int, int]] | None = None) -> tuple[int, int] | None:
    """The span of `quote` in `text`: exact, then loose (whitespace, case, quote marks), then fuzzy sentence."""
    quote = quote.strip()
    if not quote:
        return None
    start = text.find(quote)
    if start != -1:
        return start, start + len(quote)
    return _loose(text, quote) or _fuzzy(text, quote, split_sentences(text) if sentences is None else sentences)


def _loose(text: str, quote: str) -> tuple[int, int] | None:
    core = quote.strip()
    if len(core) > 1 and core[0] in _QUOTES and core[-1] in _QUOTES:  # the model quoted the quote
        core = core[1:-1]
    tokens = core.strip(" …").removeprefix("...").removesuffix("...").split()
    if not tokens:
        return None
    pattern = r"\s+".join("".join(_CHAR_CLASSES.get(ch) or re.escape(ch) for ch in token) for token in tokens)
    match = re.search(pattern, text, re.IGNORECASE)
    return match.span() if match else None


def _fuzzy(text: str, quote: str, sentences: list[tuple[int, int]]) -> tuple[int, int] | None:
    wanted = words(quote)
    if len(wanted) < 3 or not sentences:
        return None
    best = _best(text, wanted, sentences)
    if best[0] < _FUZZY_COVERAGE:  # the quote may straddle two sentences
        pairs = [(a[0], b[1]) for a, b in zip(sentences, sentences[1:])]
        best = max(best, _best(text, wanted, pairs)) if pairs else best
    return best[2] if best[0] >= _FUZZY_COVERAGE else None


def _best(text: str, wanted: list[str], spans: list[tuple[int, int]]) -> tuple[float, float, tuple[int, int]]:
    """(share of the quote's words matched in order, difflib ratio, span) of the best span."""
    scored = []
    for span in spans:
        matcher = SequenceMatcher(None, wanted, words(text[span[0]:span[1]]), autojunk=False)
        matched = sum(block.size for block in matcher.get_matching_blocks())
        scored.append((matched / len(wanted), matcher.ratio(), span))
    return max(scored)
