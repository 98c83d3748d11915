"""Write the small ingest fixtures of this folder. Run: python tests/data/ingest/make_fixtures.py

The generated files are committed; rerun this script only to change them. Output is
deterministic (fixed creation dates, seeded junk) so a rerun gives the same bytes for the
text fixtures; PDFs may differ in their internal ids only.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import zipfile
from pathlib import Path

from fpdf import FPDF
from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FIXED_DATE = dt.datetime(2015, 2, 5, 9, 0, tzinfo=dt.timezone.utc)

FRENCH_ARTICLE = """Aller au contenu   Aller au menu
Le Journal des Territoires
Accueil  Économie  Entreprises  Territoires  Agenda  Contact
Vous êtes ici : Accueil > Économie > Attractivité

L'agence régionale dépasse ses objectifs pour la troisième année

#ATTRACTIVITÉ #EMPLOI
Partagez sur Facebook Partagez sur Twitter Partagez par Email
Mercredi 4 mars 2020

L'agence de développement économique a accompagné 72 projets d'implantation l'an dernier, pour 1 450 emplois créés ou maintenus. « Nous avons été très sollicités par les investisseurs étrangers », explique sa présidente, Anne Durand.

Lire aussi : Le port affiche un trafic record

Des entreprises venues d'Europe du Nord

Les sociétés allemandes et néerlandaises représentent près d'un tiers des projets. Le budget de l'agence, 2,4 millions d'euros, reste stable.

Lire aussi
  • Le numérique recrute toujours
  • Trois zones d'activités agrandies

Commentaires (0)
Newsletter : recevez l'essentiel chaque matin
Mentions légales | Plan du site | Contact
© 2020 Le Journal des Territoires
Ce site utilise des cookies pour mesurer l'audience. En poursuivant votre navigation, vous acceptez leur utilisation. Accepter  Refuser
"""

ENGLISH_ARTICLE = """Invest agency reports record year for foreign projects
12 March 2019 / Business desk

The regional investment agency said on Tuesday that it helped 85 companies settle in the region last year, creating 2,100 jobs.
"Foreign investors chose us more often than ever," said its director, John Smith.
"""

HTML_ARTICLE = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8">
<title>Le port de Sète gagne trois lignes maritimes | Le Courrier du Golfe</title>
<meta property="og:site_name" content="Le Courrier du Golfe">
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle",
 "headline": "Le port de Sète gagne trois lignes maritimes", "datePublished": "2021-09-14T07:30:00+02:00"}</script>
</head><body>
<div class="cookie-banner"><p>Nous utilisons des cookies pour mesurer l'audience. En poursuivant votre navigation, vous acceptez leur utilisation.</p><button>Accepter</button></div>
<header><nav><ul><li><a href="/">Accueil</a></li><li><a href="/eco">Économie</a></li><li><a href="/port">Port</a></li><li><a href="/agenda">Agenda</a></li></ul></nav></header>
<main><article>
<h1>Le port de Sète gagne trois lignes maritimes</h1>
<div class="share"><a href="#">Partager sur Facebook</a> <a href="#">Tweet</a> <a href="#">LinkedIn</a></div>
<p>Le port de Sète a annoncé mardi l'ouverture de trois nouvelles lignes régulières vers la Méditerranée orientale, qui devraient créer 120 emplois sur le site d'ici deux ans.</p>
<p>« Ces lignes confirment notre rôle de porte d'entrée du sud de la France », a déclaré Marie Lambert, directrice générale du port, lors d'une conférence de presse.</p>
<h2>Un trafic en hausse</h2>
<p>Le trafic de conteneurs a progressé de 12 % sur les huit premiers mois de l'année, selon les chiffres publiés par l'autorité portuaire.</p>
<table><tr><th>Année</th><th>Conteneurs</th><th>Emplois</th></tr>
<tr><td>2019</td><td>41 000</td><td>310</td></tr><tr><td>2020</td><td>46 500</td><td>355</td></tr></table>
<div class="share"><a href="#">Partager sur Facebook</a> <a href="#">Tweet</a></div>
</article>
<aside class="related"><h3>À lire aussi</h3><ul><li><a href="/a">La criée se modernise</a></li><li><a href="/b">Un nouveau quai pour les ferries</a></li></ul></aside>
</main>
<footer><div class="newsletter"><h4>Recevez notre newsletter</h4><form><input type="email"><button>Je m'inscris</button></form></div>
<ul><li><a href="/mentions">Mentions légales</a></li><li><a href="/contact">Contact</a></li></ul><p>&copy; 2021 Le Courrier du Golfe</p></footer>
</body></html>
"""

