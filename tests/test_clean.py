"""Tests for pipeline/clean.py: cleaners on strings, the stage on Documents, the rules file."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline import clean
from pipeline.config import Config
from pipeline.records import Document

DATA = Path(__file__).parent / "data" / "ingest"


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("l’agence", "l'agence"),
        ("‘quoted’", "'quoted'"),
        ("« le grand capital »", '"le grand capital"'),
        ("“Our job”", '"Our job"'),
        ("1\u00a0682 emplois", "1 682 emplois"),
        ("3\u202f000 emplois", "3 000 emplois"),
        ("43\u2009%", "43 %"),
        ("dévelop\u00adpement", "développement"),
        ("zero\u200bwidth\ufeff", "zerowidth"),
        ("ﬁnance ﬂux", "finance flux"),
        ("et ainsi de suite…", "et ainsi de suite…"),
        ("e\u0301te\u0301", "été"),
        ("a\r\nb\rc", "a\nb\nc"),
    ],
)
def test_clean_normalize_characters(raw: str, expected: str) -> None:
    assert clean.normalize_characters(raw) == expected


@pytest.mark.parametrize(
    "line",
    [
        "Partager sur LinkedIn Partager sur Facebook Envoyer par e-mail",
        "Print  Email  Share on Twitter  Share on WhatsApp  Copy link",
        "Tweet",
        "LinkedIn",
        "Imprimer",
        "#ATTRACTIVITÉ",
        "  • #INTERVIEW",
        "#FDI #Marseille #Provence #Investment",
        "Lire aussi : Port de Sète : les armateurs misent sur le vrac",
        "Read also: Hydrogen corridor: who pays for the pipes",
        "À lire aussi",
        "Aller à la recherche Aller au pied de page Aller au contenu",
        "Skip to footer Skip to search Aller au menu Skip to main content",
        "Accueil  Économie  Industrie  Ports  Innovation  Emploi  Événements  Nous écrire",
        "Home | Business | Energy | Shipping | Startups | Opinion | Podcasts | Contact",
        "Vous êtes ici : Accueil > Portraits > Interviews",
        "Accueil › Provence-Alpes-Côte d'Azur › Bouches-du-Rhône › Attractivité",
        "News > Attractiveness",
        "Accueil / Économie / Entreprises",
        "Your email address will not be published. Required fields are marked *",
        "Leave a Reply",
        "Newsletter : recevez chaque semaine l'actualité économique de Provence",
        "Abonnez-vous pour 2 € la première semaine",
        "Votre e-mail   OK",
        "© 2010 Provence Entreprendre",
        "(c) 2021 Southern Trade Journal. All rights reserved.",
        "Commentaires (0)",
        "Connectez-vous pour laisser votre avis sur cet article.",
        "Plan du site | Crédits | Mentions légales | Nous contacter",
        "Nous déposons des cookies afin de mesurer la fréquentation du site. Si vous poursuivez, vous en acceptez le dépôt. Tout accepter Paramétrer",
        "Your privacy matters. This site stores cookies to analyse traffic and tailor content. Accept cookies  Decline  Manage preferences",
        "Se connecter   S’abonner",
        "Log in | Register",
        "Français | English",
    ],
)
def test_clean_drops_boilerplate_line(line: str) -> None:
    assert clean.is_boilerplate_line(line)
    assert clean.clean_text(f"Un paragraphe d'article bien réel et assez long.\n{line}") == "Un paragraphe d'article bien réel et assez long."


@pytest.mark.parametrize(
    "line",
    [
        "Multiplier les synergies",
        "Propos recueillis par Nadia Berthier",
        "Quel bilan tirez-vous de l'activité de l'agence ?",
        "« Nous sommes là » a-t-il dit.",
        "Marseille, le 2 avril 2019",
        "13 July 2017 / invest in provence",
        "Tuesday 9 May 2023 - 07:35 | Updated Tuesday 9 May 2023 - 11:05",
        "Thursday 5 March 2015 | Riviera Trade Wire staff",
        "Contact presse",
        "Un exercice 2010 comparable au précédent",
        "- 63 projets d'implantation aboutis",
        "Le prix > 5 euros reste élevé pour les entreprises de la zone, selon la chambre.",
    ],
)
def test_clean_keeps_content_line(line: str) -> None:
    assert not clean.is_boilerplate_line(line)
    assert clean.clean_text(line) == clean.collapse_whitespace(clean.normalize_characters(line))


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("Texte.\n\nLire aussi\n  • Un titre\n  • Un autre titre\n\nSuite du texte.", "Texte.\n\nSuite du texte."),
        ("Texte.\nSee also\n- Tunisia: tender postponed\n- Malta posts strong half\n\nFRANCE. Body.", "Texte.\n\nFRANCE. Body."),
        ("Texte.\nRelated\n\n- One\n- Two", "Texte."),
    ],
)
def test_clean_drops_teaser_blocks(raw: str, expected: str) -> None:
    assert clean.clean_text(raw) == expected


def test_clean_drops_two_rows_of_footer_links() -> None:
    raw = "Texte réel de l'article.\nMentions légales | Plan du site | Contact\nÀ propos | Publicité | CGU"
    assert clean.clean_text(raw) == "Texte réel de l'article."


def test_clean_cuts_trailing_site_chrome() -> None:
    raw = (
        "Le dernier paragraphe de l'article, qui doit rester.\n\nLire aussi\nUn titre\n\n"
        "Partagez sur Facebook\nVotre avis nous intéresse\nCommentaires (0)\nNewsletter\n© 2020 Site"
    )
    assert clean.clean_text(raw) == "Le dernier paragraphe de l'article, qui doit rester."


def test_clean_keeps_content_after_mid_article_marker() -> None:
    long_para = "Un long paragraphe qui continue l'article après le lien, avec des chiffres et des noms. " * 3
    raw = f"Début de l'article.\nPartagez sur Facebook\n{long_para.strip()}\nFin."
    assert clean.clean_text(raw) == f"Début de l'article.\n{long_para.strip()}\nFin."


@pytest.mark.parametrize(
    "raw",
    [
        "Year | Projects | Jobs\n2016 | 61 | 1,240\n2017 | 68 | 1,395",
        "Nom | Rôle | Ville\nMarie | Présidente | Lyon 3e",
    ],
)
def test_clean_keeps_table_rows(raw: str) -> None:
    assert clean.clean_text(raw) == raw


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("  un   deux  \n\n\n\n  trois\t\tquatre cinq six  ", "un deux\n\ntrois quatre cinq six"),
        ("\n\n\ntexte\n\n", "texte"),
        ("Un titre répété deux fois\nTexte.\nUn titre répété deux fois", "Un titre répété deux fois\nTexte."),
        ("Jean Dupont   Président", "Jean Dupont Président"),
    ],
)
def test_clean_whitespace_and_repeats(raw: str, expected: str) -> None:
    assert clean.clean_text(raw) == expected


def test_clean_scrape_fixture() -> None:
    raw = (DATA / "article_fr.txt").read_text(encoding="utf-8")
    cleaned = clean.clean_text(raw)
    assert "L'agence de développement économique a accompagné 72 projets" in cleaned
    assert "Des entreprises venues d'Europe du Nord" in cleaned
    for chrome in ("Partagez", "#ATTRACTIVITÉ", "Lire aussi", "Commentaires", "cookies", "Mentions", "©", "Vous êtes ici", "Accueil"):
        assert chrome not in cleaned


def _doc(text: str) -> Document:
    return Document(doc_id="0" * 16, source="test", text=text)


def test_clean_run_flags_empty_text() -> None:
    doc = clean.run(_doc("Partagez sur Facebook\nTweet\n© 2020 Site"), Config())
    assert doc.text == ""
    assert doc.status == "skipped"
    assert [(p.stage, p.kind) for p in doc.problems] == [("clean", "empty_text")]


def test_clean_run_truncates_with_warning() -> None:
    doc = clean.run(_doc("Un paragraphe assez long pour dépasser la limite fixée. " * 20), Config(max_chars=200, min_text_chars=10))
    assert len(doc.text) <= 200
    assert any("truncated" in w for w in doc.warnings)
    assert doc.status == "ok"


def test_clean_run_leaves_skipped_documents_alone() -> None:
    doc = _doc("« texte »")
    doc.add_problem("ingest", "unsupported", "binary", fatal=True)
    assert clean.run(doc, Config()).text == "« texte »"


def test_clean_rules_load_from_models_dir(tmp_path: Path) -> None:
    (tmp_path / clean.BOILERPLATE_FILE).write_text('lines:\n  custom:\n    - "publi-?reportage"\n', encoding="utf-8")
    rules = clean.load_rules(tmp_path)
    assert clean.clean_text("Texte réel.\nPublireportage", rules=rules) == "Texte réel."
    assert clean.clean_text("Texte réel.\nTweet", rules=rules) == "Texte réel.\nTweet"


@pytest.mark.parametrize(
    "content, message",
    [('lines:\n  bad:\n    - "(unclosed"\n', "bad regex"), ("unknown_key: []\n", "unknown_key")],
)
def test_clean_rules_reject_bad_file(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / clean.BOILERPLATE_FILE).write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        clean.load_rules(tmp_path)


_LINES = st.sampled_from(
    [
        "Partagez sur Facebook", "Lire aussi", "  • Le port", "Accueil  Actualités  Entreprises", "« Bonjour » dit-il",
        "Accueil » Eco » Port", "Commentaires (0)", "© 2020 Site", "a | b | c", "1 | 2 | 3", "", "   ", "\u00a0",
        "Multiplier les synergies", "x" * 130, "#TAG", "- item", "Un vrai paragraphe d'article.", "\t", "\r", "ﬁn", "e\u0301",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.one_of(_LINES, st.text(max_size=40)), max_size=20).map("\n".join) | st.text())
def test_clean_text_never_raises_and_is_idempotent(raw: str) -> None:
    once = clean.clean_text(raw)
    assert clean.clean_text(once) == once


_SPACES = " \t\x0b\x0c\r\x1c\x1f\x85\xa0\u2002\u2009\u202f\u3000\u2028"


@settings(derandomize=True, max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from([*_SPACES, "\n", "a", "é", "|", "."]), max_size=60))
def test_collapse_whitespace_over_the_whole_text_is_the_line_by_line_one(text: str) -> None:
    by_line = "\n".join(clean._INNER_SPACE.sub(" ", line).strip() for line in text.split("\n"))
    assert clean.collapse_whitespace(text) == by_line


def test_clean_run_counts_every_letter_when_the_first_characters_have_too_few() -> None:
    cfg = Config(min_text_chars=40)
    figures = "\n\n".join(["12 345 678 - 90 %"] * (clean.LETTER_WINDOW // 10))
    doc = clean.run(_doc(figures + "\n\nUne phrase inventée avec bien plus de quarante lettres en tout."), cfg)
    assert len(doc.text) > clean.LETTER_WINDOW and doc.status == "ok" and not doc.problems
    few = clean.run(_doc(figures + "\n\nTrois mots seulement."), cfg)
    assert few.status == "skipped"
    assert [p.message.split(" letters")[0] for p in few.problems] == ["only 18"]


def test_a_teaser_heading_seen_before_still_opens_a_block() -> None:
    text = "Premier paragraphe inventé, assez long pour rester.\n\nLire aussi\n\nUn lien court\n\nFin du texte inventé."
    once = clean.drop_teaser_blocks(text)
    assert "Lire aussi" not in once and "Un lien court" not in once and "Fin du texte" in once
    assert clean.drop_teaser_blocks(text) == once  # the heading's answer now comes from memory
    assert clean.drop_teaser_blocks(text.replace("Lire aussi", "Lire aussi la suite.")).count("Un lien court") == 1
