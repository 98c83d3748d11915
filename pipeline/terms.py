"""Terms of office: when each (person, role, organization) began and ended, and how we know.

Reads: role facts from every document (dicts as in facts.jsonl). Writes: one `term` per holder,
added to history.json's role timeline, and the answers to "who held this office on this date".

Each bound is a partial ISO date ("2014", "2014-06", "2014-06-30") with how it was established:
- `stated`: the sentence gives it ("depuis juin 2014", "élu le 12 janvier 2016", "until 2017");
- `inferred`, with a `basis`: the publication date of an article reporting the appointment or the
  departure; the first article naming the person in office; for single-seat offices (models/
  leadership.yaml `single_seat`) the successor's start ends the predecessor's term, and a
  predecessor's reported departure starts a successor's term known only from later mentions;
  the first article calling the person former bounds the end.
Every bound carries the evidence it rests on (document, source, sentence). Two stated dates that
disagree on the same bound are a conflict, listed with both sources, as for figures.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

Fact = dict[str, Any]
_PARTIAL = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")


def valid_partial(value: str) -> bool:
    """"2014", "2014-06", "2014-06-30" (a real calendar date)."""
    if not _PARTIAL.match(value):
        return False
    parts = [int(x) for x in value.split("-")] + [1, 1]
    try:
        dt.date(parts[0], parts[1], parts[2])
    except ValueError:
        return False
    return True


def lower(value: str) -> str:
    """The first day a partial date can mean: "2014" -> "2014-01-01"."""
    return value + "-01-01"[len(value) - 4:] if len(value) < 10 else value


def upper(value: str) -> str:
    """The last day a partial date can mean: "2014" -> "2014-12-31", "2014-02" -> "2014-02-28"."""
    if len(value) == 10:
        return value
    if len(value) == 4:
        return value + "-12-31"
    y, m = int(value[:4]), int(value[5:7])
    nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
    return (nxt - dt.timedelta(days=1)).isoformat()


def compatible(a: str, b: str) -> bool:
    """Two partial dates that can name the same day ("2014" and "2014-06")."""
    return a.startswith(b) or b.startswith(a)


def _evidence(f: Fact) -> dict[str, Any]:
    return {"doc_id": f["evidence"]["doc_id"], "source": f.get("source"), "published": f.get("published"),
            "sentence": f["evidence"]["sentence"]}


def _bound(value: str, how: str, basis: str, f: Fact) -> dict[str, Any]:
    return {"date": value, "how": how, "basis": basis, "evidence": _evidence(f)}


def _order(f: Fact) -> tuple[str, str, str, int, str]:
    """A total order over facts, so the evidence chosen never depends on the input order."""
    ev = f["evidence"]
    return (f.get("as_of") or "", ev["doc_id"], f.get("source") or "", ev.get("start", 0), ev["sentence"])


def _stated(items: list[Fact], field: str) -> tuple[list[tuple[str, Fact]], list[dict[str, Any]]]:
    """The stated values of `since`/`until`, oldest first, and the conflicts among them."""
    found = sorted(((f[field], f) for f in items if f.get(field) and valid_partial(f[field])),
                   key=lambda vf: (vf[0], _order(vf[1])))
    conflicts = []
    if found:
        first = found[0][0]
        rivals = [(v, f) for v, f in found if not compatible(v, first)]
        if rivals:
            conflicts.append({"bound": "start" if field == "since" else "end",
                              "values": [{"date": v, **_evidence(f)} for v, f in [found[0], *rivals]]})
    return found, conflicts


def _dated(items: list[Fact], pred: Any) -> list[Fact]:
    return sorted((f for f in items if f.get("as_of") and pred(f)),
                  key=_order)


def _holder(items: list[Fact]) -> dict[str, Any]:
    """A holder's own evidence: stated bounds, reported start or end, mentions in office."""
    since, c1 = _stated(items, "since")
    until, c2 = _stated(items, "until")
    current = _dated(items, lambda f: f.get("status", "current") == "current")
    started = _dated(items, lambda f: f.get("change") == "start" and f.get("status") != "incoming")
    ended = _dated(items, lambda f: f.get("change") == "end" and f.get("status") == "former")
    former = _dated(items, lambda f: f.get("status") == "former")
    incoming = _dated(items, lambda f: f.get("status") == "incoming")
    start = None
    if since:
        start = _bound(since[0][0], "stated", "the sentence states the start", since[0][1])
    elif started:
        start = _bound(started[0]["as_of"], "inferred", "an article of that date reports the appointment", started[0])
    elif current:
        start = _bound(current[0]["as_of"], "inferred", "the first article naming them in office (the start is no later)",
                       current[0])
    elif incoming:
        start = _bound(incoming[0]["as_of"], "inferred", "an article of that date announces them (the start is later)",
                       incoming[0])
    end = None
    last = current[-1]["as_of"] if current else None
    if until:
        end = _bound(until[0][0], "stated", "the sentence states the end", until[0][1])
    elif ended and (last is None or ended[0]["as_of"] >= last):
        end = _bound(ended[0]["as_of"], "inferred", "an article of that date reports the departure", ended[0])
    else:
        later = [f for f in former if last is None or f["as_of"] >= last]
        if later:
            end = _bound(later[0]["as_of"], "inferred", "the first article calling them former (the end is no later)",
                         later[0])
    return {"start": start, "end": end, "last_seen": last, "conflicts": c1 + c2,
            _REPORTED: started[0] if started else None}


