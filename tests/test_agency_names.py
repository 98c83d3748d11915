"""Agency names in apposition to an agency noun, and the document subject they make.

Invented agencies and sentences, one construction each, French and English, positive and
negative: a name the gazetteer does not know is an organization and an agency when the text
introduces it as one ("l'agence d'attractivité Nova Brest", "the Nova Brest agency"), and the
figures of the document are filed under it, not under the region or the city it works for.
"""

from __future__ import annotations

import pytest

HEAD = {"fr": "Bilan de l'année\n\nJeudi 10 mars 2022\n\n", "en": "Annual results\n\nThursday 10 March 2022\n\n"}


def orgs(doc) -> set[str]:
    return {e.name for e in doc.entities if e.type == "ORG"}


def subjects(doc) -> set[str]:
    return {f.subject for f in doc.facts if f.kind == "metric"}


CASES = [
    ("fr-after-noun-with-complement", "fr",
     "En 2021, l'agence d'attractivité Nova Brest a accompagné 48 projets pour la Région Bretagne.",
     "Nova Brest", {"Région Bretagne"}),
    ("fr-after-noun-with-adjectives", "fr",
     "En 2021, l'agence de développement économique Cap Vercors a accompagné 33 implantations.",
     "Cap Vercors", set()),
    ("fr-connector-inside-name", "fr",
     "L'agence régionale Invest in Morvan a accompagné 27 projets en 2021, pour le compte du Département.",
     "Invest in Morvan", set()),
    ("fr-name-before-apposition", "fr",
     "Nova Brest, l'agence d'attractivité de la métropole, a accompagné 48 projets en 2021.",
     "Nova Brest", set()),
    ("en-after-noun", "en",
     "In 2021, the development agency Nova Brest supported 48 projects on behalf of Brittany Region.",
     "Nova Brest", set()),
    ("en-before-noun", "en",
     "In 2021, the Nova Brest agency supported 48 projects for the region.",
     "Nova Brest", set()),
    ("en-name-before-apposition", "en",
     "Nova Brest, the region's investment agency, supported 48 projects in 2021.",
     "Nova Brest", set()),
]


