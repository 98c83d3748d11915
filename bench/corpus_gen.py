"""A synthetic press corpus from templates: thousands of articles, every format, both languages.

    python bench/corpus_gen.py bench/out/corpus-1000 1000

Articles are deterministic for a given (index, seed): the same call writes the same bytes. Each
one is a press article about an investment agency's yearly results, leadership and company
implantations, with figures in the ways the press writes them ("1 240", "1,240", "près de 70",
"3,2 millions d'euros"), people's names, and the boilerplate of real pages (menus, share
buttons, cookie notices, "read also" teasers, footers). Formats: HTML pages (45 %), text
scrapes (40 %), PDF releases made with fpdf2 (15 %); French 55 %, English 45 %.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

AGENCIES = ["Provence Promotion", "AD Normandie", "Invest in Toulouse", "Aderly", "Team Côte d'Azur",
            "Nantes Saint-Nazaire Développement", "Grenoble Alpes Invest", "Invest in Bordeaux"]
FIRST = ["Jean-Luc", "Solange", "Philippe", "Marie", "Bernard", "Christine", "Laurent", "Sophie", "Olivier",
         "Nathalie", "Thierry", "Isabelle", "Frédéric", "Claire", "Patrick", "Anne", "Didier", "Hélène"]
LAST = ["Chauvin", "Biaggi", "Stefanini", "Maury", "Deflesselles", "Gachon", "Pfister", "Guérini", "Martin",
        "Lefèvre", "Roux", "Fabre", "Giraud", "Bonnet", "Mercier", "Castagné", "Arnaud", "Blanc"]
COMPANIES = ["Nexalis", "Biotech Sud", "Helios Robotics", "Marinova", "Datacore Systems", "Infosys", "Sotrix",
             "Aerolis", "Kinetix Labs", "Celtic Foods", "Vertigo Games", "Azura Pharma", "Lumen Optics",
             "Boreal Energy", "Quantix", "Medisys", "Orbital Works", "Greenloop"]
COUNTRIES = {"fr": ["des États-Unis", "d'Inde", "d'Allemagne", "du Japon", "d'Italie", "du Royaume-Uni"],
             "en": ["the United States", "India", "Germany", "Japan", "Italy", "the United Kingdom"]}
PLACES = ["Marseille", "Aix-en-Provence", "La Ciotat", "Vitrolles", "Aubagne", "Rousset", "Istres", "Martigues"]
ROLES = {"fr": ["président", "directeur général", "vice-président"], "en": ["president", "general director",
                                                                             "vice president"]}
FR_MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin"]
EN_MONTHS = ["January", "February", "March", "April", "May", "June"]

FILLER = {
    "fr": [
        "Le territoire mise sur ses atouts : un port de premier plan, un aéroport international et un tissu universitaire dense.",
        "Les filières du numérique, de la santé et de l'énergie restent les plus dynamiques selon les équipes de l'agence.",
        "La rareté du foncier économique demeure le principal frein évoqué par les investisseurs rencontrés.",
        "Plusieurs dossiers importants sont encore en cours d'instruction et pourraient aboutir dans les prochains mois.",
        "L'agence travaille en lien étroit avec les collectivités, les chambres consulaires et les acteurs du développement économique.",
        "Les délégations étrangères reçues cette année venaient surtout d'Europe du Nord et d'Amérique du Nord.",
        "La qualité de vie et l'ensoleillement sont souvent cités parmi les arguments qui ont emporté la décision.",
        "Les entreprises accueillies bénéficient d'un accompagnement sur mesure, du choix du site au recrutement.",
        "Le conseil d'administration a validé la stratégie présentée lors de l'assemblée générale.",
        "Les partenaires ont salué la mobilisation des équipes malgré un contexte économique incertain.",
    ],
    "en": [
        "The territory relies on its assets: a leading port, an international airport and a dense university network.",
        "Digital, health and energy remain the most dynamic sectors according to the agency's teams.",
        "The scarcity of business land remains the main obstacle mentioned by the investors met.",
        "Several large projects are still under review and could be completed in the coming months.",
        "The agency works closely with local authorities, chambers of commerce and economic development players.",
        "Most of the foreign delegations received this year came from Northern Europe and North America.",
        "Quality of life and sunshine are often cited among the arguments that tipped the decision.",
        "Companies receive tailored support, from the choice of a site to recruitment.",
        "The board of directors approved the strategy presented at the general meeting.",
        "Partners praised the commitment of the teams despite an uncertain economic context.",
    ],
}
BOILER = {
    "fr": ["Aller au contenu principal", "Menu", "Rechercher", "Accueil › Économie › Attractivité",
           "Partagez sur Facebook Partagez sur Twitter Partagez sur LinkedIn",
           "Lire aussi : Foncier économique : la Métropole recense ses dernières réserves",
           "Abonnez-vous à notre newsletter", "Mentions légales | Contact | Plan du site"],
    "en": ["Skip to main content", "Menu", "Search", "Home › Business › Investment",
           "Share on Facebook Share on Twitter Share on LinkedIn",
           "Read also: Business land: the metropolis lists its last reserves",
           "Subscribe to our newsletter", "Legal notice | Contact | Sitemap"],
}


def _fig(r: random.Random, n: int, lang: str) -> str:
    """A number as the press writes it: 1 240 / 1,240 / 1240, sometimes with an approximation."""
    style = r.random()
    if n >= 1000 and style < 0.5:
        s = f"{n:,}".replace(",", "\u202f" if lang == "fr" else ",")
    else:
        s = str(n)
    if r.random() < 0.2:
        s = ("près de " if lang == "fr" else "around ") + s
    return s


def _paragraphs(r: random.Random, lang: str, agency: str, year: int) -> tuple[str, list[str]]:
    person = f"{r.choice(FIRST)} {r.choice(LAST)}"
    role = r.choice(ROLES[lang])
    projects, jobs = r.randint(30, 120), r.randint(600, 3500)
    foreign, pct = r.randint(5, 40), r.randint(15, 45)
    budget = r.randint(20, 60) / 10
    target = projects + r.randint(-10, 20)
    company, place = r.choice(COMPANIES), r.choice(PLACES)
    origin, hires = r.choice(COUNTRIES[lang]), r.randint(15, 300)
    if lang == "fr":
        title = f"{agency} : {projects} projets d'implantation en {year}"
        facts = [
            (f"En {year}, {agency} a accompagné {_fig(r, projects, lang)} projets d'implantation d'entreprises, "
             f"qui représentent {_fig(r, jobs, lang)} emplois créés ou maintenus sur le territoire."),
            f"{person}, {role} de {agency}, s'est félicité de ces résultats lors de la présentation du bilan annuel.",
            f"Les investisseurs étrangers sont à l'origine de {foreign} projets, soit {pct} % du total.",
            f"Le budget de l'agence s'élève à {str(budget).replace('.', ',')} millions d'euros.",
            f"La société {company}, originaire {origin}, s'installe à {place} avec {hires} emplois à la clé.",
            f"L'objectif pour {year + 1} est d'atteindre {target} projets d'implantation.",
        ]
    else:
        title = f"{agency}: {projects} investment projects in {year}"
        facts = [
            (f"In {year}, {agency} supported {_fig(r, projects, lang)} business location projects, "
             f"representing {_fig(r, jobs, lang)} jobs created or maintained in the area."),
            f"{person}, {role} of {agency}, welcomed these results when presenting the annual report.",
            f"Foreign investors account for {foreign} projects, or {pct}% of the total.",
            f"The agency's budget amounts to {budget} million euros.",
            f"{company}, a company from {origin}, is setting up in {place} with {hires} jobs.",
            f"The target for {year + 1} is to reach {target} investment projects.",
        ]
    filler = FILLER[lang][:]
    r.shuffle(filler)
    paras = []
    for i, fact in enumerate(facts):
        extra = filler[i % len(filler):i % len(filler) + r.randint(1, 3)]
        paras.append(" ".join([fact, *extra]))
    paras += [" ".join(filler[j:j + 3]) for j in range(0, r.randint(3, 9), 3)]
    return title, paras


def _date(r: random.Random, year: int, lang: str) -> tuple[str, str]:
    month, day = r.randint(1, 6), r.randint(1, 28)
    iso = f"{year + 1}-{month:02d}-{day:02d}"
    human = f"{day} {FR_MONTHS[month - 1]} {year + 1}" if lang == "fr" else f"{EN_MONTHS[month - 1]} {day}, {year + 1}"
    return iso, human


def _html(lang: str, title: str, iso: str, paras: list[str]) -> bytes:
    b = BOILER[lang]
    body = "\n".join(f"    <p>{p}</p>" for p in paras)
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{title} | Le Journal Éco</title>
<meta property="article:published_time" content="{iso}T08:00:00+01:00"></head>
<body><div class="cookies"><p>{'Nous utilisons des cookies pour améliorer votre expérience.' if lang == 'fr' else 'We use cookies to improve your experience.'}</p></div>
<nav><a href="/">{b[1]}</a> <a href="/s">{b[2]}</a> <span>{b[3]}</span></nav>
<main><article><h1>{title}</h1><time datetime="{iso}">{iso}</time>
{body}
    <p class="share">{b[4]}</p><aside><p>{b[5]}</p></aside>
</article></main><footer><p>{b[6]}</p><p>{b[7]}</p></footer></body></html>
""".encode()


