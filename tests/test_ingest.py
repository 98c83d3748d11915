"""Tests for pipeline/ingest: sniffing, decoding, HTML/PDF/text readers and failure paths.

Fixtures live in tests/data/ingest and are written by tests/data/ingest/make_fixtures.py.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.config import Config
from pipeline.ingest import decode, html, pdf, read, read_bytes, text
from pipeline.ingest.meta import dateline, find_date, strip_site_suffix
from pipeline.ingest.sniff import binary_kind, looks_like_html

DATA = Path(__file__).parent / "data" / "ingest"
CFG = Config()


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


# --- read(): identity, sniffing, failures ---------------------------------------------------


@pytest.mark.parametrize(
    "name, fmt",
    [
        ("article.html", "html"),
        ("html_named.txt", "html"),  # HTML inside a .txt is HTML
        ("plain_named.html", "txt"),  # plain text inside a .html is text
        ("article_fr.txt", "txt"),
        ("two_columns.pdf", "pdf"),
        ("table.pdf", "pdf"),
    ],
)
def test_ingest_sniffs_format_from_content(name: str, fmt: str) -> None:
    doc = read(DATA / name, CFG)
    assert doc.format == fmt
    assert doc.status == "ok", doc.problems


@pytest.mark.parametrize("name", ["article.html", "article_fr.txt", "two_columns.pdf", "empty.txt", "junk.txt"])
def test_ingest_sets_identity_fields(name: str) -> None:
    path = DATA / name
    data = path.read_bytes()
    doc = read(path, CFG)
    assert doc.doc_id == _sha(data)
    assert doc.source == str(path)
    assert doc.byte_size == len(data)


@pytest.mark.parametrize(
    "name, kind, hint",
    [
        ("junk.txt", "unsupported", "binary"),
        ("office.docx", "unsupported", "docx"),
        ("empty.txt", "empty_text", "empty"),
        ("truncated.pdf", "unreadable", "corrupt or truncated"),
        ("encrypted.pdf", "unsupported", "password"),
        ("image_only.pdf", "empty_text", "OCR"),
    ],
)
def test_ingest_bad_content_becomes_a_problem(name: str, kind: str, hint: str) -> None:
    doc = read(DATA / name, CFG)
    assert doc.status == "skipped"
    assert [(p.stage, p.kind) for p in doc.problems] == [("ingest", kind)]
    assert hint in doc.problems[0].message
    assert doc.text == ""


def _missing(tmp: Path) -> Path:
    return tmp / "nope.txt"


def _directory(tmp: Path) -> Path:
    (tmp / "folder").mkdir()
    return tmp / "folder"


def _dangling(tmp: Path) -> Path:
    (tmp / "link.txt").symlink_to(tmp / "gone.txt")
    return tmp / "link.txt"


def _loop(tmp: Path) -> Path:
    (tmp / "a").symlink_to(tmp / "b")
    (tmp / "b").symlink_to(tmp / "a")
    return tmp / "a"


@pytest.mark.parametrize(
    "make, hint",
    [(_missing, "not found"), (_directory, "directory"), (_dangling, "dangling"), (_loop, "loop")],
)
def test_ingest_unreadable_path_becomes_a_problem(tmp_path: Path, make, hint: str) -> None:  # type: ignore[no-untyped-def]
    path = make(tmp_path)
    doc = read(path, CFG)
    assert doc.status == "skipped"
    assert doc.problems[0].kind == "unreadable"
    assert hint in doc.problems[0].message
    assert doc.doc_id == _sha(str(path).encode())
    assert doc.source == str(path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file: permissions cannot be tested as root")
def test_ingest_permission_denied_becomes_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "secret.txt"
    path.write_text("Un article confidentiel.")
    path.chmod(0)
    doc = read(path, CFG)
    assert doc.problems[0].kind == "unreadable"
    assert "permission" in doc.problems[0].message


def test_ingest_too_large_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"x" * 500)
    doc = read(path, Config(max_bytes=100))
    assert doc.problems[0].kind == "too_large"
    assert doc.byte_size == 500
    assert read_bytes(b"x" * 500, "mem", Config(max_bytes=100)).problems[0].kind == "too_large"


@settings(max_examples=60, deadline=None)
@given(st.one_of(st.binary(max_size=3000), st.binary(max_size=2000).map(lambda b: b"%PDF-1.4\n" + b)))
def test_ingest_read_bytes_never_raises(data: bytes) -> None:
    doc = read_bytes(data, "fuzz", CFG)
    assert doc.doc_id == _sha(data)
    assert doc.status in ("ok", "skipped")


# --- decoding ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, expected, note",
    [
        ("cp1252.txt", "développement économique", "guessed as cp1252"),
        ("utf16_bom.txt", "développement économique", None),
        ("utf16le_nobom.txt", "Invest agency reports", "UTF-16-LE"),
        ("utf8_bom.txt", "développement économique", None),
        ("mojibake.txt", "développement économique", "mojibake"),
        ("crlf.txt", "Invest agency reports", None),
    ],
)
def test_ingest_decodes_text_encodings(name: str, expected: str, note: str | None) -> None:
    doc = read(DATA / name, CFG)
    assert expected in doc.text
    assert "Ã" not in doc.text and "\r" not in doc.text and "\ufeff" not in doc.text
    decode_problems = [p for p in doc.problems if p.kind == "decode"]
    if note is None:
        assert decode_problems == []
    else:
        assert note in decode_problems[0].message
    assert doc.status == "ok"


@pytest.mark.parametrize(
    "data, expected, encoding",
    [
        ("Élan économique".encode("utf-8"), "Élan économique", "utf-8"),
        ("Élan économique".encode("utf-32"), "Élan économique", "utf-32-le"),
        ("Élan économique".encode("utf-16-be"), "Élan économique", "utf-16-be"),
        ('<meta charset="iso-8859-1"><p>Élan</p>'.encode("latin-1"), "Élan", "cp1252"),
        ("ligne 1\r\nligne 2\rligne 3".encode(), "ligne 1\nligne 2\nligne 3", "utf-8"),
    ],
)
def test_ingest_decode_bytes(data: bytes, expected: str, encoding: str) -> None:
    result = decode.decode(data, declared=decode.declared_charset(data))
    assert expected in result.text
    assert result.encoding == encoding


@pytest.mark.parametrize(
    "data, kind",
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "PNG image"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 20, "JPEG image"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 20, "legacy Microsoft Office"),
        (b"\x1f\x8b\x08\x00", "gzip archive"),
        (b"BMW annonce un investissement", None),
    ],
)
def test_ingest_binary_kind(data: bytes, kind: str | None) -> None:
    found = binary_kind(data)
    assert (found is None) if kind is None else (kind in (found or ""))


@pytest.mark.parametrize(
    "sample, expected",
    [
        ("<!DOCTYPE html><html><body>x</body></html>", True),
        ("<p>Un</p><p>Deux</p><div>Trois</div>", True),
        ("Le prix est < 5 euros et > 2 euros.", False),
        ("Un texte simple.\nSur deux lignes.", False),
    ],
)
def test_ingest_looks_like_html(sample: str, expected: bool) -> None:
    assert looks_like_html(sample) is expected


# --- HTML ------------------------------------------------------------------------------------------


def test_ingest_html_keeps_article_and_drops_chrome() -> None:
    doc = read(DATA / "article.html", CFG)
    assert doc.title == "Le port de Sète gagne trois lignes maritimes"
    assert doc.published == "2021-09-14"
    assert "qui devraient créer 120 emplois" in doc.text
    assert "Un trafic en hausse" in doc.text
    assert "2019 | 41 000 | 310" in doc.text
    for chrome in ("cookies", "Partager", "Accueil", "La criée", "newsletter", "Mentions légales", "©"):
        assert chrome not in doc.text
    assert "\n\n" in doc.text


def test_ingest_html_falls_back_when_trafilatura_finds_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(html, "trafilatura_xml", lambda page: None)
    result = html.extract((DATA / "article.html").read_text(encoding="utf-8"), doc_id="test")
    assert "qui devraient créer 120 emplois" in result.text
    assert "2019 | 41 000 | 310" in result.text
    assert "La criée se modernise" not in result.text  # inside <aside class="related">


@pytest.mark.parametrize(
    "head, title, published",
    [
        ('<meta property="og:title" content="Titre OG | Site"><meta property="og:site_name" content="Site">', "Titre OG", None),
        ('<title>Un titre de page assez long - Le Site</title><meta name="date" content="2020-05-06">', "Un titre de page assez long", "2020-05-06"),
        ('<script type="application/ld+json">{"@graph": [{"headline": "Dans le graphe", "datePublished": "2019-01-02"}]}</script>', "Dans le graphe", "2019-01-02"),
        ('<meta property="article:published_time" content="2018-11-30T09:15:00+01:00">', None, "2018-11-30"),
    ],
)
def test_ingest_html_metadata(head: str, title: str | None, published: str | None) -> None:
    page = f"<html><head>{head}</head><body><p>Texte.</p></body></html>"
    tree = html._parse(page)
    assert tree is not None
    assert html.page_title(tree) == title
    assert html.page_date(tree, "test") == published


# --- PDF ------------------------------------------------------------------------------------------


def test_ingest_pdf_two_columns_in_reading_order() -> None:
    doc = read(DATA / "two_columns.pdf", CFG)
    body = doc.text
    order = ["Le conseil d'administration", "Trente-deux de ces", "que le belge Vandemoortele", "Pour l'année en cours", "À propos de l'agence"]
    positions = [body.index(snippet) for snippet in order]
    assert positions == sorted(positions)
    assert "pour le développement économique" in body  # "dévelop-" + "pement" rejoined
    assert "tandis que le belge" in body  # the paragraph flows on into the right column
    assert "Page 1/2" not in body and "Page 2/2" not in body
    assert body.count("AGENCE LYON ESSOR") == 1  # the repeated header of page 2 is gone
    assert doc.title == "Quatre-vingts entreprises implantées en 2014"
    assert doc.published == "2015-02-05"


def test_ingest_pdf_three_justified_columns() -> None:
    doc = read(DATA / "three_columns.pdf", CFG)
    starts = [doc.text.index(f"{n} colonne.") for n in ("Première", "Deuxième", "Troisième")]
    assert starts == sorted(starts)
    assert "un record depuis vingt ans pour le développement économique du bassin lyonnais." in doc.text
    assert "insiste son directeur exécutif, Jacques Martin" in doc.text


NEWSLETTER_SENTENCES = [
    "L'année 2014 restera comme celle de la confiance retrouvée.",
    "Je remercie nos partenaires, la chambre de commerce et la Métropole, pour leur soutien constant.",
    "Fresenius – Le groupe de santé allemand ouvre à L'Arbresle un site de production qui emploiera quatre-vingts personnes.",
    "Vandemoortele – Le boulanger industriel belge crée cent cinquante postes sur la plaine de l'Ain.",
    "Trente-deux des projets accompagnés l'an dernier sont portés par des investisseurs étrangers, venus pour la plupart d'Allemagne, des États-Unis et de Suisse.",
    # runs from the bottom of the left column to the top of the right one
    (
        "La santé et les technologies propres représentent près de la moitié des emplois annoncés, "
        "tandis que l'industrie traditionnelle confirme sa solidité avec une vingtaine d'extensions de sites "
        "existants, qui témoignent de la confiance des groupes déjà présents dans le territoire lyonnais et de la "
        "qualité de leurs équipes."
    ),
    "L'agence vise cent projets cette année et renforcera sa prospection en Amérique du Nord.",
]
TWO_COLUMN_SENTENCES = [
    "Le conseil d'administration de l'agence s'est réuni lundi à Lyon pour arrêter le bilan de l'année écoulée.",
    "Trente-deux de ces dossiers sont portés par des investisseurs étrangers, dont cinq groupes allemands et quatre américains.",
    (
        "Le groupe de santé Fresenius ouvre ainsi un site à L'Arbresle avec quatre-vingts salariés, tandis que le belge "
        "Vandemoortele recrute cent cinquante personnes sur la plaine de l'Ain et que la start-up Alma rejoint l'écosystème "
        "lyonnais des biotechnologies avec une équipe de recherche qui devrait doubler d'ici deux ans selon ses "
        "fondateurs, qui saluent l'accueil reçu sur place."
    ),
    "Pour l'année en cours, l'agence vise cent projets et mise sur les sciences de la vie.",
]
THREE_COLUMN_SENTENCES = [
    "Première colonne.",
    "Les équipes ont accompagné quatre-vingts projets, un record depuis vingt ans pour le développement économique du bassin lyonnais.",
    "Deuxième colonne.",
    "Trente-deux de ces dossiers sont portés par des investisseurs étrangers, dont cinq groupes allemands et quatre américains.",
    "Troisième colonne.",
    "« Nous voulons garder une industrie forte à côté des biotechnologies », insiste son directeur exécutif, Jacques Martin, qui veut renforcer la prospection en Amérique du Nord.",
]


@pytest.mark.parametrize(
    "name, sentences",
    [
        ("newsletter.pdf", NEWSLETTER_SENTENCES),  # column by column, in a ruled frame pdfplumber takes for a table
        ("two_columns.pdf", TWO_COLUMN_SENTENCES),  # row by row
        ("three_columns.pdf", THREE_COLUMN_SENTENCES),  # column by column, justified
    ],
)
def test_ingest_pdf_columns_read_as_whole_sentences_in_order(name: str, sentences: list[str]) -> None:
    text = read(DATA / name, CFG).text
    paragraphs = [" ".join(paragraph.split()) for paragraph in text.split("\n\n")]
    found = {s: [(i, p.find(s)) for i, p in enumerate(paragraphs) if s in p] for s in sentences}
    assert all(found.values()), [s for s, where in found.items() if not where]  # whole, in one paragraph
    positions = [found[s][0] for s in sentences]
    assert positions == sorted(positions)
    assert " | " not in text


def test_ingest_pdf_newsletter_dateline_and_footer() -> None:
    doc = read(DATA / "newsletter.pdf", CFG)
    assert doc.published == "2015-03-01"  # "N° 12 – Mars 2015"; created in February, so no better day
    assert "Directeur de la publication" not in doc.text  # a small-type footer, even on a single page


PROSE_CELLS = [
    "ÉDITO\nL'année 2014 restera comme celle de la\nconfiance retrouvée. Malgré une conjoncture",
    "ILS NOUS ONT CHOISIS\nFresenius – Le groupe de santé allemand\nouvre à L'Arbresle un site de production qui",
    "LE BILAN\nTrente-deux des projets accompagnés l'an\ndernier sont portés par des investisseurs",
    "annoncés, tandis que l'industrie traditionnelle\nconfirme sa solidité avec une vingtaine",
]


@pytest.mark.parametrize(
    "rows, expected",
    [
        ([["Year", "Projects", "Jobs announced"], ["2016", "61", "1,240"], ["2017", "68", "1,395"]], True),
        ([["Company", "Sector", "Project"], ["Fresenius", "Health", "A new plant"], ["Alma", "Biotech", None]], True),
        ([PROSE_CELLS[:2], PROSE_CELLS[2:]], False),  # two columns of prose in a ruled frame
        ([["Year", "Projects"]], False),  # one row
        ([["2016"], ["2017"]], False),  # one column
    ],
)
def test_ingest_pdf_is_data_table(rows: list[list[str | None]], expected: bool) -> None:
    assert pdf.is_data_table(rows) is expected


def test_ingest_pdf_table_rows() -> None:
    doc = read(DATA / "table.pdf", CFG)
    assert "Year | Projects | Jobs announced" in doc.text
    assert "2017 | 68 | 1,395" in doc.text
    assert doc.title == "Invest agency announces a record number of jobs"
    assert doc.published == "2019-03-26"


def _page(number: int, rows: list[tuple[str, float, float]]) -> pdf._Page:
    """An A4 page of (text, baseline, font size) rows, one segment each."""
    segments = [pdf.Segment(text, 50, 50 + 0.5 * size * len(text), y - 2, y + size, y, size) for text, y, size in rows]
    return pdf._Page(number, 595, 842, segments, pdf._margin_rows(segments, 842))


def test_ingest_pdf_drops_running_headers_and_footers() -> None:
    body = ("Le conseil d'administration de l'agence s'est réuni lundi à Lyon pour arrêter le bilan.", 600, 10)
    header = ("PROVENCE PROMOTION", 777, 13)  # 8 % from the top: below the page-number margin
    imprint = ("Directeur de la publication : J. Martin", 20, 7)
    pages = [
        _page(1, [header, body, ("Communiqué – page 1/2", 30, 7.5)]),
        _page(2, [header, body, ("Communiqué – page 2/2", 30, 7.5), imprint]),
    ]
    dropped = pdf._drop_running_lines(pages)
    assert [[s.text for s in page.segments] for page in pages] == [[header[0], body[0]], [body[0]]]  # masthead stays
    assert imprint[0] in dropped  # small type at the bottom of a page: a footer, even once


@pytest.mark.parametrize(
    "marked, expected",
    [
        (f"le dévelop{pdf.HYPHEN_MARK}pement", "le développement"),
        (f"le vice{pdf.HYPHEN_MARK}président", "le vice-président"),
        (f"Aix{pdf.HYPHEN_MARK}Marseille", "Aix-Marseille"),
        (f"la plate{pdf.HYPHEN_MARK}forme et la plate-forme", "la plate-forme et la plate-forme"),
    ],
)
def test_ingest_pdf_dehyphenate(marked: str, expected: str) -> None:
    assert pdf.dehyphenate(marked) == expected


# --- plain text and metadata helpers ----------------------------------------------------------------


def test_ingest_text_finds_headline_and_drops_masthead() -> None:
    doc = read(DATA / "article_fr.txt", CFG)
    assert doc.title == "L'agence régionale dépasse ses objectifs pour la troisième année"
    assert doc.published == "2020-03-04"
    assert doc.text.startswith("L'agence régionale dépasse")
    assert "Aller au contenu" not in doc.text and "Vous êtes ici" not in doc.text


def test_ingest_text_keeps_hard_wrapped_prose() -> None:
    lines = [f"ligne {i} d'un communiqué écrit sur plusieurs lignes courtes" for i in range(60)]
    result = text.extract("\n".join(lines), doc_id="test")
    assert result.text.startswith("ligne 0 ")


@pytest.mark.parametrize(
    "line, iso",
    [
        ("Vendredi 12 février 2021", "2021-02-12"),
        ("22 March 2016 / news from the region", "2016-03-22"),
        ("Tuesday 9 May 2023 - 07:35 | Updated Tuesday 9 May 2023 - 11:05", "2023-05-09"),
        ("Lyon, le 9 octobre 2020", "2020-10-09"),
        ("Publié le 14/11/2019 à 09h17", "2019-11-14"),
        ("March 26, 2019", "2019-03-26"),
        ("1er janvier 2015", "2015-01-01"),
        ("12/25/2019", "2019-12-25"),
        ("Published 2014/07/03 12:40", "2014-07-03"),
        ("Tuesday, March 26th, 2019", "2019-03-26"),
        ("Lundi 4 juillet 2022 à 08h12", "2022-07-04"),
        ("le 31/02/2015", None),
        ("held on Friday 1 July", None),
    ],
)
def test_ingest_find_date(line: str, iso: str | None) -> None:
    assert find_date(line) == iso


_MONTH_SPELLINGS = (
    "janvier janv février fevrier févr fév mars avril avr mai juin juillet juil août aout septembre sept "
    "octobre novembre décembre decembre déc dec January Jan February Feb March Mar April Apr May June Jun "
    "July Jul August Aug September Sep Sept October Oct November Nov December Dec"
).split()


def test_ingest_date_parser_agrees_with_dateparser_parse() -> None:
    """The parser built once (absolute dates only) gives what `dateparser.parse` gives, on every
    month spelling the date regexes accept, in each span shape, on days that do and do not exist."""
    import dateparser

    from pipeline.ingest import meta

    spans = {
        m.group(0)
        for month in sorted(set(_MONTH_SPELLINGS) | set(meta._month_numbers()))
        for day in ("1er", "1", "09", "12", "29", "30", "31", "2nd", "21st")
        for year in ("2020", "2021")
        for line in (f"{day} {month} {year}", f"{month} {day}, {year}", f"{day} de {month.upper()} de {year}",
                     f"{month}. {year}")
        for pattern in (*meta._date_patterns()[0], meta._date_patterns()[1])
        if (m := pattern.search(line))
    }
    assert len(spans) > 1500
    for span in sorted(spans):
        expected = dateparser.parse(span, languages=meta.DATE_LANGUAGES, settings=meta.DATEPARSER_SETTINGS)
        got = meta._dateparser_day(span)
        assert got == ((expected.year, expected.month, expected.day) if expected else None), span


def test_ingest_plain_dates_read_as_dateparser_reads_them() -> None:
    """The usual dateline shapes, read without dateparser, give what dateparser gives, for every
    month name read that way, in every shape, at the ends of months and on 29 February."""
    from pipeline.ingest import meta

    spans = [f"{name} {year}" for name in meta._month_numbers() for year in ("1999", "2020")]
    spans += [
        line
        for name in meta._month_numbers()
        for day in ("1", "9", "28", "29", "30", "31")
        for line in (f"{day} {name} 2020", f"{name} {day}, 2020", f"{name} {day} 2019")
    ]
    spans += [f"29 {name} {year}" for name in ("février", "February") for year in ("1900", "2000", "2023", "2024")]
    read = 0
    for span in spans:
        plain = meta._plain_day(span)
        if plain is not None:
            read += 1
            assert plain == meta._dateparser_day.__wrapped__(span), span
    assert read > 600
    # days that do not exist and other shapes are left to dateparser
    for span in ("31 avril 2020", "February 30, 2020", "29 février 2023", "05 mars 2020", "1er mars 2020",
                 "MARS 2020", "mars  2020", "Sept. 5, 2020", "5 de mars de 2020", "5 mars, 2020", "mars. 2020"):
        assert meta._plain_day(span) is None, span


def test_ingest_month_spellings_come_from_the_dates_data() -> None:
    """Datelines read the month spellings of models/dates.yaml (every language, any case), the
    ones extraction reads too: abbreviations included, a word that merely starts like a month not."""
    from pipeline.ingest import meta
    from pipeline.normalize import lexicon

    months = lexicon("dates")["months"]
    for table in months.values():
        for name, number in table.items():
            assert meta._month_numbers()[name.lower()] == number
            assert meta.find_date(f"Publié le 3 {name} 2016") == f"2016-{number:02d}-03", name
            assert meta.find_date(f"{name.upper()} 2016", month_only=True) == f"2016-{number:02d}-01", name
    assert meta.find_date("Marseille, 4 fév. 2014") == "2014-02-04"
    assert meta.find_date("Updated Sept 5, 2020") == "2020-09-05"
    assert meta.find_date("Le 4 marseillais 2014") is None
    assert meta.find_date("Maison 2014", month_only=True) is None


@pytest.mark.parametrize(
    "lines, known, expected",
    [
        (["LA LETTRE", "Invest in Provence – N° 27 – Février 2015"], [], (1, "2015-02-01")),  # month only: the 1st
        (["LA LETTRE", "Invest in Provence – N° 27 – Février 2015"], ["2015-02-12"], (1, "2015-02-12")),
        (["LA LETTRE", "Invest in Provence – N° 27 – Février 2015"], ["2026-11-23"], (1, "2015-02-01")),
        (["Newsletter | March 2019", "Caen, 21 March 2019"], [], (1, "2019-03-21")),  # a full date wins
        (["Le chantier démarrera en mars 2016 à Fos."], [], None),  # a month inside a sentence is no dateline
    ],
)
def test_ingest_dateline_month_only(lines: list[str], known: list[str], expected: tuple[int, str] | None) -> None:
    assert dateline(lines, known=known) == expected


@pytest.mark.parametrize(
    "raw, sites, expected",
    [
        ("Jacques Pfister prend la présidence | Marseille Éco Hebdo", [], "Jacques Pfister prend la présidence"),
        ("Foreign investors behind half the projects - South of France Business Journal", [], "Foreign investors behind half the projects"),
        ("Le Site | Un long titre d'article ici", ["Le Site"], "Un long titre d'article ici"),
        ("Marseille - Provence Promotion recrute vingt personnes", [], "Marseille - Provence Promotion recrute vingt personnes"),
    ],
)
def test_ingest_strip_site_suffix(raw: str, sites: list[str], expected: str) -> None:
    assert strip_site_suffix(raw, sites) == expected


@pytest.mark.parametrize(
    "name, body, published, source",
    [
        ("meta.html", "<html><head><meta property='article:published_time' content='2019-05-06T10:00:00'>"
         "<title>Une usine de plus</title></head><body><article><p>" + "Le texte de l'article. " * 20
         + "</p></article></body></html>", "2019-05-06", "metadata"),
        ("line.html", "<html><head><title>Un bilan</title></head><body><article><p>Mis en ligne le 30 mai 2018</p><p>"
         + "Le texte de l'article. " * 20 + "</p></article></body></html>", "2018-05-30", "text"),
        ("scrape.txt", "Un nouveau site pour le fabricant\nUpdated 14 January 2021\n\n" + "The article text. " * 20,
         "2021-01-14", "text"),
        ("iso.txt", "Une extension à Vitrolles\n2017-09-04\n\n" + "Le texte de l'article. " * 20, "2017-09-04", "text"),
        ("nodate.txt", "Une extension à Vitrolles\n\n" + "Le texte de l'article. " * 20, None, None),
    ],
)
def test_ingest_published_source_says_where_the_date_was_read(name, body, published, source) -> None:
    doc = read_bytes(body.encode("utf-8"), name, Config())
    assert (doc.published, doc.published_source) == (published, source)


# One invented sentence, with curly apostrophes and accents, written six ways: the last two are
# UTF-8 encoded twice (read back through Windows-1252, "Lâ€™agence", or through Latin-1, where
# every "’" becomes two C1 control characters and the text looked like binary data).
SIX_WAYS_TEXT = ("L’agence Exemplia Attractivité l’a annoncé : elle a accompagné 42 entreprises étrangères "
                 "en 2019, qui ont créé 1 250 emplois. C’est l’année où l’on s’est dépassé, d’après l’agence.\n")
SIX_WAYS = {
    "utf-8": SIX_WAYS_TEXT.encode("utf-8"),
    "utf-8 with BOM": SIX_WAYS_TEXT.encode("utf-8-sig"),
    "utf-16": SIX_WAYS_TEXT.encode("utf-16"),
    "cp1252": SIX_WAYS_TEXT.encode("cp1252"),
    "utf-8 twice, through cp1252": SIX_WAYS_TEXT.encode("utf-8").decode("cp1252").encode("utf-8"),
    "utf-8 twice, through latin-1": SIX_WAYS_TEXT.encode("utf-8").decode("latin-1").encode("utf-8"),
}


def test_ingest_one_sentence_in_six_encodings_gives_the_same_facts_six_times() -> None:
    from pipeline.run import run_document

    facts, texts = {}, {}
    for name, data in SIX_WAYS.items():
        doc = run_document(read_bytes(data, "six.txt", CFG), CFG)
        assert doc.status == "ok", (name, doc.problems)
        texts[name] = doc.text
        facts[name] = [f.model_dump(exclude={"fact_id": True, "evidence": {"doc_id"}}) for f in doc.facts]
    assert all(t == texts["utf-8"] for t in texts.values()), texts
    assert facts["utf-8"], "the sentence must give facts"
    assert all(f == facts["utf-8"] for f in facts.values()), facts
