"""Implantations on pages others write: lists of companies, nominal forms, whole names without the
nationality word, and what is no company. Invented sentences, both languages, positive and negative."""

from __future__ import annotations

import pytest


def companies(doc) -> dict[str, object]:
    return {f.company: f for f in doc.facts if f.kind == "implantation"}


@pytest.mark.parametrize("text, expected", [
    ("Publié le 12 mars 2019\n\nL'agence Nordinvest présente son bilan\n\nEn 2018, l'agence Nordinvest a accompagné "
     "40 entreprises ; Alumbra Solar, Kestrel Robotics et Baltic Freight ont choisi de s'implanter dans le Finistère.",
     {"Alumbra Solar", "Kestrel Robotics", "Baltic Freight"}),
    ("Published 12 March 2019\n\nThe Northbay Invest agency reports\n\nIn 2018, Vetrox Group, Kestrel Robotics and "
     "Baltic Freight Ltd chose to set up in Cornwall with the support of the Northbay Invest agency.",
     {"Vetrox Group", "Kestrel Robotics", "Baltic Freight Ltd"}),
])
def test_implantations_every_company_of_a_list(run_text, text, expected):
    assert expected <= set(companies(run_text(text)))


@pytest.mark.parametrize("text, company, place", [
    ("Publié le 12 mars 2019\n\nL'agence Nordinvest présente son bilan\n\nL'agence Nordinvest s'en félicite : "
     "l'extension de la plate-forme du groupe Baltic Freight à Brest a créé 80 emplois.", "Baltic Freight", "Brest"),
    ("Publié le 12 mars 2019\n\nL'agence Nordinvest présente son bilan\n\nL'agence Nordinvest salue l'arrivée de "
     "Orlen Pharma à Quimper.", "Orlen Pharma", "Quimper"),
    ("Published 12 March 2019\n\nThe Northbay Invest agency reports\n\nThe Northbay Invest agency welcomed the "
     "arrival of Orlen Pharma Ltd in Falmouth.", "Orlen Pharma Ltd", "Falmouth"),
])
def test_implantations_company_after_an_implantation_noun(run_text, text, company, place):
    found = companies(run_text(text))
    assert company in found and found[company].place == place


@pytest.mark.parametrize("text, not_companies", [
    ("Publié le 12 mars 2019\n\nL'agence Nordinvest présente son bilan\n\nLe Club des Entreprises du Léon a ouvert "
     "ses portes en 2018. La Métropole de Brest a inauguré un bâtiment.", {"Club des Entreprises du Léon",
                                                                           "Métropole de Brest"}),
    ("Published 12 March 2019\n\nThe Northbay Invest agency reports\n\nThe Cornwall Council opened a new building "
     "in 2018, the Northbay Invest agency said.", {"Cornwall Council"}),
])
def test_implantations_authorities_and_clubs_are_no_companies(run_text, text, not_companies):
    assert not set(companies(run_text(text))) & not_companies


def test_implantations_a_month_opening_a_sentence_is_no_company(run_text):
    doc = run_text("Published 12 March 2019\n\nThe Northbay Invest agency reports\n\nNovember opened a new chapter for "
                   "the Northbay Invest agency.")
    assert "November" not in companies(doc)


@pytest.mark.parametrize("text, name, country", [
    ("Published 12 March 2019\n\nNorthbay Invest welcomes a plant\n\nThe Chinese Kestrel Silicon Chemical will build a "
     "plant in Falmouth, the Northbay Invest agency said. Kestrel Silicon Chemical plans 200 jobs.",
     "Kestrel Silicon Chemical", "China"),
])
def test_implantations_nationality_word_outside_the_name(run_text, text, name, country):
    doc = run_text(text)
    orgs = {e.name for e in doc.entities if e.type == "ORG"}
    assert name in orgs and not any(o.endswith(name) and o != name for o in orgs)
    assert companies(doc)[name].origin == country


