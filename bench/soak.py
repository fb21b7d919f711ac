"""The soak scenario's clients and its accounting (bench/faults.py runs it; see its docstring).

HTTP only, from threads, against a real server process (gunicorn): an editor who uploads articles
through `POST /api/v1/stories/{id}/imports/` and reviewers who confirm, reject, edit, annotate,
take and release claims through the REST API with personal tokens. Afterwards, what the clients
were told is checked against the database (`check_reviews`, `check_articles`, `fault_recovery`).

What a client does with each answer (the rules the figures count by):
- 2xx: done. For a write, "applied"; the database must then hold its effect, or it is "lost".
- 503 `database_unavailable`: designed (the API's "not now"); wait `Retry-After` and send the same
  request again. Counted apart from other 5xx, which are bugs.
- another 5xx, or no answer (connection refused, reset, timed out): send the same request again
  after 1-2 s. Such an attempt may have been applied all the same (the commit done, the answer lost);
  the write is then "ambiguous" until its end.
- 412 `stale_version`: a correct refusal (someone changed the claim since it was read; nothing was
  written). The reviewer moves on to another claim (its next read refreshes it). If an earlier
  attempt of the same write was ambiguous, the 412 may be the reviewer's own write coming back:
  the database decides (its audit event by this reviewer from that version): "applied, answer
  lost", else "refused".
- 409 (`lease_held`: a colleague holds the claim; `invalid_state`, `duplicate_note`) and 428
  (`precondition_required`: a write sent without a version, on purpose, a few times): correct
  refusals. Any other 4xx is unexpected (a bench or an app bug) and listed.
- A write still without an answer after `give_up_s` of retries is "unanswered" and counts as lost.

Standard library only for HTTP (http.client); Django is imported inside the checking functions,
after bench/faults.py has set it up.
"""

from __future__ import annotations

import http.client
import json
import random
import re
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

# Writes that name the version they change (body `version` or If-Match); take and release do not.
VERSIONED = ("confirm", "reject", "edit", "annotate")
# How often each thing a reviewer does is chosen: a take is followed by one versioned action and a release.
ACTION_WEIGHTS = {"confirm": 25, "reject": 12, "edit": 18, "annotate": 30, "take": 15}
LABELS = ("accurate", "inaccurate", "misleading", "unverifiable", "")
MARKER_TAIL = re.compile(r" \[soak [^\]]*\]$")
CORRECT_REFUSALS = {412, 409, 428}


def _path_kind(path: str) -> str:
    """/api/v1/claims/17/confirm/?x=1 -> /api/v1/claims/{id}/confirm/ (for counting by endpoint)."""
    return re.sub(r"/\d+/", "/{id}/", path.split("?", 1)[0])


# --- HTTP ----------------------------------------------------------------------------------------------


@dataclass
class Answer:
    status: int | None  # None: no answer at all (refused, reset, timed out)
    code: str  # the error shape's code, or "" (or the exception's name when there was no answer)
    body: Any
    headers: dict[str, str]
    started: float
    ended: float

    @property
    def retryable(self) -> bool:
        return self.status is None or self.status >= 500

    def retry_after(self, default: float) -> float:
        try:
            return min(max(float(self.headers.get("retry-after", default)), 0.5), 30.0)
        except ValueError:
            return default