def _text(lang: str, title: str, human: str, paras: list[str]) -> bytes:
    b = BOILER[lang]
    lines = [b[0], b[1], b[2], b[3], "", title, "", b[4], human, "", *[p + "\n" for p in paras[:3]], b[5], "",
             *[p + "\n" for p in paras[3:]], b[6], b[7]]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _pdf(lang: str, title: str, human: str, paras: list[str]) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_creation_date(__import__("datetime").datetime(2020, 1, 1, tzinfo=__import__("datetime").timezone.utc))
    font = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    if font.is_file():
        pdf.add_font("dejavu", fname=str(font))
        pdf.set_font("dejavu", size=10)
    else:  # core font: Latin-1 only
        pdf.set_font("helvetica", size=10)
        title, human = (s.encode("latin-1", "replace").decode("latin-1") for s in (title, human))
        paras = [p.replace("\u202f", " ").encode("latin-1", "replace").decode("latin-1") for p in paras]
    pdf.add_page()
    pdf.multi_cell(0, 6, ("COMMUNIQUÉ DE PRESSE" if lang == "fr" else "PRESS RELEASE") + f" - {human}")
    pdf.ln(2)
    pdf.multi_cell(0, 7, title)
    pdf.ln(3)
    for p in paras:
        pdf.multi_cell(0, 5, p)
        pdf.ln(2)
    return bytes(pdf.output())


