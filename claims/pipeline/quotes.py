"""Quotations and their speakers.

A speaker comes from the reporting clause around the quotation, in either order
("..., Mr. Fox said", "said Mr. Fox", "Mr. Fox, the mayor, said: ...", "..., according
to Fox"), from an Embed covering the quotation, or from the previous quotation when a
bare one continues it. What the clause names is checked: a speaker is a name (titles and
honorifics stripped), an organisation, a description ("the governor") or a pronoun, never
a fragment ("He then", "when he", "Another"). A description becomes the person the article
named with it earlier when exactly one fits ("the governor" after "Gov. Jane Roe"); a
pronoun becomes the person the article was last about, skipping people of the other sex
when the article says (Mr./Ms., a first name, an earlier "she"); with nobody to point to,
the speaker is left empty rather than guessed. The words that named the speaker stay in
the quotation's ``evidence`` (with their body offsets).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from .attribution import normalise_source
from .text import STOPWORDS, strip_accents
from .types import Embed, Quote

SPEECH_VERBS = (
    "said|says|say|added|adds|tweeted|tweets|wrote|writes|told|tells|asked|asks|stated|states|declared|declares|"
    "explained|explains|warned|warns|insisted|insists|posted|posts|announced|announces|continued|continues|noted|"
    "notes|urged|urges|claimed|claims|replied|replies|responded|shouted|chanted|read|reads|vowed|pledged|argued|"
    "argues|acknowledged|admitted|conceded|recalled|remarked|observed|predicted|promised|suggested|stressed|"
    "emphasized|emphasised|repeated|reiterated|concluded|testified|joked|quipped|boasted|lamented|complained|"
    "cautioned|countered|contended|confirmed|advised|agreed|mused|wondered|went on|goes|alleges|alleged|"
    "revealed|ask|say|tell|write|add|quoted as saying|quoted as telling|told reporters|wrote on Twitter"
)
_PARTICIPLES = (
    "saying|adding|telling|writing|tweeting|noting|warning|insisting|declaring|explaining|arguing|calling|"
    "describing|pointing out|stating|asking|urging|promising|vowing|claiming|complaining|acknowledging|"
    "admitting|recalling|suggesting|stressing|repeating"
)
_SPEECH_RE = re.compile(rf"\b(?:{SPEECH_VERBS})\b")
_VERB_RE = re.compile(rf"\b(?:{SPEECH_VERBS}|{_PARTICIPLES})\b")
_QUOTE_RE = re.compile(r"“([^“”]{1,1500})(?:”|$)|\"([^\"]{1,1500})(?:\"|$)")
_PRONOUN_RE = re.compile(r"^(?:he|she|they|we|i|it)$", re.IGNORECASE)

# Words that name a role or an honorific; the name is the capitalised run after the last one.
_ROLE_WORDS = frozenset(
    """mr mr. mrs mrs. ms ms. miss dr dr. sen sen. rep rep. gov gov. gen gen. lt lt. col col. capt capt. sgt sgt.
    adm adm. prof prof. rev rev. gen. atty atty. supt supt. cmdr cmdr. maj maj. sir dame lady lord
    president vice prime minister secretary senator representative governor mayor chancellor king queen prince
    princess pope ayatollah sheikh judge justice speaker ambassador commissioner chief captain general
    director chair chairman chairwoman chairperson leader spokesman spokeswoman spokesperson agent attorney
    officer sheriff adviser advisor counsel counselor dictator premier emperor commander admiral colonel
    sergeant lieutenant major professor author editor founder ceo cfo coo executive manager lawyer
    demonstrator commentator activist analyst economist expert organizer organiser campaigner researcher
    curator archaeozoologist scientist doctor nurse detective inspector superintendent deputy assistant
    acting former first lady gentleman host anchor correspondent reporter columnist strategist pollster
    pastor bishop cardinal archbishop rabbi imam father brother sister coach""".split()
)
# A capitalised run with one of these is an organisation, not a person.
_ORG_WORDS = frozenset(
    """house department ministry embassy committee party agency office council union nations pentagon court
    commission police army navy force forces military guard government administration agency university
    institute center centre foundation company corporation corp inc inc. ltd group association federation
    bureau service services news times post journal network press media tv radio street church bank fund
    board campaign organization organisation coalition alliance league club team senate congress parliament
    kremlin reuters hezbollah taliban""".split()
)
# Capitalised words that never make a name on their own.
_NOT_NAME = frozenset(
    """the this that these those a an and but or he she they it we i you his her their its our my your
    another other one some several many both all each every any no none there here then also however
    earlier later meanwhile when while as if after before since during under over in on at by for from to
    with without of about into though although because so yet still last next first new breaking update
    monday tuesday wednesday thursday friday saturday sunday january february march april may june july
    august september october november december today tonight yesterday officials police critics experts
    analysts authorities witnesses residents sources protesters demonstrators lawmakers democrats
    republicans americans iran iraq israel russia china syria mexico america us u.s. uk u.k. un u.n. eu
    europe korea japan france germany britain canada ukraine washington london paris moscow beijing
    tehran god was were is are did does do has have had will would can could should may might must what why
    how who where""".split()
)
_ABBREV_DOT = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Sen|Rep|Gov|Gen|Lt|Col|Capt|Sgt|Adm|Prof|Rev|St|Jr|Sr|Inc|Co|Corp|Ltd|No|Atty|"
    r"Supt|Cmdr|Maj|Calif|Fla|Mass|Miss|Ariz|Conn|Ind|Tenn|Wash|Va|Ky|Ga|La|Ala|Mich|Minn|Wis|Ill|Colo|Okla|"
    r"Ore|Nev|Del|Md|Mo|Neb|Pa|Vt|Wyo|Mont|Kan|Ark|Tex|mr|mrs|ms|dr|sen|rep|gov|gen)|\b[A-Za-z]|\b(?:[A-Za-z]\.)+[A-Za-z])$"
)
_ADVERBS = re.compile(
    r"(?:\s+(?:also|then|later|again|once|previously|recently|earlier|now|further|too|only|repeatedly|"
    r"simply|publicly|privately|\w+ly|has|had|have|would|will|was|is|has\s+since|was\s+quoted\s+as|"
    r"at\s+times|at\s+one\s+point|"
    r"were\s+quoted\s+as|is\s+quoted\s+as|(?:planned|plans|wanted|wants|went\s+on|tried|is\s+expected|"
    r"was\s+expected|continued)\s+to))+$",
    re.IGNORECASE,
)
_LEAD_JUNK = re.compile(r"^(?:and|but|so|as|when|while|where|because|after|before|then|which|who)\s+", re.IGNORECASE)
_DETERMINER = r"(?:the|a|an|one|another|some|several|many|two|three|four|his|her|their|its|our)"
_DETERMINERS = re.compile(rf"^{_DETERMINER}\s+", re.IGNORECASE)
_NAME_TOKEN = re.compile(
    r"^(?:[A-Z][\w'’-]*\.?|[A-Z]\.|(?:[A-Z]\.)+|al-[A-Z][\w'’-]*|el-[A-Z][\w'’-]*|bin|ibn|van|von|de|da|di|la|le|du|der|den)$"
)
_FIRST_NAMES_M = frozenset(
    """donald michael john james robert david william richard joseph thomas charles christopher daniel matthew
    mark paul steven steve kevin brian george edward ronald anthony jeff jeffrey ryan jacob gary eric jonathan
    stephen larry justin scott brandon benjamin samuel frank gregory raymond patrick jack dennis jerry tyler
    aaron jose adam henry nathan douglas peter kyle walter ethan jeremy harold keith christian roger noah
    gerald carl terry sean austin arthur lawrence jesse dylan bryan joe jordan billy bruce albert willie gabriel
    logan alan juan wayne roy ralph randy eugene vincent russell elijah louis bobby philip johnny mike bill
    barack vladimir emmanuel boris xi kim shinzo benjamin mitch chuck rudy rex jared ted bernie hassan ali
    mohammed muhammad ahmed omar abdullah rod devin trey bob jim tom nick brad marco lindsey rand newt
    mitt jeb rick dick""".split()
)
_FIRST_NAMES_F = frozenset(
    """mary patricia jennifer linda elizabeth barbara susan jessica sarah karen nancy lisa betty margaret
    sandra ashley kimberly emily donna michelle dorothy carol amanda melissa deborah stephanie rebecca sharon
    laura cynthia kathleen amy shirley angela helen anna brenda pamela nicole emma samantha katherine christine
    debra rachel catherine carolyn janet ruth maria heather diane virginia julie joyce victoria olivia kelly
    christina lauren joan evelyn judith megan cheryl andrea hannah martha jacqueline frances gloria ann teresa
    kathryn sara janice jean alice madison doris abigail julia judy grace denise amber marilyn beverly danielle
    theresa sophia marie diana brittany natalie isabella charlotte rose alexis kayla hillary melania ivanka
    kellyanne kirstjen theresa angela jacinda nikki elizabeth kamala alexandria ilhan gina sally jen monica
    nora serena taylor""".split()
)
_MALE_TITLES = frozenset("mr mr. sir king prince lord father brother".split())
_FEMALE_TITLES = frozenset("mrs mrs. ms ms. miss queen princess lady dame sister".split())


def _tokens(text: str) -> list[str]:
    return text.split()


def _is_name_token(tok: str) -> bool:
    return bool(_NAME_TOKEN.match(tok)) and tok.lower().rstrip(".,") not in _NOT_NAME


@lru_cache(maxsize=50_000)  # asked of every capitalised run of every sentence; runs repeat
def split_title(run: str) -> tuple[str, str]:
    """'CBP Chief Patrol Agent Rodney S. Scott' -> ('CBP Chief Patrol Agent', 'Rodney S. Scott')."""
    toks = _tokens(run)
    i = len(toks)
    while i > 0 and toks[i - 1].lower().rstrip(",") not in _ROLE_WORDS and _NAME_TOKEN.match(toks[i - 1]):
        i -= 1
    return " ".join(toks[:i]), " ".join(toks[i:])


@lru_cache(maxsize=20_000)
def _is_org(text: str) -> bool:
    words = [w.lower().strip(".,’'") for w in _tokens(text)]
    return bool(normalise_source(text)) or any(w in _ORG_WORDS for w in words)


@dataclass
class _Person:
    name: str
    gender: str | None = None  # "m", "f" or None
    roles: list[str] = field(default_factory=list)  # lower-case descriptions: "president", "cia director"
    count: int = 0
    mixed: bool = False  # seen with both sexes' names or titles
    forms: dict[str, int] = field(default_factory=dict)  # full names seen, with how often


@dataclass
class SpeakerContext:
    """What one article has said so far about people: names, their descriptions, who it is about.

    ``persons`` keeps the names seen, most recent last; ``salient`` the people sentences were
    about (their subjects and quotation speakers), most recent last, for pronouns.
    """

    persons: list[str] = field(default_factory=list)
    last_quote_speaker: str | None = None  # for a bare quotation continuing the previous one
    last_quote_evidence: tuple[str, int, int] | None = None
    people: dict[str, _Person] = field(default_factory=dict)  # speaker key -> person
    salient: list[str] = field(default_factory=list)  # speaker keys

    def observe(self, sentence: str) -> None:
        """Names, roles and the subject of a sentence (outside its quotations)."""
        outside = _QUOTE_RE.sub(lambda m: " " * len(m.group()), sentence)
        known = {w.lower() for p in self.people.values() for w in p.name.split()}
        for name, role, gender in _person_mentions(outside, known):
            self.add(name, role=role, gender=gender)
        self.observe_subject(outside)

    def observe_subject(self, outside: str) -> None:
        """Make the sentence's subject the person a following 'he'/'she' points to."""
        subject = _subject_np(outside)
        if subject is None:
            return
        np = subject[0]
        kind = classify(np)
        if kind == "pronoun":
            return
        key: str | None = None
        if kind == "name" and np[:1].islower():
            return
        if kind == "name":
            bare = _strip_titles(np)
            if " " not in bare and bare == np and self.person_key(bare) not in self.people:
                return  # a lone capitalised word ('Aides', 'Families') is a person only once named
            key = self.person_key(np)
            if key not in self.people:
                key = self.add(np)
        elif kind == "description":
            key = self._description_key(np)
        if key:
            self._make_salient(key)

    def add(self, name: str, role: str | None = None, gender: str | None = None) -> str | None:
        """Record a person; returns their key."""
        name = re.sub(r"['’]s$", "", _strip_titles(name).strip(" ,"))
        if not name or _PRONOUN_RE.match(name) or name.lower() in _NOT_NAME:
            return None
        key = speaker_key(name)
        if not key:
            return None
        if key not in self.people and gender:
            # "Mr. Kim" after "Kim Jong Un": the same person by the first word of the full name.
            alias = [k for k, p in self.people.items() if p.name.split()[0].lower() == name.lower()]
            if len(alias) == 1 and " " not in name:
                key = alias[0]
        person = self.people.setdefault(key, _Person(name))
        if " " in name:
            person.forms[name] = person.forms.get(name, 0) + 1
            # the full name written most often ('Donald Trump', not 'Melania Trump' named once)
            person.name = max(person.forms, key=lambda f: (person.forms[f], len(f)))
        first = name.split()[0].lower()
        said = gender or ("m" if first in _FIRST_NAMES_M else "f" if first in _FIRST_NAMES_F else None)
        if said and person.count and person.gender != said:
            # two people share the surname (Donald and Melania Trump): the sex no longer tells them apart
            person.gender = None if person.gender or person.mixed else said
            person.mixed = True
        elif said and not person.count:
            person.gender = said
        if role and role not in person.roles:
            person.roles.append(role)
        person.count += 1
        if name in self.persons:
            self.persons.remove(name)
        self.persons.append(name)
        return key

    def _make_salient(self, key: str) -> None:
        if key in self.salient:
            self.salient.remove(key)
        self.salient.append(key)
        del self.salient[:-6]

    def _recent(self) -> list[str]:
        return self.salient[-3:]

    def last(self) -> str | None:
        return self.persons[-1] if self.persons else None

    def full_name(self, name: str) -> str:
        """'Trump' -> 'Donald Trump', 'Mr. Fox' -> 'Michael Fox' when the longer form was seen.

        With a title, a single word may also be the first of a full name ('Mr. Kim' -> 'Kim Jong-un').
        """
        bare = _strip_titles(name)
        if " " not in bare:
            # surname first ('Kim Jong-un', 'Xi Jinping'): after a title, or when the full name is unusual
            alias = {
                p.name
                for p in self.people.values()
                if " " in p.name
                and p.name.split()[0].lower() == bare.lower()
                and (bare != name.strip() or len(p.name.split()) >= 3 or "-" in p.name)
            }
            if len(alias) == 1:
                return alias.pop()
        key = speaker_key(bare)
        if key in self.people:
            person = self.people[key]
            want = _gender_of(split_title(name.strip())[0])
            first = person.name.split()[0].lower()
            said = "m" if first in _FIRST_NAMES_M else "f" if first in _FIRST_NAMES_F else None
            if want and said and want != said:
                return bare  # 'Mr. Trump' when only 'Melania Trump' was written in full
            return person.name
        return bare or name

    def person_key(self, name: str) -> str | None:
        return speaker_key(self.full_name(name))

    def pronoun(self, word: str) -> str | None:
        """The person a pronoun points to: the most recent subject of the right sex, or None."""
        w = word.lower()
        if w not in ("he", "she"):
            return None
        want = "m" if w == "he" else "f"
        for key in reversed(self._recent()):
            person = self.people.get(key)
            if person is None:
                continue
            if person.gender in (None, want):
                return person.name
        return None

    def _description_key(self, desc: str) -> str | None:
        words = [w.lower().strip(".,’'") for w in _DETERMINERS.sub("", desc.strip()).split()]
        words = [w for w in words if w not in ("former", "then", "new")] or words
        if not words or not words[-1].isalpha():
            return None
        head = words[-1]
        exact: list[str] = []
        partial: list[str] = []
        for key, person in self.people.items():
            for role in person.roles:
                rw = [w for w in role.split() if w not in ("former", "then", "new")]
                if rw == words:
                    exact.append(key)
                    break
                if rw and rw[-1] == head and set(words) <= set(rw):
                    partial.append(key)
                    break
        pool = exact or partial
        if len(pool) == 1:
            return pool[0]
        if len(pool) > 1:
            ranked = sorted(pool, key=lambda k: -self.people[k].count)
            if self.people[ranked[0]].count >= 2 * self.people[ranked[1]].count:
                return ranked[0]
        return None

    def description(self, desc: str) -> str | None:
        """'the governor' -> the one person named with that description earlier, or None."""
        key = self._description_key(desc)
        return self.people[key].name if key else None


