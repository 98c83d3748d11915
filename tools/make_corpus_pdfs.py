#!/usr/bin/env python3
"""Regenerate the PDF files of the sample corpus (corpus/*.pdf).

The text of every PDF lives in this script, so the files can be rebuilt at any time:

    python tools/make_corpus_pdfs.py            # writes into corpus/
    python tools/make_corpus_pdfs.py --check    # also prints what pypdfium2 extracts

Layouts exercised:
  - single-column press releases over one or two pages (running header and footer);
  - a two-column newsletter (the left column is written, then the right one, so that a
    text extractor reading in content order gets one column after the other);
  - a table of yearly figures (year | projects | jobs | foreign share);
  - a bilingual release (French page, then English page).

Fonts: DejaVu Sans (Unicode, keeps no-break spaces, curly quotes and the euro sign) when it
is installed; otherwise the core Helvetica font, with the text folded to Latin-1
(curly quotes become straight ones, the narrow no-break space becomes a no-break space).
The dates are pinned so that rebuilding gives the same text and metadata.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "corpus"
DEJAVU = Path("/usr/share/fonts/truetype/dejavu")

NBSP = "\u00a0"   # no-break space
NNBSP = "\u202f"  # narrow no-break space


# --------------------------------------------------------------------------------------
# Documents. Blocks: ("title", s) ("subtitle", s) ("h", s) ("p", s) ("quote", s)
# ("small", s) ("kicker", s) ("space", mm) ("table", header, rows, widths) ("cols", left, right)
# ("pagebreak",)
# --------------------------------------------------------------------------------------

DOCS: list[dict] = []

DOCS.append(dict(
    file="2012-03-cp-bilan-2011-provence-promotion.pdf",
    lang="fr",
    date=dt.datetime(2012, 3, 15, 11, 0),
    meta_title="Communiqué de presse - Bilan 2011 de Provence Promotion",
    author="Provence Promotion",
    header=("PROVENCE PROMOTION",
            "Invest in Provence – au service des entreprises qui choisissent les Bouches-du-Rhône"),
    footer="Provence Promotion – Communiqué du 15/03/2012 – page {page}/{pages}",
    blocks=[
        ("kicker", "COMMUNIQUÉ DE PRESSE"),
        ("small", "Marseille, le 15 mars 2012"),
        ("space", 4),
        ("title", "Bilan 2011 : l’international tire l’activité de Provence Promotion"),
        ("subtitle", "58 projets aboutis – 41 % d’investisseurs étrangers – objectif dépassé"),
        ("p", "Réuni ce jeudi sous la présidence de Jacques Pfister, le conseil d’administration "
              "de Provence Promotion a approuvé les comptes et le rapport d’activité de "
              "l’exercice 2011."),
        ("p", "Cinquante-huit entreprises ont mené à bien un projet d’implantation ou "
              "d’extension dans les Bouches-du-Rhône avec le concours de l’agence au cours de "
              f"l’année écoulée. Elles prévoient de créer 1{NBSP}530 emplois sur trois ans et de "
              "consolider 96 postes existants."),
        ("h", "Objectif international atteint"),
        ("p", "La progression des investisseurs internationaux constitue la principale "
              f"satisfaction de l’exercice. Avec 24 dossiers, ils représentent désormais 41{NBSP}% des projets "
              f"accompagnés, contre 32{NBSP}% en 2010. Le conseil d’administration avait demandé "
              f"d’atteindre 40{NBSP}% : le seuil est franchi."),
        ("p", "« Les efforts de prospection engagés en Allemagne et en Amérique du Nord "
              "commencent à porter leurs fruits », se félicite Jacques Pfister, président de "
              "Provence Promotion et de la Chambre de commerce et d’industrie Marseille "
              "Provence (CCIMP)."),
        ("h", "Des extensions autant que des créations"),
        ("p", "L’année a aussi été riche en extensions de sites existants : le confiseur "
              "allemand Haribo a ainsi agrandi son usine marseillaise. Plusieurs sociétés de "
              "services numériques ont par ailleurs retenu Aix-en-Provence pour y ouvrir un "
              "centre de développement."),
        ("p", "Pour Robert Maury, directeur général, « la concurrence entre métropoles "
              "européennes s’est durcie : la plupart des dossiers se jouent désormais entre "
              "trois ou quatre territoires finalistes »."),
        ("h", "Perspectives 2012"),
        ("p", "Doté pour 2012 d’un budget de 3,3 millions d’euros, apporté à parts égales par "
              "la CCIMP et le Conseil général des Bouches-du-Rhône, Provence Promotion se donne "
              "pour objectif d’accompagner au moins 60 projets cette année."),
        ("pagebreak",),
        ("h", "À propos de Provence Promotion"),
        ("small", "Provence Promotion est née en 1998 d’une initiative commune de la chambre "
                  "de commerce et du Département. Son équipe conseille les dirigeants qui "
                  "cherchent un site, des collaborateurs ou des partenaires dans les "
                  "Bouches-du-Rhône ; ce service est gratuit et confidentiel. Invest in "
                  "Provence est le nom sous lequel l’agence se présente aux investisseurs "
                  "étrangers."),
        ("space", 6),
        ("h", "Contact presse"),
        ("small", "Sandrine Méric, responsable de la communication"),
        ("small", "s.meric@example.org – +33 (0)4 91 00 12 34"),
    ],
))

# Two-column newsletter: left column, then right column.
DOCS.append(dict(
    file="2015-02-lettre-provence-promotion-bilan-2014.pdf",
    lang="fr",
    date=dt.datetime(2015, 2, 12, 9, 30),
    meta_title="La Lettre de Provence Promotion n° 27 - février 2015",
    author="Provence Promotion",
    header=("LA LETTRE DE PROVENCE PROMOTION",
            "Invest in Provence – N° 27 – Février 2015"),
    footer="Provence Promotion – Marseille – www.investinprovence.com – "
           "Directeur de la publication : Philippe Stéfanini",
    justify=True,
    blocks=[
        ("cols",
         [
             ("h", "ÉDITO"),
             ("p", "2014 aura été une année de consolidation. Dans un contexte national "
                   "morose, nos équipes ont convaincu soixante-trois entreprises de choisir "
                   "les Bouches-du-Rhône. Je tiens à saluer leur travail, ainsi que la "
                   "mobilisation de nos partenaires, au premier rang desquels la CCIMP et le "
                   "Conseil général."),
             ("quote", "Loïc Gachon, président de Provence Promotion"),
             ("h", "BILAN 2014"),
             ("p", "Les 63 projets menés à terme l’an passé représentent "
                   f"1{NNBSP}263 emplois annoncés à trois ans. Les investisseurs étrangers "
                   f"en portent 53{NBSP}%, et ils concentrent 57{NBSP}% des emplois."),
             ("h", "SUR LE TERRAIN"),
             ("p", "Nos chargés d’affaires ont conduit 32 missions de prospection à "
                   "l’étranger en 2014 et rencontré quelque 410 entreprises, principalement "
                   "en Amérique du Nord, en Allemagne et en Chine."),
         ],
         [
             ("h", "ILS ONT CHOISI LA PROVENCE"),
             ("p", "Transcoma – Le transitaire espagnol, dont le siège est à Barcelone, a "
                   "installé à Marseille la direction de sa filiale française."),
             ("p", "Katoen Natie – Le logisticien belge agrandit sa plate-forme de "
                   "Saint-Martin-de-Crau, au cœur de la plaine de la Crau."),
             ("p", "Interxion – L’opérateur néerlandais de centres de données a acquis un "
                   "bâtiment à Marseille, au croisement des câbles sous-marins qui relient "
                   "l’Europe, l’Afrique et l’Asie."),
             ("h", "CAP SUR 2015"),
             ("p", "Le directeur général, Philippe Stéfanini, fixe la barre à 65 projets "
                   "pour l’exercice en cours."),
             ("h", "AGENDA"),
             ("small", "10-13 mars : MIPIM, Cannes"),
             ("small", "Juin : assemblée générale, Marseille"),
         ]),
    ],
))

DOCS.append(dict(
    file="2017-05-activity-report-2016-key-figures.pdf",
    lang="en",
    date=dt.datetime(2017, 5, 22, 10, 0),
    meta_title="Invest in Provence - 2016 Activity Report - Key Figures",
    author="Provence Promotion",
    header=("PROVENCE PROMOTION | INVEST IN PROVENCE",
            "Economic development agency for Aix-Marseille-Provence and the Bouches-du-Rhône"),
    footer="Invest in Provence – 2016 Activity Report – Key figures – page {page}/{pages}",
    blocks=[
        ("title", "2016 Activity Report – Key Figures"),
        ("small", "Marseille, 22 May 2017"),
        ("space", 3),
        ("h", "Foreword"),
        ("p", "Nineteen years after it was founded, our agency keeps doing what it was created "
              "for: bringing companies and jobs to Provence. In 2016, sixty companies "
              "completed a location project with our support. They announced 1,240 new jobs "
              "and kept 104 existing ones in the area, and half of them came from abroad."),
        ("quote", "Solange Biaggi, Chairwoman"),
        ("h", "Five years of results"),
        ("table",
         ["Year", "Projects completed", "Jobs created", "Foreign share of projects"],
         [["2012", "61", "1,578", "51%"],
          ["2013", "63", "2,092", "50%"],
          ["2014", "63", "1,263", "53%"],
          ["2015", "61", "1,312", "48%"],
          ["2016", "60", "1,240", "50%"]],
         [25, 45, 40, 60]),
        ("small", "Jobs created: jobs announced by the companies over three years. "
                  "Source: Provence Promotion annual reports."),
        ("h", "Resources"),
        ("p", "The agency operated on a budget of €3.2 million in 2016, provided by the "
              "Marseille-Provence Chamber of Commerce and Industry (CCIMP), the "
              "Bouches-du-Rhône Departmental Council and, since its creation in January 2016, "
              "the Aix-Marseille-Provence Metropolis."),
        ("h", "Prospecting"),
        ("p", "28 missions abroad; 520 companies met."),
        ("h", "Highlight"),
        ("p", "UL (Underwriter Laboratories), the Chicago-based safety science group, chose "
              "La Ciotat for a laboratory that tests the security of payment cards and mobile "
              "wallets."),
        ("h", "Governance"),
        ("p", "Chairwoman: Solange Biaggi, Vice-President of the Bouches-du-Rhône Departmental "
              "Council. Vice-Chairman: Jean-Luc Chauvin, President of the CCIMP since "
              "November 2016. General Director: Philippe Stéfanini."),
    ],
))

DOCS.append(dict(
    file="2019-03-ad-normandie-2018-results.pdf",
    lang="en",
    date=dt.datetime(2019, 3, 21, 14, 0),
    meta_title="AD Normandie - 2018 results",
    author="AD Normandie",
    header=("AD NORMANDIE", "Agence de Développement pour la Normandie"),
    footer="AD Normandie – Press release – 21/03/2019 – page {page}/{pages}",
    blocks=[
        ("kicker", "PRESS RELEASE"),
        ("small", "Caen, 21 March 2019"),
        ("space", 4),
        ("title", "AD Normandie backed 112 business projects in 2018"),
        ("p", "The Normandy development agency, AD Normandie, supported 112 companies in "
              "carrying out investment projects in 2018, compared with 97 in 2017. Together, "
              "these projects will create or maintain 3,450 jobs across the region's five "
              "départements."),
        ("p", "Thirty-four of the projects were led by companies headquartered outside "
              "France, mainly in Germany, the United States, the United Kingdom and Japan."),
        ("p", "The largest of them is Siemens Gamesa Renewable Energy's offshore wind turbine "
              "plant in Le Havre, confirmed last year, where some 750 people are expected to "
              "work once production starts."),
        ("p", "“Normandy has the ports, the land and the industrial culture that these "
              "investors are looking for,” said Anne-Sophie Verrier, President of AD "
              "Normandie. The agency, funded by the Normandy Region, had an operating budget "
              "of €7.9 million in 2018."),
        ("p", "Hervé Morin, President of the Normandy Region, welcomed the results at the "
              "agency's general assembly in Caen."),
        ("p", "For 2019, Director General Pascal Lecomte aims to support 120 projects. "
              "“Brexit is creating uncertainty, but also openings: British companies want a "
              "foothold on the continent, and our ports are the closest,” he said."),
        ("space", 4),
        ("h", "About AD Normandie"),
        ("small", "Created in 2016 by the Normandy Region, AD Normandie supports companies' "
                  "development and investment projects and promotes Normandy to French and "
                  "foreign investors."),
        ("h", "Press contact"),
        ("small", "Claire Lemonnier – presse@example.org – +33 (0)2 31 00 45 67"),
    ],
))

DOCS.append(dict(
    file="2020-02-cp-bilan-2019-fr-en.pdf",
    lang="fr",
    date=dt.datetime(2020, 2, 13, 10, 0),
    meta_title="Communiqué de presse / Press release - Bilan 2019 / 2019 results",
    author="Provence Promotion",
    header=("PROVENCE PROMOTION", "Invest in Provence – Aix-Marseille-Provence"),
    footer="Provence Promotion – 13/02/2020 – {page}/{pages}",
    blocks=[
        ("kicker", "COMMUNIQUÉ DE PRESSE"),
        ("small", "Marseille, le 13 février 2020"),
        ("space", 4),
        ("title", "2019, année record pour Provence Promotion"),
        ("p", "En 2019, 79 projets d’implantation ont abouti avec l’accompagnement de Provence "
              "Promotion, soit trois de plus que les 76 inscrits à la feuille de route de "
              "l’agence. Le chiffre progresse également par rapport à 2018, qui en avait "
              "compté 75."),
        ("p", f"Ces entreprises annoncent 2{NBSP}115 emplois à trois ans, contre près de "
              f"1{NBSP}800 un an plus tôt. 46{NBSP}% de ces emplois sont portés par des "
              "investisseurs étrangers."),
        ("p", "« Ce résultat est collectif : il doit beaucoup à nos partenaires, la Métropole "
              "Aix-Marseille-Provence et la CCI Marseille Provence en tête », souligne "
              "Jean-Luc Chauvin, président de l’agence."),
        ("p", "Parmi les décisions marquantes de l’année, le logisticien suisse Kuehne+Nagel "
              f"a retenu Fos-sur-Mer pour un entrepôt de 40{NBSP}000 m²."),
        ("p", f"Pour 2020, le conseil d’administration vise 80 projets, avec un budget "
              f"reconduit à 3,2{NBSP}M€. « Nous voulons conforter la place de la Provence dans "
              "le trio de tête des métropoles françaises pour l’investissement étranger », "
              "indique Philippe Stéfanini, directeur général."),
        ("small", "Contact presse : Inès Barthélémy – presse@example.org"),
        ("pagebreak",),
        ("kicker", "PRESS RELEASE"),
        ("small", "Marseille, 13 February 2020"),
        ("space", 4),
        ("title", "A record 2019 for Provence Promotion"),
        ("p", "Seventy-nine investment projects were completed in 2019 with the support of "
              "Provence Promotion: three more than the 76 written into the agency’s roadmap, "
              "and up from 75 in 2018."),
        ("p", "The companies concerned have announced 2,115 jobs over three years, against "
              "nearly 1,800 the year before. Foreign investors account for 46% of these jobs."),
        ("p", "“This is a team result, and we owe a great deal to our partners, first among "
              "them the Aix-Marseille-Provence Metropolis and the Marseille-Provence Chamber "
              "of Commerce and Industry,” said Jean-Luc Chauvin, President of the agency."),
        ("p", "Among the year’s landmark decisions, Swiss logistics group Kuehne+Nagel "
              "selected Fos-sur-Mer for a 40,000 m² warehouse."),
        ("p", "For 2020, the board has set a target of 80 projects, on a budget held at "
              "€3.2 million. “We want to keep Provence among the top three French metropolitan "
              "areas for foreign investment,” said General Director Philippe Stéfanini."),
        ("small", "Press contact: Inès Barthélémy – presse@example.org"),
    ],
))


# --------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------

LATIN1_FOLD = {
    "\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-",
    "\u2026": "...", "\u0153": "oe", "\u0152": "OE", NNBSP: NBSP,
}


class Doc(FPDF):
    def __init__(self, spec: dict, unicode_font: bool):
        super().__init__(format="A4", unit="mm")
        self.spec = spec
        self.unicode_font = unicode_font
        if unicode_font:
            self.add_font("body", "", str(DEJAVU / "DejaVuSans.ttf"))
            self.add_font("body", "B", str(DEJAVU / "DejaVuSans-Bold.ttf"))
            self.add_font("body", "I", str(DEJAVU / "DejaVuSans-Oblique.ttf"))
            self.family = "body"
        else:
            self.family = "helvetica"
        self.set_margins(18, 18, 18)
        self.set_auto_page_break(True, margin=20)
        self.alias_nb_pages("{pages}")

    def t(self, s: str) -> str:
        if self.spec["lang"] == "fr":
            # French typesetting: no-break space inside guillemets, so « never ends a line.
            s = s.replace("« ", "«" + NBSP).replace(" »", NBSP + "»")
        if self.unicode_font:
            return s
        for a, b in LATIN1_FOLD.items():
            s = s.replace(a, b)
        s = re.sub(r"€(?=\d)", "EUR ", s).replace("M€", "M EUR").replace("€", "EUR")
        return s.encode("latin-1", "replace").decode("latin-1")

    def header(self):
        top, sub = self.spec["header"]
        self.set_font(self.family, "B", 13)
        self.set_text_color(31, 78, 121)
        self.cell(0, 7, self.t(top), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(self.family, "", 8.5)
        self.set_text_color(90, 90, 90)
        self.cell(0, 5, self.t(sub), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_draw_color(31, 78, 121)
        self.line(self.l_margin, self.get_y() + 1, self.w - self.r_margin, self.get_y() + 1)
        self.ln(6)
        self.set_text_color(0, 0, 0)

    def footer(self):
        self.set_y(-14)
        self.set_font(self.family, "", 7.5)
        self.set_text_color(110, 110, 110)
        text = self.spec["footer"].replace("{page}", str(self.page_no()))
        self.cell(0, 5, self.t(text), align="C")
        self.set_text_color(0, 0, 0)

    # one block, in a column of width w starting at x
    def block(self, b, x: float, w: float):
        kind = b[0]
        align = "J" if self.spec.get("justify") else "L"
        self.set_x(x)
        if kind == "title":
            self.set_font(self.family, "B", 16)
            self.multi_cell(w, 7.5, self.t(b[1]), new_x=XPos.LEFT, new_y=YPos.NEXT)
            self.ln(2)
        elif kind == "subtitle":
            self.set_font(self.family, "I", 11)
            self.multi_cell(w, 6, self.t(b[1]), new_x=XPos.LEFT, new_y=YPos.NEXT)
            self.ln(3)
        elif kind == "kicker":
            self.set_font(self.family, "B", 10)
            self.multi_cell(w, 5.5, self.t(b[1]), new_x=XPos.LEFT, new_y=YPos.NEXT)
        elif kind == "h":
            self.ln(1.5)
            self.set_x(x)  # ln() returns to the left margin: stay in this block's column
            self.set_font(self.family, "B", 11)
            self.set_text_color(31, 78, 121)
            self.multi_cell(w, 6, self.t(b[1]), new_x=XPos.LEFT, new_y=YPos.NEXT)
            self.set_text_color(0, 0, 0)
            self.ln(0.5)
        elif kind == "p":
            self.set_font(self.family, "", 10)
            self.multi_cell(w, 5.2, self.t(b[1]), align=align, new_x=XPos.LEFT, new_y=YPos.NEXT)
            self.ln(2.2)
        elif kind == "quote":
            self.set_font(self.family, "I", 9.5)
            self.multi_cell(w, 5, self.t(b[1]), align="R", new_x=XPos.LEFT, new_y=YPos.NEXT)
            self.ln(2)
        elif kind == "small":
            self.set_font(self.family, "", 8.5)
            self.multi_cell(w, 4.6, self.t(b[1]), new_x=XPos.LEFT, new_y=YPos.NEXT)
            self.ln(1)
        elif kind == "space":
            self.ln(b[1])
        elif kind == "pagebreak":
            self.add_page()
        elif kind == "table":
            _, head, rows, widths = b
            self.set_font(self.family, "", 10)
            with self.table(col_widths=widths, width=sum(widths), align="LEFT",
                            text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT"),
                            line_height=6.5, first_row_as_headings=True) as table:
                for data_row in [head] + rows:
                    row = table.row()
                    for item in data_row:
                        row.cell(self.t(item))
            self.ln(2)
        elif kind == "cols":
            _, left, right = b
            gap = 8
            cw = (self.w - self.l_margin - self.r_margin - gap) / 2
            y0 = self.get_y()
            # A vertical rule between the columns, drawn first so it is not between the texts.
            self.set_draw_color(180, 180, 180)
            self.line(self.l_margin + cw + gap / 2, y0, self.l_margin + cw + gap / 2, y0 + 200)
            self.set_xy(self.l_margin, y0)
            for sub in left:
                self.block(sub, self.l_margin, cw)
            y_left = self.get_y()
            self.set_xy(self.l_margin + cw + gap, y0)
            for sub in right:
                self.block(sub, self.l_margin + cw + gap, cw)
            self.set_xy(self.l_margin, max(y_left, self.get_y()))
        else:
            raise ValueError(f"unknown block {kind!r}")


def build(spec: dict, out_dir: Path, unicode_font: bool) -> Path:
    pdf = Doc(spec, unicode_font)
    pdf.set_title(spec["meta_title"])
    pdf.set_author(spec["author"])
    pdf.set_creator("Provence Promotion - service communication")
    pdf.set_producer("fpdf2 (pressfacts sample corpus)")
    pdf.set_lang(spec["lang"])
    pdf.set_creation_date(spec["date"].replace(tzinfo=dt.timezone.utc))
    pdf.add_page()
    for b in spec["blocks"]:
        pdf.block(b, pdf.l_margin, pdf.w - pdf.l_margin - pdf.r_margin)
    path = out_dir / spec["file"]
    pdf.output(str(path))
    return path


def extract(path: Path) -> str:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(path))
    try:
        return "\n\f\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    finally:
        doc.close()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--check", action="store_true", help="print the text pypdfium2 extracts")
    ap.add_argument("--core-font", action="store_true", help="force Helvetica (Latin-1) even if DejaVu exists")
    a = ap.parse_args(argv)
    unicode_font = (DEJAVU / "DejaVuSans.ttf").is_file() and not a.core_font
    a.out.mkdir(parents=True, exist_ok=True)
    for spec in DOCS:
        path = build(spec, a.out, unicode_font)
        print(f"wrote {path}")
        if a.check:
            print(extract(path))
            print("=" * 72)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
