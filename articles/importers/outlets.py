"""Outlet names: one table of the outlets a desk sees every day, and the outlet hints found in text.

The importers (an article's outlet, from its metadata or from a dateline, a credit line or a
byline) and the pipeline (claims/pipeline/attribution.py: a source a sentence names, and stage 6,
which counts independent sources) both name outlets through this table, so that one outlet has
one name everywhere: "AP", "The Associated Press" and "associated press" are "Associated Press";
"fox" and "foxnews.com" are "Fox News". A name the table does not list is kept as written, or
tidied when the text was lower-cased ("( wxyz )" -> "WXYZ", "healthday news" -> "Healthday News").

The forms of a credit read here (any case, spaces inside the parentheses or not):
- a dateline: "Paris ( ap ) —", "WASHINGTON (Reuters) -", "BALTIMORE, June 2 (UPI) --",
  "(CNN) --", "( ansa ) - vatican city, ..."; at the start of the text it is split off the body,
  later in the first paragraph (after a headline or photo captions run into it) it is only read;
- a credit line: a line of its own ("PA Media", "— Reuters") or the end of the last paragraph
  ("... on Monday. — Reuters");
- a byline: "By Jill Lawless, Associated Press", "By JILL LAWLESS Associated Press Writer".
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class KnownOutlet:
    name: str  # the one name FactDesk uses
    aliases: tuple[str, ...]  # whole names, compared without case, punctuation at the ends or a leading "the"
    in_text: str | None = None  # a pattern that finds it in running text, where that is unambiguous


# Short capitalised forms in `in_text` are matched case-sensitively, so that "ap" or "pa" inside
# ordinary words never count. Order matters for text that names two: the first listed wins.
OUTLETS: tuple[KnownOutlet, ...] = (
    KnownOutlet(
        "Associated Press", ("ap", "associated press", "ap news", "apnews.com"), r"\bAssociated Press\b|\bAP\b"
    ),
    KnownOutlet(
        "Reuters", ("reuters", "thomson reuters", "reuters health", "reuters news", "reuters.com"), r"\bReuters\b"
    ),
    KnownOutlet(
        "Agence France-Presse",
        ("afp", "agence france-presse", "agence france presse", "afp news agency"),
        r"\bAFP\b|\bAgence France[- ]Presse\b",
    ),
    KnownOutlet(
        "PA Media", ("pa", "pa media", "pa wire", "press association"), r"\bPA Media\b|\bPress Association\b|\bPA\b"
    ),
    KnownOutlet(
        "Deutsche Presse-Agentur",
        ("dpa", "deutsche presse-agentur", "deutsche presse agentur"),
        r"\bdpa\b|\bDPA\b|\bDeutsche Presse-Agentur\b",
    ),
    KnownOutlet("BBC", ("bbc", "bbc news", "bbc world service", "bbc.com", "bbc.co.uk"), r"\bBBC\b"),
    KnownOutlet("CNN", ("cnn", "cnn wire", "cnn.com"), r"\bCNN\b"),
    KnownOutlet("Al Jazeera", ("al jazeera", "al-jazeera", "aljazeera", "aljazeera.com"), r"\bAl[- ]Jazeera\b"),
    KnownOutlet("Press TV", ("press tv", "presstv"), r"\bPress ?TV\b|\bPRESSTV\b"),
    KnownOutlet(
        "The New York Times",
        ("new york times", "nyt", "nytimes", "nytimes.com", "ny times"),
        r"\bNew York Times\b|\bNYT\b",
    ),
    KnownOutlet("The Washington Post", ("washington post", "wapo", "washingtonpost.com"), r"\bWashington Post\b"),
    KnownOutlet(
        "The Wall Street Journal", ("wall street journal", "wsj", "wsj.com"), r"\bWall Street Journal\b|\bWSJ\b"
    ),
    KnownOutlet("Bloomberg", ("bloomberg", "bloomberg news", "bloomberg.com"), r"\bBloomberg\b"),
    KnownOutlet(
        "Fox News",
        ("fox", "fox news", "fox news channel", "fox news network", "foxnews", "foxnews.com"),
        r"\bFox News\b",
    ),
    KnownOutlet("NBC News", ("nbc", "nbc news", "nbcnews.com"), r"\bNBC\b"),
    KnownOutlet("CBS News", ("cbs", "cbs news", "cbsnews.com"), r"\bCBS\b"),
    KnownOutlet("ABC News", ("abc news", "abc", "abcnews", "abcnews.go.com"), r"\bABC News\b"),
    KnownOutlet("Sky News", ("sky news", "sky"), r"\bSky News\b"),
    KnownOutlet("The Guardian", ("guardian", "theguardian.com", "guardian.co.uk"), r"\bGuardian\b"),
    KnownOutlet("Business Insider", ("business insider", "businessinsider.com"), r"\bBusiness Insider\b"),
    KnownOutlet("Xinhua", ("xinhua", "xinhua news agency", "xinhuanet"), r"\bXinhua\b"),
    KnownOutlet("TASS", ("tass", "itar-tass"), r"\bTASS\b|\bTass\b"),
    KnownOutlet("Interfax", ("interfax",), r"\bInterfax\b"),
    KnownOutlet("Anadolu Agency", ("anadolu", "anadolu agency"), r"\bAnadolu\b"),
    KnownOutlet("EFE", ("efe",), r"\bEFE\b"),
    KnownOutlet("ANSA", ("ansa",), r"\bANSA\b"),
    KnownOutlet("Kyodo News", ("kyodo", "kyodo news"), r"\bKyodo\b"),
    KnownOutlet("Yonhap", ("yonhap", "yonhap news", "yonhap news agency"), r"\bYonhap\b"),
    KnownOutlet("IRNA", ("irna",), r"\bIRNA\b"),
    KnownOutlet("Fars", ("fars", "fars news", "fars news agency"), r"\bFars news\b|\bFars\b"),
    KnownOutlet("Tasnim", ("tasnim", "tasnim news agency"), r"\bTasnim\b"),
    KnownOutlet("Financial Times", ("financial times", "ft", "ft.com"), r"\bFinancial Times\b|\bFT\b"),
    KnownOutlet("Axios", ("axios",), r"\bAxios\b"),
    KnownOutlet("Politico", ("politico", "politico.com"), r"\bPolitico\b"),
    KnownOutlet("NPR", ("npr", "national public radio", "npr.org"), r"\bNPR\b"),
    KnownOutlet(
        "HuffPost",
        ("huffpost", "huffington post", "huffingtonpost.com", "huffpost.com"),
        r"\bHuffPost\b|\bHuffington Post\b",
    ),
    KnownOutlet("USA Today", ("usa today", "usatoday", "usatoday.com"), r"\bUSA Today\b|\bUSA TODAY\b"),
    KnownOutlet(
        "Breitbart News",
        ("breitbart", "breitbart news", "breitbart news network", "breitbart.com"),
        r"\bBreitbart News\b",
    ),
    KnownOutlet("UPI", ("upi", "united press international"), r"\bUPI\b|\bUnited Press International\b"),
    KnownOutlet("MSNBC", ("msnbc", "msnbc.com"), r"\bMSNBC\b"),
    KnownOutlet("CNBC", ("cnbc", "cnbc.com"), r"\bCNBC\b"),
    KnownOutlet(
        "Los Angeles Times", ("los angeles times", "la times", "latimes", "latimes.com"), r"\bLos Angeles Times\b"
    ),
    KnownOutlet(
        "Daily Mail", ("daily mail", "mail online", "mailonline", "dailymail.co.uk"), r"\bDaily Mail\b|\bMailOnline\b"
    ),
    KnownOutlet("Newsweek", ("newsweek", "newsweek.com"), r"\bNewsweek\b"),
    KnownOutlet("BuzzFeed News", ("buzzfeed", "buzzfeed news"), r"\bBuzzFeed\b"),
    KnownOutlet("RIA Novosti", ("ria novosti", "ria"), r"\bRIA Novosti\b"),
    # Named only as an article's outlet or in a credit: in running text these names are ordinary words.
    KnownOutlet("The Independent", ("independent", "independent.co.uk")),
    KnownOutlet("The Telegraph", ("telegraph", "daily telegraph", "telegraph.co.uk")),
    KnownOutlet("The Hill", ("hill", "thehill.com")),
    KnownOutlet("Time", ("time", "time magazine", "time.com")),
    KnownOutlet("The Atlantic", ("atlantic", "theatlantic.com")),
    KnownOutlet("Vox", ("vox", "vox.com")),
    KnownOutlet("Yahoo News", ("yahoo news", "yahoo")),
    KnownOutlet("CNNMoney", ("cnnmoney", "cnn money", "cnnmoney.com")),
    KnownOutlet("MarketWatch", ("marketwatch", "marketwatch.com")),
    KnownOutlet("TheStreet", ("thestreet", "thestreet.com")),
    KnownOutlet("MainStreet", ("mainstreet",)),
    KnownOutlet("HealthDay News", ("healthday", "healthday news")),
    KnownOutlet("Business Wire", ("business wire", "businesswire")),
    KnownOutlet("PR Newswire", ("pr newswire", "prnewswire")),
    KnownOutlet("R-Sport", ("r-sport",)),
    KnownOutlet("CBS New York", ("cbsnewyork", "cbs new york")),
    KnownOutlet("CBS Los Angeles", ("cbsla", "cbsla.com", "cbs los angeles")),
    KnownOutlet("CBS Miami", ("cbsmiami", "cbsmiami.com", "cbs miami")),
    KnownOutlet("CBS DFW", ("cbsdfw", "cbsdfw.com", "cbs dfw")),
    KnownOutlet("Agencies", ("agencies", "staff and agencies", "wires", "wire services")),
)


def _key(name: str) -> str:
    """How an alias is looked up: case, spacing, punctuation at the ends and a leading "the" ignored."""
    key = re.sub(r"\s+", " ", name).strip(" \t-—–_()[]{}.,:;|'\"“”‘’").casefold()
    return key[4:] if key.startswith("the ") else key


_BY_ALIAS: dict[str, str] = {_key(alias): o.name for o in OUTLETS for alias in (o.name, *o.aliases)}
# Each outlet's pattern in running text, in the table's order (claims/pipeline/attribution.py).
IN_TEXT: tuple[tuple[str, re.Pattern[str]], ...] = tuple((o.name, re.compile(o.in_text)) for o in OUTLETS if o.in_text)


_UNAMBIGUOUS = {o.name for o in OUTLETS if o.in_text}


def known_outlet(name: str) -> str | None:
    """The table's name for a whole outlet name ("the ap" -> "Associated Press"), or None."""
    return _BY_ALIAS.get(_key(name))


