"""Shared lexical helpers: tokens with offsets, stop words (from articles.importers.words), a cached stemmer."""

from __future__ import annotations

import re
import string
import unicodedata
from functools import lru_cache

from articles.importers.words import STOPWORDS as STOPWORDS  # the one list; re-exported for the stages

try:  # Snowball is better than our fallback, but the pipeline must not depend on it.
    import snowballstemmer

    _STEMMER = snowballstemmer.stemmer("english")

    def _stem_raw(word: str) -> str:
        return _STEMMER.stemWord(word)

except ImportError:  # pragma: no cover - exercised only without the optional package
    _SUFFIXES = ("ations", "ation", "ments", "ment", "ings", "ing", "ied", "ies", "ed", "es", "s", "ly")

    def _stem_raw(word: str) -> str:
        for suf in _SUFFIXES:
            if word.endswith(suf) and len(word) - len(suf) >= 3:
                return word[: -len(suf)]
        return word


TOKEN_RE = re.compile(r"[A-Za-z\u00C0-\u024F]+(?:['’][A-Za-z]+)?(?:[-.][A-Za-z\u00C0-\u024F]+)*|\d+(?:[.,]\d+)*")

# Irregular past forms so that "broke"/"broken" meet "break" and "ran" meets "run".
IRREGULAR = {
    "broke": "break",
    "broken": "break",
    "took": "take",
    "taken": "take",
    "gave": "give",
    "given": "give",
    "went": "go",
    "gone": "go",
    "came": "come",
    "saw": "see",
    "seen": "see",
    "said": "say",
    "told": "tell",
    "made": "make",
    "held": "hold",
    "left": "leave",
    "fled": "flee",
    "fell": "fall",
    "fallen": "fall",
    "hit": "hit",
    "shot": "shoot",
    "fought": "fight",
    "brought": "bring",
    "thought": "think",
    "caught": "catch",
    "threw": "throw",
    "thrown": "throw",
    "drove": "drive",
    "driven": "drive",
    "rose": "rise",
    "risen": "rise",
    "began": "begin",
    "begun": "begin",
    "stole": "steal",
    "stolen": "steal",
    "wrote": "write",
    "written": "write",
    "spoke": "speak",
    "spoken": "speak",
    "knew": "know",
    "known": "know",
    "won": "win",
    "lost": "lose",
    "sent": "send",
    "spent": "spend",
    "built": "build",
    "met": "meet",
    "ran": "run",
    "led": "lead",
    "stood": "stand",
    "sought": "seek",
    "struck": "strike",
    "swept": "sweep",
    "tore": "tear",
    "torn": "tear",
    "blew": "blow",
    "blown": "blow",
    "froze": "freeze",
    "frozen": "freeze",
    "hung": "hang",
    "hanged": "hang",
    "kept": "keep",
    "felt": "feel",
    "heard": "hear",
    "paid": "pay",
    "sold": "sell",
    "bought": "buy",
    "found": "find",
    "burnt": "burn",
    "set": "set",
    "put": "put",
    "cut": "cut",
    "hurt": "hurt",
    "dead": "die",
    "died": "die",
    "death": "die",
    "deaths": "die",
    "killed": "kill",
    "smashed": "smash",
    "stormed": "storm",
    "men": "man",
    "women": "woman",
    "children": "child",
    "people": "person",
    "persons": "person",
    "feet": "foot",
    "troops": "troop",
    "militiamen": "militiaman",
}

_QUOTE_TRANS = str.maketrans(
    {
        "“": '"',
        "”": '"',
        "„": '"',
        "‟": '"',
        "«": '"',
        "»": '"',
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‛": "'",
        "–": "-",
        "—": "-",
    }
)


def fold_quotes(text: str) -> str:
    """Map typographic quotes and dashes to ASCII, same length (offsets stay valid)."""
    return text.translate(_QUOTE_TRANS)


def strip_accents(text: str) -> str:
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Lower-case lemma-ish stem; abbreviations like U.S. become 'us'."""
    w = word.lower().replace("’", "'")
    if "." in w and len(w) <= 6:  # U.S. / U.K. / U.N.
        w = w.replace(".", "")
    if w.endswith("'s"):
        w = w[:-2]
    w = IRREGULAR.get(w, w)
    if w.isdigit():
        return w
    return _stem_raw(w)


def tokens(text: str) -> list[tuple[str, int, int]]:
    """Word/number tokens with offsets relative to ``text``."""
    return [(m.group(), m.start(), m.end()) for m in TOKEN_RE.finditer(text)]


def content_stems(text: str) -> list[str]:
    """Stems of the non-stop-word tokens, in order (digits kept)."""
    out = []
    for m in TOKEN_RE.finditer(text):
        w = m.group()
        lw = w.lower()
        if lw in STOPWORDS or (len(lw) < 2 and not lw.isdigit()):
            continue
        out.append(stem(w))
    return out


def normalise_for_compare(text: str) -> str:
    """Lower-case, fold quotes/dashes, U.S.->us, collapse punctuation: for 'same wording' checks."""
    t = fold_quotes(text).lower()
    t = re.sub(r"\b([a-z])\.([a-z])\.", r"\1\2", t)
    t = re.sub(r"[^a-z0-9%$€£ ]+", " ", t)
    return " ".join(t.split())


_ASCII_LETTERS = string.ascii_letters.encode()
_LATIN_BEYOND_ASCII = re.compile("[\u0080-\u024f]+")


def letters_ratio(text: str) -> tuple[int, int]:
    """(number of letters, number of Latin letters: below U+0250) in ``text``, counted in C: the
    ASCII letters by deleting them, the others by ``str.isalpha``."""
    raw = text.encode("ascii", "ignore")
    ascii_letters = len(raw) - len(raw.translate(None, _ASCII_LETTERS))
    if len(raw) == len(text):
        return ascii_letters, ascii_letters
    letters = sum(map(str.isalpha, text))
    latin = ascii_letters + sum(map(str.isalpha, "".join(_LATIN_BEYOND_ASCII.findall(text))))
    return letters, latin