_ROLE_ABBREV = {
    "gov": "governor",
    "sen": "senator",
    "rep": "representative",
    "gen": "general",
    "lt": "lieutenant",
    "col": "colonel",
    "capt": "captain",
    "sgt": "sergeant",
    "adm": "admiral",
    "prof": "professor",
    "dr": "doctor",
    "atty": "attorney",
    "supt": "superintendent",
}


def _gender_of(title: str) -> str | None:
    words = {w.lower() for w in title.split()}
    if words & _MALE_TITLES:
        return "m"
    if words & _FEMALE_TITLES:
        return "f"
    return None


_RUN_RE = re.compile(
    r"(?:\b[a-z][a-z-]{2,}\s+)?(?:(?:[A-Z][\w'’-]*\.?|(?:[A-Z]\.)+|al-[A-Z][\w'’-]*|bin|van|von|de)\s+){0,6}"
    r"(?:[A-Z][\w'’-]*[\w]|al-[A-Z][\w'’-]*)"
)
_APPOSITIVE_AFTER = re.compile(
    r"^,\s+(?:the|a|an)\s+((?:[\w.'’&-]+\s+){0,5}?(?:[a-z][\w-]*))(?=\s+(?:of|at|for|in|with|who|from)\b|,|\.|$)"
)


def _person_mentions(text: str, known: set[str]) -> list[tuple[str, str | None, str | None]]:
    """(name, role, gender) for the people a sentence names: 'CIA Director Mike Pompeo', 'Fox, the mayor,'."""
    out: list[tuple[str, str | None, str | None]] = []
    for m in _RUN_RE.finditer(text):
        run = m.group().strip()
        lead = ""
        if run[:1].islower():
            lead, _, run = run.partition(" ")
            if lead in STOPWORDS or not (
                lead in _ROLE_WORDS or lead.endswith(("er", "or", "ist", "ian", "ant", "ent", "man", "woman"))
            ):
                lead = ""
        run = re.sub(r"['’]s$", "", run)
        title, name = split_title(run)
        if not name or _is_org(run) or all(t.lower().rstrip(".") in _NOT_NAME for t in name.split()):
            continue
        ntoks = name.split()
        if len(ntoks) == 1 and not title and not lead and m.start() == 0:
            continue  # a capitalised first word alone is too often not a name
        if len(ntoks) == 1 and not title and not lead and ntoks[0].lower() not in known:
            # a single capitalised word counts when it is already known as someone's name
            continue
        role_words = " ".join(w for w in f"{lead} {title}".split() if w.lower() not in _MALE_TITLES | _FEMALE_TITLES)
        role = " ".join(_ROLE_ABBREV.get(w, w) for w in role_words.lower().replace(".", "").split()) or None
        after = _APPOSITIVE_AFTER.match(text[m.end() :])
        if after and not role:
            role = after.group(1).lower()
        out.append((name, role, _gender_of(title)))
    return out


