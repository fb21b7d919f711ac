"""Attribution: where a statement's information comes from, with source normalisation."""

from __future__ import annotations

import functools
import re

from .types import Attribution

# Canonical name -> pattern.  Short all-caps forms are matched case-sensitively so that
# "ap" or "pa" inside ordinary words never count.
_OUTLETS: list[tuple[str, str]] = [
    ("Associated Press", r"\bAssociated Press\b|\bAP\b"),
    ("Reuters", r"\bReuters\b"),
    ("Agence France-Presse", r"\bAFP\b|\bAgence France[- ]Presse\b"),
    ("PA Media", r"\bPA Media\b|\bPress Association\b|\bPA\b"),
    ("Deutsche Presse-Agentur", r"\bdpa\b|\bDPA\b|\bDeutsche Presse-Agentur\b"),
    ("BBC", r"\bBBC\b"),
    ("CNN", r"\bCNN\b"),
    ("Al Jazeera", r"\bAl[- ]Jazeera\b"),
    ("Press TV", r"\bPress ?TV\b|\bPRESSTV\b"),
    ("The New York Times", r"\bNew York Times\b|\bNYT\b"),
    ("The Washington Post", r"\bWashington Post\b"),
    ("The Wall Street Journal", r"\bWall Street Journal\b|\bWSJ\b"),
    ("Bloomberg", r"\bBloomberg\b"),
    ("Fox News", r"\bFox News\b"),
    ("NBC News", r"\bNBC\b"),
    ("CBS News", r"\bCBS\b"),
    ("ABC News", r"\bABC News\b"),
    ("Sky News", r"\bSky News\b"),
    ("The Guardian", r"\bGuardian\b"),
    ("Business Insider", r"\bBusiness Insider\b"),
    ("Xinhua", r"\bXinhua\b"),
    ("TASS", r"\bTASS\b|\bTass\b"),
    ("Interfax", r"\bInterfax\b"),
    ("Anadolu", r"\bAnadolu\b"),
    ("EFE", r"\bEFE\b"),
    ("ANSA", r"\bANSA\b"),
    ("Kyodo", r"\bKyodo\b"),
    ("Yonhap", r"\bYonhap\b"),
    ("IRNA", r"\bIRNA\b"),
    ("Fars", r"\bFars news\b|\bFars\b"),
    ("Tasnim", r"\bTasnim\b"),
    ("Financial Times", r"\bFinancial Times\b|\bFT\b"),
    ("Axios", r"\bAxios\b"),
    ("Politico", r"\bPolitico\b"),
    ("NPR", r"\bNPR\b"),
]
_OUTLET_RES = [(name, re.compile(p)) for name, p in _OUTLETS]
_GENERIC_OUTLETS = {"agencies", "agency", "staff", "wires", "wire services", "news agencies", "newswires"}


_ANY_OUTLET = re.compile("|".join(f"(?:{p})" for _, p in _OUTLETS))


@functools.lru_cache(maxsize=8192)  # the speaker stage asks about the same names again and again
def normalise_source(text: str | None) -> str | None:
    """'the AP', 'an Associated Press reporter' -> 'Associated Press'; unnamed -> None."""
    if not text or not _ANY_OUTLET.search(text):
        return None
    for name, rx in _OUTLET_RES:
        if rx.search(text):
            return name
    return None


def normalise_outlet(outlet: str | None) -> str | None:
    """Article outlet as a canonical name; generic bylines such as 'agencies' -> None."""
    if not outlet or outlet.strip().lower() in _GENERIC_OUTLETS:
        return None
    return normalise_source(outlet) or outlet.strip()


_NP = r"(?:(?:the|a|an|one|two|several|local|state|Iranian|Iraqi|US|U\.S\.)\s+)*(?:[A-Z][\w.'’&-]*\s+){0,4}"
_REPORTER = r"(?:reporters?|correspondents?|journalists?|photographers?|videographers?|crews?)"
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("according", re.compile(r"\baccording to\s+(?P<src>[^,.;:()]{2,80}?)(?=\s*(?:[,.;:()]|$|\bwho\b|\bwhich\b))")),
    (
        "reporter",
        re.compile(
            rf"\b(?P<src>(?:an?|the|one|our)\s+(?:[A-Z][\w.'’-]*\s+){{0,3}}(?:local\s+|freelance\s+)?{_REPORTER}"
            r"(?:\s+(?:at|on)\s+the\s+scene)?)\s+(?:saw|reported|said|witnessed|heard|counted|observed|described|confirmed)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "told",
        re.compile(
            r"\btold\s+(?P<src>the\s+(?:AP|BBC|PA|AFP|Associated Press)|Reuters|AFP|CNN|(?:[A-Z][\w.'’-]*\s?){1,4})\b"
        ),
    ),
    (
        "reported",
        re.compile(
            r"(?:^|[,;]\s*|\b(?:as|and)\s+)(?P<src>(?:the\s+|an?\s+)?(?:[A-Z][\w.'’-]*\s+(?:of\s+(?:the\s+)?)?){0,5}"
            r"(?:[A-Z][\w.'’-]*|(?:state\s+|local\s+)?(?:news agency|media|reports|officials?|sources|television|TV|"
            r"broadcaster|military|army|police|government|ministry|spokes(?:man|woman|person)|authorities|statement)))"
            r"\s+(?:reported|reports|said|says|quoted|cited|confirmed|announced|stated)\b"
        ),
    ),
    (
        "reported_by",
        re.compile(r"\b(?:reported|quoted|cited|broadcast)\s+by\s+(?P<src>(?:the\s+)?(?:[A-Z][\w.'’-]*\s?){1,5})"),
    ),
    ("citing", re.compile(r"\bciting\s+(?P<src>[^,.;:]{2,60}?)(?=\s*(?:[,.;:]|$))")),
    (
        "reports",
        re.compile(r"\b(?P<src>(?:unconfirmed|media|local|news|press|initial|early)\s+reports)\b", re.IGNORECASE),
    ),
]
_PERSONAL = re.compile(r"^(?:he|she|they|it|we|i|you|this|that|there)$", re.IGNORECASE)
_NON_SOURCE = re.compile(r"^(?:the\s+)?(?:US|U\.S\.|White House|State Department)$")


def _kind(src: str, normalized: str | None, how: str) -> str:
    low = src.lower()
    if how == "reporter" or re.search(_REPORTER, low):
        return "reporter"
    if "report" in low:
        return "reports"
    if normalized:
        return "outlet"
    if re.search(r"\b(?:official|spokes\w+|ministry|department|military|police|government|army)\b", low):
        return "official"
    return "person" if src[:1].isupper() else "other"


def extract_attributions(sentence: str, offset: int = 0) -> list[Attribution]:
    """Sources credited in ``sentence`` ("according to X", "X reported", "told the AP"...)."""
    out: list[Attribution] = []
    seen: set[tuple[int, int]] = set()
    for how, rx in _PATTERNS:
        for m in rx.finditer(sentence):
            src = m.group("src").strip().rstrip(",")
            if not src or _PERSONAL.match(src):
                continue
            s, e = m.start("src"), m.start("src") + len(src)
            if any(s < e2 and s2 < e for s2, e2 in seen):
                continue
            seen.add((s, e))
            normalized = normalise_source(src)
            if how == "reported" and normalized is None and _NON_SOURCE.match(src):
                continue
            out.append(
                Attribution(
                    text=m.group().strip(),
                    start=offset + s,
                    end=offset + e,
                    source=src,
                    normalized=normalized,
                    kind=_kind(src, normalized, how),
                )
            )
    out.sort(key=lambda a: (a.start, a.end))
    return out
