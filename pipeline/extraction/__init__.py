"""Extraction stage: entities, then metric, role and implantation facts, sentence by sentence.

Reads: Document.text, .published and the `Analysis` from pipeline.nlp. Writes: Document.entities
and Document.facts (sorted, de-duplicated).
"""

from __future__ import annotations

import logging
from collections import Counter

from pipeline.config import Config
from pipeline.extraction.context import DocContext, parse_published
from pipeline.extraction.entities import choose_subject, collect, to_entities
from pipeline.extraction.implantations import find_implantations
from pipeline.extraction.metrics import find_metrics, find_table_metrics
from pipeline.extraction.roles import find_roles
from pipeline.nlp import Analysis
from pipeline.normalize.dates import find_periods, relative_year_offsets
from pipeline.records import FIRM_CONFIDENCE, Document, Entity, ImplantationFact, MetricFact, RoleFact
from pipeline.resources import load_resources

LOGGER = logging.getLogger(__name__)

Fact = MetricFact | RoleFact | ImplantationFact


def run(doc: Document, analysis: Analysis, cfg: Config) -> Document:
    """Fill `doc.entities` and `doc.facts` from the analysed sentences."""
    if doc.status != "ok":
        return doc
    res = load_resources(cfg.models_dir)
    mentions = collect(analysis, doc.text, doc.lang or "fr", res)
    mentions.subject = choose_subject(mentions, doc.text, res)
    doc.entities = to_entities(mentions)
    ctx = DocContext(doc.doc_id, doc.text, res, mentions, parse_published(doc.published))
    facts: list[Fact] = []
    history: list[str] = []  # periods stated so far, in reading order
    para_year: dict[int, str] = {}  # last period stated in each paragraph
    headings = [_heading(sent.text) for sent in analysis.sentences]
    for n, (sent, heading) in enumerate(zip(analysis.sentences, headings)):
        # "ILS ONT CHOISI LA PROVENCE", "BILAN 2014": a heading states no fact, but its year
        # is the context of what follows.
        found: list[MetricFact] = []
        if not heading:
            found = find_metrics(sent, ctx, history)
            facts.extend(found)
            facts.extend(find_roles(sent, ctx))
        years = [str(p.year) for p in ctx.stated_periods(sent)]
        if years and _sets_context(n, sent.text, found, ctx, sent.lang):
            history.extend(years)
            para_year[sent.paragraph] = years[-1]
    facts.extend(find_table_metrics(doc.text, doc.lang or "fr", ctx))
    facts = _one_value_per_cell(_settle_periods(facts, ctx, doc.lang or "fr"), ctx.agency_done)
    # An implantation is dated by its sentence, else its paragraph, else the year the article
    # reports on (the most frequent period of its actual figures), else its publication year.
    default = reported_year(facts) or (str(ctx.published.year) if ctx.published else None)
    for sent, heading in zip(analysis.sentences, headings):
        if heading:
            continue
        years = [str(p.year) for p in ctx.stated_periods(sent)]
        facts.extend(find_implantations(sent, ctx, years[0] if years else para_year.get(sent.paragraph, default)))
    doc.facts = _dedupe(facts)
    doc.entities = _with_companies(doc.entities, doc.facts, doc.text)
    LOGGER.debug("%s: %d entities, %d facts", doc.doc_id, len(doc.entities), len(doc.facts))
    return doc


def _with_companies(entities: list[Entity], facts: list[Fact], text: str) -> list[Entity]:
    """The companies of implantation facts that the entity index does not hold (a name found in a
    company's slot, untagged by the model) are organizations of the document too."""
    known = {e.name for e in entities if e.type == "ORG"} | {m for e in entities for m in e.mentions}
    extra = sorted({f.company for f in facts if isinstance(f, ImplantationFact) and f.company not in known})
    added = [Entity(type="ORG", name=n, mentions=[n], count=max(1, text.count(n))) for n in extra]
    return sorted(entities + added, key=lambda e: (e.type, e.name)) if added else entities


def _sets_context(n: int, text: str, found: list[MetricFact], ctx: DocContext, lang: str) -> bool:
    """Whether the years of a sentence become the context of the figures that follow it.

    Not those of a goal ("Dès 2020, nous voulons ...": the figures after it are still
    the results of the year before), nor those of a teaser line past the headline (a short line
    with no final stop: a link to another article). A sentence that states a result beside the
    goal it is measured against ("72 in 2021, when the plan foresaw 65") does set it."""
    if (found and all(f.status == "target" for f in found)) or (
            not found and ctx.res.lang_regex(lang, ctx.res.cues.target).search(text) is not None):
        return False
    return n < 2 or text.rstrip()[-1:] in '.!?:;"»)…' or len(text.split()) > 14