def _strip_titles(name: str) -> str:
    _title, rest = split_title(name.strip())
    return rest if rest else name.strip()


@lru_cache(maxsize=20_000)  # a function of the name alone, asked of each name again and again
def speaker_key(name: str | None) -> str | None:
    """Surname for people ('Donald J. Trump' -> 'trump'), head noun for descriptions."""
    if not name:
        return None
    n = strip_accents(name).strip()
    n = re.sub(r"\s*\(@\w+\)", "", n)
    outlet = normalise_source(n)
    if outlet:
        return outlet.lower()
    if n[:1].isupper() and not _DETERMINERS.match(n):
        _title, rest = split_title(n)
        n = rest or n
    n = re.sub(r",?\s+(?:Jr|Sr|II|III|IV)\.?$", "", n)  # 'Roger J. Stone Jr.' is Stone
    n = re.sub(r"(?<=[a-z])-(?=[a-z]+$)", " ", n)  # 'Kim Jong-un' as 'Kim Jong Un'
    words = n.split()
    if not words:
        return None
    if words[0][:1].isupper() and not _DETERMINERS.match(n):
        return words[-1].lower().strip(".,’'")
    np = _DETERMINERS.sub("", n)
    head = re.split(r"\s+(?:on|in|at|from|of|with|near)\s+", np)[0].split()
    return head[-1].lower().strip(".,’'") if head else None