def canonical_outlet(name: str) -> str:
    """The one spelling of an outlet name: the table's ("AP" -> "Associated Press"), else as written."""
    cleaned = re.sub(r"\s+", " ", name).strip(" \t-—–()[].,")
    return known_outlet(cleaned) or cleaned


# --- credits found in text -----------------------------------------------------------------------

# Words that make a name an outlet's: "healthday news", "the borowitz report", "business wire".
_OUTLET_WORD = re.compile(
    r"\b(?:news|press|wire|times|post|journal|herald|tribune|gazette|report|media|radio|tv|television|channel"
    r"|network|agency|service|foundation|broadcasting|newspaper|daily|magazine)\b",
    re.IGNORECASE,
)
# A broadcaster's local brand: "cbsnewyork", "cbs sf", "myfoxboston.com".
_NETWORK_BRAND = re.compile(r"^(?:cbs|nbc|abc|fox|myfox|cnn|bbc|npr)(?:\w|\s|\.)", re.IGNORECASE)
# A US station's call sign: "( wxyz )", "(KDKA)", "( wish-tv )".
_CALL_SIGN = re.compile(r"^[kw][a-z]{2,3}(?:-?(?:tv|fm|am|dt))?$", re.IGNORECASE)
_WEB_ADDRESS = re.compile(r"^[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|org|net|co\.uk|tv|news)$", re.IGNORECASE)
_ACRONYM = re.compile(r"^[a-z]{2,5}$", re.IGNORECASE)
_SMALL_WORDS = {"of", "and", "the", "for", "on", "in", "at", "de"}


