"""Splitting a parsed sentence into single-fact pieces: coordination, appositives, relative and contrast clauses.

A piece is a list of items in reading order: spaCy tokens of the sentence, or short strings inserted
to make it a sentence of its own ("is", "were", "in"). Uses Penn tags (`tag_`) and dependency labels
only, so the pipeline needs no attribute ruler or NER.
"""
from __future__ import annotations

from itertools import product
from typing import TYPE_CHECKING, Union

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

Item = Union["Token", str]

_CONTRAST = {"while", "whereas", "although", "though"}
_TEMPORAL = {"after", "before", "since"}
_ARGUING = {"saying", "arguing", "adding", "noting", "citing", "claiming", "alleging", "stating", "warning"}
_RELATIVES = {"who", "which", "that", "whom", "whose", "where", "when"}
_SUBJECTS = {"nsubj", "nsubjpass"}
_RECIPROCAL = ("partner", "merg", "collaborat", "team", "compet", "agree", "sign", "join", "meet", "met")
_SINGULAR = {"are": "is", "were": "was", "have": "has"}
_NAME_ENDS = {"administration", "commission", "association", "agency", "department", "authority", "institute",
              "university", "bank", "foundation", "service", "services", "board", "council", "bureau",
              "organization", "laboratory", "ministry", "office"}
_STATIVE = {"based", "headquartered", "located", "owned", "known", "listed", "valued", "named"}
MAX_VARIANTS = 6


def is_verb(token: Token) -> bool:
    """Whether the token is a verb or modal by its Penn tag."""
    return token.tag_.startswith("VB") or token.tag_ == "MD"


def pieces(sent: Span) -> list[list[Item]]:
    """Single-fact pieces of one parsed sentence; the whole sentence when its root is not a verb."""
    root = sent.root
    if not is_verb(root):
        return [list(sent)]
    out = [p for p in _clause(root, []) if p]
    contents = _reported(root)
    parts = []
    for content in contents:  # 'X said on Monday that Y', 'Y, X said': Y is a claim of its own too
        joined = any(c.dep_ == "conj" for c in content.children)  # else a cc links two contents: 'Y, and Z, X said'
        parts += _unmarked(content, [p for p in _clause(content, []) if p], also_cc=not joined)
    verbs = {x.i for c in contents for x in [c, *c.children] if x is c or x.dep_ == "conj" and is_verb(x)}
    said = [p for p in parts if any(not isinstance(x, str) and x.i in verbs for x in p)]
    if len(said) > 1 and contents[0].i < root.i:  # 'Y and Z, the company said in a filing': each said so
        inside = {x.i for c in contents for x in c.subtree}
        source = [x for x in root.subtree if x.i not in inside and x.i > contents[-1].i]
        out = [p + source for p in said] + out[1:]
    return out + parts


_REPORTING = {"say", "said", "says", "announce", "announced", "announces", "confirm", "confirmed", "confirms",
              "report", "reported", "reports", "disclose", "disclosed", "discloses", "tell", "told"}


def _reported(root: Token) -> list[Token]:
    """The reported clauses of 'X said (on <date>) that Y' when Y has a subject of its own and X is named,
    or of 'Y, the company said' (the content comes first: the speaker may be any noun)."""
    subject = next((c for c in root.children if c.dep_ == "nsubj"), None)
    if root.lower_ not in _REPORTING or subject is None or not subject.tag_.startswith("NN"):
        return []
    fronted = subject.i > root.i or any(c.dep_ == "ccomp" and c.i < subject.i for c in root.children)
    if not fronted and subject.tag_ not in ("NNP", "NNPS"):
        return []
    return [c for c in root.children if c.dep_ == "ccomp" and (c.i < subject.i) == fronted and is_verb(c)
            and any(x.dep_ in _SUBJECTS for x in c.children)]