# --- what a reporting clause names -------------------------------------------------------------

_APPOS_PART = re.compile(
    r"^(?:\d{1,3}|[DRI]-[A-Z][\w.]*|(?:the|a|an|his|her|their)\s+.*|who\s+.*|which\s+.*|(?:a\s+)?(?:former|then)\s+.*|"
    r"[a-z][\w'’-]*(?:\s+[a-z][\w'’-]*){0,6}|(?:of|at|for|from|with|in)\s+.*)$"
)


def classify(np: str) -> str | None:
    """'name', 'org', 'description', 'pronoun' or None (a fragment: 'He then', 'Another')."""
    np = np.strip(" ,")
    if not np:
        return None
    if _PRONOUN_RE.match(np):
        return "pronoun"
    toks = np.split()
    if len(toks) > 9:
        return None
    if _DETERMINERS.match(np):
        rest = _DETERMINERS.sub("", np).split()
        if not rest or rest[-1].lower() in STOPWORDS or rest[-1].lower().endswith("ly"):
            return None
        if any(w.lower() in _VERBISH_WORDS for w in rest):
            return None
        return "org" if _is_org(np) and np[:1].isupper() else "description"
    if normalise_source(np):
        return "org"
    _title, name = split_title(np)
    if name and all(_NAME_TOKEN.match(t) or t.isdigit() for t in toks):
        if all(t.lower().rstrip(".") in _NOT_NAME for t in name.split()):
            return None
        return "org" if _is_org(np) else "name"
    # 'demonstrator Laiken Jordahl', 'lead author anoop prabhu', 'meehan', 'delhi zoo officials'
    if all(re.match(r"^[\w'’.-]+$", t) for t in toks) and len(toks) <= 5:
        lows = [t.lower().rstrip(".") for t in toks]
        caps = [t[:1].isupper() for t in toks]
        plain = [i for i, (c, low) in enumerate(zip(caps, lows, strict=True)) if not c and low not in _ROLE_WORDS]
        if plain and any(caps[i] and not toks[i - 1].endswith(".") for i in range(plain[0] + 1, len(toks))):
            return None  # 'Trump held Macron's hands': a clause, not a name
        if any(w in STOPWORDS or w in _VERBISH_WORDS or w.endswith("ly") for w in lows):
            return None
        if lows[-1] in _NOT_NAME and lows[-1] not in _PLURAL_GROUPS:
            return None
        return "name" if toks[-1][:1].isupper() else ("description" if lows[-1] in _PLURAL_GROUPS else "name")
    return None