@pytest.mark.parametrize("text, surface, expected", [
    ("L'allemand Vetrox Werke s'implante à Brest. Vetrox Werke prévoit 50 emplois.", "allemand Vetrox Werke",
     "Vetrox Werke"),
    ("The Chinese Kestrel Silicon Chemical opens. Kestrel Silicon Chemical plans 200 jobs.",
     "Chinese Kestrel Silicon Chemical", "Kestrel Silicon Chemical"),
    # named whole everywhere: the country word is part of the name
    ("China International Freight opened an office in Truro.", "China International Freight",
     "China International Freight"),
    ("British Airways opened a route; Airways Club met.", "British Airways", "British Airways"),
    # named once: a foreign nationality adjective before a name of two or more words is outside it
    ("The Korean Hanseo Steel Works opened a plant in Truro.", "Korean Hanseo Steel Works", "Hanseo Steel Works"),
    ("Le Japonais Tamaki Precision Tools a ouvert une usine à Brest.", "Japonais Tamaki Precision Tools",
     "Tamaki Precision Tools"),
    # named once, a one-word rest, the home country, an institution: the name is whole
    ("Korean Air opened a route to Truro.", "Korean Air", "Korean Air"),
    ("The French National Assembly opened a debate.", "French National Assembly", "French National Assembly"),
    ("The German Chamber of Commerce opened an office in Truro.", "German Chamber of Commerce",
     "German Chamber of Commerce"),
])
def test_implantations_nationality_word_outside_a_name(text, surface, expected, res):
    from pipeline.extraction.entities import Mention, _without_nationality

    start = text.index(surface)
    (m,) = _without_nationality([Mention(start, start + len(surface), "ORG", surface, surface)], text, res)
    assert (m.name, text[m.start:m.end]) == (expected, expected)


@pytest.mark.parametrize("text, cut, whole", [
    ("Kestrel Silicon Chemical arrive. Le groupe Kestrel Silicon Chemical investit à Brest.", "Silicon Chemical",
     "Kestrel Silicon Chemical"),
    ("Kestrel Silicon Chemical arrives. The Kestrel Silicon Chemical group invests in Truro.", "Silicon Chemical",
     "Kestrel Silicon Chemical"),
])
def test_org_names_a_name_cut_at_its_start_is_the_longer_name_of_the_document(text, cut, whole):
    from pipeline.extraction.entities import Mention, _grown_to_longer_names

    at = text.index(cut)  # the model's cut span, in the first sentence
    later = text.index(whole, at + len(cut))
    found = [Mention(at, at + len(cut), "ORG", cut, cut), Mention(later, later + len(whole), "ORG", whole, whole)]
    first, second = _grown_to_longer_names(found, text)
    assert (first.name, text[first.start:first.end]) == (whole, whole) and second.name == whole


def test_org_names_a_name_is_not_grown_over_a_word_that_is_not_its_own():
    from pipeline.extraction.entities import Mention, _grown_to_longer_names

    text = "Nordik Silicon Chemical arrive. Le groupe Kestrel Silicon Chemical investit à Brest."
    at = text.index("Silicon Chemical")
    later = text.index("Kestrel Silicon Chemical")
    found = [Mention(at, at + 16, "ORG", "Silicon Chemical", "Silicon Chemical"),
             Mention(later, later + 24, "ORG", "Kestrel Silicon Chemical", "Kestrel Silicon Chemical")]
    assert _grown_to_longer_names(found, text)[0].name == "Silicon Chemical"


@pytest.mark.parametrize("text, company, country", [
    ("Published 12 March 2019\n\nThe Northbay Invest agency reports\n\nThe Northbay Invest agency welcomed the "
     "arrival of the Korean Hanseo Steel Works in Falmouth.", "Hanseo Steel Works", "South Korea"),
    ("Publié le 12 mars 2019\n\nL'agence Nordinvest présente son bilan\n\nL'agence Nordinvest salue l'arrivée du "
     "coréen Hanseo Steel Works à Brest.", "Hanseo Steel Works", "South Korea"),
])
def test_implantations_nationality_word_between_the_noun_and_its_company(run_text, text, company, country):
    found = companies(run_text(text))
    assert company in found and found[company].origin == country


@pytest.mark.parametrize("text, expected", [
    ("Publié le 12 mars 2019\n\nL'agence Nordinvest présente son bilan\n\nL'agence Nordinvest a présenté son bilan. "
     "Vetrox Group, Alumbra Solar et Kestrel Robotics font partie des 40 projets accompagnés par l'agence en 2018.",
     {"Vetrox Group", "Alumbra Solar", "Kestrel Robotics"}),
    ("Published 12 March 2019\n\nThe Northbay Invest agency reports\n\nThe Northbay Invest agency presented its "
     "results. Vetrox Group, Alumbra Solar Ltd and Kestrel Robotics are among the 40 projects the agency supported "
     "in 2018.", {"Vetrox Group", "Alumbra Solar Ltd", "Kestrel Robotics"}),
])
def test_implantations_companies_named_among_the_projects(run_text, text, expected):
    found = companies(run_text(text))
    assert expected <= set(found) and all(found[c].year == "2018" for c in expected)