@pytest.mark.parametrize("lang, body, agency, not_subjects", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_agency_in_apposition_is_the_subject(run_text, lang, body, agency, not_subjects):
    doc = run_text(HEAD[lang] + body + "\n")
    assert agency in orgs(doc)
    assert subjects(doc) == {agency}
    assert not subjects(doc) & not_subjects


def agencies_of(cfg, lang: str, body: str) -> frozenset[str]:
    """The names `entities.collect` takes for agencies in a one-sentence document."""
    from pipeline import nlp
    from pipeline.extraction.entities import collect
    from pipeline.records import Document, Section
    from pipeline.resources import load_resources

    doc = Document(doc_id="t", source="t.txt", format="txt", text=body, lang=lang,
                   sections=[Section(start=0, end=len(body), lang=lang, confidence=1.0)])
    (_d, analysis), = nlp.analyze([doc], cfg)
    return collect(analysis, body, lang, load_resources(cfg.models_dir)).agencies


NEGATIVE = [
    # The city or body that owns the agency, after a preposition, is not its name.
    ("fr-owner-after-de", "fr", "L'agence d'attractivité de Nova Métropole a accompagné 48 projets en 2021."),
    # A verb between the noun and the capitalized word: the word is its object.
    ("fr-verb-between", "fr", "En 2021, l'agence a accompagné Quartzia et 47 autres entreprises."),
    # A person named after the agency is no organization.
    ("fr-person-after", "fr", "Le directeur de l'agence, Paul Kermarrec, annonce 48 projets en 2021."),
    # A title or a day after the agency noun is no name.
    ("en-title-after-possessive", "en", "In 2021 the agency's General Director announced 48 projects."),
    ("en-day-after-preposition", "en", "The agency on Monday announced 48 projects for 2021."),
    ("en-object-of-verb", "en", "In 2021 the agency helped Quartzia Labs and 47 other companies."),
]


@pytest.mark.parametrize("lang, body", [c[1:] for c in NEGATIVE], ids=[c[0] for c in NEGATIVE])
def test_no_agency_name_without_apposition(cfg, lang, body):
    assert agencies_of(cfg, lang, body) == frozenset()


def test_agency_names_are_collected(cfg):
    assert agencies_of(cfg, "fr", "L'agence d'attractivité Nova Brest a accompagné 48 projets.") == {"Nova Brest"}
    assert agencies_of(cfg, "en", "The Nova Brest agency supported 48 projects.") == {"Nova Brest"}


# --- agency words read from models/org_cues.yaml ---------------------------------------------------

AGENCY_LIKE = [
    ("Invest in Morvan", True), ("Morvan Attractivité", True), ("Agence Morvan Avenir", True),
    ("Morvan Development Agency", True), ("Morvan Promotion", True),
    # whole words, case as written: a longer word or a lowercase one says nothing
    ("Investir Morvan", False), ("Promotions Morvan", False), ("Morvan Conseil", False),
    ("Morvan agency services", False),
]


@pytest.mark.parametrize("name, expected", AGENCY_LIKE)
def test_agency_like_names(cfg, name, expected):
    from pipeline.extraction.entities import _agency_like
    from pipeline.resources import load_resources

    assert _agency_like(name, load_resources(cfg.models_dir)) is expected


def test_agency_words_are_data(tmp_path, cfg):
    """The name words and the referent nouns come from the data folder, not from the code."""
    import shutil

    import yaml

    from pipeline.config import DEFAULT_MODELS_DIR
    from pipeline.extraction.entities import _agency_like
    from pipeline.resources import load_resources

    models = tmp_path / "models"
    shutil.copytree(DEFAULT_MODELS_DIR, models)
    cues = yaml.safe_load((models / "org_cues.yaml").read_text(encoding="utf-8"))
    cues["agency_name_words"] = ["Conseil"]
    cues["agency_referents"] = {"fr": ["fondation"], "en": ["foundation"]}
    (models / "org_cues.yaml").write_text(yaml.safe_dump(cues, allow_unicode=True), encoding="utf-8")
    res = load_resources(models)
    assert _agency_like("Morvan Conseil", res) and not _agency_like("Invest in Morvan", res)
    assert set(res.org_cues.agency_referents.all()) == {"fondation", "foundation"}


ROLE_HEAD = {"fr": "Bilan de l'année\n\nJeudi 10 mars 2022\n\nL'agence d'attractivité Nova Brest a accompagné "
                   "48 projets en 2021. ",
             "en": "Annual results\n\nThursday 10 March 2022\n\nThe development agency Nova Brest supported "
                   "48 projects in 2021. "}

REFERENTS = [
    # A noun that stands for an agency, governed by a verb of holding a post: the post is the agency's.
    ("fr-association", "fr", "Paul Kermarrec préside l'association depuis 2019.", True),
    ("fr-association-fronted", "fr", "Depuis 2019, Paul Kermarrec préside l'association.", True),
    ("en-organisation", "en", "Paul Kermarrec has chaired the organisation since 2019.", True),
    ("en-organization", "en", "Paul Kermarrec has chaired the organization since 2019.", True),
    # A company noun is not the agency.
    ("fr-societe", "fr", "Paul Kermarrec préside la société depuis 2019.", False),
    ("en-company", "en", "Paul Kermarrec has chaired the company since 2019.", False),
]


@pytest.mark.parametrize("lang, body, held", [c[1:] for c in REFERENTS], ids=[c[0] for c in REFERENTS])
def test_agency_referent_nouns(run_text, lang, body, held):
    doc = run_text(ROLE_HEAD[lang] + body + "\n")
    roles = {(f.person, f.org) for f in doc.facts if f.kind == "role"}
    assert (("Paul Kermarrec", "Nova Brest") in roles) is held