_PLURAL_GROUPS = frozenset(
    "officials police critics experts analysts authorities witnesses residents sources protesters "
    "demonstrators lawmakers democrats republicans prosecutors investigators organizers organisers".split()
)
_VERBISH_WORDS = frozenset(
    "said says told added wrote was were is are has had have will would did does then also later earlier "
    "when while as if that which who what".split()
)


def _choose(parts: list[str], reverse: bool) -> tuple[str, int] | None:
    """From comma-separated parts of a reporting clause's noun phrase, the one that names the speaker.

    'the White House press secretary, Sarah Huckabee Sanders,' -> the name; 'Trump, a Republican,' ->
    'Trump'; 'Martin Theuringer, the managing director of X, an industry group,' -> the name.
    Returns the text and its index in ``parts``.
    """
    idx = [i for i, p in enumerate(parts) if p.strip()]
    if not idx:
        return None
    order = list(reversed(idx)) if reverse else idx
    texts = {i: _name_tail(_trim_np(parts[i])) for i in idx}
    kinds = {i: classify(texts[i]) for i in idx}
    for i in order:
        if kinds[i] == "name":
            # what stands between the name and the verb must be appositives ('Fox, 61, the mayor,');
            # what comes before it in the sentence may be anything ('Earlier in the day, ...')
            between = [j for j in idx if (j > i if reverse else j < i)]
            if all(kinds[j] in ("description", "org", "name") or _APPOS_PART.match(parts[j].strip()) for j in between):
                return texts[i], i
            break
    first = order[0]
    if kinds[first] in ("name", "org", "description", "pronoun"):
        return texts[first], first
    return None


