"""Whole organization names on pages others write: an institution's name taken whole, a title in
front of a name, and spans that name no organization (days, boards, offices, départements, verbs
heading a section). Invented sentences, both languages, positive and negative."""

from __future__ import annotations

import pytest


def orgs(doc) -> set[str]:
    return {e.name for e in doc.entities if e.type == "ORG"}


@pytest.mark.parametrize("text, whole, cut", [
    ("Publié le 12 mars 2019\n\nRéunion\n\nLe Club des Entrepreneurs de Quimperlé a reçu l'agence Nordinvest.",
     "Club des Entrepreneurs de Quimperlé", "Club des Entrepreneurs"),
    ("Publié le 12 mars 2019\n\nRéunion\n\nLa Métropole Brest Iroise d'Armor a signé avec l'agence Nordinvest.",
     "Métropole Brest Iroise d'Armor", "Métropole Brest Iroise"),
])
def test_org_names_institution_name_taken_whole(run_text, text, whole, cut):
    found = orgs(run_text(text))
    assert whole in found and cut not in found


def test_org_names_a_name_is_not_grown_over_another_organization(run_text):
    doc = run_text("Publié le 12 mars 2019\n\nRéunion\n\nLa Chambre de Métiers Provence Promotion a reçu des élus.")
    assert "Provence Promotion" in orgs(doc)


@pytest.mark.parametrize("text, org, not_org", [
    ("Publié le 12 mars 2019\n\nRéunion\n\nÉtaient présents Marc Petit, Directeur de la Banque de Bretagne, et "
     "l'agence Nordinvest.", "Banque de Bretagne", "Directeur de la Banque de Bretagne"),
    ("Published 12 March 2019\n\nMeeting\n\nAnn Shaw, CEO of Vetrox Holdings, met the Northbay Invest agency.",
     "Vetrox Holdings", "CEO of Vetrox Holdings"),
])
def test_org_names_title_in_front_is_not_part_of_the_name(run_text, text, org, not_org):
    found = orgs(run_text(text))
    assert org in found and not_org not in found


@pytest.mark.parametrize("text, not_org", [
    ("Mardi\n\nPublié le 12 mars 2019\n\nL'agence Nordinvest a réuni son Conseil d'Administration 2019 à Brest.",
     {"Mardi", "Conseil d'Administration 2019"}),
    ("Published 12 March 2019\n\nMeeting\n\nThe Northbay Invest agency met its Board of Directors; the Deputy "
     "spoke.", {"Board of Directors", "Deputy"}),
    ("Publié le 12 mars 2019\n\nRéunion\n\nL'agence Nordinvest a ouvert un bureau en Seine-et-Marne et dans le "
     "Finistère.", {"Seine-et-Marne", "Finistère"}),
])
def test_org_names_days_boards_offices_and_departements_are_no_organizations(run_text, text, not_org):
    assert not orgs(run_text(text)) & not_org


@pytest.mark.parametrize("text, word", [
    ("Publié le 12 mars 2019\n\nL'agence Nordinvest\n\nInvestir\n\nL'agence Nordinvest accompagne les entreprises.",
     "Investir"),
    ("Published 12 March 2019\n\nThe Northbay Invest agency\n\nRelocate\n\nThe Northbay Invest agency helps firms.",
     "Relocate"),
])
def test_org_names_a_verb_heading_a_section_is_no_organization(run_text, text, word):
    assert word not in orgs(run_text(text))


@pytest.mark.parametrize("names, expected", [
    # the head alone, when one organization of the document has it
    (["CCI", "CCI Nordouest Bretagne", "Vetrox"], {"CCI": "CCI Nordouest Bretagne"}),
    (["Métropole", "Métropole Brest Iroise"], {"Métropole": "Métropole Brest Iroise"}),
    # the name after a head
    (["Nordouest Bretagne", "CCI Nordouest Bretagne"], {"Nordouest Bretagne": "CCI Nordouest Bretagne"}),
    # two candidates: no guess
    (["CCI", "CCI Nordouest", "CCI Sud Loire"], {}),
    # a company's first word is no head: two companies
    (["Vetrox", "Vetrox Services"], {}),
    (["Services", "Vetrox Services"], {}),
])
def test_org_names_a_part_of_a_longer_name_is_that_organization(names, expected):
    from pipeline.config import Config
    from pipeline.extraction.entities import Mention, _link_partial_names
    from pipeline.resources import load_resources

    res = load_resources(Config().models_dir)
    mentions = [Mention(10 * k, 10 * k + len(n), "ORG", n, n) for k, n in enumerate(names)]
    linked = {m.surface: m.name for m in _link_partial_names(mentions, res)}
    assert {s: n for s, n in linked.items() if s != n} == expected