_REPORTED = "_reported"  # working key: the first article reporting the holder's appointment


def _order_key(h: dict[str, Any], person: str) -> tuple[str, str]:
    return (lower(h["start"]["date"]) if h["start"] else "9999", person)


def _chain(holders: dict[str, dict[str, Any]]) -> None:
    """Single-seat office: each successor's start ends the predecessor's term (unless the end is
    stated or earlier), and a predecessor's reported end starts a successor known only from
    later mentions."""
    order = sorted(holders, key=lambda p: _order_key(holders[p], p))
    for a, b in zip(order, order[1:]):
        ha, hb = holders[a], holders[b]
        if hb["start"] is None:
            continue
        b_start = hb["start"]["date"]
        if ha["last_seen"] and lower(ha["last_seen"]) > upper(b_start):
            continue  # both named in office after b's start: co-holders, or a source is wrong
        end = ha["end"]
        if end is None or (end["how"] == "inferred" and lower(b_start) < lower(end["date"])):
            ha["end"] = {"date": b_start, "how": "inferred", "basis": f"the successor's start ({b})",
                         "evidence": hb["start"]["evidence"]}
            reported = hb[_REPORTED]
            if len(b_start) < 10 and reported is not None and reported["as_of"].startswith(b_start):
                # "since 2016", and an article of 28 January 2016 reports the takeover: the
                # predecessor was out of office by that day
                ha["end"] = {"date": reported["as_of"], "how": "inferred",
                             "basis": f"the successor's start ({b}), reported on that date (the end is no later)",
                             "evidence": _evidence(reported)}
        elif (hb["start"]["how"] == "inferred" and hb["start"]["basis"].startswith("the first article")
              and lower(end["date"]) <= lower(b_start)):
            hb["start"] = {"date": end["date"], "how": "inferred", "basis": f"the predecessor's end ({a})",
                           "evidence": end["evidence"]}


def build_terms(facts: Iterable[Fact], single_seat: Iterable[str]) -> dict[tuple[str, str, str], dict[str, Any]]:
    """(org, role, person) -> term: {start, end, last_seen, conflicts}; start/end None when unknown."""
    groups: dict[tuple[str, str], dict[str, list[Fact]]] = defaultdict(lambda: defaultdict(list))
    for f in facts:
        if f.get("kind") == "role":
            groups[(f["org"], f["role"])][f["person"]].append(f)
    seats = set(single_seat)
    out: dict[tuple[str, str, str], dict[str, Any]] = {}
    for (org, role), people in groups.items():
        holders = {p: _holder(items) for p, items in people.items()}
        if role in seats:
            _chain(holders)
        for h in holders.values():
            del h[_REPORTED]
        for p, h in holders.items():
            if h["start"] and h["end"] and lower(h["start"]["date"]) > upper(h["end"]["date"]):
                h["conflicts"].append({"bound": "both", "values": [
                    {"date": h["start"]["date"], **h["start"]["evidence"]},
                    {"date": h["end"]["date"], **h["end"]["evidence"]}]})
            out[(org, role, p)] = h
    return out


def holds_on(term: dict[str, Any], on: str) -> bool:
    """Whether a term covers some day of the partial date `on`. The end is the first day out of
    office (a successor's first day), so "2014-07-02" does not cover "2014-09"; an open end runs on."""
    start, end = term.get("start"), term.get("end")
    if start is None or lower(start["date"]) > upper(on):
        return False
    return end is None or lower(on) < upper(end["date"])
