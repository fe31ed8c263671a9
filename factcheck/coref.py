"""Rule-based decontextualization: pronouns and "the company" replaced by the entity they most likely mean.

Entities are runs of proper nouns (NNP/NNPS) from the tagger, typed by simple rules (or by spaCy's
NER when it ran): PERSON for he/she, ORG for "the company", the latest non-person subject for "it",
the latest coordinated proper-noun group for "they". Unresolvable pronouns are left as they are.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

_ORG_WORDS = {"inc", "corp", "corporation", "co", "ltd", "llc", "plc", "labs", "technologies", "group",
              "holdings", "systems", "networks", "semiconductor", "capital", "ventures", "partners",
              "bank", "university", "institute", "foundation", "motors", "software", "media", "studios",
              "ai", "research", "games", "electronics", "pharmaceuticals", "agency", "commission", "health",
              "energy", "nuclear", "data", "robotics", "autonomy", "security", "space", "aerospace",
              "mobility", "therapeutics", "insights", "analytics", "payments", "financial", "telecom",
              "communications", "airlines", "automotive", "devices", "dynamics", "industries", "solutions",
              "platforms", "interactive", "entertainment", "orbital", "launch", "cloud", "robotics",
              "department", "office", "authority", "court"}
_NOT_NAME = {"cloud", "foundry", "search", "studio", "pro", "max", "mini", "ultra", "plus", "air", "vision",
             "store", "play", "services", "office", "windows", "drive", "teams", "center", "lab", "street",
             "valley", "house", "court", "department", "ministry", "union", "states", "kingdom", "city",
             "model", "chat", "assistant", "app", "phone", "watch", "pay", "prime", "day", "news", "times"}
_TITLES = {"ceo", "founder", "cofounder", "co-founder", "chief", "president", "executive", "analyst",
           "director", "mr.", "ms.", "mrs.", "dr.", "sen.", "rep.", "chairman", "chairwoman", "minister",
           "spokesperson", "spokesman", "spokeswoman", "officer", "head", "professor", "engineer", "cto"}
_COMPANY_NOUNS = {"company", "firm", "startup", "start-up", "chipmaker", "automaker", "carmaker", "giant", "app",
                  "service", "platform", "publisher", "operator", "provider", "maker", "developer", "network",
                  "lab", "retailer", "manufacturer", "group"}
_CALENDAR = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january",
             "february", "march", "april", "may", "june", "july", "august", "september", "october",
             "november", "december", "jan.", "feb.", "aug.", "sept.", "oct.", "nov.", "dec."}
_OWNED = {"shares", "stock", "revenue", "sales", "employees", "staff", "workforce", "headquarters", "lander",
          "rocket", "model", "models", "chips", "chip", "app", "platform", "service", "network", "plant",
          "studio", "products", "product", "customers", "users", "subscribers", "board", "ceo", "founder",
          "executive", "spokesperson", "spokesman", "spokeswoman", "software", "devices", "factory",
          "processor", "fleet", "vehicles", "market", "profit", "valuation", "investors", "deal", "subsidiary"}
_SAY = {"say", "said", "announce", "announced", "tell", "told", "confirm", "confirmed", "add", "added",
        "state", "stated", "expect", "expected", "warn", "warned", "report", "reported"}
_PLACE_PREPS = {"on", "in", "at", "near", "across", "throughout", "outside", "inside", "from", "to", "into"}
_REGULATOR_NOUNS = {"regulator", "agency", "commission", "watchdog", "authority"}
_REGULATOR_WORDS = {"commission", "administration", "authority", "agency", "department", "regulator", "ministry",
                    "office", "board", "court", "ftc", "fcc", "sec", "nhtsa", "faa"}
_PRODUCT_NOUNS = {"model", "phone", "smartphone", "rocket", "lander", "processor", "chip", "device", "vehicle",
                  "car", "headset", "chatbot", "database", "satellite", "spacecraft", "drug", "console"}
_EVENT_NOUNS = {"outage", "investigation", "probe", "deal", "agreement", "acquisition", "merger", "lawsuit", "suit",
                "settlement", "recall", "breach", "hack", "attack", "layoffs", "partnership", "contract", "offering",
                "program", "programme", "change", "fine", "ruling", "launch", "rollout", "update", "redesign",
                "restructuring", "deployment", "expansion", "investment", "cuts", "shutdown", "strike", "ban"}
_VERSIONS = {"versions", "releases", "editions", "updates", "builds"}  # of a product, when said bare
_TRIGGERS = {"he", "him", "his", "she", "her", "hers", "it", "its", "they", "them", "their"}
_PERSON_PRONOUNS = {"he", "him", "his", "she", "her", "hers"}
_EXPLETIVE = re.compile(r"^(is|was|'s|remains|remained|seems|seemed|appears|appeared|has been|had been)"
                        r"( not| still)? \w+( \w+)? (whether|that|if|to|how|why|what|when|who)\b", re.I)


class Memory:
    """Entities seen so far in one article, most recent last, and the pronoun substitutions they give."""

    def __init__(self, use_ner: bool = False):
        self.use_ner = use_ner
        self.persons: list[str] = []
        self.orgs: list[str] = []
        self.things: list[str] = []
        self.plurals: list[str] = []
        self.products: list[str] = []
        self.surnames: dict[str, str] = {}
        self.product_names: set[str] = set()
        self.full_names: dict[str, str] = {}  # 'Tern' -> "Harbor Orbital's Tern lander" (first full mention)
        self.aliases: dict[str, str] = {}     # 'Corvane' -> 'Corvane Semiconductor' (short name of an organisation)
        self.owned: dict[str, str] = {}   # 'plant' -> 'Corvane Semiconductor' (who built / has it)
        self.mentions: dict[str, str] = {}  # 'robots' -> "Forge Robotics' Anvil humanoid" (its named modifiers)
        self.org_counts: dict[str, int] = {}  # how often each organisation was named: the article's lead one
        self.year: int | None = None
        self.last_thing: str | None = None  # the previous sentence's subject when it is 'the <thing>'

    def resolve(self, doc: Doc) -> dict[int, str]:
        """Token index -> replacement text for the resolvable pronouns and company nouns of `doc`."""
        ranked = _salient_last([(c, self._kind(c)) for c in proper_chains(doc)])
        subs: dict[int, str] = {}
        for t in doc:
            low = t.lower_
            if low not in _TRIGGERS and low not in _COMPANY_NOUNS and low not in _VERSIONS and not (
                    t.tag_ in ("NN", "NNS") and t.i > 0 and (doc[t.i - 1].lower_ == "the" or doc[t.i - 1].tag_ == "JJ")):
                continue
            before = [(c, k) for c, k in ranked if c[-1].i < t.i]
            if low in _PERSON_PRONOUNS and t.tag_ in ("PRP", "PRP$"):
                name = _latest([self._name(c) for c, k in before if k == "PERSON"], self.persons)
                if name:
                    subs[t.i] = possessive(name) if t.tag_ == "PRP$" or low == "his" else name
            elif low == "it" and t.dep_ == "nsubj" and (event := _event_attribute(t)) is not None:
                subs[t.i] = "the " + event  # 'It was the second major outage' -> 'the outage'
            elif low in ("it", "its") and not self._expletive(t):
                name = self._it(t, before, subs)
                if name:
                    subs[t.i] = possessive(name) if low == "its" else name
            elif low == "they" and t.dep_ == "nsubj" and t.head.dep_ == "ccomp" and t.head.head.lower_ in _SAY \
                    and (speaker := _speaker(t.head.head, t.i)) is not None:
                subs[t.i] = speaker  # 'Finnish police said they had detained a ship'
            elif low in ("they", "them", "their") and t.tag_ in ("PRP", "PRP$"):
                groups = [g for g in coordinated_groups(doc) if g[-1].i < t.i]
                name = _text(groups[-1]) if groups else (self.plurals[-1] if self.plurals else None)
                if name:
                    subs[t.i] = possessive(name) if low == "their" else name
            elif t.i > 0 and doc[t.i - 1].lower_ == "the" and t.dep_ not in ("appos", "compound") and t.tag_ == "NN" \
                    and not (_after_name_comma(doc, t.i - 1) and t.dep_ != "poss") \
                    and (name := self._described(low, before)) and name not in _clause_subject(t, subs):
                if name in self.mentions.get(low, "") and low not in _COMPANY_NOUNS:
                    subs[t.i - 1] = self.mentions[low]  # 'The rocket' -> "Aurelia Launch's Kestrel 2 rocket"
                else:
                    subs[t.i - 1], subs[t.i] = name, ""
            elif low in ("company", "companies") and t.i > 0 and doc[t.i - 1].lower_ in ("neither", "both", "two") \
                    and (pair := self._pair()):
                first, second = pair  # 'Neither company' -> 'Neither Atlas Data nor Pinecrest Nuclear'
                joiner = " nor " if doc[t.i - 1].lower_ == "neither" else " and "
                start = t.i - 2 if doc[t.i - 1].lower_ == "two" and t.i > 1 and doc[t.i - 2].lower_ == "the" else t.i - 1
                lead = doc[t.i - 1].text if doc[t.i - 1].lower_ != "two" else ""
                subs.update({i: "" for i in range(start, t.i + 1)})
                subs[start] = f"{lead} {first}{joiner}{second}".strip()
            elif (t.i > 0 and doc[t.i - 1].lower_ == "the" and t.dep_ not in ("appos", "pobj") and t.tag_ == "NN"
                  and low in _EVENT_NOUNS and low not in self.mentions and [c.i for c in t.lefts] == [t.i - 1]
                  and not any(c.dep_ in ("prep", "acl", "relcl") for c in t.rights) and (lead := self._lead_org())):
                subs[t.i - 1] = doc[t.i - 1].text + " " + lead  # 'The outage' -> 'The Paylark outage'
            elif t.i > 0 and doc[t.i - 1].lower_ == "the" and t.dep_ != "appos" and t.tag_ in ("NN", "NNS") \
                    and low in self.mentions and [c.i for c in t.lefts] == [t.i - 1]:
                # 'The robots' -> "Forge Robotics' Anvil humanoid robots", as an earlier sentence named them
                subs[t.i - 1] = ("The " if t.i == 1 and self.mentions[low][0].islower() else "") + self.mentions[low]
            elif t.dep_ != "appos" and (owner := self._owner(t)) is not None:
                subs[owner] = self.mentions[low]  # 'The first reactor' -> "Pinecrest Nuclear's first reactor"
            elif t.i > 0 and doc[t.i - 1].lower_ == "the" and t.dep_ != "appos" and t.tag_ == "NN":
                if t.i == 1 and t.dep_ in ("nsubj", "nsubjpass") and low in self.owned \
                        and not any(c.dep_ in ("compound", "amod", "poss") for c in t.lefts):
                    subs[0] = possessive(self.owned[low])  # 'The plant' -> "Corvane's plant"
            elif t.tag_ == "NN" and low in _COMPANY_NOUNS and t.dep_ in ("nsubj", "nsubjpass", "dobj", "dative") \
                    and (first := _described_np(t)) is not None \
                    and not (t.i + 1 < len(doc) and doc[t.i + 1].tag_ in ("NNP", "NNPS")):
                # 'the U.S. advertising technology company' -> the company's name (unless the name follows:
                # 'the dating app Glimmer', or is the place in 'the Berkeley-based company'); as an object,
                # never the name of its own clause's subject ('X acquired the gaming company' is another company)
                name = self._described(low, [(c, k) for c, k in before if c[0].i < first])
                if name and name not in _clause_subject(t, subs):
                    subs.update({i: "" for i in range(first, t.i + 1)})
                    subs[first] = name
            elif low in _VERSIONS and t.tag_ == "NNS" and [c.dep_ for c in t.lefts] == ["amod"] \
                    and not any(c.dep_ == "prep" for c in t.rights) and (product := self._product(doc[:t.i])):
                subs[t.i] = f"{t.text} of {product}"  # 'Existing releases remain' -> 'Existing releases of KelpieDB'

        # An organisation's short name gets its full name ('Corvane' -> 'Corvane Semiconductor'), as a
        # pronoun resolved to it does ('Norrland said it ...').
        for i, name in subs.items():
            short = name.removesuffix("'s")
            if short in self.aliases:
                subs[i] = possessive(self.aliases[short]) if short != name else self.aliases[short]
        for chain in proper_chains(doc):
            if len(chain) == 1 and chain[0].text in self.aliases and chain[0].i not in subs:
                subs[chain[0].i] = self.aliases[chain[0].text]
        # A product named bare as the subject ('Tern launched ...') gets its first full mention.
        for chain, kind in ranked:
            name = _text(chain)
            if (chain[0].i == 0 and name in self.full_names and chain[-1].dep_ in ("nsubj", "nsubjpass")
                    and not any(i in subs for i in range(chain[0].i, chain[-1].i + 1))):
                subs.update({x.i: "" for x in chain})
                subs[chain[0].i] = self.full_names[name]
        self._subs = subs
        return subs

    def _product(self, before) -> str | None:
        """The product named last ('the open-source KelpieDB database'), in the tokens before or earlier."""
        named = [t for t in before if t.text[:1].isupper() and t.i + 1 < len(t.doc)
                 and t.doc[t.i + 1].lower_ in _PRODUCT_NOUNS]  # 'KelpieDB' may be tagged anything
        if named:
            return named[-1].text
        return next(reversed(self.full_names), None)

    def _owner(self, noun: Token) -> int | None:
        """Index of 'the' in 'the <adjectives> <noun>' when an earlier sentence said whose the noun is
        ("reactors built by Pinecrest Nuclear": 'the first reactor' is Pinecrest Nuclear's); else None."""
        left = list(noun.lefts)
        owner = self.mentions.get(noun.lower_, "")
        if len(left) < 2 or left[0].lower_ != "the" or not owner.endswith(("'s", "'")) or noun.i == 0 \
                or left[-1].i != noun.i - 1 or not all(c.dep_ == "amod" and c.tag_ == "JJ" for c in left[1:]):
            return None
        return left[0].i

    def _lead_org(self) -> str | None:
        """The organisation the article names most (not a regulator), the earliest on a tie."""
        counts = {o: n for o, n in self.org_counts.items() if not _regulator(o)}
        return max(counts, key=counts.get) if counts else None

    def _pair(self) -> tuple[str, str] | None:
        """The two companies a 'neither company' / 'both companies' means: the latest pair named
        together, else the two latest organisations (no regulators)."""
        for group in reversed(self.plurals):
            names = [self.aliases.get(n.strip(), n.strip()) for n in re.split(r",| and ", group) if n.strip()]
            if len(names) == 2:
                return names[0], names[1]
        orgs = [o for o in self.orgs if not _regulator(o)]
        return (orgs[-2], orgs[-1]) if len(orgs) >= 2 else None

    def _described(self, noun: str, before: list) -> str | None:
        """'the company' -> the latest organisation, 'the regulator' -> the latest regulator,
        'the model' -> the latest product name; None for other nouns."""
        if noun in _COMPANY_NOUNS:  # a company, not the regulator or court acting on it
            return _latest([_text(c) for c, k in before if k == "ORG" and not _regulator(_text(c))],
                           [o for o in self.orgs if not _regulator(o)])
        if noun in _REGULATOR_NOUNS:
            regulators = [o for o in self.orgs if set(o.lower().split()) & _REGULATOR_WORDS]
            return _latest([_text(c) for c, k in before if k == "ORG" and {x.lower_ for x in c} & _REGULATOR_WORDS],
                           regulators)
        if noun in _PRODUCT_NOUNS:
            return _latest([_text(c) for c, k in before if k == "THING"], self.products)
        return None

    def _it(self, t: Token, before: list, subs: dict[int, str]) -> str | None:
        """'it'/'its': the subject of its own clause for 'its', never that subject for 'it' as an object."""
        verb, subject, shared = None, None, False
        for a in t.ancestors:  # 'by favoring its own exchange': the subject of the verb it hangs on
            if a.tag_.startswith("VB"):
                verb = verb or a
                subject = next((c for c in a.children if c.dep_ in ("nsubj", "nsubjpass")), None)
                if subject is None and (a.dep_ == "conj" or t.lower_ == "it" and a.dep_ in ("advcl", "xcomp")) \
                        and a.head.tag_.startswith("VB"):
                    # 'will host Grok 3 and offer it', 'released Tide-3, making it available': the subject
                    # the verb shares with the verb it hangs on
                    subject = next((c for c in a.head.children if c.dep_ in ("nsubj", "nsubjpass")), None)
                    shared = a.dep_ == "advcl"
                if subject is not None or t.lower_ != "its" or a.dep_ not in ("pcomp", "xcomp", "advcl"):
                    break
        if shared and subject is not None and not any(k == "THING" and subject.i not in {x.i for x in c}
                                                      for c, k in before):
            subject = None  # 'raised money, valuing it at $5 billion': an -ing clause's 'it' is a named product
        if subject is not None and subject.i < t.i and t.i not in {x.i for x in subject.subtree}:
            if t.lower_ == "its":
                if subject.i in subs:
                    name = _substituted(subs, subject.i)
                    return name.removesuffix("'s").removesuffix("'") or None
                own = [c for c, k in before if subject.i in {x.i for x in c}]
                return _text(own[-1]) if own else None
            before = [(c, k) for c, k in before if subject.i not in {x.i for x in c}]
        if t.lower_ == "it" and t.dep_ == "nsubj" and verb is not None and verb.dep_ == "ccomp" \
                and verb.head.lower_ in _SAY:  # 'X said it would appeal': X
            speaker = next((c for c in verb.head.children if c.dep_ == "nsubj" and c.i < t.i), None)
            if speaker is not None:
                if speaker.i in subs and _substituted(subs, speaker.i):
                    return _substituted(subs, speaker.i)
                phrase = [x for x in speaker.subtree if x.i <= speaker.i]
                own = [c for c, k in before if {x.i for x in phrase} & {x.i for x in c}
                       and k not in ("PERSON", "PLACE")]
                named_group = (phrase[0].lower_ == "the" and len(phrase) > 2 and speaker.lower_ not in _TITLES
                               and all(x.dep_ in ("det", "compound", "amod") for x in phrase[:-1])
                               and any(x.tag_ in ("NNP", "NNPS") for x in phrase))
                if named_group:
                    return "the " + _text(phrase[1:])  # 'the Teamsters union'
                if own:
                    return _text(own[-1])
        earlier = [v for i, v in sorted(subs.items()) if i < t.i and t.doc[i].lower_ == "it"]
        if t.lower_ == "its" and earlier:
            return earlier[-1]
        if t.lower_ == "it" and t.dep_ == "dobj" and verb is not None and verb.dep_ == "conj":
            # 'end its partnership ... and replace it': the first verb's object
            first = next((c for c in verb.head.children if c.dep_ == "dobj" and c.tag_ in ("NN", "NNS")), None)
            if first is not None:
                words = [x for c in first.lefts if c.dep_ != "det" for x in c.subtree] + [first]
                det = next((c for c in first.lefts if c.dep_ == "det"), None)
                text = _rendered(words, subs)
                return f"{det.lower_} {text}" if det is not None and not text[:1].isupper() else text
        things = [_text(c) for c, k in before if k not in ("PERSON", "PLACE")]  # named earlier in the sentence
        main = _main_subject(t.sent)
        if t.lower_ == "it" and main is not None and main.i < t.i and main is not subject and not things \
                and t.i not in {x.i for x in main.subtree}:
            return "the " + _text([x for x in main.lefts if x.dep_ in ("compound", "amod")] + [main])  # 'A model ... train it'
        if t.lower_ == "it" and self.last_thing and not things:
            return self.last_thing  # 'The voluntary code missed its target. ... sign it': the code
        if t.lower_ == "it" and subject is not None and things and (  # 'making it available': an object too
                t.dep_ in ("dobj", "dative") or t.dep_ == "nsubj" and not t.head.tag_.startswith("VB")):
            return things[-1]  # an object 'it' is not its clause's subject: the latest other thing before it
        return _latest([_text(c) for c, k in before if k not in ("PERSON", "PLACE") and _is_subject(c)],
                       self.things)

    def update(self, doc: Doc) -> None:
        """Remember the entities of a processed sentence."""
        for t in doc:  # 'Tern lander', 'Nova 9 smartphone': the name is a product's
            if t.tag_ == "NN" and t.lower_ in _PRODUCT_NOUNS and t.i > 0 and (
                    doc[t.i - 1].tag_ in ("NNP", "CD") or doc[t.i - 1].text[:1].isupper()):
                start = t.i - 1
                while start > 0 and doc[start - 1].tag_ in ("NNP", "NNPS", "CD") and doc[start - 1].dep_ == "compound":
                    start -= 1
                name = doc[start:t.i].text
                self.product_names.add(name)
                owner = doc[start - 2:start] if start >= 2 and doc[start - 1].tag_ == "POS" else None
                if owner is not None and owner[0].tag_ in ("NNP", "NNPS"):  # "Harbor Orbital's Tern lander"
                    first = owner[0].i
                    while first > 0 and doc[first - 1].tag_ in ("NNP", "NNPS") and doc[first - 1].dep_ == "compound":
                        first -= 1
                    self.full_names.setdefault(name, doc[first:t.i + 1].text)
                else:
                    self.full_names.setdefault(name, doc[start:t.i + 1].text)  # 'the Tern lander'

        for chain, kind in _salient_last([(c, self._kind(c)) for c in proper_chains(doc)]):
            if kind == "PERSON":
                name = self._name(chain)
                _push(self.persons, name)
                if " " in name:
                    self.surnames[name.split()[-1]] = name
            elif kind == "ORG":
                name = self.aliases.get(_text(chain)) or _with_country(chain)  # 'Atlas' is 'Atlas Data' seen before
                _push(self.orgs, name)
                self.org_counts[name] = self.org_counts.get(name, 0) + 1
                words = [t.text for t in chain]
                if 2 <= len(words) <= 3 and words[-1].lower() in _ORG_WORDS and words[0].isalpha() \
                        and words[0].lower() not in _ORG_WORDS and words[0][0].isupper():
                    self.aliases.setdefault(words[0], _text(chain))
            elif kind == "THING":
                _push(self.products, _text(chain))
            if kind != "PERSON" and _is_subject(chain):
                _push(self.things, _text(chain))
        subjects = {c[-1].head.i: _text(c) for c, k in _salient_last([(c, self._kind(c)) for c in proper_chains(doc)
                                                                      if c[-1].dep_ == "nsubj"])
                    if k == "ORG" and not _regulator(_text(c))}
        resolved = getattr(self, "_subs", {})
        subjects.update({t.head.i: resolved[t.i] for t in doc if t.dep_ == "nsubj" and resolved.get(t.i)
                         and t.lower_ in ("it", "company", "firm") and resolved[t.i] in self.orgs
                         and not _regulator(resolved[t.i])})
        for t in doc:  # what an organisation builds, signs or owns, for a later 'the <noun>'
            if t.tag_ in ("NN", "NNS") and t.dep_ == "dobj" and t.head.i in subjects:
                self.owned[t.lower_] = subjects[t.head.i]
        groups = coordinated_groups(doc)
        if groups:
            _push(self.plurals, _text(groups[-1]))
        self.last_thing = None
        main = _main_subject(next(iter(doc.sents))) if len(doc) else None
        if main is not None and main.i not in resolved and any(c.dep_ == "det" and c.lower_ == "the" for c in main.lefts):
            text = _rendered([x for c in main.lefts for x in c.subtree] + [main], resolved)
            self.last_thing = "the" + text[3:] if text.startswith("The ") else text  # 'the voluntary code'
        chains = {c[-1].i: c for c in proper_chains(doc)}
        for t in doc:  # common nouns that proper nouns modify, for a later bare 'the <noun>'
            if t.tag_ not in ("NN", "NNS", "VBZ") or t.lower_ in _COMPANY_NOUNS or t.dep_ == "compound":
                continue
            given = _recipient(t) or _maker(t)
            if given is not None and (given.i in chains or (given.lower_ in ("it", "them") and resolved.get(given.i))):
                # 'granted Vireo a permit', 'granted it licenses', 'reactors built by Pinecrest Nuclear' ->
                # "Vireo's permit", "Tessellate's licenses", "Pinecrest Nuclear's reactor(s)"
                owner = _text(chains[given.i]) if given.i in chains else resolved[given.i]
                self.mentions[t.lower_] = possessive(owner)
                if t.tag_ == "NNS" and t.lower_.endswith("s"):
                    self.mentions.setdefault(t.lower_[:-1], possessive(owner))  # 'the first reactor'
                continue
            if t.tag_ == "VBZ":
                continue
            mods = [c for c in t.lefts if c.dep_ in ("compound", "poss", "amod", "nmod")]
            words = [x for c in mods for x in c.subtree]
            if mods and words[-1].i == t.i - 1 and any(x.tag_ in ("NNP", "NNPS") or resolved.get(x.i) for x in words) \
                    and not any(x.tag_ in ("PRP", "PRP$") and not resolved.get(x.i) for x in words):
                self.mentions[t.lower_] = _rendered(words, resolved)

    def _name(self, chain: list[Token]) -> str:
        text = _text(chain)
        return self.surnames.get(text, text)

    def _kind(self, chain: list[Token]) -> str:
        if self.use_ner and chain[-1].ent_type_:
            label = chain[-1].ent_type_
            return "PERSON" if label == "PERSON" else "ORG" if label == "ORG" else "THING"
        words = [t.text for t in chain]
        lowered = {w.lower().rstrip(".") for w in words}
        if lowered & _ORG_WORDS:
            return "ORG"
        last = chain[-1]
        while last.dep_ in ("conj", "appos") and last.head.tag_ in ("NNP", "NNPS"):
            last = last.head
        if last.dep_ == "pobj" and last.head.lower_ in _PLACE_PREPS:
            return "PLACE"
        if _text(chain) in self.surnames or _text(chain) in self.persons:
            return "PERSON"
        if _text(chain) in self.product_names:
            return "THING"
        doc = chain[0].doc
        after = {t.lower_ for t in doc[chain[-1].i + 1:chain[-1].i + 5]}
        if (chain[-1].i + 1 < len(doc) and doc[chain[-1].i + 1].tag_ == "POS" and after & _OWNED) or (
                chain[0].i > 0 and doc[chain[0].i - 1].lower_ == "the"):
            return "ORG"
        context = {t.lower_ for t in doc[max(0, chain[0].i - 3):chain[0].i]}
        if chain[-1].i + 2 < len(doc) and doc[chain[-1].i + 1].text == ",":
            context |= {t.lower_ for t in doc[chain[-1].i + 2:chain[-1].i + 6]}
        titled = all(w.isalpha() and w[0].isupper() and (w[1:].islower() or len(w) == 1) for w in words)
        if titled and 2 <= len(words) <= 3 and not lowered & _NOT_NAME and words[0] != "The":
            return "PERSON"
        if titled and context & _TITLES and len(words) <= 3:
            return "PERSON"
        if len(words) == 1 and words[0].isalpha():
            return "ORG"
        return "THING"

    @staticmethod
    def _expletive(t: Token) -> bool:
        if t.dep_ == "expl":
            return True
        rest = t.doc[t.i + 1:t.i + 8].text
        return t.lower_ == "it" and bool(_EXPLETIVE.match(rest))


def proper_chains(doc: Doc) -> list[list[Token]]:
    """Runs of proper nouns, with a trailing number ('Grok 3'), split at titles ('Microsoft CEO Satya
    Nadella'), without those that only modify a common noun ('the Build conference').

    Computed once per parsed sentence (kept in the Doc's user_data): resolving and remembering a
    sentence ask for them several times, and the walk over the tokens is the costly part."""
    cached = doc.user_data.get(_CHAINS_KEY)
    if cached is not None:
        return cached
    chains: list[list[Token]] = []
    current: list[Token] = []
    skip = _CALENDAR | _TITLES
    for t in list(doc) + [None]:
        hyphen = bool(current) and current[-1].text == "-"
        tag = t.tag_ if t is not None else ""
        name_like = t is not None and (tag in ("NNP", "NNPS") or (
            tag == "CD" and t.text[:1].isupper() and any(c.isalpha() for c in t.text)))  # 'Tide-3'
        if t is not None and ((name_like and t.lower_ not in skip) or (
                current and tag == "CD" and (hyphen or any(t.head.i == c.i for c in current))) or (
                current and t.text == "-" and not current[-1].whitespace_)):
            current.append(t)
            continue
        if hyphen:
            current.pop()
        last = current[-1] if current else None
        if last is not None and not (last.dep_ == "compound" and last.head.tag_ in ("NN", "NNS")):
            chains.append(current)
        current = []
    doc.user_data[_CHAINS_KEY] = chains
    return chains


_CHAINS_KEY = "factcheck.proper_chains"


def coordinated_groups(doc: Doc) -> list[list[Token]]:
    """Proper-noun phrases joined by 'and' ('Grok 3 and Grok 3 mini'), in order."""
    groups = []
    for t in doc:
        if t.dep_ == "cc" and t.lower_ == "and":
            left = [x for x in doc[max(0, t.i - 4):t.i] if x.tag_ in ("NNP", "NNPS", "CD")]
            right = []
            for x in doc[t.i + 1:t.i + 6]:
                if x.tag_ not in ("NNP", "NNPS", "CD", "NN") or (x.tag_ == "NN" and not right):
                    break
                right.append(x)
            if left and right and doc[t.i - 1].tag_ in ("NNP", "NNPS", "CD") and right[0].tag_ != "CD":
                start = left[-1].i
                while start > 0 and doc[start - 1].tag_ in ("NNP", "NNPS", "CD"):
                    start -= 1
                groups.append(list(doc[start:right[-1].i + 1]))
    return groups


def _main_subject(sent) -> Token | None:
    """The main clause's subject when it is a common singular noun other than a company word ('a model')."""
    main = next((c for c in sent.root.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    return main if main is not None and main.tag_ == "NN" and main.lower_ not in _COMPANY_NOUNS else None


_GIVING = {"granted", "gave", "awarded", "issued", "offered", "sent", "handed", "sold", "lent", "promised"}


def _recipient(noun: Token) -> Token | None:
    """Who was given the bare noun: 'granted Vireo a permit', and 'granted it licenses', which the small
    parser reads as a clause 'it licenses (to resume ...)'."""
    if noun.tag_ in ("NN", "NNS"):
        if noun.dep_ != "dobj" or any(c.dep_ != "det" for c in noun.lefts):
            return None
        return next((c for c in noun.head.children if c.dep_ == "dative"), None)
    before = noun.doc[noun.i - 1] if noun.i > 0 else None
    if noun.tag_ == "VBZ" and noun.head.lower_ in _GIVING and before is not None and before.dep_ == "nsubj" \
            and before.head.i == noun.i and before.tag_ in ("PRP", "NNP", "NNPS"):
        return before
    return None


_MAKING = {"built", "made", "developed", "designed", "operated", "owned", "run", "produced", "manufactured"}


def _maker(noun: Token) -> Token | None:
    """Whose the noun is by a participle: 'reactors built by Pinecrest Nuclear', 'warehouses run by X'."""
    if noun.tag_ not in ("NN", "NNS") or not noun.n_rights:
        return None
    made = next((c for c in noun.rights if c.dep_ == "acl" and c.lower_ in _MAKING), None)
    by = next((c for c in made.children if c.dep_ == "agent"), None) if made is not None else None
    return next((c for c in by.children if c.dep_ == "pobj"), None) if by is not None else None


def _clause_subject(t: Token, subs: dict[int, str]) -> set[str]:
    """For an object noun ('acquired the startup', 'partnered with the startup'): its clause's subject as
    written and as substituted so far ('it' -> 'Orchard'), which the object cannot be; else nothing."""
    verb = t.head.head if t.dep_ == "pobj" and t.head.dep_ == "prep" else t.head
    if t.dep_ not in ("dobj", "dative", "pobj"):
        return set()
    subject = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if subject is None and verb.dep_ in ("xcomp", "conj"):  # 'plans to buy the startup'
        subject = next((c for c in verb.head.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if subject is None:
        return set()
    return {_text([x for x in subject.subtree if x.i <= subject.i]), _text([subject]), _substituted(subs, subject.i)}


def _event_attribute(it: Token) -> str | None:
    """'It was the second major Paylark outage': the event noun that 'it' is said to be ('outage')."""
    verb = it.head
    if verb.lower_ not in ("is", "was", "'s"):  # no lemmatizer in the pipeline: the forms 'it' takes
        return None
    attr = next((c for c in verb.children if c.dep_ == "attr" and c.tag_ == "NN"), None)
    return attr.lower_ if attr is not None and attr.lower_ in _EVENT_NOUNS else None


def _speaker(verb: Token, before: int) -> str | None:
    """The plural subject of a reporting verb, as written ('Finnish police', 'the two companies')."""
    subject = next((c for c in verb.children if c.dep_ == "nsubj" and c.i < before), None)
    if subject is None or subject.tag_ not in ("NNS", "NNPS") and subject.lower_ not in ("police", "people"):
        return None
    phrase = [x for x in subject.subtree if x.i <= subject.i]
    if any(x.tag_ == "CD" or x.lower_ in ("some", "many", "several", "most", "few", "all", "least") for x in phrase):
        return None  # 'At least 20 companies said they ...': repeating a count reads as another claim
    text = _text(phrase)
    return text[0].lower() + text[1:] if phrase[0].lower_ == "the" else text


def _with_country(chain: list[Token]) -> str:
    """A regulator's name with the country that owns it: "Ireland's Data Protection Commission"."""
    doc, first = chain[0].doc, chain[0].i
    if _regulator(_text(chain)) and first >= 2 and doc[first - 1].tag_ == "POS" \
            and doc[first - 2].tag_ == "NNP" and doc[first - 2].dep_ == "poss" and doc[first - 2].head.i == chain[-1].i:
        return f"{doc[first - 2].text}'s {_text(chain)}"
    return _text(chain)


def _after_name_comma(doc: Doc, i: int) -> bool:
    """Whether token i follows '<Name> ,': 'Kelpie, the company behind ...' is an appositive, whatever
    the parser says."""
    # ', the company announced' is a clause of its own: its noun is followed by the verb
    noun = next((x for x in doc[i + 1:i + 3] if x.tag_ in ("NN", "NNS")), None)
    if noun is not None and noun.i + 1 < len(doc) and doc[noun.i + 1].tag_.startswith("VB"):
        return False
    return i >= 2 and doc[i - 1].text == "," and doc[i - 2].tag_ in ("NNP", "NNPS")


def _rendered(tokens: list[Token], subs: dict[int, str]) -> str:
    """The tokens' text with the substitutions of their sentence applied."""
    out = []
    for k, x in enumerate(tokens):
        word = subs.get(x.i, x.text)
        if word:
            out.append(word + (x.whitespace_ if k < len(tokens) - 1 else ""))
    return "".join(out).replace(" 's", "'s").strip()


def _substituted(subs: dict[int, str], i: int) -> str:
    """The replacement text of the substituted run of tokens that ends at or covers token i."""
    first = i
    while first - 1 in subs and not subs[first]:
        first -= 1
    if not subs.get(first) and first - 1 in subs:
        first -= 1
    return subs.get(first, "")


def _described_np(noun: Token) -> int | None:
    """Index of 'the' in 'the <modifiers> company' (compound / adjective modifiers and their words only), else None."""
    left = list(noun.lefts)
    if not left or left[0].lower_ != "the" or left[0].dep_ != "det":
        return None
    inner = {x.i for x in noun.doc[left[0].i + 1:noun.i]}
    mods = {x.i for c in left[1:] if c.dep_ in ("compound", "amod", "nmod") for x in c.subtree}
    if not inner <= mods:  # 'the U.S. advertising technology company', 'the Berkeley-based company'
        return None
    return left[0].i


def _regulator(name: str) -> bool:
    return bool(set(name.lower().split()) & _REGULATOR_WORDS)


def possessive(name: str) -> str:
    """'Nvidia' -> "Nvidia's", 'Forge Robotics' -> "Forge Robotics'"."""
    return name + "'" if name.endswith("s") else name + "'s"


def _salient_last(chains: list[tuple[list[Token], str]]) -> list[tuple[list[Token], str]]:
    """Chains in order, but subjects after the rest and the main clause's subject last: a later
    pronoun most often means the subject."""
    return sorted(chains, key=_salience)


def _salience(item: tuple[list[Token], str]) -> int:
    chain = item[0]
    if not _is_subject(chain):
        return 0
    return 2 if any(t.head.i == t.sent.root.i for t in chain if t.dep_ in ("nsubj", "nsubjpass")) else 1


def _is_subject(chain: list[Token]) -> bool:
    return any(t.dep_ in ("nsubj", "nsubjpass") for t in chain)


def _text(tokens: list[Token]) -> str:
    return "".join(t.text + t.whitespace_ for t in tokens).strip().removesuffix(" 's")


def _latest(in_sentence: list[str], remembered: list[str]) -> str | None:
    if in_sentence:
        return in_sentence[-1]
    return remembered[-1] if remembered else None


def _push(items: list[str], name: str) -> None:
    if name in items:
        items.remove(name)
    items.append(name)
    del items[:-20]