# --- two-column PDF: columns written row by row, as some producers do --------------------------

TWO_COL_LEFT = (
    "Le conseil d'administration de l'agence s'est réuni lundi à Lyon pour arrêter le bilan de "
    "l'année écoulée. Les équipes ont accompagné quatre-vingts projets, un record depuis vingt ans "
    "pour le développement économique du bassin lyonnais.",
    "Trente-deux de ces dossiers sont portés par des investisseurs étrangers, dont cinq groupes "
    "allemands et quatre américains. Le groupe de santé Fresenius ouvre ainsi un site à L'Arbresle "
    "avec quatre-vingts salariés, tandis que le belge Vandemoortele recrute cent cinquante personnes "
    "sur la plaine de l'Ain et que la start-up Alma rejoint l'écosystème lyonnais "
    "des biotechnologies avec une équipe de recherche qui devrait doubler d'ici deux ans selon "
    "ses fondateurs, qui saluent l'accueil reçu sur place.",
)
TWO_COL_RIGHT = (
    "Pour l'année en cours, l'agence vise cent projets et mise sur les sciences de la vie. "
    "« Nous voulons garder une industrie forte à côté des biotechnologies », insiste son directeur exécutif, "
    "Jacques Martin, qui veut renforcer la prospection en Amérique du Nord.",
)
HYPHENATE = {"développement": ("dévelop", "pement")}


def _font(pdf: FPDF) -> None:
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))