def _tidy(name: str) -> str:
    """A credit's name as people write it: as written, unless the text was lower-cased."""
    cleaned = re.sub(r"\s+", " ", name).strip(" \t-—–_()[].,:;")
    if cleaned != cleaned.lower() or _WEB_ADDRESS.match(cleaned):
        return cleaned
    words = cleaned.split()
    if len(words) == 1 and (_ACRONYM.match(cleaned) or _CALL_SIGN.match(cleaned)):
        return cleaned.upper()  # "( wxyz )", "( jta )"
    out = []
    for i, word in enumerate(words):
        if i and word in _SMALL_WORDS:
            out.append(word)
        elif re.fullmatch(r"cbs|nbc|abc|cnn|bbc|npr|[a-z]{1,2}", word):
            out.append(word.upper())  # "cbs sf" -> "CBS SF"
        else:
            out.append(word[:1].upper() + word[1:])
    return " ".join(out)


def credit_outlet(credit: str, *, strict: bool = False) -> str | None:
    """The outlet a credit names ("( ap )", "( cbs las vegas )", "( wxyz )"), or None if it names none.

    A name in the table, a call sign, a web address, a broadcaster's local brand or a name with
    an outlet's word in it names an outlet. Other short acronyms ("( jta )", "( cns )") do unless
    `strict`: the caller allows them only where a dateline's place stands before them, since in
    running text "the Environmental Protection Agency (EPA) —" is an acronym and no credit.
    "( wspa and ap )" names its first outlet.
    """
    parts = [credit, *re.split(r"\s+(?:and|&)\s+", credit)] if re.search(r"\s(?:and|&)\s", credit) else [credit]
    for part in parts:
        cleaned = re.sub(r"\s+", " ", part).strip(" \t-—–_()[].,:;")
        if len(cleaned) < 2 or len(cleaned.split()) > 4 or re.search(r"\d|/", cleaned):
            continue
        known = known_outlet(cleaned)
        if known:
            return known
        if (
            _CALL_SIGN.match(cleaned)
            or _WEB_ADDRESS.match(cleaned)
            or _NETWORK_BRAND.match(cleaned)
            or _OUTLET_WORD.search(cleaned)
            or (not strict and _ACRONYM.match(cleaned))
        ):
            return _tidy(cleaned)
    return None


