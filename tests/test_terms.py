"""Terms of office: succession events over the parse (pipeline/extraction/leadership.py), role
shapes that carry a term (roles.py), the terms built across documents (pipeline/terms.py), the
answers by date (`pressfacts who`, facts.db) and the chart's shading. Every sentence is invented,
about invented agencies, in both languages; each class has a positive and a negative case."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.terms import build_terms, holds_on


def roles(doc) -> set[tuple]:
    return {(f.person, f.role, f.org, f.status) for f in doc.facts if f.kind == "role"}


def role_facts(doc, person: str) -> list:
    return [f for f in doc.facts if f.kind == "role" and f.person == person]


# ---------------------------------------------------------------- events and role shapes (one document)

@pytest.mark.parametrize("text, expected", [
    ("Publié le 12 mars 2019\n\nBilan\n\nMarc Dubois, président de la Métropole de Brest, et Paul Martin, "
     "président de la CCI Brest, ont ouvert la réunion. Tous deux sont désormais les co-présidents de l'agence "
     "Nordinvest.",
     {("Marc Dubois", "president", "Nordinvest"), ("Paul Martin", "president", "Nordinvest")}),
    ("Published 12 March 2019\n\nResults\n\nThe meeting was attended by Ann Shaw, chair of Dunmore Council, and "
     "Peter Gray, president of the Truro Chamber of Commerce. Both are the current co-chairs of the Northbay Invest "
     "agency.", {("Ann Shaw", "president", "Northbay Invest"), ("Peter Gray", "president", "Northbay Invest")}),
])
def test_roles_both_of_the_last_two_people_named_hold_a_shared_office(run_text, text, expected):
    assert expected <= {(p, r, o) for p, r, o, _s in roles(run_text(text))}


def test_roles_both_without_an_office_gives_no_role(run_text):
    doc = run_text("Publié le 12 mars 2019\n\nBilan\n\nMarc Dubois, président de la Métropole de Brest, et Paul "
                   "Martin, président de la CCI Brest, ont ouvert la réunion. Tous deux ont visité le nouveau site "
                   "de l'agence Nordinvest.")
    assert not {o for _p, _r, o, _s in roles(doc)} & {"Nordinvest"}


FR_ELECTION = ("Publié le 3 mars 2019\n\nLumière Invest change de présidente\n\n"
               "Le conseil d'administration de Lumière Invest, l'agence d'attractivité de la Savoie, a élu "
               "Marc Delorme à sa présidence le 2 mars 2019. Il succède à Anne Varin, qui présidait l'agence "
               "depuis 2015.")
EN_TAKEOVER = ("Published 4 May 2021\n\nNorthbay Invest has a new chair\n\n"
               "Karen Miles was appointed chair of Northbay Invest, the development agency of the county, on "
               "3 May 2021. She takes over from Tom Price, who had chaired the agency since 2016.")


@pytest.mark.parametrize("text, newcomer, since, predecessor, pred_since", [
    (FR_ELECTION, "Marc Delorme", "2019-03-02", "Anne Varin", "2015"),
    (EN_TAKEOVER, "Karen Miles", "2021-05-03", "Tom Price", "2016"),
])
def test_terms_appointment_and_succession_state_both_terms(run_text, text, newcomer, since, predecessor, pred_since):
    doc = run_text(text)
    new = role_facts(doc, newcomer)
    old = role_facts(doc, predecessor)
    assert any(f.role == "president" and f.change == "start" and f.since == since and f.status == "current" for f in new)
    assert any(f.role == "president" and f.change == "end" and f.status == "former" and f.since == pred_since
               for f in old)


@pytest.mark.parametrize("text, predecessor, wrong_org", [
    ("Publié le 3 mars 2019\n\nNordinvest\n\nL'agence Nordinvest change de tête. Le président de la CCI Ouest "
     "succède à Paul Girard à la tête de l'agence.", "Paul Girard", "CCI Ouest"),
    ("Published 4 May 2021\n\nNorthbay Invest\n\nNorthbay Invest has a new chair. The chairman of Cornwall "
     "Council takes over from Tom Price as chair of the agency.", "Tom Price", "Cornwall Council"),
])
def test_terms_the_newcomer_title_is_not_the_office_taken(run_text, text, predecessor, wrong_org):
    """A title inside the verb's subject describes the newcomer; the office taken is the verb's."""
    facts = role_facts(run_text(text), predecessor)
    assert facts and not any(f.org == wrong_org for f in facts)


@pytest.mark.parametrize("text, person", [
    ("Publié le 3 mars 2019\n\nNordinvest\n\nL'agence Nordinvest change de tête. Lucie Morel, présidente de la CCI "
     "Ouest et jusqu'ici vice-présidente de l'agence, en prend la présidence.", "Lucie Morel"),
    ("Published 4 May 2021\n\nNorthbay Invest\n\nAnn Shaw, until now vice-chair of Northbay Invest, takes the "
     "chair of the agency.", "Ann Shaw"),
])
def test_terms_office_noun_taken_is_the_office_not_the_old_title(run_text, text, person):
    facts = role_facts(run_text(text), person)
    assert any(f.role == "president" and f.change == "start" for f in facts), facts
    assert not any(f.role == "vice_president" and f.change == "start" for f in facts)


@pytest.mark.parametrize("text", [
    # a take verb without an office object, a handover verb without one: no event
    "Publié le 3 mars 2019\n\nBilan\n\nMarc Delorme a pris le train pour Lyon et a passé trois jours avec Anne Varin.",
    "Published 4 May 2021\n\nReview\n\nKaren Miles took the train to York and passed the report to Tom Price.",
])
def test_terms_ordinary_verbs_make_no_event(run_text, text):
    doc = run_text(text)
    assert not [f for f in doc.facts if f.kind == "role" and (f.change or f.since or f.until)]


@pytest.mark.parametrize("text, person, role", [
    ("Publié le 3 mars 2019\n\nLumière Invest\n\nL'agence Lumière Invest a présenté son bilan. Anne Varin "
     "occupe désormais le poste de vice-présidente de l'agence.", "Anne Varin", "vice_president"),
    ("Publié le 3 mars 2019\n\nLumière Invest\n\nL'agence Lumière Invest a présenté son bilan. Paul Girard "
     "exerce la fonction de président de Lumière Invest depuis 2015.", "Paul Girard", "president"),
    ("Published 4 May 2021\n\nNorthbay Invest\n\nNorthbay Invest presented its results. Tom Price, who now "
     "serves as vice-chair of the agency, thanked the staff.", "Tom Price", "vice_president"),
    ("Published 4 May 2021\n\nNorthbay Invest\n\nNorthbay Invest presented its results. Karen Miles holds "
     "the post of chair at Northbay Invest.", "Karen Miles", "president"),
])
def test_terms_office_held_through_a_carrier_noun(run_text, text, person, role):
    doc = run_text(text)
    assert any(f.role == role and f.status == "current" for f in role_facts(doc, person)), roles(doc)


@pytest.mark.parametrize("text, person", [
    ("Publié le 3 mars 2019\n\nLumière Invest\n\nAnne Varin occupe le poste de Lyon depuis deux ans.", "Anne Varin"),
    ("Published 4 May 2021\n\nNorthbay Invest\n\nTom Price holds the record of the county since 2016.", "Tom Price"),
])
def test_terms_carrier_noun_without_a_title_gives_no_role(run_text, text, person):
    assert not role_facts(run_text(text), person)


@pytest.mark.parametrize("text, person, since, until", [
    ("Publié le 10 janvier 2020\n\nAlpinvest\n\nJean Fabre, président de l'agence Alpinvest depuis juin 2014, "
     "a présenté le bilan.", "Jean Fabre", "2014-06", None),
    ("Publié le 10 janvier 2020\n\nAlpinvest\n\nMarie Dupuis, directrice générale d'Alpinvest jusqu'en 2018, "
     "a présenté le bilan.", "Marie Dupuis", None, "2018"),
    ("Published 10 January 2020\n\nAlpinvest\n\nJohn Fable, chairman of Alpinvest since June 2014, presented "
     "the results.", "John Fable", "2014-06", None),
])
def test_terms_bound_closing_an_apposition(run_text, text, person, since, until):
    facts = role_facts(run_text(text), person)
    assert facts and facts[0].since == since and facts[0].until == until


def test_terms_apposition_without_bound_states_none(run_text):
    facts = role_facts(run_text("Published 10 January 2020\n\nAlpinvest\n\nJohn Fable, chairman of Alpinvest, "
                                "presented the results of 2014."), "John Fable")
    assert facts and facts[0].since is None and facts[0].until is None


@pytest.mark.parametrize("text, expected", [
    ("Publié le 10 janvier 2020\n\nPhoto\n\nDe g. à d. : Paul Girard et Lucie Morel, vice-président et présidente "
     "de Nordinvest, et Nadia Colin.",
     {("Paul Girard", "vice_president", "Nordinvest"), ("Lucie Morel", "president", "Nordinvest")}),
    ("Published 4 May 2021\n\nPhoto\n\nFrom left: Tom Gray and Ann Shaw (vice-chair and chair of Northbay Invest), "
     "and Jim Hart.",
     {("Tom Gray", "vice_president", "Northbay Invest"), ("Ann Shaw", "president", "Northbay Invest")}),
])
def test_terms_respective_coordination_pairs_names_and_titles(run_text, text, expected):
    got = {(p, r, o) for p, r, o, _s in roles(run_text(text))}
    assert expected <= got
    assert not {(p, r) for p, r, _o in got} & {(p, r2) for p, r, _o in expected for r2 in ("president", "vice_president")
                                               if r2 != r}


@pytest.mark.parametrize("text, person, role, org", [
    ("Publié le 10 janvier 2020\n\nRéunion\n\nÉtaient présents Paul Girard, président de Nordinvest, Lucie Morel, "
     "présidente de la Région Bretagne, et Marie Roux.", "Lucie Morel", "president", "Région Bretagne"),
    ("Published 4 May 2021\n\nMeeting\n\nPresent were Paul Girard, chairman of Northbay Invest, Lucy Moore, "
     "chair of Cornwall Council, and Jim Hart.", "Lucy Moore", "president", "Cornwall Council"),
])
def test_terms_in_a_list_of_names_each_title_is_its_left_neighbour(run_text, text, person, role, org):
    got = roles(run_text(text))
    assert (person, role, org, "current") in got
    assert not any(p != person and o == org for p, _r, o, _s in got)


@pytest.mark.parametrize("text, person", [
    ("Publié le 10 janvier 2020\n\nRéunion\n\nPaul Girard, président de Nordinvest, et Jules Petit, président "
     "d'honneur, ont ouvert la séance.", "Jules Petit"),
    ("Published 4 May 2021\n\nMeeting\n\nPaul Girard, chairman of Northbay Invest, and Jim Hart, honorary "
     "chairman, opened the meeting.", "Jim Hart"),
    ("Publié le 10 janvier 2020\n\nUsine\n\nNadia Colin, directrice du site Vetrox Lorient, a présenté le projet.",
     "Nadia Colin"),
    ("Published 4 May 2021\n\nPlant\n\nNadia Collins, manager of the Vetrox plant, presented the project.",
     "Nadia Collins"),
])
def test_terms_honorary_titles_and_heads_of_local_units_are_no_officers(run_text, text, person):
    assert not role_facts(run_text(text), person)


@pytest.mark.parametrize("text, person", [
    ("Publié le 10 janvier 2020\n\nBilan de Nordinvest\n\nClaire Martin, présidente de Nordinvest, a présenté le bilan.",
     "Claire Martin"),
    ("Published 10 January 2020\n\nResults of Northbay Invest\n\nKaren Miles, chair of Northbay Invest, presented them.",
     "Karen Miles"),
])
def test_terms_person_opening_the_paragraph_after_a_headline(run_text, text, person):
    """A headline's last word and the next paragraph's first name are no "Given-name Surname" pair."""
    assert any(f.role == "president" for f in role_facts(run_text(text), person))


@pytest.mark.parametrize("text, person, role", [
    ("Publié le 3 mars 2019\n\nNordinvest\n\nL'agence Nordinvest change de tête. Je salue mon prédécesseur, avec "
     "lequel je travaille en binôme, Paul Girard occupant la vice-présidence de l'agence.", "Paul Girard",
     "vice_president"),
    ("Published 4 May 2021\n\nNorthbay Invest\n\nNorthbay Invest has a new chair, Tom Price having taken the "
     "chair of the agency in April.", "Tom Price", "president"),
])
def test_terms_participle_after_its_own_subject(run_text, text, person, role):
    assert any(f.role == role for f in role_facts(run_text(text), person)), roles(run_text(text))


@pytest.mark.parametrize("text, person, role", [
    ("Publié le 10 juillet 2017\n\nNordinvest\n\nL'agence Nordinvest renouvelle son bureau. L'une des "
     "vice-présidences revient d'ailleurs à une élue régionale, Lucie Morel, déléguée au commerce.", "Lucie Morel",
     "vice_president"),
    ("Published 10 July 2017\n\nNorthbay Invest\n\nTom Gray was elected chair of the Northbay Invest agency. The "
     "vice-presidency goes to a county councillor, Ann Shaw.", "Ann Shaw", "vice_president"),
])
def test_terms_an_office_goes_to_someone(run_text, text, person, role):
    facts = role_facts(run_text(text), person)
    assert any(f.role == role and f.change == "start" for f in facts), facts


def test_terms_a_prize_that_goes_to_someone_is_no_office(run_text):
    doc = run_text("Publié le 10 juillet 2017\n\nNordinvest\n\nL'agence Nordinvest remet ses trophées. Le prix "
                   "de l'innovation revient à Lucie Morel.")
    assert not role_facts(doc, "Lucie Morel")


def test_terms_acronym_of_a_long_name_with_a_shared_word():
    """"Euro Packaging Group (EP Group)": EP spells the words before the shared one; the short form
    names the whole organization, not its last word."""
    from pipeline.config import Config
    from pipeline.extraction.entities import _acronym_definitions
    from pipeline.resources import load_resources

    res = load_resources(Config().models_dir)
    assert _acronym_definitions("One of the firms cited was the Nordic Vetrox Holding (NV Holding), which opens", res) == {
        "NV Holding": "Nordic Vetrox Holding"}
    assert _acronym_definitions("Le Kestrel Robotics Group (KR Group) ouvre", res) == {"KR Group": "Kestrel Robotics Group"}


def test_terms_unaccented_given_name_is_a_person(run_text):
    doc = run_text("Published 4 May 2021\n\nNorthbay Invest\n\n\"We will double the projects,\" said Helene "
                   "Marchal, Vice-President of Northbay Invest and delegate for industry.")
    assert ("Helene Marchal", "vice_president", "Northbay Invest", "current") in roles(doc)


# ---------------------------------------------------------------- terms across documents (pure)

def fact(person, as_of, status="current", change=None, since=None, until=None, role="president", org="Agence X",
         doc="d1"):
    return {"kind": "role", "person": person, "role": role, "org": org, "status": status, "as_of": as_of,
            "change": change, "since": since, "until": until, "source": f"{doc}.txt",
            "evidence": {"doc_id": doc, "sentence": f"{person} ...", "start": 0}}


def test_terms_successor_start_ends_the_predecessor_term():
    terms = build_terms([fact("A", "2012-05-01", since="2010"), fact("A", "2013-01-01", doc="d2"),
                         fact("B", "2014-06-30", change="start", doc="d3")], ["president"])
    a, b = terms[("Agence X", "president", "A")], terms[("Agence X", "president", "B")]
    assert (a["start"]["date"], a["start"]["how"]) == ("2010", "stated")
    assert (a["end"]["date"], a["end"]["how"]) == ("2014-06-30", "inferred")
    assert a["end"]["basis"].startswith("the successor's start")
    assert b["start"]["date"] == "2014-06-30" and b["end"] is None
    assert holds_on(a, "2013") and not holds_on(a, "2014-09") and holds_on(b, "2014-09")


def test_terms_successor_start_known_to_the_year_ends_the_predecessor_by_the_report():
    """"B, in office since 2016" and an article of 28 January 2016 reporting B's takeover: A was out
    of office by 28 January 2016, not at some point of 2016."""
    terms = build_terms([fact("A", "2014-06-30", change="start"), fact("B", "2016-01-28", change="start", doc="d2"),
                         fact("B", "2017-07-01", since="2016", doc="d3")], ["president"])
    a, b = terms[("Agence X", "president", "A")], terms[("Agence X", "president", "B")]
    assert (b["start"]["date"], b["start"]["how"]) == ("2016", "stated")
    assert (a["end"]["date"], a["end"]["how"]) == ("2016-01-28", "inferred") and "no later" in a["end"]["basis"]
    assert not holds_on(a, "2016-09") and holds_on(b, "2016-09")
    assert "_reported" not in a and "_reported" not in b


def test_terms_several_holders_of_a_multi_seat_office_do_not_end_each_other():
    terms = build_terms([fact("A", "2012-05-01", role="vice_president"), fact("B", "2014-06-30", role="vice_president",
                                                                               doc="d2")], ["president"])
    assert terms[("Agence X", "vice_president", "A")]["end"] is None


def test_terms_former_mention_bounds_the_end_and_stated_end_wins():
    terms = build_terms([fact("A", "2012-05-01"), fact("A", "2016-02-01", status="former", doc="d2")], [])
    assert terms[("Agence X", "president", "A")]["end"]["date"] == "2016-02-01"
    terms = build_terms([fact("A", "2012-05-01"), fact("A", "2016-02-01", status="former", until="2015-06",
                                                       doc="d2")], [])
    end = terms[("Agence X", "president", "A")]["end"]
    assert (end["date"], end["how"]) == ("2015-06", "stated")


def test_terms_two_sources_stating_different_starts_are_a_conflict():
    terms = build_terms([fact("A", "2016-01-01", since="2011"), fact("A", "2017-01-01", since="2012", doc="d2")], [])
    conflicts = terms[("Agence X", "president", "A")]["conflicts"]
    assert conflicts and conflicts[0]["bound"] == "start"
    assert {v["date"] for v in conflicts[0]["values"]} == {"2011", "2012"}
    agree = build_terms([fact("A", "2016-01-01", since="2011"), fact("A", "2017-01-01", since="2011-06", doc="d2")], [])
    assert not agree[("Agence X", "president", "A")]["conflicts"]  # a month inside the stated year agrees


# ---------------------------------------------------------------- answers by date, history and chart

CORPUS = {
    "a1.txt": "Publié le 10 mars 2015\n\nLumière Invest : Anne Varin élue présidente\n\nLe conseil d'administration "
              "de Lumière Invest, l'agence d'attractivité de la Savoie, a élu Anne Varin à sa présidence le 9 mars "
              "2015. Elle succède à Paul Girard, qui présidait l'agence depuis 2011.\n",
    "a2.txt": "Published 2 April 2019\n\nLumière Invest: Marc Delorme takes over\n\nMarc Delorme was elected chair "
              "of Lumière Invest, the development agency of Savoie, on 1 April 2019. He takes over from Anne Varin, "
              "who now serves as vice-chair of the agency.\n",
    "a3.txt": "Publié le 15 janvier 2020\n\nLumière Invest : 40 projets en 2019\n\nLumière Invest a accompagné "
              "40 projets en 2019, indique Marc Delorme, président de Lumière Invest.\n",
}


@pytest.fixture(scope="module")
def terms_db(tmp_path_factory) -> Path:
    from pipeline.config import Config
    from pipeline.factbase import build

    root = tmp_path_factory.mktemp("terms")
    for name, text in CORPUS.items():
        (root / "corpus" / name).parent.mkdir(exist_ok=True)
        (root / "corpus" / name).write_text(text, encoding="utf-8")
    build([root / "corpus"], root / "out", Config(isolate=False), use_cache=False)
    return root / "out" / "facts.db"


def who(db: Path, *args: str):
    return CliRunner().invoke(main, ["who", *args, "--db", str(db)])


@pytest.mark.parametrize("on, person", [("2013", "Paul Girard"), ("2015-03-09", "Anne Varin"),
                                        ("2017-06", "Anne Varin"), ("2020", "Marc Delorme")])
def test_terms_who_answers_from_terms_with_evidence(terms_db, on, person):
    result = who(terms_db, "--on", on, "--role", "president", "--org", "lumiere invest")
    assert result.exit_code == 0, result.output
    rows = json.loads(who(terms_db, "--on", on, "--role", "president", "--json").stdout)
    assert [r["person"] for r in rows] == [person]
    assert result.stdout.startswith(f"{person}: president of Lumière Invest")
    assert "start:" in result.stdout and rows[0]["term_start_sentence"] in result.stdout


def test_terms_who_term_bounds_and_how_they_are_known(terms_db):
    rows = {r["person"]: r for r in json.loads(who(terms_db, "--on", "2011", "--json").stdout)
            + json.loads(who(terms_db, "--on", "2016", "--json").stdout)}
    girard, varin = rows["Paul Girard"], rows["Anne Varin"]
    assert (girard["term_start"], girard["term_start_how"]) == ("2011", "stated")
    assert (girard["term_end"], girard["term_end_how"]) == ("2015-03-09", "inferred")
    assert (varin["term_start"], varin["term_start_how"]) == ("2015-03-09", "stated")
    assert (varin["term_end"], varin["term_end_how"]) == ("2019-04-01", "inferred")


@pytest.mark.parametrize("args, message", [
    (("--on", "2014-13"), "is not a date"),
    (("--on", "last year"), "is not a date"),
    (("--on", "2014", "--role", "mayor"), "valid roles: president"),
])
def test_terms_who_rejects_bad_values(terms_db, args, message):
    result = who(terms_db, *args)
    assert result.exit_code == 2 and message in result.output


def test_terms_who_before_any_term_says_so(terms_db):
    result = who(terms_db, "--on", "1990", "--role", "president")
    assert result.exit_code == 0 and "no known holder on 1990" in result.stdout


def test_terms_history_prints_the_leadership_timeline(terms_db):
    out = CliRunner().invoke(main, ["history", "--db", str(terms_db)]).stdout
    leaders = out[out.index("Leaders"):].splitlines()
    names = [line.strip().split("  ")[0] for line in leaders if line.startswith("    ")]
    assert names[:3] == ["Paul Girard", "Anne Varin", "Marc Delorme"]
    assert "2011 stated -> 2015-03-09 inferred" in out


def test_terms_chart_shades_each_president_term_from_its_bounds(terms_db):
    from pipeline import query as q
    from pipeline.cli_factbase import term_spans

    leaders = q.leaders(q.open_db(terms_db), "Lumière Invest")
    spans = term_spans(leaders, 2010, 2020)
    assert [p for p, _a, _b in spans] == ["Paul Girard", "Anne Varin", "Marc Delorme"]
    (_g, g0, g1), (_v, v0, v1), (_d, d0, d1) = spans
    assert g0 == 2010.5  # "2011": the first day of 2011, at the left edge of its year
    assert g1 == v0 == pytest.approx(2014.5 + 67 / 365, abs=1e-3)  # 9 March 2015 ends one term and starts the next
    assert v1 == d0 == pytest.approx(2018.5 + 90 / 365, abs=1e-3)  # 1 April 2019
    assert d1 == 2020.5  # open end: to the axis end
    assert term_spans(leaders, 2016, 2017) == [("Anne Varin", 2015.5, 2017.5)]  # clipped to the axis


# The bundled corpus (output/ is its committed build, kept equal to a rebuild by `pressfacts check`):
# one president of the agency answered for a date inside each term from 2008 to 2021.
OUTPUT_DB = Path(__file__).resolve().parent.parent / "output" / "facts.db"
PRESIDENTS = [("2008-09", "Jean-Noël Guérini"), ("2010-06", "Jean-Noël Guérini"), ("2012-06", "Jacques Pfister"),
              ("2013-06", "Jacques Pfister"), ("2014-09", "Loïc Gachon"), ("2015-06", "Loïc Gachon"),
              ("2016-09", "Solange Biaggi"), ("2017-03", "Solange Biaggi"), ("2018-06", "Jean-Luc Chauvin"),
              ("2019-06", "Jean-Luc Chauvin"), ("2020-03", "Jean-Luc Chauvin"), ("2021-06", "Bernard Deflesselles")]


@pytest.mark.parametrize("on, person", PRESIDENTS)
def test_terms_bundled_corpus_answers_every_president(on, person):
    result = CliRunner().invoke(main, ["who", "--on", on, "--role", "president", "--org", "Provence Promotion",
                                       "--json", "--db", str(OUTPUT_DB)])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["person"] for r in rows] == [person]
    assert rows[0]["term_start_sentence"]  # every answer carries its evidence