@pytest.mark.parametrize("text", [
    "Publié le 12 mars 2019\n\nL'agence Nordinvest\n\nL'agence Nordinvest se félicite. Vetrox Group et Kestrel "
    "Robotics représentent la Bretagne au salon de Hanovre.",
    "Published 12 March 2019\n\nThe Northbay Invest agency\n\nThe Northbay Invest agency is proud. Vetrox Group and "
    "Kestrel Robotics represent Cornwall at the Hanover fair.",
])
def test_implantations_membership_word_without_projects_is_none(run_text, text):
    assert not companies(run_text(text))


@pytest.mark.parametrize("text, company", [
    ("Published 12 March 2019\n\nThe Northbay Invest agency reports\n\nThe Northbay Invest agency is proud. The "
     "latest example is the opening of the warehouse of Vostrak Nivelle in Truro.", "Vostrak Nivelle"),
])
def test_implantations_untagged_name_in_the_company_slot_of_a_noun(run_text, text, company):
    """The model tags no entity there (in French it tends to read such names as places, which the
    rule leaves alone: a place is no company)."""
    assert company in companies(run_text(text))


@pytest.mark.parametrize("text, not_company", [
    ("Publié le 12 mars 2019\n\nL'agence Nordinvest présente son bilan\n\nL'agence Nordinvest prépare "
     "l'ouverture de Quimper aux investisseurs.", "Quimper"),
    ("Published 12 March 2019\n\nThe Northbay Invest agency reports\n\nThe agency welcomed the arrival of "
     "November with a new plan.", "November"),
    ("Published 12 March 2019\n\nThe Northbay Invest agency reports\n\nThe agency celebrated the arrival of "
     "the Atlantic regatta in Falmouth.", "Atlantic"),
])
def test_implantations_place_or_month_in_the_company_slot_is_none(run_text, text, not_company):
    assert not_company not in companies(run_text(text))


@pytest.mark.parametrize("text, company, place", [
    ("Published 12 March 2019\n\nThe Northbay Invest agency reports\n\nKestrel Robotics, the Oslo-based group, chose "
     "Le Havre for a laboratory, the Northbay Invest agency said.", "Kestrel Robotics", "Le Havre"),
    ("Publié le 12 mars 2019\n\nL'agence Nordinvest présente son bilan\n\nLe groupe Kestrel Robotics a choisi La "
     "Ciotat pour son laboratoire, indique l'agence Nordinvest.", "Kestrel Robotics", "La Ciotat"),
])
def test_implantations_place_keeps_its_article(run_text, text, company, place):
    found = companies(run_text(text))
    assert found[company].place == place


@pytest.mark.parametrize("text, expected", [
    ("Publié le 12 mars 2019\n\nL'agence Nordinvest présente son bilan\n\nL'agence Nordinvest l'a confirmé : une "
     "nouvelle implantation, Kelvane SA, arrive à Brest.", {"Kelvane SA"}),
    ("Published 12 March 2019\n\nThe Northbay Invest agency reports\n\nThe Northbay Invest agency announced a new "
     "arrival, Kelvane Services, in Truro.", {"Kelvane Services"}),
    # the list before the noun keeps its companies
    ("Publié le 12 mars 2019\n\nL'agence Nordinvest présente son bilan\n\nKestrel Robotics, Alumbra Solar et, "
     "plus récente implantation, le coréen Tamaki Seiko ont rejoint le Finistère.", {"Alumbra Solar", "Tamaki Seiko"}),
])
def test_implantations_company_in_apposition_to_an_implantation_noun(run_text, text, expected):
    assert expected <= set(companies(run_text(text)))


@pytest.mark.parametrize("text, company, year", [
    ("Publié le 12 mars 2019\n\nL'agence Nordinvest présente son bilan\n\nAprès deux ans de recherche, le groupe "
     "Kelvane Industries a opté pour Brest afin d'y construire son usine.", "Kelvane Industries", "2019"),
    ("Published 12 March 2019\n\nThe Northbay Invest agency reports\n\nAfter two years of search, Kelvane "
     "Industries opted for Truro to build its plant.", "Kelvane Industries", "2019"),
    # of two years, the one the parse attaches to the cue's verb
    ("Publié le 12 mars 2019\n\nL'agence Nordinvest présente son bilan\n\nRepéré en 2016 sur un salon, le groupe "
     "Kelvane Industries a pris ses quartiers en 2018 à Brest.", "Kelvane Industries", "2018"),
    ("Published 12 March 2019\n\nThe Northbay Invest agency reports\n\nFirst met in 2016 at a trade fair, Kelvane "
     "Industries opened its office in Truro in 2018.", "Kelvane Industries", "2018"),
])
def test_implantations_choice_and_move_in_phrases_and_the_year_of_the_cue(run_text, text, company, year):
    found = companies(run_text(text))
    assert company in found and found[company].year == year