def _name_tail(np: str) -> str:
    """'House Ways and Means Committee Chairman Kevin Brady' -> 'Chairman Kevin Brady'."""
    if classify(np) is not None:
        return np
    toks = np.split()
    i = len(toks)
    while i > 0 and (_NAME_TOKEN.match(toks[i - 1]) or toks[i - 1].lower() in _ROLE_WORDS):
        i -= 1
    name = split_title(" ".join(toks[i:]))[1]
    return name if i > 0 and name and classify(name) == "name" else np


def _trim_np(np: str) -> str:
    np = np.strip(" ,")
    np = _LEAD_JUNK.sub("", np)
    np = _ADVERBS.sub("", " " + np).strip()
    np = (
        re.sub(r"\s+(?:of|from|at|in|on|with|who|via|to)\s+(?=[A-Z])[\w\s.'’&-]*$", "", np)
        if classify_simple(np)
        else np
    )
    np = re.sub(r"\s+(?:in|on|at|during|via|to|from)\s+(?:a|an|the|his|her)\s+.*$", "", np)
    np = re.sub(r"['’]s\s+(?:statement|tweet|letter|memo|post|remarks|message|account|email)$", "", np)
    return np.strip(" ,")


def classify_simple(np: str) -> bool:
    """A name run followed by 'of/from ...' ('Jennifer Jacobs of Bloomberg News')."""
    return bool(re.match(r"^(?:[A-Z][\w'’.-]*\s+){1,4}(?:of|from|at|in|on|with)\s+", np))


def _clause(text: str) -> str:
    """``text`` up to the end of its clause: a quotation mark, ';', or a full stop that ends a sentence."""
    for m in re.finditer(r"[“”\";!?]|\.(?=\s|$)", text):
        if m.group() == "." and _ABBREV_DOT.search(text[: m.start()]):
            continue
        return text[: m.start()]
    return text


_AFTER_VERB = re.compile(rf"\b(?:{SPEECH_VERBS}|according to)\b")
_INVERTED_NP = re.compile(
    r"^\s+((?:[^,;:]{1,80}?))(?=\s*(?:,|$|\bwho\b|\b(?:in|at|from|with)\s+(?:a|an|the)\b|\bon\s+[A-Z]|\bfrom\s+))"
)


def _speaker_after(quoted: str, after: str) -> tuple[str, int] | None:
    """The reporting clause right after a quotation: '..., ” Mr. Fox said', '..., said Fox, the mayor'."""
    if not (quoted.rstrip(" '’")[-1:] in ",.!?…—-" or after.lstrip()[:1] in ",—"):
        return None
    lead = len(after) - len(after.lstrip(" ,—"))
    clause = _clause(after[lead:])
    if len(clause.split()) > 40:
        clause = " ".join(clause.split()[:40])
    v = _AFTER_VERB.search(clause)
    if not v:
        return None
    head = clause[: v.start()]
    if not head.strip():  # inverted: 'said Mr. Fox', 'according to Kim'
        m = _INVERTED_NP.match(clause[v.end() :])
        if not m:
            return None
        np = _trim_np(m.group(1))
        kind = classify(np)
        if kind in ("name", "org", "description"):
            return np, lead + v.end() + clause[v.end() :].index(np)
        return None
    if v.group() == "according to":
        return None
    parts = head.split(",")
    chosen = _choose(parts, reverse=False)
    if chosen is None:
        return None
    np, i = chosen
    if len(parts[0].split()) > 10:
        return None
    pos = head.find(np, sum(len(p) + 1 for p in parts[:i]))
    return np, lead + max(pos, 0)


def _last_sentence(text: str) -> str:
    """What follows the last full stop that ends a sentence (units of lower-cased text run on)."""
    cut = 0
    for m in re.finditer(r"\.\s+(?=[A-Za-z])", text):
        if not _ABBREV_DOT.search(text[: m.start()]):
            cut = m.end()
    return text[cut:]


def _speaker_before(before: str) -> tuple[str, int, str] | None:
    """The clause before a quotation: 'Fox said:', 'Fox, the mayor, told reporters that', '..., saying'."""
    verbs = list(_VERB_RE.finditer(before))
    if not verbs:
        return None
    v = verbs[-1]
    between = before[v.end() :]
    if len(between.split()) > 25:
        return None
    if re.match(rf"(?:{_PARTICIPLES})$", v.group()):
        subj = _clause_subject(before[: v.start()])
        how = "colon" if before.rstrip().endswith(":") else "subject"
        return (subj[0], subj[1], how) if subj else None
    head = _last_sentence(before[: v.start()])
    head = re.split(r"[;:]|\s[—–-]\s|\bthat\s+", head)[-1]
    offset = v.start() - len(head)
    parts = head.split(",")
    chosen = _choose(parts, reverse=True)
    if chosen is None:
        return None
    np, i = chosen
    # fronted phrases ('In a statement Saturday, Chief ...') are earlier parts; the NP must be next to the verb
    if i < len(parts) - 1 and not all(_APPOS_PART.match(p.strip()) or not p.strip() for p in parts[i + 1 :]):
        return None
    pos = head.find(np, sum(len(p) + 1 for p in parts[:i]))
    if pos < 0:
        return None
    words_after = head[pos + len(np) :].strip(" ,")
    if words_after and not _APPOS_PART.match(words_after.split(",")[-1].strip() or "x"):
        return None
    return np, offset + pos, "before"