def _clause(verb: Token, prefix: list[Item]) -> list[list[Item]]:
    removed: set[int] = set()
    extra: list[list[Item]] = []
    included: list[tuple[Token, Token]] = []
    tokens = list(verb.subtree)
    for t in tokens:
        if t.i in removed or t.i == verb.i:
            continue
        if t.dep_ == "conj" and t.head.i == verb.i and is_verb(t) and _joined_by_and(verb, t):
            removed |= _with_leading(t, {x.i for x in t.subtree}, verb)
            has_subject = any(c.dep_ in _SUBJECTS or c.dep_ == "expl" for c in t.children)
            parts = _clause(t, [] if has_subject else (_shared_start(verb, t) or _subject_only(prefix)))
            that = all(c.lower_ == "that" for c in t.children if c.dep_ == "mark")  # 'and that Y', not 'and if Y'
            extra += _unmarked(t, parts) if that else parts
        elif t.dep_ == "advcl" and t.head.i == verb.i and any(
                c.dep_ == "mark" and c.lower_ in _CONTRAST for c in t.children):
            removed |= _with_leading(t, {x.i for x in t.subtree}, verb)
            extra += _unmarked(t, _clause(t, []))
        elif t.dep_ == "advcl" and t.head.i == verb.i and _temporal(t):  # kept in the clause too
            extra += _unmarked(t, _clause(t, []))
        elif t.dep_ == "advcl" and t.head.i == verb.i and (past := _ing_clause_past(verb, t)):
            subject = next((c for c in verb.children if c.dep_ in _SUBJECTS), None)
            start = list(noun_phrase(subject)) if subject is not None else _subject_only(prefix)
            if start:  # 'X raised $1 billion, selling 22 million shares' -> 'X sold 22 million shares'
                if t.lower_ not in _ARGUING:  # '..., arguing that the deal ...' needs the clause's own words
                    removed |= _with_leading(t, {x.i for x in t.subtree}, verb)
                extra += [[past if _same(x, t) else x for x in p] for p in _clause(t, start)]
        elif t.dep_ == "relcl" and _nonrestrictive(t):
            removed |= _with_leading(t, {x.i for x in t.subtree}, verb)
            extra += [_fill_relative(p, t) for p in _clause(t, [])]
        elif (head := _appos_head(t)) is not None and _true_appositive(t, head):
            span = _appos_span(t, head)
            for rel in [x for x in t.subtree if x.i in span and x.dep_ == "relcl" and _nonrestrictive(x)]:
                span -= _with_leading(rel, {x.i for x in rel.subtree}, verb)
                removed |= _with_leading(rel, {x.i for x in rel.subtree}, verb)
                extra += [_fill_relative(p, rel) for p in _clause(rel, [])]
            if not _names_the_head(t, head, span):  # 'hired the security firm Gray Harbor' keeps the name
                removed |= _with_leading(t, span, verb)
            extra += _appositive(t, span, head)
        elif t.dep_ == "acl" and t.tag_ == "VBN" and _after_comma(t) and t.head.tag_.startswith("NN"):
            span = {x.i for x in t.subtree}
            removed |= _with_leading(t, span, verb)
            extra.append(_participle(t, span))
        elif (t.dep_ == "prep" and t.lower_ == "with" and t.head.i == verb.i and t.i > 0
              and t.doc[t.i - 1].text == "," and any(c.dep_ == "pobj" for c in t.children)):
            obj = next((c for c in verb.children if c.dep_ == "dobj" and c.i < t.i), None)
            if obj is not None:  # 'unveiled the Nova 9, with a 6.7-inch display' -> 'the Nova 9 has ...'
                span = {x.i for x in t.subtree}
                removed |= _with_leading(t, span, verb)
                pobj = next(c for c in t.children if c.dep_ == "pobj")
                extra.append(list(noun_phrase(obj)) + ["has"] + [x for x in pobj.subtree])
        elif t.dep_ == "prep" and t.lower_ == "including" and _after_comma(t) and (host := _included_in(t)):
            removed |= _with_leading(t, {x.i for x in t.subtree}, verb)
            included.append((host, next(c for c in t.children if c.dep_ == "pobj")))
        elif t.text == "(":
            close = next((x for x in tokens if x.i > t.i and x.text == ")"), None)
            if close is not None:
                removed |= set(range(t.i, close.i + 1))
    core = [x for x in tokens if x.i not in removed]
    for host, part in included:  # 'carried 14 satellites, including two weather satellites' -> 'carried two ...'
        drop = {x.i for x in noun_phrase(host)}
        at = next((k for k, x in enumerate(core) if x.i in drop), None)
        if at is not None:
            rest = [x for x in core if x.i not in drop]
            extra.append(prefix + rest[:at] + list(part.subtree) + rest[at:])
    pieces_ = [prefix + core] + extra + _date_apart(verb, core, prefix)
    return [p for piece in pieces_ for p in expand(piece)]