@dataclass
class RequestLog:
    """Every request any client sent, for the counts and for when the API answered again."""

    rows: list[tuple[float, float, str, str, str, int | None, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, who: str, method: str, path: str, answer: Answer) -> None:
        with self.lock:
            self.rows.append((answer.started, answer.ended, who, method, _path_kind(path), answer.status, answer.code))


class Api:
    """One client of the server: a token, a name for the log, a new connection per request."""

    def __init__(self, host: str, port: int, token: str, who: str, log: RequestLog, timeout: float = 60) -> None:
        self.host, self.port, self.token, self.who, self.log, self.timeout = host, port, token, who, log, timeout

    def call(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        raw: bytes | None = None,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
    ) -> Answer:
        send = {"Authorization": f"Bearer {self.token}", "Accept": "application/json", **(headers or {})}
        payload = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        if payload is not None:
            send["Content-Type"] = content_type
        started = time.time()
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            conn.request(method, path, body=payload, headers=send)
            response = conn.getresponse()
            data = response.read()
            status, got = response.status, {k.lower(): v for k, v in response.getheaders()}
        except (OSError, http.client.HTTPException) as exc:
            answer = Answer(None, type(exc).__name__, None, {}, started, time.time())
            self.log.add(self.who, method, path, answer)
            return answer
        finally:
            conn.close()
        try:
            parsed = json.loads(data) if data else None
        except ValueError:
            parsed = data[:300].decode("utf-8", "replace")
        code = ""
        if isinstance(parsed, dict) and isinstance(parsed.get("error"), dict):
            code = str(parsed["error"].get("code", ""))
        answer = Answer(status, code, parsed, got, started, time.time())
        self.log.add(self.who, method, path, answer)
        return answer

    def until_answered(self, method: str, path: str, *, give_up_at: float, **kwargs: Any) -> list[Answer]:
        """Send until the server answers with something other than a 5xx, or `give_up_at` passes.
        Returns every attempt; the last is the answer (a 5xx or no answer if it gave up)."""
        attempts = []
        while True:
            answer = self.call(method, path, **kwargs)
            attempts.append(answer)
            if not answer.retryable or time.time() >= give_up_at:
                return attempts
            if answer.status == 503 and answer.code == "database_unavailable":
                time.sleep(answer.retry_after(5.0))
            else:
                time.sleep(1.0 if answer.status is None else 2.0)


def multipart(files: Sequence[tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = f"soak{uuid.uuid4().hex}"
    parts = []
    for name, data in files:
        ctype = "application/json" if name.endswith(".json") else "text/plain"
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
            f"Content-Type: {ctype}\r\n\r\n".encode()
            + data
            + b"\r\n"
        )
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


# --- the editor: uploads over time ------------------------------------------------------------------------


@dataclass
class Upload:
    at: float  # seconds after the start
    story_id: int
    files: list[tuple[str, bytes]]
    attempts: list[tuple[float, int | None, str]] = field(default_factory=list)
    status: int | None = None
    batch: dict[str, Any] | None = None
    sent_at: float | None = None
    answered_at: float | None = None


class Importer(threading.Thread):
    """Sends each planned upload at its time, and again after a 503 or no answer."""

    def __init__(self, api: Api, plan: list[Upload], t0: float, stop: threading.Event, give_up_s: float) -> None:
        super().__init__(name="importer", daemon=True)
        self.api, self.plan, self.t0, self.stop, self.give_up_s = api, plan, t0, stop, give_up_s
        self.crashed: list[str] = []

    def run(self) -> None:
        try:
            for upload in self.plan:
                while time.time() < self.t0 + upload.at and not self.stop.is_set():
                    time.sleep(0.1)
                if self.stop.is_set():
                    return
                raw, ctype = multipart(upload.files)
                upload.sent_at = time.time()
                attempts = self.api.until_answered(
                    "POST",
                    f"/api/v1/stories/{upload.story_id}/imports/",
                    raw=raw,
                    content_type=ctype,
                    give_up_at=upload.sent_at + self.give_up_s,
                )
                upload.attempts = [(a.started, a.status, a.code) for a in attempts]
                last = attempts[-1]
                upload.status, upload.answered_at = last.status, last.ended
                if last.status == 202 and isinstance(last.body, dict):
                    upload.batch = last.body
        except Exception as exc:  # a bench bug: say so instead of dying silently
            self.crashed.append(repr(exc))


# --- the reviewers -----------------------------------------------------------------------------------------


@dataclass
class Write:
    """One review action, sent once and again after a 503 or no answer, with what came of it."""

    reviewer: str
    kind: str  # confirm, reject, edit, annotate, take, release
    claim_id: int
    version: int | None  # the version it names (None: take, release, or deliberately none)
    body: dict[str, Any]
    on_purpose: str = ""  # "stale": a version known to be old; "no_version": none (expects 428)
    attempts: list[tuple[float, int | None, str]] = field(default_factory=list)
    status: int | None = None
    code: str = ""
    new_version: int | None = None
    sent_at: float = 0.0
    answered_at: float | None = None

    @property
    def ambiguous(self) -> bool:
        """An attempt before the answer got a 5xx or nothing: it may have been applied."""
        return any(s is None or s >= 500 for _, s, _ in self.attempts[:-1])

    @property
    def marker(self) -> str:
        return str(self.body.get("reason") or self.body.get("text") or self.body.get("note") or "")


class Reviewer(threading.Thread):
    """Reads the queue of a story, picks one of its first claims (so reviewers meet on the same
    claims, and their versions go stale), reads it (half the time; else acts on the list's
    version), and acts on it. A few writes are stale or without a version on purpose."""

    def __init__(
        self,
        name: str,
        api: Api,
        story_ids: Sequence[int],
        *,
        seed: int,
        stop: threading.Event,
        give_up_s: float,
        think: tuple[float, float] = (0.2, 0.8),
        stale_share: float = 0.06,
        no_version_share: float = 0.03,
    ) -> None:
        super().__init__(name=name, daemon=True)
        self.api, self.story_ids, self.stop, self.give_up_s, self.think = api, list(story_ids), stop, give_up_s, think
        self.rng = random.Random(seed)
        self.stale_share, self.no_version_share = stale_share, no_version_share
        self.writes: list[Write] = []
        self.reads_given_up = 0
        self.unexpected: list[str] = []
        self.crashed: list[str] = []
        self.n = 0

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                self.step()
            except Exception as exc:  # a bench bug: note it and go on
                self.crashed.append(repr(exc))
                time.sleep(1)
            time.sleep(self.rng.uniform(*self.think))

    def _get(self, path: str) -> Answer | None:
        last = self.api.until_answered("GET", path, give_up_at=time.time() + self.give_up_s)[-1]
        if last.status is None or last.status >= 500:
            self.reads_given_up += 1
            return None
        return last

    def step(self) -> None:
        story = self.rng.choice(self.story_ids)
        listing = self._get(f"/api/v1/claims/?story={story}&page_size=30")
        if listing is None or listing.status != 200:
            if listing is not None:
                self.unexpected.append(f"GET claims list: {listing.status} {listing.code}")
            return
        # Claims a colleague holds stay in: the list may be older than the take (a 409 then).
        rows = [r for r in listing.body["results"] if r["status"] != "merged"]
        if not rows:
            time.sleep(1)  # nothing processed yet in this story
            return
        claim = self.rng.choice(rows[:12])
        version, text = int(claim["version"]), str(claim["text"])
        if self.rng.random() < 0.5:
            detail = self._get(f"/api/v1/claims/{claim['id']}/")
            if detail is None:
                return
            if detail.status != 200:
                self.unexpected.append(f"GET claim: {detail.status} {detail.code}")
                return
            version, text = int(detail.headers["etag"].strip('"')), str(detail.body["text"])
        kind = self.rng.choices(list(ACTION_WEIGHTS), weights=list(ACTION_WEIGHTS.values()))[0]
        if kind == "take":
            took = self.act("take", claim["id"], None, text)
            if took.status == 200 and took.new_version is not None:
                self.act(self.rng.choice(VERSIONED), claim["id"], took.new_version, text)
                self.act("release", claim["id"], None, text)
            return
        on_purpose = ""
        if version > 1 and self.rng.random() < self.stale_share:
            version, on_purpose = version - 1, "stale"
        elif kind != "annotate" and self.rng.random() < self.no_version_share:
            on_purpose = "no_version"
        self.act(kind, claim["id"], version, text, on_purpose=on_purpose)

    def act(self, kind: str, claim_id: int, version: int | None, text: str, *, on_purpose: str = "") -> Write:
        self.n += 1
        marker = f"soak {self.name} #{self.n}"
        body: dict[str, Any] = {}
        headers: dict[str, str] = {}
        if kind == "reject":
            body["reason"] = f"Not supported by the wire copy ({marker})."
        elif kind == "edit":
            body["text"] = f"{MARKER_TAIL.sub('', text)[:4800]} [{marker}]"
        elif kind == "annotate":
            body["note"] = f"Checked against the agency copy ({marker})."
            if label := self.rng.choice(LABELS):
                body["label"] = label
        if kind in VERSIONED and on_purpose != "no_version":
            assert version is not None
            if self.rng.random() < 0.5:
                headers["If-Match"] = f'"{version}"'
            else:
                body["version"] = version
        write = Write(
            reviewer=self.name,
            kind=kind,
            claim_id=claim_id,
            version=version if kind in VERSIONED and on_purpose != "no_version" else None,
            body=body,
            on_purpose=on_purpose,
            sent_at=time.time(),
        )
        self.writes.append(write)
        attempts = self.api.until_answered(
            "POST",
            f"/api/v1/claims/{claim_id}/{kind}/",
            body=body,
            headers=headers,
            give_up_at=write.sent_at + self.give_up_s,
        )
        write.attempts = [(a.started, a.status, a.code) for a in attempts]
        last = attempts[-1]
        write.status, write.code, write.answered_at = last.status, last.code, last.ended
        if last.status is not None and 200 <= last.status < 300:
            write.new_version = int(last.headers.get("etag", "0").strip('"') or 0) or None
        elif last.status is not None and last.status < 500 and last.status not in CORRECT_REFUSALS:
            self.unexpected.append(f"{kind} claim {claim_id}: {last.status} {last.code} {str(last.body)[:200]}")
        return write


# --- what the database holds at the end ------------------------------------------------------------------------


def check_reviews(writes: Iterable[Write], story_ids: Sequence[int]) -> dict[str, Any]:
    """Each write's outcome from the client's side, checked against the audit trail and the claims.

    applied: a 2xx whose event (this reviewer, this action, this claim, from the version it named)
    and effect are in the database; plus ambiguous writes answered 412 whose own event is there.
    lost: a 2xx without them, or a write never answered. Also: every claim's version-changing
    events form one chain that ends at the claim as it is (no write outside the audit trail)."""
    from claims.models import Annotation, Claim, ReviewEvent

    writes = list(writes)
    events = list(
        ReviewEvent.objects.filter(story_id__in=story_ids, actor__isnull=False)
        .select_related("actor")
        .prefetch_related("claims")
        .order_by("id")
    )
    by_from: dict[tuple[int, str, str, int], list[Any]] = {}
    by_kind: Counter[tuple[int, str, str]] = Counter()
    for e in events:
        actor = e.actor.get_username() if e.actor else ""
        for c in e.claims.all():
            by_from.setdefault((c.pk, actor, e.action, int(e.before.get("version") or 0)), []).append(e)
            by_kind[(c.pk, actor, e.action)] += 1
    notes = Counter(Annotation.objects.filter(claim__story_id__in=story_ids).values_list("note", flat=True))

    def applied_event(w: Write) -> Any:
        """The write's own event in the audit trail, with its effect, or None."""
        if w.kind == "annotate":
            found = notes.get(w.body["note"], 0)
            return found or None
        if w.version is None:
            return None
        for e in by_from.get((w.claim_id, w.reviewer, w.kind, w.version), []):
            # Written while this write was being sent (the same reviewer may send the same action
            # from the same version again later: a stale one, refused).
            if not w.sent_at - 1 <= e.created_at.timestamp() <= (w.answered_at or float("inf")) + 1:
                continue
            after = e.after
            if w.kind == "confirm" and after.get("status") == "confirmed":
                return e
            if w.kind == "reject" and after.get("rejection_reason") == w.body["reason"]:
                return e
            if w.kind == "edit" and after.get("text") == " ".join(w.body["text"].split()):
                return e
        return None

    out: Counter[str] = Counter()
    lost: list[str] = []
    unexpected: list[str] = []
    takes_ok: Counter[tuple[int, str, str]] = Counter()
    for w in writes:
        out["sent"] += 1
        out[f"sent {w.kind}"] += 1
        s = w.status
        if w.ambiguous:
            out["ambiguous (an attempt got a 5xx or no answer)"] += 1
        if s is None or s >= 500:
            out["lost: never answered"] += 1
            lost.append(
                f"{w.reviewer} {w.kind} claim {w.claim_id} v{w.version}: no answer after {len(w.attempts)} tries"
            )
            if w.kind in VERSIONED and applied_event(w):
                out["(never answered, but in the database)"] += 1
            continue
        if 200 <= s < 300:
            if w.on_purpose:
                unexpected.append(f"{w.kind} claim {w.claim_id} sent {w.on_purpose} was applied ({s})")
            if w.kind in ("take", "release"):
                takes_ok[(w.claim_id, w.reviewer, w.kind)] += 1  # checked below, by count
                continue
            if w.kind == "annotate" and notes.get(w.body["note"], 0) > 1:
                out["applied twice (the same note stored twice)"] += 1
            if applied_event(w):
                out["applied"] += 1
            else:
                out["lost: 2xx but not in the database"] += 1
                lost.append(f"{w.reviewer} {w.kind} claim {w.claim_id} v{w.version}: answered {s}, no event/effect")
            continue
        if s == 412 and w.ambiguous and applied_event(w):
            out["applied"] += 1
            out["applied, answer lost (a retry got 412 for its own write)"] += 1
            continue
        if w.kind == "annotate" and s == 409 and w.code == "duplicate_note" and w.ambiguous and applied_event(w):
            out["applied"] += 1
            out["applied, answer lost (a retry got 409 duplicate_note for its own note)"] += 1
            continue
        if s in CORRECT_REFUSALS:
            out["refused"] += 1
            out[f"refused {s} {w.code}"] += 1
            if w.kind in VERSIONED and applied_event(w) and w.kind != "annotate":
                unexpected.append(f"{w.kind} claim {w.claim_id}: refused {s} but its event is in the database")
            continue
        out[f"other {s} {w.code}"] += 1
        unexpected.append(f"{w.reviewer} {w.kind} claim {w.claim_id}: {s} {w.code}")
    # Take and release name no version: each 2xx must have an event of its own, counted per claim.
    for (claim_id, who, kind), n in takes_ok.items():
        found = by_kind[(claim_id, who, kind)]
        out["applied"] += min(n, found)
        if found < n:
            out["lost: 2xx but not in the database"] += n - found
            lost.append(f"{who} {kind} claim {claim_id}: {n} answered 2xx, {found} events")

    # The audit chain: each claim's version-changing events, in order, end at the claim as it is.
    gaps: list[str] = []
    chains: dict[int, list[Any]] = {}
    for e in events:
        b, a = int(e.before.get("version") or 0), int(e.after.get("version") or 0)
        if a != b:
            for c in e.claims.all():
                chains.setdefault(c.pk, []).append(e)
    claims = {c.pk: c for c in Claim.objects.filter(pk__in=list(chains))}
    for claim_id, chain in chains.items():
        chain.sort(key=lambda e: int(e.before["version"]))
        for prev, nxt in pairwise(chain):
            if int(prev.after["version"]) != int(nxt.before["version"]):
                gaps.append(f"claim {claim_id}: v{prev.after['version']} then an event from v{nxt.before['version']}")
        last, claim = chain[-1], claims[claim_id]
        if int(last.after["version"]) != claim.version:
            gaps.append(f"claim {claim_id}: last event ends at v{last.after['version']}, the claim is v{claim.version}")
        if last.after.get("status") and last.after["status"] != claim.status:
            gaps.append(f"claim {claim_id}: last event left it {last.after['status']}, it is {claim.status}")
        if last.action in ("confirm", "reject", "edit") and last.after.get("text") != claim.text:
            gaps.append(f"claim {claim_id}: its wording changed after {last.action} without an event")
    lost_total = out["lost: never answered"] + out["lost: 2xx but not in the database"]
    return {
        "sent": out["sent"],
        "applied": out["applied"],
        "refused": out["refused"],
        "lost": lost_total,
        "counts": dict(sorted(out.items())),
        "lost_examples": lost[:10],
        "audit_gaps": gaps[:10],
        "audit_gap_count": len(gaps),
        "claims_touched": len(chains),
        "unexpected": unexpected[:10],
        "unexpected_count": len(unexpected),
        "events": len(events),
    }


def article_times(story_ids: Sequence[int]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The soak stories' articles, each with when it was done (extracted, and a succeeded run that
    covers it finished: `done`), and their runs; times as epoch seconds."""
    from articles.models import Article
    from claims.models import PipelineRun

    runs = [
        {
            "id": r.pk,
            "state": r.state,
            "article_ids": list(r.article_ids),
            "created": r.created_at.timestamp(),
            "finished": r.finished_at.timestamp() if r.finished_at else None,
            "notes": [e for e in r.errors if e.get("transient") or e.get("stage") in ("sweep", "queue")],
            "errors": r.errors,
        }
        for r in PipelineRun.objects.filter(story_id__in=story_ids).order_by("id")
    ]
    covered: dict[int, float] = {}
    for r in runs:
        if r["state"] == "succeeded" and r["finished"] is not None:
            for a in r["article_ids"]:
                covered[a] = min(covered.get(a, r["finished"]), r["finished"])
    articles = []
    for a in Article.objects.filter(story_id__in=story_ids).values(
        "id", "story_id", "created_at", "processed_at", "content_hash"
    ):
        processed = a["processed_at"].timestamp() if a["processed_at"] else None
        run_done = covered.get(a["id"])
        articles.append(
            {
                "id": a["id"],
                "story": a["story_id"],
                "hash": a["content_hash"],
                "created": a["created_at"].timestamp(),
                "processed": processed,
                "done": max(processed, run_done) if processed is not None and run_done is not None else None,
            }
        )
    return articles, runs


def check_articles(
    articles: list[dict[str, Any]], runs: list[dict[str, Any]], deadline: float, files_sent: int
) -> dict[str, Any]:
    from claims.models import Mention

    ids = [a["id"] for a in articles]
    stranded = [a for a in articles if a["done"] is None or a["done"] > deadline]
    hashes = Counter((a["story"], a["hash"]) for a in articles)
    states = Counter(r["state"] for r in runs)
    return {
        "files_sent": files_sent,
        "imported": len(articles),
        "processed": sum(1 for a in articles if a["done"] is not None and a["done"] <= deadline),
        "processed_late": sum(1 for a in articles if a["done"] is not None and a["done"] > deadline),
        "stranded": len(stranded),
        "stranded_ids": [a["id"] for a in stranded][:20],
        "never_processed": sum(1 for a in articles if a["done"] is None),
        "duplicate_articles": sum(n - 1 for n in hashes.values() if n > 1),
        "mentions": Mention.objects.filter(article_id__in=ids).count(),
        "runs": dict(states),
        "runs_with_fault_notes": sum(1 for r in runs if r["notes"]),
        "run_notes": sorted({f"{n.get('stage')}: {str(n.get('reason'))[:90]}" for r in runs for n in r["notes"]})[:8],
    }


def fault_recovery(
    faults: list[dict[str, Any]], articles: list[dict[str, Any]], runs: list[dict[str, Any]], log: RequestLog
) -> None:
    """Adds to each fault: the work waiting when it ended (articles saved and not yet done, runs
    unfinished), seconds from its end to the first progress and to all that work done ("caught
    up"), and when the API last failed a request (503, other 5xx, no answer) after the fault began."""
    for i, f in enumerate(faults):
        end = f["end"]
        next_start = faults[i + 1]["start"] if i + 1 < len(faults) else float("inf")
        waiting = [a for a in articles if a["created"] <= end and (a["done"] is None or a["done"] > end)]
        open_runs = [r for r in runs if r["created"] <= end and (r["finished"] is None or r["finished"] > end)]
        f["waiting_articles"], f["waiting_runs"] = len(waiting), len(open_runs)
        if not waiting and not open_runs:
            f["first_progress_s"] = f["caught_up_s"] = 0.0
        else:
            times = [a["done"] for a in waiting] + [r["finished"] for r in open_runs]
            f["caught_up_s"] = None if any(t is None for t in times) else round(max(times) - end, 1)
            later = [a["processed"] for a in articles if a["processed"] and a["processed"] > end]
            later += [r["finished"] for r in runs if r["finished"] and r["finished"] > end]
            f["first_progress_s"] = round(min(later) - end, 1) if later else None
        f["overlapped"] = f["caught_up_s"] is None or end + (f["caught_up_s"] or 0) > next_start
        failed = [row for row in log.rows if f["start"] <= row[1] < next_start and (row[5] is None or row[5] >= 500)]
        f["api_failures"] = len(failed)
        f["api_failed_until_s"] = round(max(r[1] for r in failed) - end, 1) if failed else None
        # The first request sent after the fault's end that the API answered 2xx (clients that got a
        # 503 wait its Retry-After, 5 s, before they try again).
        ok = [row[1] for row in log.rows if row[0] >= end and row[5] is not None and 200 <= row[5] < 300]
        f["api_ok_after_s"] = round(min(ok) - end, 1) if failed and ok else None


def request_counts(log: RequestLog) -> dict[str, Any]:
    """Every request's answer, by class: 2xx, each 4xx, the designed 503, other 5xx, no answer."""
    counts: Counter[str] = Counter()
    other_5xx: list[str] = []
    no_answer: Counter[str] = Counter()
    for started, _ended, who, method, kind, status, code in log.rows:
        counts["requests"] += 1
        if status is None:
            counts["no answer"] += 1
            no_answer[f"{code} on {method} {kind}"] += 1
        elif status == 503 and code == "database_unavailable":
            counts["503 database_unavailable"] += 1
        elif status >= 500:
            counts["5xx other"] += 1
            other_5xx.append(f"{status} {code or '(not the error shape)'} on {method} {kind} by {who} at {started:.1f}")
        elif status >= 400:
            counts[f"{status} {code}"] += 1
        else:
            counts["2xx"] += 1
    return {
        "counts": dict(counts),
        "other_5xx_examples": other_5xx[:10],
        "no_answer_by_kind": dict(no_answer),
    }