# Credit words that may stand alone on a line at the end (or start) of an article.
_CREDIT_LINE = re.compile(
    r"""^[\s\-—–(]*(?:by\s+)?
        (?P<name>(?:[\w.&'’]+\s+){0,3}?(?:and\s+)?agencies
        |[A-Z][\w.&'’-]*(?:\s+[A-Z][\w.&'’-]*){0,2}\s+(?:Media|Wire|News\s+Agency|News\s+Service))
        [\s)\.]*$""",
    re.IGNORECASE | re.VERBOSE,
)
_CREDIT_LINE_PUNCTUATION = re.compile(r"^[\s\-—–(]*(?:by\s+)?(?P<name>.+?)[\s)\.]*$", re.IGNORECASE)

_DASH = r"(?:-{1,2}|—|–|_)"
# "AP, BAGHDAD"
_DATELINE_CREDIT_FIRST = re.compile(r"^(?P<credit>[A-Z][\w.&'’ -]{0,40}?),\s*(?P<place>[A-Z][A-Z .'’-]{1,40})$")
# "( ap )", "(Reuters)" followed by a dash (or a colon): the credit of a dateline, wherever it is.
_PAREN_CREDIT = re.compile(rf"\(\s*(?P<credit>[A-Za-z][A-Za-z.&'’ -]{{0,40}}?)\s*\)\s*(?P<sep>{_DASH}|:|\Z)\s*")
# "(CNN)Five people ..." at the very start: no dash, the text runs on.
_PAREN_CREDIT_RUN_ON = re.compile(r"^\(\s*(?P<credit>[A-Za-z][A-Za-z.&'’ -]{0,40}?)\s*\)\s*(?=[A-Z“\"])")
# A dateline's place (and date) before its credit: "Paris", "BALTIMORE, June 2", "Santa Rosa, Calif.".
_PLACE = re.compile(r"^[\w.,'’/ -]{0,80}$")
# Where a dateline's place can start: the start, a line, a sentence, a caption's closing bracket.
_BOUNDARY = re.compile(r"(?:^|\n|[.!?…]\s+(?=[^\s(])|[)\]”\"]\s*|\s[-—–]{1,2}\s|:\s)")
_PLACE_WORDS = 8
_STRICT_PLACE_WORDS = 5
# How far into the text a dateline is looked for: a headline and photo captions run into it.
DATELINE_WITHIN = 1500