_MONTHS = {"january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
_DAY_WORDS = {"today", "yesterday", "tomorrow"}


def _is_date_prep(prep: Token) -> bool:
    """'on May 19, 2025', 'in March 2025', 'in 2024': a preposition whose object is a date."""
    obj = next((c for c in prep.children if c.dep_ == "pobj"), None)
    if prep.lower_ not in ("on", "in", "since", "by") or obj is None:
        return False
    words = {x.lower_ for x in obj.subtree}
    return bool(words & _MONTHS) or (obj.tag_ == "CD" and len(obj.text) == 4 and obj.text.isdigit())


# Prepositions that usually complete the verb rather than add a detail ('entered into force', 'was
# acquired by X', 'served as CEO'): a date piece keeps them.
_ARGUMENT_PREPS = {"to", "of", "for", "with", "from", "into", "as", "by", "about", "against", "than"}


def _date_apart(verb: Token, core: list[Item], prefix: list[Item]) -> list[list[Item]]:
    """When a clause has a date and other prepositional details, the date as a fact of its own.

    'Pelham unveiled the Nova 9 at an event in Shenzhen on September 9' also yields 'Pelham
    unveiled the Nova 9 on September 9' (what happened when), as a fact-checker lists it.
    """
    present = {x.i for x in core if not isinstance(x, str)}
    heads = [verb]  # 'is scheduled to begin in June before a judge': the verbs of 'to' complements too
    while (nxt := next((c for c in heads[-1].children if c.dep_ == "xcomp" and c.tag_ in ("VB", "VBG")), None)):
        heads.append(nxt)
    preps = [c for h in heads for c in h.children if c.dep_ == "prep" and c.i in present]
    misplaced = [c for o in verb.children if o.dep_ == "dobj" for c in o.children  # 'fined X 85 million euros
                 if c.dep_ == "prep" and c.i in present and _is_date_prep(c)]     # on Monday', parsed on 'euros'
    dates = [p for p in preps + misplaced if _is_date_prep(p)] + [
        c for c in verb.children if c.dep_ == "npadvmod" and c.lower_ in _DAY_WORDS and c.i in present]
    others = [p for p in preps if p not in dates and (p.lower_ not in _ARGUMENT_PREPS or (
        p.lower_ == "for" and any(c.dep_ == "pcomp" and c.tag_ == "VBG" for c in p.children)))]  # 'for transferring
    if len(dates) != 1 or not others or not any(c.dep_ in ("nsubj", "nsubjpass") for c in verb.children) \
            and not prefix:
        return []
    drop = {x.i for p in others for x in p.subtree}
    return [prefix + [x for x in core if isinstance(x, str) or x.i not in drop]]


def _included_in(including: Token) -> Token | None:
    """The noun that ', including Y' picks from: its head, or the verb's last noun object before it; None
    when 'including' has no noun object."""
    if not any(c.dep_ == "pobj" and c.tag_.startswith("NN") for c in including.children):
        return None  # ', including those for ...' names nothing that can stand in for the noun
    if including.head.tag_ in ("NN", "NNS"):
        return including.head
    objects = [x for x in including.head.subtree if x.i < including.i and x.dep_ in ("dobj", "pobj")
               and x.tag_ in ("NN", "NNS")]
    return objects[-1] if objects else None


def _unmarked(verb: Token, pieces_: list[list[Item]], also_cc: bool = False) -> list[list[Item]]:
    """The pieces of a subordinate clause without its 'that' / 'while' / 'after' (and its dangling 'and')."""
    drop = ("mark", "cc") if also_cc else ("mark",)
    return [[x for x in p if isinstance(x, str) or x.head.i != verb.i or x.dep_ not in drop] for p in pieces_]


def _temporal(clause: Token) -> bool:
    """'..., after the regulator fined the company': a finite clause of its own, a fact of its own."""
    return (any(c.dep_ == "mark" and c.lower_ in _TEMPORAL for c in clause.children)
            and any(c.dep_ in _SUBJECTS for c in clause.children)
            and (clause.tag_ in ("VBD", "VBZ", "VBP") or any(c.dep_ == "aux" for c in clause.children)))


_IRREGULAR_PAST = {
    "being": "was", "having": "had", "doing": "did", "making": "made", "selling": "sold", "buying": "bought",
    "becoming": "became", "bringing": "brought", "saying": "said", "taking": "took", "giving": "gave",
    "sending": "sent", "putting": "put", "setting": "set", "cutting": "cut", "holding": "held", "building": "built",
    "paying": "paid", "leading": "led", "spending": "spent", "winning": "won", "keeping": "kept", "losing": "lost",
    "leaving": "left", "telling": "told", "finding": "found", "seeing": "saw", "coming": "came", "going": "went",
    "getting": "got", "running": "ran", "falling": "fell", "rising": "rose", "growing": "grew", "beginning": "began",
    "hitting": "hit", "letting": "let", "shutting": "shut", "standing": "stood", "writing": "wrote",
    "driving": "drove", "breaking": "broke", "speaking": "spoke", "meaning": "meant", "choosing": "chose",
    "striking": "struck", "shedding": "shed", "bidding": "bid"}


def _past(word: str) -> str | None:
    """The simple past of an -ing form ('covering' -> 'covered', 'selling' -> 'sold'), None when unsure."""
    low = word.lower()
    if low in _IRREGULAR_PAST:
        return _IRREGULAR_PAST[low]
    stem = low[:-3]
    if not low.endswith("ing") or len(stem) < 2 or not stem.isalpha() or not set(stem) & set("aeiouy"):
        return None
    if stem.endswith("ee"):
        return stem + "d"  # 'agreeing'
    if stem[-1] == "y" and stem[-2] not in "aeiou":
        return stem[:-1] + "ied"  # 'carrying'
    return stem + "ed"  # 'covering', 'stopping', and 'creating' ('creat' + 'ed': the lost 'e' does not matter)


def _ing_clause_past(verb: Token, clause: Token) -> str | None:
    """'X raised $1 billion on Monday, selling 22 million shares': an -ing clause after a past-tense verb says
    what X did too; the simple past of its verb ('sold'), else None."""
    if clause.tag_ != "VBG" or verb.tag_ != "VBD" or clause.i < verb.i or verb.lower_ in _REPORTING \
            or not _after_comma(clause) or any(c.dep_ in _SUBJECTS or c.dep_ in ("mark", "aux") for c in clause.children):
        return None
    return _past(clause.text)


def _joined_by_and(verb: Token, conj: Token) -> bool:
    """Coordinated verbs split on 'and'/'but', not on 'or' ('end the practices or face penalties')."""
    between = [c for c in verb.children if c.dep_ == "cc" and verb.i < c.i < conj.i]
    return not any(c.lower_ in ("or", "nor") for c in between)


def _appos_head(t: Token) -> Token | None:
    """The noun that the appositive `t` describes, or None when `t` is not an appositive.

    Two misparses of the small parser are mended: 'Customers of Paylark, the payments app,' (the
    appositive hung on 'Customers' belongs to the name just before the comma) and 'Kelpie, the
    company behind KelpieDB, said' (parsed as a second subject)."""
    doc, first = t.doc, t.left_edge.i
    name = doc[first - 2] if first >= 2 and doc[first - 1].text == "," else None
    if name is not None and name.tag_ not in ("NNP", "NNPS"):
        name = None
    if t.dep_ == "appos":
        plural = t.tag_ in ("NNS", "NNPS")
        if (name is not None and name.i != t.head.i and (t.head.tag_ in ("NNS", "NNPS")) != plural
                and not plural and name.dep_ in ("pobj", "compound") and name.head.i != t.i):
            return name
        return t.head
    if (t.dep_ == "nsubj" and t.tag_ in ("NN", "NNS") and name is not None and name.dep_ == "nsubj"
            and name.head.i == t.head.i and any(c.dep_ == "det" for c in t.lefts)):
        return name
    return None


def _true_appositive(appos: Token, head: Token | None = None) -> bool:
    """Not a place ('Chandler, Arizona'), a time, or an appositive to a pronoun."""
    head = appos.head if head is None else head
    if head.tag_ in ("PRP", "PRP$", "CD") or appos.tag_ == "CD":
        return False
    if head.lower_ in ("a.m.", "p.m.", "am", "pm") or appos.lower_ in ("time", "a.m.", "p.m."):
        return False  # '6:42 a.m. local time'
    if head.lower_ in _MONTHS or appos.lower_ in _MONTHS:
        return False  # 'on Thursday, May 15, 2025'
    if appos.lower_ in ("person", "people", "source", "sources", "official", "officials") and any(
            c.dep_ == "amod" or c.dep_ == "acl" for c in appos.children):
        return False  # '..., a person familiar with the team said': the speaker, not a description

    words = [x for x in appos.subtree if not x.is_punct]
    head_plural = head.tag_ in ("NNS", "NNPS") or any(x.dep_ == "conj" for x in head.subtree if x.i < appos.i)
    if head_plural != (appos.tag_ in ("NNS", "NNPS")) and head.tag_ != "NNP":
        return False  # number mismatch: 'Customers of Paylark, the payments app,' belongs to Paylark
    return not (head.tag_ == "NNP" and all(x.tag_ == "NNP" for x in words) and len(words) <= 3)


def _with_leading(t: Token, span: set[int], verb: Token) -> set[int]:
    """The span plus the commas, dashes and conjunctions just before and after it."""
    doc = t.doc
    lo, hi = min(span), max(span)
    while lo > verb.sent.start and doc[lo - 1].dep_ in ("cc", "punct") and doc[lo - 1].text not in ("(", '"', "“"):
        lo -= 1
    while hi + 1 < verb.sent.end - 1 and doc[hi + 1].text in (",", "—", "–", ")"):
        hi += 1
    return span | set(range(lo, hi + 1))


_BE_HAVE = {"is", "are", "was", "were", "be", "been", "being", "has", "have", "had", "'s", "'re"}


def _shared_start(verb: Token, conj: Token) -> list[Item]:
    """Subject and auxiliaries of `verb` for a coordinated verb that lacks its own."""
    subject = next((c for c in verb.children if c.dep_ in _SUBJECTS), None)
    if subject is None:
        return []
    items: list[Item] = list(noun_phrase(subject))
    if conj.tag_ in ("VB", "VBN", "VBG") and not any(c.dep_ in ("aux", "auxpass") for c in conj.children):
        auxes = [c for c in verb.children if c.dep_ in ("aux", "auxpass", "neg") and c.i < verb.i]
        if conj.tag_ == "VB" and any(c.lower_ in _BE_HAVE for c in auxes):
            auxes = []  # 'were trained ... and support': a base form takes no 'were'
        items += auxes
    return items


def _subject_only(prefix: list[Item]) -> list[Item]:
    """The subject words of an inherited prefix ('cost $379, weigh 49 grams and include ...')."""
    return [x for x in prefix if isinstance(x, str) or x.dep_ not in ("aux", "auxpass", "neg")]


def _nonrestrictive(rel: Token) -> bool:
    first = rel.left_edge
    before = rel.doc[first.i - 1] if first.i > rel.sent.start else None
    return (before is not None and before.text in (",", "—", "–")) or first.lower_ in ("where", "when")


def _appos_span(appos: Token, head: Token | None = None) -> set[int]:
    """The appositive's words, up to the comma that closes it (the small parser over-attaches)."""
    head = appos.head if head is None else head
    span = set()
    for x in appos.subtree:
        if x.i > appos.i and x.text in (",", "—", "–") and x.head.i in (appos.i, appos.head.i, head.i):
            break
        span.add(x.i)
    return span


def noun_phrase(head: Token) -> list[Token]:
    """The noun phrase headed by `head`, without appositives, relative clauses and trailing commas."""
    skip: set[int] = set()
    for x in head.subtree:
        if x.i != head.i and x.dep_ in ("appos", "relcl", "advcl", "parataxis") and x.i not in skip:
            skip |= {y.i for y in x.subtree}
    out: list[Token] = []
    for x in head.subtree:
        if x.i in skip:
            continue
        if x.i > head.i and x.text in (",", "—", "–", "(") and not _continues_list(x):
            break
        out.append(x)
    while out and out[-1].dep_ in ("punct", "cc") and out[-1].text not in (")", "%"):
        out.pop()
    return out


def _continues_list(comma: Token) -> bool:
    """Whether the words after this comma are the next item of a list ('a display, a battery and ...')."""
    nxt = comma.doc[comma.i + 1] if comma.i + 1 < len(comma.doc) else None
    if nxt is None:
        return False
    if nxt.dep_ in ("conj", "cc") or any(c.dep_ == "conj" for c in nxt.ancestors if c.i < comma.i):
        return True
    for a in [nxt, *nxt.ancestors]:  # 'a' -> 'battery' (conj of 'display', before the comma)
        if a.i < comma.i:
            return False
        if a.dep_ == "conj" and a.head.i < comma.i:
            return True
    return False


def _after_comma(token: Token) -> bool:
    first = token.left_edge
    return first.i > token.sent.start and token.doc[first.i - 1].text in (",", "—", "–")


def _participle(participle: Token, span: set[int]) -> list[Item]:
    """'Forge, based in Pittsburgh, ...' -> 'Forge is based in Pittsburgh'."""
    head_np = [x for x in noun_phrase(participle.head) if x.i not in span]
    plural = any(x.dep_ == "cc" for x in head_np) or participle.head.tag_ in ("NNS", "NNPS")
    stative = participle.lower_ in _STATIVE
    copula = ("are" if plural else "is") if stative else ("were" if plural else "was")
    return head_np + [copula] + [x for x in participle.subtree if x.i in span]


def _appositive(appos: Token, span: set[int], head: Token | None = None) -> list[list[Item]]:
    """What an appositive says about its head: 'X, a payroll software provider used by 30,000
    businesses,' -> 'X was used by 30,000 businesses' and 'X is a payroll software provider'."""
    head = appos.head if head is None else head
    head_np = [x for x in noun_phrase(head) if x.i not in span]
    doc, comma = head.doc, appos.left_edge.i - 1
    if (head.tag_ in ("NNP", "NNPS") or head.text[:1].isupper()) and head_np and comma > head.i \
            and doc[comma].text == ",":
        # 'Grok 3 mini, the larger model': the whole name before the comma, however the parser split it
        name = list(doc[head_np[0].i:comma])
        if len(name) <= 6 and all(x.tag_ in ("NNP", "NNPS", "CD", "NN", "JJ", "HYPH") for x in name):
            head_np = name
    plural = any(x.dep_ == "cc" for x in head_np) or head.tag_ in ("NNS", "NNPS")
    body = [x for x in appos.subtree if x.i in span]
    participle = next((c for c in appos.children if c.dep_ == "acl" and c.tag_ == "VBN"), None)
    if participle is not None:
        done = {x.i for x in participle.subtree}
        copula = ("are" if plural else "is") if participle.lower_ in _STATIVE else ("were" if plural else "was")
        out = [head_np + [copula] + [x for x in participle.subtree if x.i in span]]
        rest = [x for x in body if x.i not in done]
        if any(x.dep_ in ("compound", "amod") for x in rest):  # 'a payroll software provider', not 'the models'
            out.append(head_np + ["are" if plural else "is"] + rest)
        return out
    if _names_the_head(appos, head, span) and len(head_np) > 1:  # 'the security firm Gray Harbor' -> 'Gray Harbor is a ...'
        rest = head_np[1:]
        return [body + (["are"] if appos.tag_ == "NNPS" or plural else [indefinite(rest)]) + rest]
    return [head_np + ["are" if plural else "is"] + body]


def _names_the_head(appos: Token, head: Token, span: set[int]) -> bool:
    """'the security firm Gray Harbor': a name after a described common noun, with no comma between."""
    words = [x for x in appos.subtree if x.i in span and not x.is_punct]
    return (head.tag_ in ("NN", "NNS") and bool(words) and all(x.tag_ in ("NNP", "NNPS") for x in words)
            and appos.left_edge.i == head.i + 1 and any(c.lower_ == "the" for c in head.lefts))


def indefinite(descriptor: list) -> str:
    """'is a' or 'is an' by the sound of the first word ('an AI lab', 'a U.S. company', 'a unit')."""
    word = descriptor[0] if isinstance(descriptor[0], str) else descriptor[0].text
    low = word.lower()
    if word[:1].isupper() and (word.isupper() or "." in word):  # an initialism: letter names
        return "is an" if word[0] in "AEFHILMNORSX" else "is a"
    if low.startswith(("uni", "use", "usu", "eu", "one")):
        return "is a"
    return "is an" if low[:1] in ("a", "e", "i", "o", "u") or low.startswith("hour") else "is a"


def _fill_relative(piece: list[Item], rel: Token) -> list[Item]:
    """The relative clause with its pronoun replaced by the noun phrase it refers to."""
    head_np: list[Item] = list(noun_phrase(rel.head))
    pronoun = next((x for x in piece if not isinstance(x, str) and x.lower_ in _RELATIVES
                    and x.i <= rel.i and x.tag_ in ("WDT", "WP", "WP$", "WRB", "IN")), None)
    if pronoun is None:
        return piece
    out = [x for x in piece if not _same(x, pronoun)]
    if pronoun.lower_ in ("where", "when"):
        return _before_end(out, ["in"] + head_np)
    if pronoun.lower_ == "whose":
        return _replace(piece, pronoun, head_np + ["'s"])
    if pronoun.dep_ in _SUBJECTS:
        return _replace(piece, pronoun, head_np)
    if pronoun.dep_ == "pobj" and pronoun.head.dep_ == "prep":
        out = [x for x in out if not _same(x, pronoun.head)]
        return _before_end(out, [pronoun.head] + head_np)
    at = next((k + 1 for k, x in enumerate(out) if _same(x, rel)), len(out))
    return out[:at] + head_np + out[at:]


def _same(a: Item, b: Item) -> bool:
    return not isinstance(a, str) and not isinstance(b, str) and a.i == b.i


def _replace(piece: list[Item], old: Token, new: list[Item]) -> list[Item]:
    out: list[Item] = []
    for x in piece:
        out.extend(new if _same(x, old) else [x])
    return out


def _before_end(piece: list[Item], tail: list[Item]) -> list[Item]:
    if piece and not isinstance(piece[-1], str) and piece[-1].text in (".", "!"):
        return piece[:-1] + tail + piece[-1:]
    return piece + tail


def _conjuncts(np_tokens: list[Token], head: Token) -> list[list[Token]] | None:
    """Coordinated noun phrases ('Grok 3 and Grok 3 mini') split at their conjunctions, else None.

    Only a coordination of the phrase's own head or of its left modifiers counts: in '14 hospitals
    in Minnesota and Wisconsin' the phrase of 'Minnesota' is split, not that of 'hospitals'.
    """
    inside = {x.i for x in np_tokens}
    chain = {x.i for x in np_tokens if x.dep_ == "conj" and x.head.i in inside
             and x.tag_[:2] in ("NN", "CD") and x.head.tag_[:2] in ("NN", "CD")}
    if not chain or any(_first_conjunct(x).i > head.i for x in np_tokens if x.i in chain):
        return None
    heads = chain | {x.head.i for x in np_tokens if x.i in chain}
    parts: list[list[Token]] = [[]]
    for x in np_tokens:
        if x.dep_ == "cc" and x.head.i in heads:
            if x.lower_ not in ("and", "&"):
                return []
            parts.append([])
        elif (x.text == "," and x.head.i in heads) or x.dep_ == "preconj":
            parts.append([])
        else:
            parts[-1].append(x)
    parts = [p for p in parts if p]
    if len(parts) < 2:
        return None
    if any(p[0].lower_ in ("not", "no") for p in parts) or parts[-1][-1].lower_ in _NAME_ENDS:
        return []  # 'but not X', or one name ('National Oceanic and Atmospheric Administration')
    return parts


def _first_conjunct(token: Token) -> Token:
    while token.dep_ == "conj" and token.head.i != token.i:
        token = token.head
    return token


def expand(piece: list[Item]) -> list[list[Item]]:
    """One piece per combination of the conjuncts of coordinated subjects, objects and prepositional objects."""
    tokens = [x for x in piece if not isinstance(x, str)]
    present = {x.i for x in tokens}
    options: list[tuple[list[Token], list[list[Token]]]] = []
    taken: set[int] = set()
    for head in tokens:
        if head.i in taken or head.dep_ not in _SUBJECTS | {"dobj", "pobj", "attr"}:
            continue
        if head.dep_ in _SUBJECTS and (head.head.lower_.startswith(_RECIPROCAL) or any(
                c.dep_ == "attr" and c.tag_ == "NNS" for c in head.head.children)):
            continue  # 'X and Y partnered', 'X and Y are rivals'
        if head.dep_ == "pobj" and head.head.lower_ in ("between", "among", "from", "versus", "vs"):
            continue
        np_tokens = [x for x in noun_phrase(head) if x.i in present and x.i not in taken]
        parts = _conjuncts(np_tokens, head)
        if parts is not None:
            taken |= {x.i for x in np_tokens}
        if parts:
            options.append((np_tokens, parts))
    if not options:
        return [piece]
    variants: list[list[Item]] = []
    drop = {x.i for np, _ in options for x in np}
    subject_split = any(x.dep_ in _SUBJECTS for np, _ in options for x in np) or (
        not isinstance(piece[0], str) and piece[0].i in drop)  # an appositive piece: 'X and Y were ...'
    for choice in product(*(parts for _, parts in options)):
        replace = {np[0].i: part for (np, _), part in zip(options, choice)}
        out: list[Item] = []
        for x in piece:
            if isinstance(x, str) or x.i not in drop:
                word = x if isinstance(x, str) else x.lower_
                agree = subject_split and word in _SINGULAR and (isinstance(x, str) or x.tag_ in ("VBP", "VBD"))
                out.append(_SINGULAR[word] if agree else x)
            elif x.i in replace:
                out.extend(replace[x.i])
        variants.append(out)
        if len(variants) >= MAX_VARIANTS:
            break
    return variants