_FRONTED = re.compile(
    r"^\s*(?:(?:in|on|at|during|after|before|while|as|when|with|under|from|by|for|despite|although|though|"
    r"if|since|because|once|until|according to)\b[^,.]{0,160},\s*|"
    r"(?:and|but|so|still|however|meanwhile|later|earlier|then|also|yet)\b,?\s*)+",
    re.IGNORECASE,
)


_SUBORDINATE = re.compile(
    r"(?:^|,\s+|\b(?:after|when|as|while|because|since|and|but|before|until)\s+)(?=\S)", re.IGNORECASE
)


def _clause_subject(text: str) -> tuple[str, int] | None:
    """Who does what a participle reports: the subject of the nearest clause before it.

    'after Trump vowed to walk away from the deal, calling it' -> 'Trump'; 'Mr. Trump
    repeatedly came back to the issue at a rally, saying' -> 'Mr. Trump'.
    """
    for m in reversed(list(_SUBORDINATE.finditer(text))):
        seg = text[m.end() :]
        lead = _lead_np(seg)
        if (
            lead
            and re.match(
                r"\s+(?:\w+ly\s+)?(?:[a-z]+ed|has|had|was|is|were|are|would|will|" + SPEECH_VERBS + r")\b",
                seg[len(lead) :],
            )
            and classify(lead) in ("name", "org", "description", "pronoun")
        ):
            return lead, m.end()
    return _subject_np(text)


_LEAD_NAME = re.compile(
    r"^(?:(?:[A-Z][\w'’-]*\.?|(?:[A-Z]\.)+|al-[A-Z][\w'’-]*|bin|van|von|de|(?:[a-z]+)(?=\s+[A-Z]))\s+){0,7}"
    r"[A-Z][\w'’-]*[\w]"
)


def _lead_np(text: str) -> str | None:
    """The noun phrase a clause starts with: a pronoun, a name with its titles, or a short description."""
    m = re.match(r"^(?:he|she|they|He|She|They)\b", text)
    if m:
        return m.group()
    m = _LEAD_NAME.match(text)
    if m and m.group().split()[0].lower() not in _NOT_NAME:
        toks = m.group().split()
        # lower-case words inside a name run must be roles ('North Korean dictator Kim Jong Un')
        if all(t[:1].isupper() or t.lower() in _ROLE_WORDS or t in ("bin", "van", "von", "de") for t in toks):
            return m.group()
    np = sentence_subject(text)
    return _trim_np(np) if np else None


def _subject_np(text: str) -> tuple[str, int] | None:
    """The subject of a clause, after fronted phrases ('In a statement, Mr. Fox ...' -> 'Mr. Fox')."""
    fm = _FRONTED.match(text)
    start = fm.end() if fm else 0
    np = _lead_np(text[start:])
    if not np:
        return None
    np = _trim_np(np)
    if classify(np) in ("name", "org", "description", "pronoun"):
        pos = text.find(np, start)
        return (np, pos) if pos >= 0 else None
    return None


_VERBISH = re.compile(
    rf"^(?:[a-z]+ed|{SPEECH_VERBS}|was|were|is|are|has|had|have|will|would|did|does|"
    r"accuses|blames|urges|warns|says|tells|posts|writes|stormed|broke|took|made|set|yesterday|today|"
    r"earlier|later|also|on|have|had|has)$"
)
_NOT_SUBJECT_START = re.compile(
    r"^(?:under|before|after|during|while|as|when|in|on|at|with|without|by|for|from|earlier|later|then|"
    r"meanwhile|however|but|and|so|shouting|chanting|saying|if|since|although|though|despite)\b",
    re.IGNORECASE,
)


def sentence_subject(text: str) -> str | None:
    """Initial noun phrase up to the first verb-like word or comma (at most 8 words)."""
    if _NOT_SUBJECT_START.match(text.strip()) or re.match(r"^\s*\w+ing\b", text):
        return None
    words: list[str] = []
    for m in re.finditer(r"[\w’'.@()-]+|,", text):
        w = m.group()
        if w == "," or (words and _VERBISH.match(w)):
            break
        words.append(w)
        if len(words) > 8:
            return None
    return " ".join(words) if words else None


_COMMUNICATION = re.compile(
    rf"\b(?:{SPEECH_VERBS}|{_PARTICIPLES}|promised|called|described|dubbed|labeled|labelled|accused|"
    r"slammed|praised|hinted|denounced|branded|demanded|threatened|pointed out|quoted)\b"
)