_BYLINE = re.compile(r"^by\s+[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,4}(?:\s*(?:,|and|\||[-—–])\s*.*)?$", re.IGNORECASE)
_ROLE_WORDS = {"writer", "writers", "correspondent", "correspondents", "reporter", "reporters", "staff", "editor",
               "special", "senior", "chief", "political", "staff writer", "and"}  # fmt: skip
# "By Erik Schelzig, The Associated Press" inside a paragraph (lower-cased text runs bylines in).
_BYLINE_IN_TEXT = re.compile(
    r"\bby\s+(?:[A-Za-z.'’-]+\s+){1,3}?[A-Za-z.'’-]+\s*(?:,|\|)\s*(?P<rest>(?:[A-Za-z.&'’-]+\s*){1,4})", re.IGNORECASE
)
_NOT_A_BYLINE = re.compile(r"(?:photo|picture|image|credit|enlarge|video|graphic)s?\W{0,4}$", re.IGNORECASE)
BYLINE_WITHIN = 300
_HOMEPAGE = re.compile(r"^visit\s+(?P<name>.+?)['’]s\s+homepage\s+for\s+more\s+stories\.?$", re.IGNORECASE)
# The end of a last paragraph: "... on Monday. — Reuters"
_CLOSING_CREDIT = re.compile(r"(?<=[.!?”\"’)])\s*[-—–]{1,2}\s*(?P<credit>[A-Za-z][\w.&'’ -]{1,40}?)\s*\.?$")


@dataclass(frozen=True)
class Dateline:
    text: str  # "Paris ( ap )"
    outlet: str | None
    start: int  # where the dateline starts in the text it was found in
    end: int  # where the article's own words start after it (after the dash)


def credit_line_outlet(line: str) -> str | None:
    """The outlet a lone credit line names ("PA Media", "agencies", "— Reuters"), or None."""
    if len(line) > 60:
        return None
    match = _CREDIT_LINE.match(line.strip())
    if match:
        return canonical_outlet(match.group("name"))
    match = _CREDIT_LINE_PUNCTUATION.match(line.strip())
    if not match or len(match.group("name").split()) > 4:
        return None
    name = match.group("name")
    outlet = known_outlet(name)
    # Alone on a line, a name that is also an ordinary word ("Time", "Independent") needs a dash,
    # a bracket or "By" before it to be a credit.
    marked = match.start("name") > 0
    bare = re.sub(r"^the\s+", "", name.strip(), flags=re.IGNORECASE)
    if outlet and (marked or any(p.fullmatch(bare) for _, p in IN_TEXT)):
        return outlet
    return None