def _heading(text: str) -> bool:
    # Most sentences: a fifth of their characters or more are some of the commonest lower-case
    # letters, which are letters and not upper case: no more than 80 % of their letters can be.
    if 5 * sum(map(text.count, "eaisnrto")) >= len(text):
        return False
    alpha = "".join(filter(str.isalpha, text))
    letters = len(alpha)
    # Upper case counted among letters only: "Ⅻ" or "Ⓐ" are upper case without being letters.
    return letters >= 4 and sum(map(str.isupper, alpha)) / letters > 0.8


def reported_year(facts: list[Fact]) -> str | None:
    """The year an article reports on: the most frequent stated period of its actual figures."""
    for sources in (("sentence",), ("sentence", "context")):
        years = Counter(f.period for f in facts if isinstance(f, MetricFact) and f.status == "actual"
                        and f.period_source in sources and f.period and not f.metric.startswith("cumulative"))
        if years:
            return years.most_common(1)[0][0]
    return None


def _settle_periods(facts: list[Fact], ctx: DocContext, lang: str) -> list[Fact]:
    """A figure restated without a date (a headline, a summary) is the dated one: drop it; a
    running total without a stated year is as of the year the article reports on, or, when its
    sentence counts from the time of writing ("founded 20 years ago", "à ce jour"), as of the
    year of writing (see `_writing_year`)."""
    dated = {(f.subject, f.status, f.value) for f in facts
             if isinstance(f, MetricFact) and (f.period_source == "sentence" or f.metric.startswith("cumulative"))}
    year = reported_year(facts)
    cues = ctx.res.frames.as_of_writing
    now = ctx.res.lang_regex(lang, cues)
    writing: dict[str, str | None] = {}  # the year of writing, looked up once, when first needed
    out: list[Fact] = []
    for f in facts:
        if isinstance(f, MetricFact) and f.period_source != "sentence":
            if (f.subject, f.status, f.value) in dated and not f.metric.startswith("cumulative"):
                continue
            if f.metric.startswith("cumulative"):
                written = None
                if now.search(f.evidence.sentence):
                    if "year" not in writing:
                        writing["year"] = _writing_year(ctx, lang)
                    written = writing["year"]
                if written or year:
                    f = f.model_copy(update={"period": written or year, "period_source": "document"})
            elif f.period_source == "context" and ctx.published is None and year and f.period and any(
                    int(year) + 1 + offset == int(f.period) for _, _, offset in relative_year_offsets(f.evidence.sentence, lang)):
                # Undated: "75 projets cette année" after a sentence on 2018, in an article on the
                # 2017 results (written the year after them): two readings agree, the year is firm.
                f = f.model_copy(update={"confidence": max(f.confidence, FIRM_CONFIDENCE)})
        out.append(f)
    return out


def _writing_year(ctx: DocContext, lang: str) -> str | None:
    """The year the document was written: its publication's, else that of the latest full date
    (day, month, year) the text gives, which it cannot predate."""
    if ctx.published is not None:
        return str(ctx.published.year)
    dates = [p.year for p in find_periods(ctx.text, lang, None) if p.kind == "date"]
    return str(max(dates)) if dates else None


def _one_value_per_cell(facts: list[Fact], agency_done: set[tuple[int, str, object]]) -> list[Fact]:
    """Where one document gives two values for the same cell (subject, metric, year, status) and
    the parse names the agency as doing what only some of them count, those are the agency's
    figures; the others count something wider or narrower (a regional count of new firms beside
    "l'agence a accompagné 54 implantations"), and are dropped."""
    def cell(f: MetricFact) -> tuple[object, ...]:
        return (f.subject, f.metric, f.period, f.status)

    def done(f: MetricFact) -> bool:
        return (f.evidence.start, f.metric, f.value) in agency_done

    tied = {cell(f) for f in facts if isinstance(f, MetricFact) and f.period and done(f)}
    values: dict[tuple[object, ...], set[object]] = {}
    for f in facts:
        if isinstance(f, MetricFact):
            values.setdefault(cell(f), set()).add(f.value)
    return [f for f in facts if not (isinstance(f, MetricFact) and cell(f) in tied and len(values[cell(f)]) > 1
                                     and not done(f))]


def _key(f: Fact) -> tuple[object, ...]:
    if isinstance(f, MetricFact):
        return ("metric", f.subject, f.metric, f.period, f.status, f.value)
    if isinstance(f, RoleFact):
        return ("role", f.person, f.role, f.org, f.change, f.since, f.until)
    return ("implantation", f.company)


def _rank(f: Fact) -> tuple[bool, bool, float]:
    if isinstance(f, RoleFact):
        return (f.since is not None or f.until is not None, f.change is not None, f.confidence)
    return (False, False, f.confidence)


def _dedupe(facts: list[Fact]) -> list[Fact]:
    """One fact per key, the most confident (first in the text on ties), in text order. Role
    facts that state different bounds of a term, or report its start or end, are kept apart."""
    best: dict[tuple[object, ...], Fact] = {}
    for f in facts:
        k = _key(f)
        if k not in best or _rank(f) > _rank(best[k]):
            best[k] = f
    return sorted(best.values(), key=lambda f: (f.evidence.start, f.kind, str(_key(f))))