def _before(wide: str, base: int, sentence: str, m: re.Match[str]) -> tuple[tuple[str, int] | None, str]:
    b = _speaker_before(wide)
    if b:
        return (b[0], base + b[1]), b[2]
    if re.match(rf"^\s*(?:{_PARTICIPLES})\b", wide, re.IGNORECASE):
        # 'Calling it "a sham," the committee filed suit': the subject follows the quotation
        rest = sentence[m.end() :]
        lead = len(rest) - len(rest.lstrip(' ,”"'))
        np = _lead_np(rest[lead:])
        if np and classify(np) in ("name", "org", "description"):
            return (np, m.end() + lead), "subject"
    elif _COMMUNICATION.search(wide) or wide.rstrip().endswith(":"):
        subj = _clause_subject(wide)
        if subj:
            return (subj[0], base + subj[1]), "colon" if wide.rstrip().endswith(":") else "subject"
    return None, "none"


def _blank_quotes(text: str) -> str:
    return _QUOTE_RE.sub(lambda q: " " * len(q.group()), text)


def _resolve(np: str, ctx: SpeakerContext) -> tuple[str | None, str]:
    """A clause's noun phrase as a speaker: names completed, descriptions and pronouns resolved."""
    kind = classify(np)
    if kind == "pronoun":
        return ctx.pronoun(np), "pronoun"
    if kind == "description":
        person = ctx.description(np)
        return (person, "description") if person else (np, "description")
    if kind == "name":
        return ctx.full_name(np), "name"
    if kind == "org":
        return np, "org"
    return None, "none"


def extract_quotes(sentence: str, offset: int, ctx: SpeakerContext, embeds: tuple[Embed, ...] = ()) -> list[Quote]:
    """Quotations in ``sentence`` (body offsets), with speakers resolved through ``ctx``."""
    out: list[Quote] = []
    matches = list(_QUOTE_RE.finditer(sentence))
    if matches and len(sentence[: matches[0].start()].split()) >= 3:
        # 'As he held out hope, Mr. Trump repeated his vow. "..." he said' in one unit
        ctx.observe_subject(sentence[: matches[0].start()])
    prev_end = 0
    prev: Quote | None = None
    for m in matches:
        g = 1 if m.group(1) is not None else 2
        text = m.group(g).strip()
        if not re.search(r"[A-Za-z]", text):
            prev_end = m.end()
            continue
        s = offset + m.start(g)
        e = offset + m.end(g)
        fragment = len(text.split()) <= 3
        embed = next((em for em in embeds if em.start < e and s < em.end), None)
        if embed is not None:
            q = Quote(
                text=text,
                start=s,
                end=e,
                speaker=embed.author,
                speaker_key=speaker_key(embed.author),
                fragment=False,
                how="embed",
                handle=embed.handle,
                posted_on=embed.posted_on,
            )
            out.append(q)
            ctx.add(embed.author)
            prev, prev_end = q, m.end()
            continue
        found: tuple[str, int] | None = None
        how = "none"
        after = _speaker_after(text, sentence[m.end() : m.end() + 200])
        if after:
            found, how = (after[0], m.end() + after[1]), "after"
        before_text = sentence[prev_end : m.start()]
        # '"A," Fox said. "B"' in one unit: the clause between belongs to the first quotation
        if (
            found is None
            and prev is not None
            and prev.speaker
            and _SPEECH_RE.search(before_text)
            and _speaker_after(prev.text, before_text) is not None
        ):
            how = "continued"
        if found is None and how == "none":
            # the clause since the last quotation, then the whole sentence before with quotations blanked
            # ('X said ... "a" ... and "b"')
            for wide, base in ((before_text, prev_end), (_blank_quotes(sentence[: m.start()]), 0)):
                found, how = _before(wide, base, sentence, m)
                if found is not None or prev is None:
                    break
        speaker: str | None = None
        evidence: tuple[str, int, int] | None = None
        if found is not None:
            np, pos = found
            speaker, kind = _resolve(np, ctx)
            evidence = (np, offset + pos, offset + pos + len(np))
            if kind in ("pronoun", "description") and speaker and speaker != np:
                how = kind
        elif how == "continued" and prev is not None:
            speaker, evidence = prev.speaker, (prev.evidence, prev.evidence_start, prev.evidence_end)  # type: ignore[assignment]
        elif not sentence[: m.start()].strip() and not sentence[m.end() :].strip(' .,”"') and ctx.last_quote_speaker:
            speaker, how, evidence = ctx.last_quote_speaker, "continued", ctx.last_quote_evidence
        if speaker and how not in ("continued",):
            key = ctx.person_key(speaker)
            if key in ctx.people or classify(speaker) == "name":
                ctx.add(speaker)
                key = ctx.person_key(speaker)
                if key:
                    ctx._make_salient(key)
        if speaker and (not fragment or how not in ("subject", "continued")):
            ctx.last_quote_speaker = speaker
            ctx.last_quote_evidence = evidence
        q = Quote(
            text=text,
            start=s,
            end=e,
            speaker=speaker,
            speaker_key=speaker_key(speaker),
            fragment=fragment,
            how=how if speaker else "none",
            evidence=evidence[0] if evidence else None,
            evidence_start=evidence[1] if evidence else None,
            evidence_end=evidence[2] if evidence else None,
        )
        out.append(q)
        prev, prev_end = q, m.end()
    if not out:
        ctx.last_quote_speaker = None
        ctx.last_quote_evidence = None
    return out