def closing_credit(paragraph: str) -> tuple[str, str] | None:
    """A credit that ends a last paragraph ("... said. — Reuters"): (the credit as written, outlet)."""
    tail = paragraph[-80:]
    match = _CLOSING_CREDIT.search(tail)
    if not match:
        return None
    credit = match.group("credit")
    if not (known_outlet(credit) or _OUTLET_WORD.search(credit)):
        return None  # "— Mike Huckabee" signs an opinion piece; a credit names an outlet
    outlet = credit_outlet(credit, strict=True)
    return (tail[match.start() :].strip(), outlet) if outlet else None


def homepage_outlet(line: str) -> str | None:
    """The outlet of a "Visit Business Insider's homepage for more stories" line, or None."""
    match = _HOMEPAGE.match(line.strip())
    return canonical_outlet(match.group("name")) if match else None


def byline_outlet(byline: str) -> str | None:
    """The outlet a byline names: "By Jill Lawless, Associated Press", "By X Associated Press Writer"."""
    words = re.sub(r"[,|—–]", " , ", byline).split()[1:]  # without "By"
    while words and words[-1].strip(".").casefold() in _ROLE_WORDS:
        words.pop()
    for size in range(min(4, len(words)), 0, -1):
        tail = [w for w in words[-size:]]
        if "," in tail:
            continue
        found = known_outlet(" ".join(tail))
        if found:
            return found
    parts = [p.strip() for p in re.split(r"[,|—–]", byline)[1:] if p.strip()]
    for part in reversed(parts):
        found = known_outlet(part)
        if found:
            return found
    return None


def parse_dateline(text: str) -> tuple[str, str | None] | None:
    """Read a whole string as a dateline or byline.

    Returns (dateline, outlet or None) when `text` is one ("AP, BAGHDAD" -> ("AP, BAGHDAD",
    "Associated Press")), or None when it reads as ordinary body text.
    """
    text = text.strip()
    if not text or len(text) > 80 or text.endswith(("!", "?", "”", '"')):
        return None
    match = _DATELINE_CREDIT_FIRST.match(text)
    if match and len(match.group("credit").split()) <= 4:
        return text, canonical_outlet(match.group("credit"))
    if _BYLINE.match(text):
        return text, byline_outlet(text)
    if text.endswith("."):
        return None
    found = find_dateline(text, whole=True)
    if found and found.start == 0 and found.end >= len(text.rstrip(" -—–_:")):
        return text, found.outlet
    if text.isupper() and len(text.split()) <= 4:  # a bare place: "BAGHDAD"
        return text, None
    return None


def is_byline(paragraph: str) -> bool:
    """A paragraph that is only a byline: "By Jill Lawless, Associated Press"."""
    return len(paragraph) <= 100 and bool(_BYLINE.match(paragraph.strip())) and not paragraph.rstrip().endswith(".")


def find_dateline(text: str, *, whole: bool = False) -> Dateline | None:
    """The first dateline credit in the first DATELINE_WITHIN characters of `text`, or None.

    A credit names an outlet (`credit_outlet`) and is followed by a dash ("Paris ( ap ) —"), or by
    a colon for a name in the table (`whole`: `text` is a dateline alone, "BAGHDAD (Reuters)", and
    needs neither). Before it stands its place and date, a few words after the
    start, a sentence or a caption; a bare acronym counts only with such a place of at most five
    words, or at the very start.
    """
    head = text[:DATELINE_WITHIN]
    match = _PAREN_CREDIT_RUN_ON.match(head)
    if match and known_outlet(match.group("credit")):
        return Dateline(match.group(0).strip(), known_outlet(match.group("credit")), 0, match.end())
    for match in _PAREN_CREDIT.finditer(head):
        credit, separator = match.group("credit"), match.group("sep")
        if not separator and not whole:
            continue  # "( associated press ) sochi ...": a photo's credit, not a dateline's
        if separator == ":":
            outlet = known_outlet(credit)
            strict = outlet
        else:
            strict = credit_outlet(credit, strict=True)
            outlet = strict or credit_outlet(credit)
        if outlet is None:
            continue
        before = head[: match.start()]
        boundaries = list(_BOUNDARY.finditer(before))
        place_start = boundaries[-1].end() if boundaries else 0
        place = before[place_start:]
        words = len(place.split())
        if strict is None and not _acronym_place(place, credit, at_start=not before.strip()):
            continue  # "the Environmental Protection Agency ( epa ) —": an acronym, not a credit
        if not _PLACE.match(place) or words > _PLACE_WORDS:
            place_start = match.start()  # no place before it: the credit alone is the dateline
        dateline = head[place_start : match.end()].strip().rstrip("-—–_:").strip()
        return Dateline(dateline, outlet, place_start, match.end())
    return None