def article(i: int, seed: int = 6) -> tuple[str, bytes]:
    """File name and bytes of article number `i`."""
    r = random.Random(seed * 1_000_003 + i)
    lang = "fr" if r.random() < 0.55 else "en"
    agency = AGENCIES[0] if r.random() < 0.6 else r.choice(AGENCIES[1:])
    year = r.randint(2006, 2023)
    title, paras = _paragraphs(r, lang, agency, year)
    iso, human = _date(r, year, lang)
    kind = r.random()
    if kind < 0.45:
        return f"a{i:06d}-{lang}.html", _html(lang, title, iso, paras)
    if kind < 0.85:
        return f"a{i:06d}-{lang}.txt", _text(lang, title, human, paras)
    return f"a{i:06d}-{lang}.pdf", _pdf(lang, title, human, paras)


def make_corpus(folder: Path, n: int, seed: int = 6) -> Path:
    """Write n articles into folder (in sub-folders of 1,000), skipping those already there."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = folder.with_name(folder.name + ".complete")  # beside it: a file inside would be an input
    if stamp.exists() and stamp.read_text() == f"{n} {seed}":
        return folder
    for i in range(n):
        sub = folder / f"part{i // 1000:03d}"
        sub.mkdir(exist_ok=True)
        name, data = article(i, seed)
        (sub / name).write_bytes(data)
    stamp.write_text(f"{n} {seed}")
    return folder


if __name__ == "__main__":
    make_corpus(Path(sys.argv[1]), int(sys.argv[2]))