def wrap(pdf: FPDF, text: str, width: float) -> list[str]:
    """Greedy line breaking, with the word breaks of HYPHENATE when the first part fits."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if pdf.get_string_width(trial) <= width:
            line = trial
            continue
        if word in HYPHENATE and pdf.get_string_width(f"{line} {HYPHENATE[word][0]}-") <= width:
            head, tail = HYPHENATE[word]
            lines.append(f"{line} {head}-")
            line = tail
            continue
        lines.append(line)
        line = word
    return lines + [line] if line else lines


def _column_lines(pdf: FPDF, paragraphs: tuple[str, ...], width: float) -> list[str]:
    """Lines of a column; an empty string is the gap between paragraphs."""
    out: list[str] = []
    for paragraph in paragraphs:
        if out:
            out.append("")
        out += wrap(pdf, paragraph, width)
    return out


def _footer(pdf: FPDF, page: int, pages: int) -> None:
    pdf.set_font("DejaVu", "", 8)
    pdf.text(50, 815, "Agence Lyon Essor – Communiqué de presse")
    pdf.text(500, 815, f"Page {page}/{pages}")


def two_column_pdf() -> bytes:
    pdf = FPDF(unit="pt", format="A4")
    pdf.set_creation_date(FIXED_DATE)
    pdf.set_title("Bilan 2014")
    _font(pdf)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 12)
    pdf.text(50, 40, "AGENCE LYON ESSOR")
    pdf.set_font("DejaVu", "", 10)
    pdf.text(50, 90, "Lyon, le 5 février 2015")
    pdf.set_font("DejaVu", "B", 18)
    pdf.text(50, 120, "Quatre-vingts entreprises implantées en 2014")
    pdf.set_font("DejaVu", "", 10)
    left = _column_lines(pdf, TWO_COL_LEFT, 225)
    split = 12  # the second left paragraph flows on into the right column
    right = left[split:] + [""] + _column_lines(pdf, TWO_COL_RIGHT, 225)
    left = left[:split]
    for row in range(max(len(left), len(right))):
        y = 160 + row * 13
        if row < len(left) and left[row]:
            pdf.text(50, y, left[row])
        if row < len(right) and right[row]:
            pdf.text(310, y, right[row])
    _footer(pdf, 1, 2)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 12)
    pdf.text(50, 40, "AGENCE LYON ESSOR")
    pdf.set_font("DejaVu", "", 10)
    pdf.set_xy(50, 80)
    pdf.multi_cell(495, 13, "À propos de l'agence : créée en 1974, elle accompagne gratuitement les entreprises qui s'installent dans la région lyonnaise.")
    _footer(pdf, 2, 2)
    return bytes(pdf.output())


THREE_COLS = (
    "Première colonne. " + TWO_COL_LEFT[0],
    "Deuxième colonne. " + TWO_COL_LEFT[1],
    "Troisième colonne. " + TWO_COL_RIGHT[0],
)


def three_column_pdf() -> bytes:
    """Justified text in three columns, each written as one block (the usual content order)."""
    pdf = FPDF(unit="pt", format="A4")
    pdf.set_creation_date(FIXED_DATE)
    _font(pdf)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 16)
    pdf.text(50, 60, "Trois colonnes justifiées")
    pdf.set_font("DejaVu", "", 9)
    width = (495 - 2 * 14) / 3
    for index, column in enumerate(THREE_COLS):
        pdf.set_xy(50 + index * (width + 14), 90)
        pdf.multi_cell(width, 12, column, align="J")
    return bytes(pdf.output())


# --- two-column newsletter: prose in a ruled frame, written column by column ------------------
# pdfplumber sees the frame, the rule between the columns and the one between the two sections
# as a 2 x 2 table; the columns never share a baseline, as when their headings differ in spacing.

NEWSLETTER = (  # (left column, right column) of each section; "#" marks a heading
    (
        (
            "#ÉDITO",
            (
                "L'année 2014 restera comme celle de la confiance retrouvée. Malgré une conjoncture nationale "
                "difficile, nos équipes ont convaincu quatre-vingts entreprises de s'installer dans la région "
                "lyonnaise. Je remercie nos partenaires, la chambre de commerce et la Métropole, pour leur soutien "
                "constant."
            ),
        ),
        (
            "#ILS NOUS ONT CHOISIS",
            (
                "Fresenius – Le groupe de santé allemand ouvre à L'Arbresle un site de production qui emploiera "
                "quatre-vingts personnes."
            ),
            "Vandemoortele – Le boulanger industriel belge crée cent cinquante postes sur la plaine de l'Ain.",
        ),
    ),
    (
        (
            "#LE BILAN EN DÉTAIL",
            (
                "Trente-deux des projets accompagnés l'an dernier sont portés par des investisseurs étrangers, "
                "venus pour la plupart d'Allemagne, des États-Unis et de Suisse. La santé et les "
                "technologies propres représentent près de la moitié des emplois annoncés, tandis que l'industrie "
                "traditionnelle confirme sa solidité avec une vingtaine d'extensions de sites existants, qui "
                "témoignent de la confiance des groupes déjà présents dans le territoire lyonnais et de la qualité "
                "de leurs équipes."
            ),
        ),
        (
            "#CAP SUR 2015",
            "L'agence vise cent projets cette année et renforcera sa prospection en Amérique du Nord.",
        ),
    ),
)
NEWSLETTER_FLOW_LINES = 6  # lines of the last left paragraph; the rest tops the right column


def _newsletter_lines(pdf: FPDF, blocks: tuple[str, ...]) -> list[tuple[str, str]]:
    """(style, line) pairs of a column section: "h" headings, "p" prose, "" a paragraph gap."""
    out: list[tuple[str, str]] = []
    for block in blocks:
        if block.startswith("#"):
            out.append(("h", block[1:]))
            continue
        if out and out[-1][0] != "h":
            out.append(("", ""))
        pdf.set_font("DejaVu", "", 10)
        out += [("p", line) for line in wrap(pdf, block, 230)]
    return out


def _newsletter_column(pdf: FPDF, x: float, y: float, lines: list[tuple[str, str]]) -> float:
    """Write the lines of a column from baseline y; returns the baseline after the last one."""
    for style, line in lines:
        if style == "h":
            pdf.set_font("DejaVu", "B", 11)
            y += 6
        else:
            pdf.set_font("DejaVu", "", 10)
        if line:
            pdf.text(x, y, line)
        y += 13 if style != "h" else 16
    return y


def newsletter_pdf() -> bytes:
    pdf = FPDF(unit="pt", format="A4")
    pdf.set_creation_date(FIXED_DATE)
    _font(pdf)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 14)
    pdf.text(50, 72, "LA LETTRE DE L'AGENCE LYON ESSOR")
    pdf.set_font("DejaVu", "", 9)
    pdf.text(50, 88, "Agence Lyon Essor – N° 12 – Mars 2015")
    pdf.line(40, 96, 555, 96)
    (left_1, right_1), (left_2, right_2) = ((_newsletter_lines(pdf, c) for c in section) for section in NEWSLETTER)
    flow = [i for i, (style, _) in enumerate(left_2) if style == "p"][NEWSLETTER_FLOW_LINES - 1] + 1
    left_2, right_2 = left_2[:flow], left_2[flow:] + [("", "")] + right_2
    pdf.set_draw_color(150, 150, 150)
    top = 110.0
    end_1 = max(_newsletter_column(pdf, 50, top + 14, left_1), _newsletter_column(pdf, 310, top + 20, right_1))
    rule = end_1 - 4
    end_2 = max(_newsletter_column(pdf, 50, rule + 18, left_2), _newsletter_column(pdf, 310, rule + 24, right_2))
    pdf.rect(40, top, 515, end_2 - top)
    pdf.line(297.5, top, 297.5, end_2)
    pdf.line(40, rule, 555, rule)
    pdf.set_font("DejaVu", "", 7)
    pdf.text(50, 815, "Agence Lyon Essor – 12, place Bellecour, Lyon – Directeur de la publication : Jacques Martin")
    return bytes(pdf.output())


def table_pdf() -> bytes:
    pdf = FPDF(unit="pt", format="A4")
    pdf.set_creation_date(FIXED_DATE)
    _font(pdf)
    pdf.add_page()
    pdf.set_font("DejaVu", "", 10)
    pdf.set_xy(50, 60)
    pdf.multi_cell(495, 14, "Bordeaux, 26 March 2019")
    pdf.set_font("DejaVu", "B", 16)
    pdf.set_xy(50, 90)
    pdf.multi_cell(495, 20, "Invest agency announces a record number of jobs")
    pdf.set_font("DejaVu", "", 10)
    pdf.set_xy(50, 130)
    pdf.multi_cell(495, 14, "The agency supported 73 companies last year. They plan to hire 1,610 people over the next three years, its best result so far.")
    pdf.ln(10)
    pdf.set_x(50)
    with pdf.table(col_widths=(80, 160, 160), width=400, align="LEFT") as table:
        for row in (("Year", "Projects", "Jobs announced"), ("2016", "61", "1,240"), ("2017", "68", "1,395"), ("2018", "73", "1,610")):
            cells = table.row()
            for cell in row:
                cells.cell(cell)
    pdf.ln(10)
    pdf.set_x(50)
    pdf.multi_cell(495, 14, "Source: annual reports of the agency.")
    return bytes(pdf.output())


def encrypted_pdf() -> bytes:
    pdf = FPDF()
    pdf.set_creation_date(FIXED_DATE)
    pdf.set_encryption(owner_password="owner", user_password="secret")
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(0, 10, "Confidential press release")
    return bytes(pdf.output())


def image_only_pdf() -> bytes:
    image = Image.new("RGB", (400, 300), "white")
    draw = ImageDraw.Draw(image)
    for y in range(30, 280, 24):
        draw.rectangle((30, y, 370, y + 10), fill="gray")
    pdf = FPDF()
    pdf.set_creation_date(FIXED_DATE)
    pdf.add_page()
    pdf.image(image, x=10, y=10, w=180)
    return bytes(pdf.output())


def chars_pdf() -> bytes:
    """Four pages, one for each way pdf.page_segments reads a page's characters: from PDFium's page
    text (accents, ligatures, a no-break space, two sizes, two columns), from it with a
    stand-in replaced (a word broken by a hyphen at a line end; a tab), and one character at a time (a
    control character the page text leaves out; characters beyond the BMP, two units each)."""
    pdf = FPDF()
    pdf.set_creation_date(FIXED_DATE)
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("Math", "", str(FONT_DIR / "DejaVuMathTeXGyre.ttf"))
    pdf.add_page()
    pdf.set_font("DejaVu", size=18)
    pdf.text(20, 25, "Une filière en plein essor")
    pdf.set_font("DejaVu", size=10)
    for row in range(8):
        pdf.text(20, 40 + 6 * row, f"La \ufb01liale n°{row} a signé\u00a0{row + 3} contrats cette année.")
        pdf.text(115, 40 + 6 * row, f"The o\ufb03ce in column two hired {row * 7} people.")
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    pdf.text(20, 30, "Les entreprises du sud-")
    pdf.text(20, 36, "est ont créé 1 200 emplois en deux ans.")
    pdf.text(20, 48, "Bilan\t2019 : 42 projets accompagnés.")
    pdf.add_page()
    pdf.text(20, 30, "Un caractère de contrôle \x03 se glisse ici, puis le texte reprend.")
    pdf.add_page()
    pdf.set_font("Math", size=11)
    pdf.text(20, 30, "Score \U0001d400\U0001d401 = 12 and \U0001d7d9 again")
    pdf.set_font("DejaVu", size=11)
    pdf.text(20, 40, "After the formula the sentence goes on.")
    return bytes(pdf.output())


def fake_docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("[Content_Types].xml", (2020, 1, 1, 0, 0, 0)), "<Types/>")
        archive.writestr(zipfile.ZipInfo("word/document.xml", (2020, 1, 1, 0, 0, 0)), "<document>Bonjour</document>")
    return buffer.getvalue()


def main() -> None:
    mojibake = FRENCH_ARTICLE.encode("utf-8").decode("cp1252")  # UTF-8 read as Windows-1252
    files: dict[str, bytes] = {
        "article.html": HTML_ARTICLE.encode("utf-8"),
        "article_fr.txt": FRENCH_ARTICLE.encode("utf-8"),
        "cp1252.txt": FRENCH_ARTICLE.encode("cp1252"),
        "utf16_bom.txt": FRENCH_ARTICLE.encode("utf-16"),
        "utf16le_nobom.txt": ENGLISH_ARTICLE.encode("utf-16-le"),
        "utf8_bom.txt": b"\xef\xbb\xbf" + FRENCH_ARTICLE.encode("utf-8"),
        "crlf.txt": ENGLISH_ARTICLE.replace("\n", "\r\n").encode("utf-8"),
        "mojibake.txt": mojibake.encode("utf-8"),
        "html_named.txt": HTML_ARTICLE.encode("utf-8"),
        "plain_named.html": ENGLISH_ARTICLE.encode("utf-8"),
        "junk.txt": random.Random(42).randbytes(4096),
        "empty.txt": b"",
        "office.docx": fake_docx(),
        "two_columns.pdf": two_column_pdf(),
        "table.pdf": table_pdf(),
        "three_columns.pdf": three_column_pdf(),
        "newsletter.pdf": newsletter_pdf(),
        "encrypted.pdf": encrypted_pdf(),
        "image_only.pdf": image_only_pdf(),
        "chars.pdf": chars_pdf(),
    }
    files["truncated.pdf"] = files["two_columns.pdf"][:400]
    for name, data in files.items():
        (HERE / name).write_bytes(data)
        print(f"{name}: {len(data)} bytes")


if __name__ == "__main__":
    main()
