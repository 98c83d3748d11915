"""Metric facts: figures and targets, what they count, for which year, about whom.

Reads: sentences (Analysis), the entity index, the publication date. Writes: MetricFact list.

For each number in a sentence (pipeline.normalize.numbers), the extractor finds:
- the counted thing: the head noun right after the figure ("63 projets", "1,240 new jobs"),
  or the previous figure's head for "57 others"/"86 autres";
- qualifiers in the figure's clause: maintained / created / foreign / cumulative / met...;
- the status: a target cue in the figure's clause, or anywhere in a sentence without a contrast
  marker ("65 projets ... : c'est l'objectif"), makes it a target;
- the period: a year in the sentence, else one resolved from a relative phrase, else the latest
  period of the preceding sentences, else the publication year;
- the subject: the document's agency, another agency named in the sentence, or a company for hires.
All words come from models/metrics.yaml and models/cues.yaml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.extraction.context import DocContext, clause_bounds, has_phrase
from pipeline.extraction.frames import NOUN_SCOPE, Frame, counted_years, decide_metric, decide_status, org_kinds, read_frames
from pipeline.nlp import Sentence
from pipeline.normalize.dates import PeriodMention, relative_year_offsets
from pipeline.normalize.numbers import NumberMatch, find_numbers
from pipeline.records import Evidence, MetricFact
from pipeline.resources import Resources, phrase_regex

_WORD = re.compile(r"[\w'-]+", re.UNICODE)
_ANAPHORA = {"autres", "others", "other", "ones", "supplémentaires", "additional", "more", "existants", "existing"}
_HEAD_WINDOW = 5  # words after a figure in which its head noun is looked for


# Totals of projects or jobs below this are breakdowns ("cinq entreprises allemandes"), not results.
MIN_COUNT = 10
# "depuis sa fondation en 1991", "since its launch in 2003": the figure is a running total.
_ORIGIN_YEAR = re.compile(r"\b(?:depuis|since)\b[^.;:]{0,40}?\b(?:19|20)\d\d\b", re.I)


@dataclass
class Figure:
    num: NumberMatch
    head: str | None  # projects | jobs | members | meetings | missions
    clause: str
    clause_start: int
    range: bool = False  # the figure's period is a span of years ("sur la période 2011-2013")
    inherited: bool = False  # the head was taken from the previous figure


def _head_category(word: str, ctx: DocContext) -> str | None:
    """The counted thing a word names ("emplois", "d'implantations"), in either language."""
    full, bare = word.lower(), word.lower().lstrip("dl'")
    hits = [h for h in (ctx.res.head_rank.get(full), ctx.res.head_rank.get(bare)) if h]
    return min(hits)[1] if hits else None


def _head_after(text: str, end: int, limit: int, ctx: DocContext, lang: str) -> str | None:
    """The category of the first head noun in the few words after a figure (before the next)."""
    for w in _WORD.findall(text[end:min(end + 80, limit)])[:_HEAD_WINDOW]:
        cat = _head_category(w, ctx)
        if cat:
            return cat
        if w.lower() in _ANAPHORA:
            return "same"
    return None


def _head_before(text: str, lo: int, start: int, ctx: DocContext, lang: str) -> str | None:
    """A head noun in the few words before a figure: "porter le nombre d'implantations à 70"."""
    for w in reversed(_WORD.findall(text[lo:start])[-4:]):
        cat = _head_category(w, ctx)
        if cat:
            return cat
    return None


def _figures(sent: Sentence, ctx: DocContext) -> list[Figure]:
    nums = [n for n in find_numbers(sent.text, sent.lang) if n.kind == "number"]
    spans = [(n.start, n.end) for n in nums]
    out: list[Figure] = []
    prev_head: str | None = None
    for i, n in enumerate(nums):
        limit = nums[i + 1].start if i + 1 < len(nums) else len(sent.text)
        head = _head_after(sent.text, n.end, limit, ctx, sent.lang) if n.unit == "count" else None
        if head == "same":
            head = prev_head
        left, right = clause_bounds(sent.text, n.start, n.end, [s for s in spans if s != (n.start, n.end)])
        clause = sent.text[left:right]
        if head is None and n.unit == "count":
            head = _head_before(sent.text, max(left, n.start - 60), n.start, ctx, sent.lang)
        inherited = False
        if head is None and n.unit == "count" and prev_head and _compared(clause, sent.lang, ctx):
            head, inherited = prev_head, True  # "79 companies ..., against a target of 76"
        out.append(Figure(n, head, clause, left, inherited=inherited))
        prev_head = head or prev_head
    return out


_RANGE_BEFORE = re.compile(r"(?:\b(?:entre|between|de|from)\s+\S+\s+(?:et|and|à|to)|\b(?:entre|between))\s*$", re.I)


def _value_range(fig: Figure, sent: Sentence) -> bool:
    """"entre 45 et 55 projets": a span of values, not a figure."""
    before = sent.text[max(0, fig.num.start - 30):fig.num.start]
    after = sent.text[fig.num.end:fig.num.end + 20]
    return bool(_RANGE_BEFORE.search(before)) or bool(
        re.match(r"\s+(?:et|and)\s+\S+", after) and re.search(r"\b(?:entre|between)\s*$", before))


def _comparison_only(fig: Figure, sent: Sentence, ctx: DocContext) -> bool:
    """"..., against two in five in an ordinary year": a point of comparison with no period of
    its own is not a fact."""
    clause = fig.clause.lstrip(" ,")
    cues = ctx.res.cues.contrast
    starts = ctx.res.lang_regex(sent.lang, cues).match(clause)
    if not starts or starts.start() != 0 or _target_cues(fig.clause, sent, ctx):
        return False  # "against a target of 76" is a fact: the target
    own = [p for p in ctx.periods_of(sent) if fig.clause_start <= p.start < fig.clause_start + len(fig.clause)]
    return not own


def _coordinated(a: Figure, b: Figure, sent: Sentence) -> bool:
    between = sent.text[a.num.end:b.num.start]
    return bool(re.fullmatch(r"[^,;:.]*\s(?:et|and)\s[^,;:.]*", between)) and len(between.split()) <= 8


def _compared(clause: str, lang: str, ctx: DocContext) -> bool:
    cues = ctx.res.cues
    return ctx.res.lang_regex(lang, cues.target, cues.contrast).search(clause) is not None


def _classify(fig: Figure, sent: Sentence, ctx: DocContext) -> str | None:
    q = ctx.res.metrics.qualifiers
    lang = sent.lang

    def cue(name: str, where: str) -> bool:
        return name in q and ctx.res.lang_regex(lang, q[name]).search(where) is not None

    clause, n = fig.clause, fig.num
    if cue("pending", sent.text) or cue("ratio", clause) or (fig.inherited and cue("ratio", sent.text)):
        return None
    if n.unit == "percent":
        if n.words and n.approx:
            return None  # "more than half" is an order of magnitude, not a figure
        if cue("change", clause) or cue("french", clause) or not (cue("foreign", clause) or cue("foreign", sent.text)):
            return None
        jobs = ctx.res.metrics.heads["jobs"]
        return "foreign_share_jobs" if has_phrase(clause, jobs.get(lang) + jobs.get("en")) else "foreign_share_projects"
    if n.unit == "EUR":
        return "budget" if has_phrase(sent.text, ctx.res.metrics.budget.get(lang) + ctx.res.metrics.budget.get("en")) else None
    if n.unit != "count" or (fig.head in ("projects", "jobs") and n.value < MIN_COUNT):
        return None
    cumulative = cue("cumulative", sent.text) or bool(_ORIGIN_YEAR.search(sent.text)) or fig.range
    if fig.head == "projects":
        if _company_in_clause(fig, sent, ctx):
            return None
        if cue("met", clause):
            return "companies_met"
        if cumulative:
            return "cumulative_projects"
        return "foreign_projects" if cue("foreign", clause) else "location_projects"
    if fig.head == "jobs":
        if cue("staff", clause):
            return None
        if cumulative:
            return "cumulative_jobs"
        if cue("total", clause):
            return "jobs_total"
        if cue("maintained", clause):
            return "jobs_maintained"
        if (cue("hires", clause) and _company_in(sent, ctx)) or _company_in_clause(fig, sent, ctx):
            return "hires"
        return "foreign_jobs" if cue("foreign", clause) else "jobs_created"
    return ctx.res.metrics.head_metrics.get(fig.head or "")


def _company_in_clause(fig: Figure, sent: Sentence, ctx: DocContext) -> str | None:
    """A company named in the figure's clause (or just before it): the figure is the company's."""
    lo = sent.start + max(0, fig.clause_start - 60)
    hi = sent.start + fig.clause_start + len(fig.clause)
    pos = sent.start + fig.num.start
    companies = [m for m in ctx.mentions.within(lo, hi, "ORG") if m.name != ctx.mentions.subject
                 and (ctx.res.org_by_name.get(m.name) is None or ctx.res.org_by_name[m.name].kind == "company")
                 and not _agency_named(m.name)]
    if not companies:
        return None
    return min(companies, key=lambda m: (m.end > pos, abs(pos - m.end))).name  # nearest, before first


def _agency_named(name: str) -> bool:
    return bool(re.search(r"\b(?:Invest|Promotion|Agence|Agency|Développement|Development)\b", name))


def _company_in(sent: Sentence, ctx: DocContext) -> str | None:
    for m in ctx.mentions.within(sent.start, sent.end, "ORG"):
        entry = ctx.res.org_by_name.get(m.name)
        if m.name != ctx.mentions.subject and (entry is None or entry.kind == "company"):
            return m.name
    return None


def _target_cues(text: str, sent: Sentence, ctx: DocContext) -> list[re.Match[str]]:
    """Target cues in `text`, without those inside job-creation phrasing ("expected to create")."""
    cues = ctx.res.cues
    target = ctx.res.lang_regex(sent.lang, cues.target)
    neutral = [m.span() for m in ctx.res.lang_regex(sent.lang, cues.not_target).finditer(text)]
    return [m for m in target.finditer(text) if not any(a <= m.start() < b for a, b in neutral)]


def _is_target(fig: Figure, figures: list[Figure], sent: Sentence, ctx: DocContext) -> bool:
    """A target cue in the figure's clause; else one in the sentence, close by, that follows the
    figure ("65 projets ... : c'est l'objectif") or precedes it across a colon only ("son
    ambition : porter ... à 70") -- unless another figure has its own cue or a contrast is drawn."""
    cues = ctx.res.cues
    if fig.num.unit == "EUR":  # a budget is a target only when the amount itself is ("un budget visé de")
        return bool(_target_cues(sent.text[max(0, fig.num.start - 30):fig.num.start], sent, ctx))
    if _target_cues(fig.clause, sent, ctx):
        return True
    local_elsewhere = any(_target_cues(f.clause, sent, ctx) for f in figures if f is not fig)
    contrast = has_phrase(sent.text, cues.contrast.get(sent.lang))
    if local_elsewhere or contrast:
        return False
    for m in _target_cues(sent.text, sent, ctx):
        if m.start() >= fig.num.end:
            if m.start() - fig.num.end <= cues.target_reach:
                return True
        elif fig.num.start - m.end() <= cues.target_reach and not _NON_COLON_BREAK.search(sent.text, m.end(), fig.num.start):
            return True
    return False


_NON_COLON_BREAK = re.compile(r"[;()\u2014\u2013]|,\s|\s-\s|\s(?:et|and|mais|but|tandis que|while|whereas|alors que|when|quand|lorsque|dont)\s", re.I)


def _period(fig: Figure, sent: Sentence, ctx: DocContext, history: list[str], target: bool,
            exclude: tuple[PeriodMention, ...] = ()) -> tuple[str | None, str]:
    """The year a figure is about and where it was found: "sentence", "context" or "document"."""
    candidates = [p for p in ctx.periods_of(sent) if p not in exclude]
    in_clause = [p for p in candidates if fig.clause_start <= p.start < fig.clause_start + len(fig.clause)]
    for p in in_clause:  # "contre 1 800 un an plus tôt": one year before the sentence's own year
        if ctx.res.lang_regex(sent.lang, ctx.res.cues.context_relative).search(p.text):
            own = [q.year for q in ctx.stated_periods(sent)] or [int(h) for h in history[-1:]]
            if own:
                return str(own[0] - 1), "sentence"
    periods = in_clause + [p for p in candidates if p not in in_clause and not ctx.is_comparison(sent, p)
                           and not re.search(r"[:;]", sent.text[min(p.end, fig.num.end):max(p.start, fig.num.start)])]
    if periods:
        pos = fig.num.start
        best = min(periods, key=lambda p: (0 if fig.clause_start <= p.start < fig.clause_start + len(fig.clause) else 1,
                                           abs(p.start - pos)))
        if best.kind.startswith("range"):
            fig.range = True
            ends = [p.year for p in periods if p.kind == "range_end"]
            return str(max(ends) if ends else best.year), "sentence"
        return str(best.year), "sentence"
    if history:
        return history[-1], "context"
    if ctx.published:
        return str(ctx.published.year), "document"
    return None, "document"


def _subject(metric: str, fig: Figure, sent: Sentence, ctx: DocContext) -> str | None:
    if metric == "hires":
        return _company_in_clause(fig, sent, ctx) or _company_in(sent, ctx)
    subject = ctx.mentions.subject
    here = ctx.mentions.within(sent.start, sent.end, "ORG")
    if subject and any(m.name == subject for m in here):
        return subject
    for m in here:
        entry = ctx.res.org_by_name.get(m.name)
        if (m.name != subject and entry is not None and entry.kind == "agency"
                and has_phrase(sent.text, ctx.res.org_cues.agency_nouns.all())):  # "l'agence", "the agency"
            return m.name
    return subject


def find_metrics(sent: Sentence, ctx: DocContext, history: list[str]) -> list[MetricFact]:
    """Metric facts of one sentence. `history` holds the periods of the preceding sentences.

    A parsed sentence is read through its frames (pipeline.extraction.frames) and the tables
    of models/frames.yaml; a sentence without a parse (a pipeline run without the parser) falls
    back to the words around each figure, with a lower confidence."""
    if sent.tokens:
        return _frame_metrics(sent, ctx, history)
    figures = _figures(sent, ctx)
    facts: list[MetricFact] = []
    previous: tuple[Figure, bool] | None = None
    for fig in figures:
        if _value_range(fig, sent) or _comparison_only(fig, sent, ctx):
            continue
        target = _is_target(fig, figures, sent, ctx)
        if previous and previous[1] and not target and _coordinated(previous[0], fig, sent):
            target = True  # "looking for 65 completed projects and 1,300 new jobs"
        previous = (fig, target)
        period, source = _period(fig, sent, ctx, history, target)
        metric = _classify(fig, sent, ctx)
        if metric is None:
            continue
        subject = _subject(metric, fig, sent, ctx)
        if subject is None:
            continue
        confidence = 0.5 + (0.2 if fig.head or metric.startswith(("budget", "foreign_share")) else 0) + (
            0.2 if source == "sentence" else 0)
        facts.append(MetricFact(
            subject=subject, metric=metric, value=fig.num.value, unit=_unit(fig.num.unit),
            period=period, period_source=source, status="target" if target else "actual", approx=fig.num.approx,
            confidence=round(min(confidence, 0.95), 2), evidence=ctx.evidence(sent),
        ))
    return facts


def _frame_metrics(sent: Sentence, ctx: DocContext, history: list[str]) -> list[MetricFact]:
    found = find_numbers(sent.text, sent.lang, sent.words)
    counts = counted_years(sent, [n for n in found if n.kind == "year"], ctx.res)
    nums = sorted([n for n in found if n.kind == "number"] + counts, key=lambda n: n.start)
    if not nums:
        return []
    periods = ctx.periods_of(sent)
    if counts:  # a four-digit count is no year: "2350 nouveaux emplois"
        periods = [p for p in periods if not any(p.start < c.end and c.start < p.end for c in counts)]
        ctx.periods[sent.start] = periods
        ctx.stated.pop(sent.start, None)
    orgs = org_kinds(sent, [(m.start, m.end, m.name) for m in ctx.mentions.within(sent.start, sent.end, "ORG")],
                     ctx.mentions.subject, ctx.res)
    spans = [(n.start, n.end) for n in nums]
    facts: list[MetricFact] = []
    last = ctx.last_counted
    # only from the sentence just before, in the same paragraph
    antecedent = last[2:] if last is not None and last[0] == sent.paragraph and not ctx.text[last[1]:sent.start].strip() else None
    frames = read_frames(sent, nums, periods, ctx.res, orgs, antecedent)
    counted = [f for f in frames if f is not None and f.noun_class and f.number.unit == "count"]
    ctx.last_counted = (sent.paragraph, sent.end, counted[-1].noun_class, counted[-1].qualifiers & NOUN_SCOPE,
                        counted[-1].headcount) if counted else None
    for frame in frames:
        if frame is None:
            continue
        left, right = clause_bounds(sent.text, frame.number.start, frame.number.end,
                                    [sp for sp in spans if sp != (frame.number.start, frame.number.end)])
        fig = Figure(frame.number, frame.noun_class, sent.text[left:right], left, inherited=frame.inherited)
        if _value_range(fig, sent):
            continue
        metric = decide_metric(frame, ctx.res)
        if metric is None:
            continue
        status = decide_status(frame, ctx.res)
        period, source = _frame_period(frame, fig, sent, ctx, history)
        if metric in ctx.res.metrics.stock_metrics and source != "frame" and frame.tense == "present" and ctx.published:
            period, source = str(ctx.published.year), "document"  # "un réseau qui fédère 400 membres"
        if frame.compared and not frame.periods:
            continue  # a point of comparison with no period of its own states nothing
        if metric.startswith("cumulative") is False and fig.range and frame.noun_class in ("projects", "jobs"):
            metric = "cumulative_" + frame.noun_class
        subject = frame.actor if frame.actor and metric != "hires" else _subject(metric, fig, sent, ctx)
        if subject is None:
            continue
        if frame.actor or frame.subject == "agency":
            ctx.agency_done.add((sent.start, metric, frame.number.value))
        confidence = 0.55 + (0.05 if frame.inherited else 0.2) + {"frame": 0.2, "sentence": 0.1, "context": 0.0}.get(source, -0.1)
        facts.append(MetricFact(
            subject=subject, metric=metric, value=frame.number.value, unit=_unit(frame.number.unit),
            period=period, period_source="sentence" if source == "frame" else source, status=status,
            approx=frame.number.approx, confidence=round(min(confidence, 0.95), 2), evidence=ctx.evidence(sent),
        ))
    return facts


def _frame_period(frame: Frame, fig: Figure, sent: Sentence, ctx: DocContext,
                  history: list[str]) -> tuple[str | None, str]:
    """The year of a frame's figure: its attached time expression ("frame"), else the sentence's
    other periods, the preceding sentences' or the publication's (see `_period`)."""
    if ctx.published is None and _past_year_governs(sent, ctx):
        return None, "document"  # "below last year, which saw 2,050 jobs": last year of an unknown date
    for p in frame.periods:
        if ctx.is_comparison(sent, p) and not frame.compared:
            continue  # "up 36% on 2017": a point of comparison, not the figure's year
        if ctx.res.lang_regex(sent.lang, ctx.res.cues.context_relative).search(p.text):
            own = [q.year for q in ctx.stated_periods(sent) if q is not p] or [int(h) for h in history[-1:]]
            if own:
                return str(own[0] - 1), "frame"
            continue
        if p.kind.startswith("range"):
            fig.range = True
            ends = [q.year for q in frame.periods if q.kind == "range_end"]
            return str(max(ends) if ends else p.year), "frame"
        return str(p.year), "frame"
    return _period(fig, sent, ctx, history, False, exclude=frame.foreign_periods)


def _past_year_governs(sent: Sentence, ctx: DocContext) -> bool:
    """A sentence that names a past year relative to the time of writing ("last year", "l'an
    dernier") and states no year ("below last year, when it saw 2,050 jobs"): its figures are of
    that year, which an undated document cannot tell. (A stated year may be the same one:
    "its results for 2017: 68 companies settled last year".)"""
    return any(offset < 0 for _, _, offset in relative_year_offsets(sent.text, sent.lang)) and not ctx.periods_of(sent)


def _unit(unit: str) -> str:
    return unit if unit in ("count", "EUR", "percent") else "count"


# --- tables --------------------------------------------------------------------------------
_YEAR_CELL = re.compile(r"^\s*((?:19|20)\d\d)\b")
# A line of the text that _YEAR_CELL matches (a table's row): most texts have none
_YEAR_ROW = re.compile(r"^[^\S\n]*(?:19|20)\d\d\b", re.M)


def find_table_metrics(text: str, lang: str, ctx: DocContext) -> list[MetricFact]:
    """Rows of a yearly table ("Year | Projects | Jobs", then "2016 | 74 | 1,508") found in the
    cleaned text's lines; a header names each column's metric (models/metrics.yaml heads)."""
    if _YEAR_ROW.search(text) is None:
        return []  # no line opens with a year: no row
    facts: list[MetricFact] = []
    header: list[str | None] | None = None
    offset = 0
    for line in text.split("\n"):
        start, offset = offset, offset + len(line) + 1
        cols = _header_columns(line, lang, ctx)
        if cols:
            header = cols
            continue
        m = _YEAR_CELL.match(line)
        if not (header and m):
            if line.strip():
                header = None if not _looks_tabular(line) else header
            continue
        nums = [n for n in find_numbers(line[m.end():], lang) if n.kind in ("number", "year")]
        if len(nums) < len(header) or not ctx.mentions.subject:
            continue
        evidence = Evidence(doc_id=ctx.doc_id, sentence=line, start=start, end=start + len(line))
        for col, num in zip(header, nums[-len(header):]):
            if col:
                facts.append(MetricFact(
                    subject=ctx.mentions.subject, metric=col, value=num.value,
                    unit="percent" if col.startswith("foreign_share") else "count",
                    period=m.group(1), status="actual", approx=num.approx, confidence=0.8, evidence=evidence))
    return facts


def _looks_tabular(line: str) -> bool:
    return "|" in line or "\t" in line


def _header_columns(line: str, lang: str, ctx: DocContext) -> list[str | None] | None:
    """Metric per column of a table header line, or None when the line is not a header."""
    year_words = ctx.res.memo("table_year_headers", lambda r: phrase_regex(tuple(r.metrics.table_year_headers.all())))
    if not year_words.search(line):
        return None
    cells = [c for c in re.split(r"\s*\|\s*|\t|\s{2,}", line) if c.strip()]
    if len(cells) < 2:
        cells = _split_header_words(line, ctx, lang)
    cols: list[str | None] = []
    jobs, projects, _either = _head_regexes(ctx.res)
    for cell in cells[1:]:
        low = cell.lower()
        if "%" in low or "part" in low or "share" in low:
            cols.append("foreign_share_projects")
        elif jobs.search(low):
            cols.append("jobs_created")
        elif projects.search(low):
            cols.append("location_projects")
        else:
            cols.append(None)
    return cols if sum(c is not None for c in cols) >= 1 else None


def _split_header_words(line: str, ctx: DocContext, lang: str) -> list[str]:
    """A header with single spaces: a new column starts at each head noun ("Year Projects Jobs")."""
    starts = [m.start() for m in _head_regexes(ctx.res)[2].finditer(line)]
    if not starts:
        return [line]
    bounds = starts + [len(line)]
    return [line[: starts[0]]] + [line[a:b] for a, b in zip(bounds, bounds[1:])]


def _head_regexes(res: Resources) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """The phrase regexes of the head nouns of jobs, of projects, and of both (both languages)."""
    def build(r: Resources) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
        heads = r.metrics.heads
        return (phrase_regex(tuple(heads["jobs"].all())), phrase_regex(tuple(heads["projects"].all())),
                phrase_regex(tuple(heads["projects"].all() + heads["jobs"].all())))
    return res.memo("metrics:head-regexes", build)