def test_implantations_company_coordinated_with_the_company_of_a_noun(run_text):
    found = companies(run_text(
        "Published 12 March 2019\n\nThe Northbay Invest agency reports\n\nThe Northbay Invest agency hailed the "
        "arrival of the Korean Hanseo Steel Works in Falmouth and the Indian IT major Tarvex Systems in Truro."))
    assert {"Hanseo Steel Works", "Tarvex Systems"} <= set(found)


@pytest.mark.parametrize("text, company, not_companies", [
    ("Published 12 March 2019\n\nThe Northbay Invest agency reports\n\nTwo sectors stand out, with the establishment "
     "of Trevlog Systems in the new warehouse built by Barnholt Group and Ostrel Ltd.", "Trevlog Systems",
     {"Barnholt Group", "Ostrel Ltd"}),
    ("Publié le 12 mars 2019\n\nL'agence Nordinvest présente son bilan\n\nDeux filières se distinguent, avec "
     "l'implantation de Trevlog Systems dans le nouvel entrepôt construit par Barnholt Group et Ostrel SA.",
     "Trevlog Systems", {"Barnholt Group", "Ostrel SA"}),
])
def test_implantations_a_cue_inside_another_cues_phrase_tells_no_company(run_text, text, company, not_companies):
    found = companies(run_text(text))
    assert company in found and not set(found) & not_companies


def test_implantations_a_name_read_as_an_unknown_place_in_the_company_slot(run_text):
    doc = run_text("Published 12 March 2019\n\nThe Northbay Invest agency reports\n\nThe agency hailed the set-up "
                   "of Trevlog in Truro.")
    found = companies(doc)
    assert "Trevlog" in found and found["Trevlog"].place != "Trevlog"
    assert "Trevlog" in {e.name for e in doc.entities if e.type == "ORG"}


@pytest.mark.parametrize("text, expected", [
    ("Publié le 12 mars 2019\n\nL'agence Nordinvest présente son bilan\n\nEn 2018, 21 entreprises accompagnées par "
     "l'agence Nordinvest, dont Kestrel Robotics, Vetrox Hydro (siège), Alumbra Solar et Baltic Freight, ont choisi "
     "le Finistère.", {"Kestrel Robotics", "Vetrox Hydro", "Alumbra Solar", "Baltic Freight"}),
    ("Published 12 March 2019\n\nThe Northbay Invest agency reports\n\nIn 2018, firms such as Kestrel Robotics, Vetrox "
     "Hydro, Alumbra Solar and Baltic Freight Ltd chose Cornwall.",
     {"Kestrel Robotics", "Vetrox Hydro", "Alumbra Solar", "Baltic Freight Ltd"}),
    # the noun's apposition after "et" with no comma, the list before it kept
    ("Publié le 12 mars 2019\n\nL'agence Nordinvest présente son bilan\n\nKestrel Robotics, Alumbra Solar et plus "
     "récente arrivée, le coréen Tamaki Seiko ont rejoint le Finistère.", {"Alumbra Solar", "Tamaki Seiko"}),
])
def test_implantations_every_member_of_a_list_whole(run_text, text, expected):
    assert expected <= set(companies(run_text(text)))


@pytest.mark.parametrize("text, companies_, not_companies", [
    ("Publié le 12 mars 2019\n\nBilan\n\nLes intercommunalités de Quimper, Cornouaille Littoral Agglomération et "
     "Vallée des Monts-Arrée ont rejoint l'agence Nordinvest.", set(),
     {"Quimper", "Cornouaille Littoral Agglomération", "Vallée des Monts-Arrée"}),
    ("Published 12 March 2019\n\nResults\n\nKelvane Industries and Dunmore Systems joined the Northbay Invest agency "
     "as members, while Vetrox Group opened a plant in Truro.", {"Vetrox Group"},
     {"Kelvane Industries", "Dunmore Systems"}),
])
def test_implantations_joining_the_agency_or_an_authority_is_no_implantation(run_text, text, companies_,
                                                                            not_companies):
    doc = run_text(text)
    found = set(companies(doc))
    assert companies_ <= found and not found & not_companies


def test_org_names_an_agglomeration_in_a_list_and_no_place_after_de_made_an_organization(run_text):
    doc = run_text("Publié le 12 mars 2019\n\nBilan\n\nLes intercommunalités de Quimper, Cornouaille Littoral "
                   "Agglomération et Vallée des Monts-Arrée ont rejoint l'agence Nordinvest.")
    found = {e.name for e in doc.entities if e.type == "ORG"}
    assert {"Cornouaille Littoral Agglomération", "Vallée des Monts-Arrée"} <= found and "Quimper" not in found
