"""Quotations and their speakers.

Speakers come from the reporting clause around the quotation ("..., he tweeted",
"said Trump", "X said: “...”", "saying: “...”"), from an Embed covering the
quotation, or, for a pronoun, from the most recent named person in the article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .attribution import normalise_source
from .text import strip_accents
from .types import Embed, Quote

SPEECH_VERBS = (
    "said|says|say|saying|added|adds|adding|tweeted|tweets|tweeting|wrote|writes|writing|told|tells|"
    "telling|asked|asks|stated|states|declared|declares|explained|warned|warns|insisted|insists|posted|"
    "posts|announced|continued|noted|urged|claimed|claims|replied|responded|shouted|chanted|read|reads|"
    "reading|vowed|pledged|argued|acknowledged|admitted|conceded|told reporters|wrote on Twitter"
)
_SPEECH_RE = re.compile(rf"\b(?:{SPEECH_VERBS})\b")
_QUOTE_RE = re.compile(r"“([^“”]{1,1500})(?:”|$)|\"([^\"]{1,1500})(?:\"|$)")
_PRONOUN_RE = re.compile(r"^(?:he|she|they|we|i|it)$", re.IGNORECASE)
_AFTER_RE = re.compile(
    rf"^\s*[,.!?]?\s*(?P<pre>[^“”\".;:!?]{{0,60}}?)\s*\b(?P<verb>{SPEECH_VERBS})\b(?P<post>[^“”\".;:!?]{{0,60}})"
)
_TITLES = (
    r"(?:President|Vice President|Prime Minister|Secretary of State|Secretary|Minister|Senator|Sen\.|Rep\.|"
    r"Gov\.|Governor|Mayor|Mr\.?|Mrs\.?|Ms\.?|Dr\.?|General|Gen\.|Col\.|Lt\.|Chancellor|King|Queen|Prince|"
    r"Pope|Ayatollah|Sheikh|Judge|Justice|Speaker|Ambassador|Commissioner|Chief|Captain|Capt\.)"
)
_NAME = r"(?:[A-Z][a-zA-Z'’-]+|al-[A-Z][a-zA-Z'’-]+)(?:\s+(?:[A-Z]\.\s*)?(?:[A-Z][a-zA-Z'’-]+|al-[A-Z][a-zA-Z'’-]+|bin|van|von|de)){0,3}"
_PERSON_RES = [
    re.compile(rf"\b{_TITLES}\s+(?P<name>{_NAME})"),
    re.compile(
        rf"(?P<name>{_NAME}),\s+(?:the\s+)?(?:[\w’']+\s+){{0,4}}(?:minister|president|spokes\w+|leader|"
        r"chief|ambassador|director|secretary|official|commander|governor|mayor)\b"
    ),
    re.compile(
        rf"\b(?P<name>{_NAME})\s+(?:said|told|tweeted|added|accused|blamed|warned|wrote|posted|announced|"
        r"urged|insisted|declared|vowed)\b"
    ),
]
_NOT_PERSON = re.compile(
    r"\b(?:State|Department|House|Embassy|Ministry|Army|Force|Forces|Militia|Media|News|Press|Times|Post|"
    r"Council|Union|Nations|Party|Office|Pentagon|Reuters|Guard|Hezbollah|Zone|Agency|Insider|TV|Government|"
    r"Police|Military|Iran|Iraq|US|UK|America|Israel|Russia|China|Monday|Tuesday|Wednesday|Thursday|Friday|"
    r"Saturday|Sunday|January|February|March|April|May|June|July|August|September|October|November|December|"
    r"The|This|That|These|Those|But|And|He|She|They|It|We|Earlier|Later|Meanwhile)\b"
)
_DETERMINERS = re.compile(r"^(?:the|a|an|one|some|several|many|two|three|this|that)\s+", re.IGNORECASE)


@dataclass
class SpeakerContext:
    """Named persons seen so far in one article, most recent last (for pronoun resolution)."""

    persons: list[str] = field(default_factory=list)
    last_quote_speaker: str | None = None  # for a bare quotation continuing the previous one

    def observe(self, sentence: str) -> None:
        found: list[tuple[int, str]] = []
        for rx in _PERSON_RES:
            for m in rx.finditer(sentence):
                name = m.group("name").strip()
                if _NOT_PERSON.search(name) and len(name.split()) < 2:
                    continue
                if _NOT_PERSON.search(name.split()[-1]):
                    continue
                found.append((m.start("name"), name))
        for _, name in sorted(found):
            self.add(name)

    def add(self, name: str) -> None:
        name = _strip_titles(name)
        if not name or _PRONOUN_RE.match(name):
            return
        if name in self.persons:
            self.persons.remove(name)
        self.persons.append(name)

    def last(self) -> str | None:
        return self.persons[-1] if self.persons else None

    def full_name(self, name: str) -> str:
        """'Trump' -> 'Donald Trump' when a longer form with that surname was seen."""
        key = speaker_key(name)
        best = name
        for p in self.persons:
            if speaker_key(p) == key and len(p) > len(best):
                best = p
        return best


def _strip_titles(name: str) -> str:
    return re.sub(
        rf"^(?:(?:US|U\.S\.|Iraqi|Iranian|British|French|German|Russian|Chinese)\s+)?(?:{_TITLES}\s+)+",
        "",
        name.strip(),
    )


def speaker_key(name: str | None) -> str | None:
    """Surname for people ('Donald J. Trump' -> 'trump'), head noun for descriptions."""
    if not name:
        return None
    n = strip_accents(name).strip()
    n = re.sub(r"\s*\(@\w+\)", "", n)
    n = re.sub(rf"^(?:(?:US|U\.S\.|Iraqi|Iranian|British|French|German|Russian|Chinese)\s+)?(?:{_TITLES}\s+)+", "", n)
    words = n.split()
    if not words:
        return None
    outlet = normalise_source(n)
    if outlet:
        return outlet.lower()
    if words[0][:1].isupper() and not _DETERMINERS.match(n):
        return words[-1].lower().strip(".,’'")
    np = _DETERMINERS.sub("", n)
    head = re.split(r"\s+(?:on|in|at|from|of|with|near)\s+", np)[0].split()
    return head[-1].lower() if head else None


def _clean_speaker(text: str) -> str:
    text = text.strip(" ,")
    text = re.sub(r"\s+(?:in a|on|via|from)\s+.*$", "", text)
    return text.strip()


def _speaker_after(quoted: str, after: str) -> tuple[str | None, str]:
    """Reporting clause right after a quotation that closes a clause: '..., ” he said'."""
    if not (quoted.rstrip()[-1:] in ",.!?" or after[:1] in ",."):
        return None, "none"
    m = _AFTER_RE.match(after)
    if not m:
        return None, "none"
    pre = _clean_speaker(m.group("pre"))
    if pre and (len(pre.split()) > 6 or not _PLAUSIBLE_SPEAKER.match(pre)):
        return None, "none"
    if pre:
        return pre, "after"
    post = m.group("post")
    pm = re.match(rf"\s+({_NAME}|(?:the|a|an)\s+[\w\s]{{1,40}}?)(?=\s*(?:,|$|\bin\b|\bon\b|\bwho\b))", post)
    if pm:
        return _clean_speaker(pm.group(1)), "after"
    return None, "none"


def _speaker_before(before: str) -> tuple[str | None, str]:
    verbs = list(_SPEECH_RE.finditer(before))
    if not verbs:
        return None, "none"
    v = verbs[-1]
    head = before[: v.start()]
    clause = re.split(r"[,;:]\s+|\b(?:and|but|who|which|as|that)\s+", head)[-1].strip()
    if clause and not v.group().endswith("ing") and len(clause.split()) <= 8:
        return _clean_speaker(clause), "before"
    return _subject(before)


_VERBISH = re.compile(
    rf"^(?:[a-z]+ed|{SPEECH_VERBS}|was|were|is|are|has|had|have|will|would|did|does|"
    r"accuses|blames|urges|warns|says|tells|posts|writes|stormed|broke|took|made|set|yesterday|today|"
    r"earlier|later|also|on|have|had|has)$"
)


_PLAUSIBLE_SPEAKER = re.compile(r"^(?:he|she|they|we|i|it|(?:the|a|an|one|another|some)\s+\w|[A-Z]|al-|el-|de\s)")
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


def _subject(before: str) -> tuple[str | None, str]:
    """Sentence subject as speaker: 'A man ... saying: “..”', 'Trump accused Iran of “orchestrating”'."""
    np = sentence_subject(before)
    if np:
        return _clean_speaker(np), "colon" if before.rstrip().endswith(":") else "subject"
    return None, "none"


def _resolve(speaker: str | None, how: str, ctx: SpeakerContext) -> tuple[str | None, str]:
    if speaker and _PRONOUN_RE.match(speaker):
        last = ctx.last()
        return (ctx.full_name(last), "pronoun") if last else (speaker, how)
    if speaker and speaker[:1].isupper() and not _DETERMINERS.match(speaker):
        return ctx.full_name(speaker), how
    return speaker, how


def extract_quotes(sentence: str, offset: int, ctx: SpeakerContext, embeds: tuple[Embed, ...] = ()) -> list[Quote]:
    """Quotations in ``sentence`` (body offsets), with speakers resolved through ``ctx``."""
    out: list[Quote] = []
    for m in _QUOTE_RE.finditer(sentence):
        g = 1 if m.group(1) is not None else 2
        text = m.group(g).strip()
        if not re.search(r"[A-Za-z]", text):
            continue
        s = offset + m.start(g)
        e = offset + m.end(g)
        embed = next((em for em in embeds if em.start < e and s < em.end), None)
        if embed is not None:
            out.append(
                Quote(
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
            )
            ctx.add(embed.author)
            continue
        speaker, how = _speaker_after(text, sentence[m.end() : m.end() + 120])
        if speaker is None:
            speaker, how = _speaker_before(sentence[: m.start()])
        if speaker is None and sentence[: m.start()].strip() == "" and not sentence[m.end() :].strip(' .,”"'):
            speaker, how = ctx.last_quote_speaker, "continued"
        if speaker is None and (sentence[: m.start()].rstrip().endswith(":") or len(text.split()) <= 3):
            speaker, how = _subject(sentence[: m.start()])
        speaker, how = _resolve(speaker, how, ctx)
        if speaker and how != "continued":
            ctx.last_quote_speaker = speaker
        fragment = len(text.split()) <= 3
        out.append(
            Quote(
                text=text, start=s, end=e, speaker=speaker, speaker_key=speaker_key(speaker), fragment=fragment, how=how
            )
        )
    if not out:
        ctx.last_quote_speaker = None
    return out