def _acronym_place(place: str, acronym: str, *, at_start: bool) -> bool:
    """Whether a bare acronym after `place` is a dateline's credit ("San Diego ( cns ) -") rather
    than the abbreviation of the words before it ("the Environmental Protection Agency (EPA) —")."""
    words = place.split()
    if not words:
        return at_start  # "(JTA) — ..." opening the article
    if len(words) > _STRICT_PLACE_WORDS or words[0].casefold() in ("the", "a", "an"):
        return False
    if len(place.split(",")[0].split()) > 3:
        return False  # a place is a few words, then its region or date after a comma
    letters = acronym.casefold().rstrip("s") if len(acronym) > 3 else acronym.casefold()
    initials = [w[0].casefold() for w in words if w[0].isalpha()]
    content = [w[0].casefold() for w in words if w.casefold() not in _SMALL_WORDS and w[0].isalpha()]
    return letters not in ("".join(initials[-len(letters) :]), "".join(content[-len(letters) :]))


def split_leading_dateline(paragraph: str) -> tuple[str, str | None, str] | None:
    """Split a wire dateline off the start of the first paragraph.

    "BAGHDAD (Reuters) - Dozens of ..." -> ("BAGHDAD (Reuters)", "Reuters", "Dozens of ...");
    "Paris ( ap ) — the pompidou ..." -> ("Paris ( ap )", "Associated Press", "the pompidou ...").
    """
    found = find_dateline(paragraph)
    if found is None or found.start != 0 or found.end >= len(paragraph):
        return None
    return found.text, found.outlet, paragraph[found.end :]


def byline_in_text(text: str) -> str | None:
    """The outlet of a byline run into the first lines ("share by erik schelzig, the associated press
    gov. bill haslam ..."), not a photo's ("( photo: by julio cortez, ap )"); None if there is none."""
    for match in _BYLINE_IN_TEXT.finditer(text[:BYLINE_WITHIN]):
        if _NOT_A_BYLINE.search(text[max(0, match.start() - 30) : match.start()]):
            continue
        if re.match(r"by\s+(?:the|a|an|this|that|its|his|her|their)\b", match.group(0), re.IGNORECASE):
            continue  # "grouped by the kind of trigger, time of year": no one's name
        words = match.group("rest").split()
        for size in range(min(4, len(words)), 0, -1):
            found = known_outlet(" ".join(words[:size]))
            # In running text only a name that is no ordinary word: "time" or "hill" is not an outlet.
            if found and found in _UNAMBIGUOUS:
                return found
    return None


_ANY_IN_TEXT = re.compile("|".join(f"(?:{o.in_text})" for o in OUTLETS if o.in_text))


def outlet_in_text(text: str) -> str | None:
    """The first outlet of the table that running text names ("an AP reporter" -> "Associated Press")."""
    if not _ANY_IN_TEXT.search(text):  # one pass for the usual case: no outlet at all
        return None
    for name, pattern in IN_TEXT:
        if pattern.search(text):
            return name
    return None
