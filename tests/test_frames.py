"""Frame rules (pipeline/extraction/frames.py, models/frames.yaml) end to end, on invented sentences.

Each case is a small French or English article run through the real pipeline: facts that must
come out, and facts that must not. A `None` in an absent pattern matches any value.
"""

from __future__ import annotations

import pytest

PP = "Provence Promotion"
ANY = None

HEAD = {
    "fr": "Bilan de l'agence\n\nJeudi 10 mars 2022\n\n",
    "en": "Agency results\n\nThursday 10 March 2022\n\n",
}


def article(lang: str, body: str) -> str:
    return HEAD[lang] + body + "\n"


def metrics(doc):
    return {(f.subject, f.metric, f.period, f.status, f.value) for f in doc.facts if f.kind == "metric"}


def matches(pattern, fact) -> bool:
    return all(p is None or p == v for p, v in zip(pattern, fact))


def case(id_, lang, body, expected, absent):
    return pytest.param(lang, body, expected, absent, id=id_)


CASES = [
    # 1. A time expression is not the counted noun.
    case("01-time-fr-target-counts-implantations", "fr",
         "Provence Promotion veut hisser le nombre d'implantations à 90 dès l'an prochain.",
         {(PP, "location_projects", "2023", "target", 90)},
         {(PP, "location_projects", ANY, "actual", 90)}),
    case("01-time-fr-compared-with-jobs", "fr",
         "En 2021, Provence Promotion a accompagné 66 projets porteurs de 2 300 emplois, "
         "contre quelque 1 900 l'année précédente.",
         {(PP, "jobs_created", "2021", "actual", 2300), (PP, "jobs_created", "2020", "actual", 1900)},
         {(PP, "jobs_created", "2021", ANY, 1900)}),
    case("01-time-en-compared-with-jobs", "en",
         "In 2021, Invest in Provence supported 66 projects bringing 2,300 jobs, "
         "compared with nearly 1,900 the year before.",
         {(PP, "jobs_created", "2021", "actual", 2300), (PP, "jobs_created", "2020", "actual", 1900)},
         {(PP, "jobs_created", "2021", ANY, 1900)}),

    # 2. A coordinated clause with its own subject is a separate statement.
    case("02-conj-fr-own-subject", "fr",
         "En 2021, Provence Promotion a accompagné 58 entreprises. "
         "Elles prévoient de créer 410 emplois, et 55 emplois existants ont été maintenus.",
         {(PP, "jobs_created", "2021", "actual", 410), (PP, "jobs_maintained", "2021", "actual", 55)},
         {(PP, ANY, ANY, "target", 410), (PP, ANY, ANY, "target", 55), (PP, "jobs_total", ANY, ANY, 55)}),
    case("02-conj-en-own-subject", "en",
         "In 2021, Invest in Provence supported 58 companies. "
         "They plan to create 410 jobs, and 55 existing jobs were saved.",
         {(PP, "jobs_created", "2021", "actual", 410), (PP, "jobs_maintained", "2021", "actual", 55)},
         {(PP, ANY, ANY, "target", 410), (PP, ANY, ANY, "target", 55), (PP, "jobs_total", ANY, ANY, 55)}),

    # 3. Plural pronoun subjects stand for the companies.
    case("03-pronoun-fr-elles", "fr",
         "En 2021, Provence Promotion a accompagné 53 entreprises. Elles projettent de créer 870 emplois.",
         {(PP, "jobs_created", "2021", "actual", 870)},
         {(PP, "jobs_created", ANY, "target", 870)}),
    case("03-pronoun-en-they", "en",
         "In 2021, Invest in Provence supported 53 companies. They plan to create 870 jobs.",
         {(PP, "jobs_created", "2021", "actual", 870)},
         {(PP, "jobs_created", ANY, "target", 870)}),

    # 4. Clitic "en" inherits the noun of the figure before (English: the goal's elided noun).
    case("04-clitic-fr-en", "fr",
         "En 2021, 72 sociétés se sont installées grâce à Provence Promotion, "
         "alors que l'agence n'en escomptait que 60.",
         {(PP, "location_projects", "2021", "actual", 72), (PP, "location_projects", "2021", "target", 60)},
         {(PP, "location_projects", ANY, "actual", 60)}),
    case("04-clitic-en-elided-goal", "en",
         "In 2021, 72 firms settled in the region with Invest in Provence, "
         "whereas the agency had only budgeted for 60.",
         {(PP, "location_projects", "2021", "actual", 72), (PP, "location_projects", "2021", "target", 60)},
         {(PP, "location_projects", ANY, "actual", 60)}),

    # 5. A goal figure with no noun inherits the class of the figure before it.
    case("05-goal-fr-objectif-fixe", "fr",
         "En 2021, les projets accompagnés par Provence Promotion totalisent 1 450 emplois, "
         "pour un objectif fixé à 1 250.",
         {(PP, "jobs_created", "2021", "actual", 1450), (PP, "jobs_created", "2021", "target", 1250)},
         {(PP, ANY, ANY, "actual", 1250)}),
    case("05-goal-en-goal-set-at", "en",
         "In 2021, Invest in Provence recorded 1,470 announced jobs, against a goal set at 1,250.",
         {(PP, "jobs_created", "2021", "actual", 1470), (PP, "jobs_created", "2021", "target", 1250)},
         {(PP, ANY, ANY, "actual", 1250)}),

    # 6. A goal announced after a colon; a cue after the colon governs its own figure.
    case("06-colon-fr-announced-goal", "fr",
         "63 projets et 1 420 emplois : voilà l'objectif de Provence Promotion pour 2022.",
         {(PP, "location_projects", "2022", "target", 63), (PP, "jobs_created", "2022", "target", 1420)},
         {(PP, ANY, ANY, "actual", 63), (PP, ANY, ANY, "actual", 1420)}),
    case("06-colon-en-announced-goal", "en",
         "Invest in Provence has set its course. "
         "63 projects and 1,420 jobs: that is what the agency is aiming for in 2022.",
         {(PP, "location_projects", "2022", "target", 63), (PP, "jobs_created", "2022", "target", 1420)},
         {(PP, ANY, ANY, "actual", 63), (PP, ANY, ANY, "actual", 1420)}),
    case("06-colon-fr-cue-governs-own-figure", "fr",
         "Provence Promotion a recensé 2 350 emplois annoncés en 2021 : l'agence vise désormais 2 700 en 2022.",
         {(PP, "jobs_created", "2021", "actual", 2350), (PP, "jobs_created", "2022", "target", 2700)},
         {(PP, ANY, ANY, "target", 2350)}),
    case("06-colon-en-cue-governs-own-figure", "en",
         "Invest in Provence logged 2,350 jobs announced in 2021: the agency now aims for 2,700 in 2022.",
         {(PP, "jobs_created", "2021", "actual", 2350), (PP, "jobs_created", "2022", "target", 2700)},
         {(PP, ANY, ANY, "target", 2350)}),

    # 7. A share of the projects as subject makes a jobs count a size class.
    case("07-fraction-fr-moitie-des-projets", "fr",
         "En 2021, Provence Promotion a accompagné 62 projets. La moitié des projets génèrent plus de 20 emplois.",
         {(PP, "location_projects", "2021", "actual", 62)},
         {(ANY, ANY, ANY, ANY, 20)}),
    case("07-fraction-en-two-thirds-of-the-projects", "en",
         "In 2021, Invest in Provence supported 62 projects. Two thirds of the projects involve more than 25 jobs.",
         {(PP, "location_projects", "2021", "actual", 62)},
         {(ANY, ANY, ANY, ANY, 25)}),

    # 8. A subject that carries the foreign qualifier gives a percent its foreign share.
    case("08-foreign-subject-fr", "fr",
         "En 2021, Provence Promotion a accompagné 62 projets. Les groupes étrangers en représentent 43 %. "
         "Les PME en représentent 31 %.",
         {(PP, "foreign_share_projects", "2021", "actual", 43)},
         {(ANY, "foreign_share_projects", ANY, ANY, 31)}),
    case("08-foreign-subject-en", "en",
         "In 2021, Invest in Provence supported 62 projects. Foreign investors account for 43% of the projects. "
         "Small firms account for 31% of the projects.",
         {(PP, "foreign_share_projects", "2021", "actual", 43)},
         {(ANY, "foreign_share_projects", ANY, ANY, 31)}),

    # 9. "ones" / "autres": an elided noun.
    case("09-elided-en-ones", "en",
         "In 2021, the companies supported by Invest in Provence announced 780 new jobs and kept 125 existing ones.",
         {(PP, "jobs_created", "2021", "actual", 780), (PP, "jobs_maintained", "2021", "actual", 125)},
         {(PP, "jobs_created", ANY, ANY, 125)}),
    case("09-elided-fr-autres", "fr",
         "En 2021, les entreprises accompagnées par Provence Promotion ont annoncé 780 nouveaux emplois "
         "et en ont maintenu 125 autres.",
         {(PP, "jobs_created", "2021", "actual", 780), (PP, "jobs_maintained", "2021", "actual", 125)},
         {(PP, "jobs_created", ANY, ANY, 125)}),

    # 10. Comparison participles, "up from", "ahead of".
    case("10-compare-en-compared-with", "en",
         "Invest in Provence supported 93 companies in 2021, compared with 81 in 2020.",
         {(PP, "location_projects", "2021", "actual", 93), (PP, "location_projects", "2020", "actual", 81)},
         {(PP, ANY, "2021", ANY, 81)}),
    case("10-compare-en-up-from", "en",
         "In 2021, Invest in Provence supported 93 companies, up from 74 the year before.",
         {(PP, "location_projects", "2021", "actual", 93), (PP, "location_projects", "2020", "actual", 74)},
         {(PP, ANY, "2021", ANY, 74)}),
    case("10-compare-en-ahead-of", "en",
         "Invest in Provence landed 93 projects in 2021, ahead of 86 in 2020.",
         {(PP, "location_projects", "2021", "actual", 93), (PP, "location_projects", "2020", "actual", 86)},
         {(PP, ANY, "2021", ANY, 86)}),

    # 11. A passive agent carries qualifiers and subject.
    case("11-agent-en-foreign-agent", "en",
         "In 2021, Invest in Provence supported 64 projects. Thirty of these projects were brought by foreign groups.",
         {(PP, "foreign_projects", "2021", "actual", 30)},
         {(PP, "location_projects", ANY, ANY, 30)}),
    case("11-agent-fr-foreign-agent", "fr",
         "En 2021, Provence Promotion a accompagné 64 projets. "
         "Trente de ces projets ont été portés par des groupes étrangers.",
         {(PP, "foreign_projects", "2021", "actual", 30)},
         {(PP, "location_projects", ANY, ANY, 30)}),
    case("11-agent-fr-promised-by-companies", "fr",
         "En 2021, 1 150 emplois ont été promis par les entreprises accompagnées par Provence Promotion.",
         {(PP, "jobs_created", "2021", "actual", 1150)},
         {(PP, ANY, ANY, "target", 1150)}),
    case("11-agent-en-promised-by-companies", "en",
         "In 2021, 1,150 jobs were promised by the companies supported by Invest in Provence.",
         {(PP, "jobs_created", "2021", "actual", 1150)},
         {(PP, ANY, ANY, "target", 1150)}),

    # 12. A participle whose understood subject is a foreign object.
    case("12-participle-en-representing", "en",
         "In 2021, Invest in Provence helped 43 international projects, representing 980 jobs.",
         {(PP, "foreign_projects", "2021", "actual", 43), (PP, "foreign_jobs", "2021", "actual", 980)},
         {(PP, "jobs_created", ANY, ANY, 980)}),
    case("12-participle-fr-generant", "fr",
         "En 2021, Provence Promotion a accompagné 43 projets internationaux, générant 980 emplois.",
         {(PP, "foreign_projects", "2021", "actual", 43), (PP, "foreign_jobs", "2021", "actual", 980)},
         {(PP, "jobs_created", ANY, ANY, 980)}),

    # 13. One company's figures are not the agency's tally.
    case("13-one-company-fr", "fr",
         "En 2021, Provence Promotion a accompagné 67 projets. Cette société créera 34 emplois d'ici trois ans.",
         {(PP, "location_projects", "2021", "actual", 67)},
         {(ANY, "jobs_created", ANY, ANY, 34)}),
    case("13-one-company-en", "en",
         "In 2021, Invest in Provence supported 67 projects. The company will create 34 jobs within three years.",
         {(PP, "location_projects", "2021", "actual", 67)},
         {(ANY, "jobs_created", ANY, ANY, 34)}),

    # 14. An implausible project count is a stock.
    case("14-stock-fr-network", "fr",
         "En 2021, Provence Promotion a accompagné 67 projets. "
         "Provence Promotion représente le premier réseau des 115 000 entreprises du département.",
         {(PP, "location_projects", "2021", "actual", 67)},
         {(ANY, ANY, ANY, ANY, 115000)}),
    case("14-stock-en-network", "en",
         "In 2021, Invest in Provence supported 67 projects. "
         "Invest in Provence represents the leading network of the 115,000 companies of the department.",
         {(PP, "location_projects", "2021", "actual", 67)},
         {(ANY, ANY, ANY, ANY, 115000)}),

    # 15. A noun of no class is not a share of projects.
    case("15-no-class-fr-temps", "fr",
         "En 2021, Provence Promotion a accompagné 67 projets. "
         "Les équipes de l'agence consacrent un quart de leur temps à l'étranger.",
         {(PP, "location_projects", "2021", "actual", 67)},
         {(ANY, "foreign_share_projects", ANY, ANY, ANY)}),
    case("15-no-class-en-time", "en",
         "In 2021, Invest in Provence supported 67 projects. "
         "The agency's staff spend a quarter of their working time abroad.",
         {(PP, "location_projects", "2021", "actual", 67)},
         {(ANY, "foreign_share_projects", ANY, ANY, ANY)}),

    # 16. "dont" (English "of which") is no counted noun.
    case("16-dont-fr", "fr",
         "En 2021, Provence Promotion a accompagné environ 85 nouvelles activités, "
         "dont 47 % sont portées par des entreprises étrangères.",
         {(PP, "location_projects", "2021", "actual", 85), (PP, "foreign_share_projects", "2021", "actual", 47)},
         {(PP, "location_projects", ANY, ANY, 47), (PP, "foreign_projects", ANY, ANY, 47)}),
    case("16-dont-en-of-which", "en",
         "In 2021, Invest in Provence supported some 85 new projects, of which 47% were brought by foreign companies.",
         {(PP, "location_projects", "2021", "actual", 85), (PP, "foreign_share_projects", "2021", "actual", 47)},
         {(PP, "location_projects", ANY, ANY, 47), (PP, "foreign_projects", ANY, ANY, 47)}),

    # 17. The "barre" / "bar" idiom is a target.
    case("17-bar-fr-passive", "fr",
         "En 2022, l'agence Provence Promotion a accueilli 68 projets. Pour 2023, la barre est fixée à 76 projets.",
         {(PP, "location_projects", "2022", "actual", 68), (PP, "location_projects", "2023", "target", 76)},
         {(PP, "location_projects", ANY, "actual", 76)}),
    case("17-bar-fr-active", "fr",
         "Pour 2023, Provence Promotion a placé la barre à 76 projets.",
         {(PP, "location_projects", "2023", "target", 76)},
         {(PP, "location_projects", ANY, "actual", 76)}),
    case("17-bar-en-raised", "en",
         "In 2022, Invest in Provence supported 68 projects. For 2023, the agency has raised the bar to 77 projects.",
         {(PP, "location_projects", "2022", "actual", 68), (PP, "location_projects", "2023", "target", 77)},
         {(PP, "location_projects", ANY, "actual", 77)}),

    # 18. Of leads handled and projects completed, the qualifier closer to the figure counts.
    case("18-handled-then-completed-fr", "fr",
         "En 2021, Provence Promotion a examiné 540 projets, dont 71 se sont concrétisés.",
         {(PP, "location_projects", "2021", "actual", 71)},
         {(ANY, ANY, ANY, ANY, 540)}),
    case("18-handled-then-completed-en", "en",
         "In 2021, Invest in Provence screened 540 projects, of which 71 were completed.",
         {(PP, "location_projects", "2021", "actual", 71)},
         {(ANY, ANY, ANY, ANY, 540)}),

    # 19. "Étrangères à la région", "from outside the region": not from abroad, a breakdown.
    case("19-exogenous-fr", "fr",
         "En 2021, Provence Promotion a accompagné 64 projets. "
         "Parmi eux, 30 entreprises étrangères à la région ont choisi le département.",
         {(PP, "location_projects", "2021", "actual", 64)},
         {(ANY, ANY, ANY, ANY, 30)}),
    case("19-exogenous-en", "en",
         "In 2021, Invest in Provence supported 64 projects. "
         "Among them, 30 companies from outside the region chose the department.",
         {(PP, "location_projects", "2021", "actual", 64)},
         {(ANY, ANY, ANY, ANY, 30)}),
    case("19-foreign-still-foreign-fr", "fr",
         "En 2021, Provence Promotion a accompagné 64 projets, dont 30 entreprises étrangères.",
         {(PP, "location_projects", "2021", "actual", 64), (PP, "foreign_projects", "2021", "actual", 30)},
         set()),

    # 20. Companies in difficulty the agency helps are rescues, not projects brought in.
    case("20-distress-fr", "fr",
         "En 2021, Provence Promotion a accompagné 64 projets et a soutenu 12 entreprises en difficulté.",
         {(PP, "location_projects", "2021", "actual", 64)},
         {(ANY, ANY, ANY, ANY, 12)}),
    case("20-distress-en", "en",
         "In 2021, Invest in Provence supported 64 projects and also helped 12 companies in difficulty.",
         {(PP, "location_projects", "2021", "actual", 64)},
         {(ANY, ANY, ANY, ANY, 12)}),

    # 21. "With N" attaches a figure as the measure of the clause's result, whatever the verb.
    case("21-with-adjunct-fr", "fr",
         "Provence Promotion a vécu une belle année 2021 avec 64 projets d'implantation.",
         {(PP, "location_projects", "2021", "actual", 64)},
         set()),
    case("21-with-adjunct-en", "en",
         "Invest in Provence enjoyed a strong year in 2021 with 64 new investment projects.",
         {(PP, "location_projects", "2021", "actual", 64)},
         set()),
    case("21-met-with-is-no-adjunct-en", "en",
         "In 2021, Invest in Provence met with 120 companies at trade fairs.",
         {(PP, "companies_met", "2021", "actual", 120)},
         {(PP, "location_projects", ANY, ANY, 120)}),

    # 22. "N of these projects": a part of a set counted before, a breakdown unless it says which part.
    case("22-of-these-en-breakdown", "en",
         "In 2021, Invest in Provence supported 64 projects. Marseille attracted 27 of these projects.",
         {(PP, "location_projects", "2021", "actual", 64)},
         {(ANY, ANY, ANY, ANY, 27)}),
    case("22-of-these-fr-breakdown", "fr",
         "En 2021, Provence Promotion a accompagné 64 projets. Marseille a attiré 27 de ces projets.",
         {(PP, "location_projects", "2021", "actual", 64)},
         {(ANY, ANY, ANY, ANY, 27)}),
    case("22-of-all-en-no-demonstrative", "en",
         "In 2021, Invest in Provence supported 64 of the projects it followed.",
         {(PP, "location_projects", "2021", "actual", 64)},
         set()),

    # 23. Two values for one cell in one document: the one the agency is said to have done wins.
    case("23-agency-figure-wins-fr", "fr",
         "En 2021, 75 entreprises se sont installées dans la région. "
         "La même année, Provence Promotion a accompagné 64 implantations dans le département.",
         {(PP, "location_projects", "2021", "actual", 64)},
         {(ANY, ANY, ANY, ANY, 75)}),
    case("23-agency-figure-wins-en", "en",
         "In 2021, 75 companies settled in the region. "
         "That year, Invest in Provence supported 64 projects in the department.",
         {(PP, "location_projects", "2021", "actual", 64)},
         {(ANY, ANY, ANY, ANY, 75)}),
    case("23-alone-it-stays-fr", "fr",
         "Provence Promotion publie son bilan. En 2021, 75 entreprises se sont installées dans le département.",
         {(PP, "location_projects", "2021", "actual", 75)},
         set()),

    # 24. The cause of a national result has its scope: the projects behind a nationwide rise.
    case("24-cause-of-national-en", "en",
         "In 2021, Invest in Provence supported 64 projects. The ministry hailed nationwide growth of 9%, "
         "driven by 1,450 foreign projects.",
         {(PP, "location_projects", "2021", "actual", 64)},
         {(ANY, ANY, ANY, ANY, 1450)}),
    case("24-cause-of-national-fr", "fr",
         "En 2021, Provence Promotion a accompagné 64 projets. Bercy annonce une progression nationale de 9 %, "
         "portée par 1 450 dossiers étrangers.",
         {(PP, "location_projects", "2021", "actual", 64)},
         {(ANY, ANY, ANY, ANY, 1450)}),
    case("24-cause-of-a-local-result-stays-en", "en",
         "In 2021, Invest in Provence posted a record year thanks to 64 new investment projects.",
         {(PP, "location_projects", "2021", "actual", 64)},
         set()),

    # 25. A figure coordinated with a qualifier word is no governor of it: "créés ou maintenus"
    # stays the jobs' even when the parser hangs the next amount on it.
    case("25-conjunct-does-not-block-fr", "fr",
         "En 2021, Provence Promotion a accompagné 80 projets représentant près de 2000 emplois "
         "créés ou maintenus et plus d'un milliard d'euros d'investissement.",
         {(PP, "jobs_total", "2021", "actual", 2000)},
         {(PP, "jobs_created", ANY, ANY, 2000)}),
    case("25-conjunct-does-not-block-en", "en",
         "Invest in Provence supported 70 projects in 2021, representing 2,400 jobs created or maintained "
         "and more than one billion euros of investment.",
         {(PP, "jobs_total", "2021", "actual", 2400), (PP, "location_projects", "2021", "actual", 70)},
         {(PP, "jobs_created", ANY, ANY, 2400)}),
    case("25-created-alone-stays-created-fr", "fr",
         "En 2021, Provence Promotion a accompagné 70 projets représentant 2 400 emplois créés "
         "et plus de 300 millions d'euros d'investissement.",
         {(PP, "jobs_created", "2021", "actual", 2400), (PP, "location_projects", "2021", "actual", 70)},
         {(PP, "jobs_total", ANY, ANY, 2400)}),

    # 26. "Since it was founded" in a clause that ranks the year dates the ranking: the figure is
    # that year's, not a running total.
    case("26-best-year-since-founding-fr", "fr",
         "Pour Provence Promotion, 2021 restera la meilleure année depuis sa fondation, avec 95 implantations "
         "accompagnées.",
         {(PP, "location_projects", "2021", "actual", 95)},
         {(PP, "cumulative_projects", ANY, ANY, 95)}),
    case("26-best-year-since-founding-en", "en",
         "In 2021, Invest in Provence had its best year since it was founded, with 95 projects supported.",
         {(PP, "location_projects", "2021", "actual", 95)},
         {(PP, "cumulative_projects", ANY, ANY, 95)}),
    case("26-best-for-eight-years-en", "en",
         "In 2021, Invest in Provence supported 70 projects, its best result for eight years.",
         {(PP, "location_projects", "2021", "actual", 70)},
         {(PP, "cumulative_projects", ANY, ANY, 70)}),
    case("26-running-total-stays-fr", "fr",
         "Depuis sa création, Provence Promotion a accompagné 1 500 projets.",
         {(PP, "cumulative_projects", "2022", "actual", 1500)},
         {(PP, "location_projects", ANY, ANY, 1500)}),
    case("26-running-total-stays-en", "en",
         "Since it was founded, Invest in Provence has supported 1,500 projects.",
         {(PP, "cumulative_projects", "2022", "actual", 1500)},
         {(PP, "location_projects", ANY, ANY, 1500)}),

    # 27. What a part shares with its whole does not say which part it is: a breakdown.
    case("27-part-shares-whole-qualifier-fr", "fr",
         "En 2021, Provence Promotion a accompagné 95 projets étrangers. L'industrie reste en tête des "
         "investissements étrangers, avec 60 projets sur 95.",
         {(PP, "foreign_projects", "2021", "actual", 95)},
         {(ANY, ANY, ANY, ANY, 60)}),
    case("27-part-shares-whole-qualifier-en", "en",
         "In 2021, Invest in Provence supported 95 foreign projects. Industry accounts for most of the "
         "foreign investment, with 60 of the 95 foreign projects.",
         {(PP, "foreign_projects", "2021", "actual", 95)},
         {(ANY, ANY, ANY, ANY, 60)}),
    case("27-part-that-says-which-stays-fr", "fr",
         "En 2021, Provence Promotion a accompagné 95 projets, dont 40 projets étrangers.",
         {(PP, "foreign_projects", "2021", "actual", 40), (PP, "location_projects", "2021", "actual", 95)},
         set()),

    # 28. A clitic at the start of the next sentence stands for the noun counted last ("elle en
    # comptait 80"); a time expression that opens a clause after a comma dates that clause.
    case("28-clitic-across-sentences-fr", "fr",
         "En 2021, Provence Promotion a accompagné 95 projets étrangers. En 2020, elle en comptait 80, "
         "en 2019, elle en comptait 70, et 60 pour 2018.",
         {(PP, "foreign_projects", "2020", "actual", 80), (PP, "foreign_projects", "2019", "actual", 70),
          (PP, "foreign_projects", "2018", "actual", 60)},
         {(PP, ANY, "2019", ANY, 80), (PP, ANY, "2018", ANY, 70)}),
    case("28-clitic-not-across-an-unrelated-sentence-fr", "fr",
         "En 2021, Provence Promotion a accompagné 95 projets étrangers. Le port est le premier de France. "
         "En 2020, elle en comptait 80.",
         {(PP, "foreign_projects", "2021", "actual", 95)},
         {(ANY, ANY, ANY, ANY, 80)}),
    case("28-agency-holding-without-a-year-fr", "fr",
         "En 2021, Provence Promotion a accompagné 64 projets. Elle comptait alors 300 entreprises dans son réseau.",
         {(PP, "location_projects", "2021", "actual", 64)},
         {(ANY, ANY, ANY, ANY, 300)}),
    case("28-fronted-year-dates-its-clause-en", "en",
         "Invest in Provence supported 80 projects in 2020, and in 2019, the agency supported 70 projects.",
         {(PP, "location_projects", "2020", "actual", 80), (PP, "location_projects", "2019", "actual", 70)},
         {(PP, ANY, "2019", ANY, 80), (PP, ANY, "2020", ANY, 70)}),

    # 29. Jobs in prospect with no agency expecting them are one project's forecast, no agency figure.
    case("29-prospect-of-one-project-fr", "fr",
         "Le chimiste allemand Ostwerk a choisi Fos-sur-Mer pour sa nouvelle usine. "
         "En perspective : 80 millions d'euros d'investissement et 150 emplois.",
         set(),
         {(ANY, ANY, ANY, ANY, 150)}),
    case("29-prospect-of-one-project-en", "en",
         "The German chemicals group Ostwerk chose Fos-sur-Mer for its new plant. "
         "In prospect: 80 million euros of investment and 150 jobs.",
         set(),
         {(ANY, ANY, ANY, ANY, 150)}),
    case("29-agency-year-with-jobs-in-prospect-stays-en", "en",
         "In 2021, Invest in Provence supported 70 projects, with 2,000 jobs in prospect.",
         {(PP, "jobs_created", "2021", "actual", 2000), (PP, "location_projects", "2021", "actual", 70)},
         set()),
    case("29-agency-target-stays-fr", "fr",
         "En perspective pour 2022, Provence Promotion vise 2 000 emplois.",
         {(PP, "jobs_created", "2022", "target", 2000)},
         set()),

    # 30. A clause after the comma that closes a part ("including 25 foreign ones,") is the whole's:
    # its jobs are not the part's foreign jobs.
    case("30-clause-after-closed-part-en", "en",
         "Invest in Provence reported 40 projects in 2021, including 25 foreign investments, that will create 900 jobs.",
         {(PP, "jobs_created", "2021", "actual", 900)},
         {(PP, "foreign_jobs", ANY, ANY, 900)}),
    case("30-clause-after-closed-part-fr", "fr",
         "Provence Promotion a accompagné 40 projets en 2021, dont 25 investissements étrangers, "
         "qui vont créer 900 emplois.",
         {(PP, "jobs_created", "2021", "actual", 900)},
         {(PP, "foreign_jobs", ANY, ANY, 900)}),
    case("30-clause-of-the-part-stays-foreign-fr", "fr",
         "Provence Promotion a accompagné 40 projets en 2021, dont 25 investissements étrangers qui vont créer 900 emplois.",
         {(PP, "foreign_jobs", "2021", "actual", 900)},
         set()),
    case("30-clause-of-a-foreign-whole-stays-foreign-en", "en",
         "In 2021, Invest in Provence supported 25 foreign projects, which will create 900 jobs.",
         {(PP, "foreign_jobs", "2021", "actual", 900)},
         set()),

    # 31. A figure over the last few years is neither one year's result nor a total since the founding.
    case("31-trailing-span-en", "en",
         "In 2021, Invest in Provence supported 70 projects. Over the last six years, the agency has supported "
         "350 projects in Toulon.",
         {(PP, "location_projects", "2021", "actual", 70)},
         {(ANY, ANY, ANY, ANY, 350)}),
    case("31-trailing-span-fr", "fr",
         "En 2021, Provence Promotion a accompagné 70 projets. Sur les six dernières années, l'agence a accompagné "
         "350 projets à Toulon.",
         {(PP, "location_projects", "2021", "actual", 70)},
         {(ANY, ANY, ANY, ANY, 350)}),
    case("31-since-founding-span-stays-cumulative-fr", "fr",
         "En 2021, Provence Promotion a accompagné 70 projets. En vingt ans, elle a attiré 1 500 entreprises.",
         {(PP, "cumulative_projects", "2021", "actual", 1500)},
         {(PP, "location_projects", ANY, ANY, 1500)}),

    # 32. Projects counted with the number of countries they come from are foreign, and so are
    # the jobs of a clause on that origin; not companies from many countries at a fair.
    case("32-projects-from-countries-en", "en",
         "Invest in Provence had a good year in 2021 with 96 projects from 31 countries that will generate 2,800 jobs.",
         {(PP, "foreign_projects", "2021", "actual", 96), (PP, "foreign_jobs", "2021", "actual", 2800)},
         {(PP, "location_projects", ANY, ANY, 96)}),
    case("32-projects-from-countries-fr", "fr",
         "En 2021, Provence Promotion a accompagné 96 projets venus de 31 pays, qui vont créer 2 800 emplois.",
         {(PP, "foreign_projects", "2021", "actual", 96), (PP, "foreign_jobs", "2021", "actual", 2800)},
         {(PP, "location_projects", ANY, ANY, 96)}),
    case("32-projects-in-towns-stay-local-en", "en",
         "In 2021, Invest in Provence supported 96 projects in 31 towns.",
         {(PP, "location_projects", "2021", "actual", 96)},
         {(PP, "foreign_projects", ANY, ANY, 96)}),
    case("32-exhibitors-from-countries-fr", "fr",
         "Au salon de Hanovre, quelque 4 000 entreprises venues de 70 pays présenteront leurs machines. "
         "Provence Promotion y tiendra un stand.",
         set(),
         {(ANY, ANY, ANY, ANY, 4000)}),

    # 33. A goal the agency had set itself, reported as missed, is still the goal; the revised one
    # after the semicolon is a target of its own ("by December" is the coming December), and no
    # part of the first ("une soixantaine de dossiers" is no whole: "de" is the quantity's).
    case("33-missed-goal-and-revision-fr", "fr",
         "Les 90 implantations que l'agence Provence Promotion s'était fixées pour 2022 ne seront pas atteintes ; "
         "la direction table désormais sur une soixantaine de dossiers d'ici décembre.",
         {(PP, "location_projects", "2022", "target", 90), (PP, "location_projects", "2022", "target", 60)},
         {(PP, ANY, ANY, "actual", 90)}),
    case("33-missed-goal-and-revision-en", "en",
         "The 90 projects Invest in Provence had set itself for 2022 will not be reached; the management now "
         "expects around 60 projects by December.",
         {(PP, "location_projects", "2022", "target", 90), (PP, "location_projects", "2022", "target", 60)},
         {(PP, ANY, ANY, "actual", 90)}),

    # 34. What follows a dash modifies the figure after it, not the one before it.
    case("34-dash-total-en", "en",
         "In 2021, Invest in Provence supported 64 projects. They plan 1,500 new jobs, and a further 120 "
         "existing jobs were kept - 1,620 jobs in all.",
         {(PP, "jobs_maintained", "2021", "actual", 120), (PP, "jobs_total", "2021", "actual", 1620)},
         {(PP, "jobs_total", ANY, ANY, 120)}),
    case("34-dash-total-fr", "fr",
         "En 2021, Provence Promotion a accompagné 64 projets. Ils prévoient 1 500 emplois nouveaux, et 120 "
         "emplois existants ont été maintenus – 1 620 emplois au total.",
         {(PP, "jobs_maintained", "2021", "actual", 120), (PP, "jobs_total", "2021", "actual", 1620)},
         {(PP, "jobs_total", ANY, ANY, 120)}),

    # 35. The members of a network, counted in the present with no year, are as of the writing.
    case("35-network-now-fr", "fr",
         "En 2019, Provence Promotion a accompagné 64 projets. L'agence s'appuie sur son réseau "
         "d'ambassadeurs, qui fédère près de 400 chefs d'entreprise.",
         {(PP, "network_members", "2022", "actual", 400)},
         {(PP, "network_members", "2019", ANY, 400)}),
    case("35-network-now-en", "en",
         "In 2019, Invest in Provence supported 64 projects. The agency relies on its network of "
         "ambassadors, which brings together some 400 business leaders.",
         {(PP, "network_members", "2022", "actual", 400)},
         {(PP, "network_members", "2019", ANY, 400)}),
    case("35-network-dated-stays-fr", "fr",
         "En 2019, Provence Promotion a accompagné 64 projets. En 2019, son réseau d'ambassadeurs fédérait 350 membres.",
         {(PP, "network_members", "2019", "actual", 350)},
         set()),

    # 36. The agent of a passive clause qualifies its subject, not a figure in its adjunct ("was
    # marked by strong growth, with 48 % of ..." is a share, not a change); the agent of a bare
    # participle qualifies the figure it modifies ("dont 800 promis par des sociétés étrangères").
    case("36-adjunct-of-passive-en", "en",
         "In 2021, Invest in Provence supported 64 projects. The year was marked by strong growth, "
         "with 48% of the projects coming from abroad.",
         {(PP, "foreign_share_projects", "2021", "actual", 48)},
         set()),
    case("36-adjunct-of-passive-fr", "fr",
         "En 2021, Provence Promotion a accompagné 64 projets. L'année a été marquée par une forte hausse, "
         "avec 48 % des projets venus de l'étranger.",
         {(PP, "foreign_share_projects", "2021", "actual", 48)},
         set()),
    case("36-agent-of-participle-fr", "fr",
         "En 2021, Provence Promotion a accompagné 64 projets porteurs de 1 500 emplois, dont 800 promis par "
         "des sociétés extérieures à la France.",
         {(PP, "foreign_jobs", "2021", "actual", 800), (PP, "location_projects", "2021", "actual", 64),
          (PP, "jobs_created", "2021", "actual", 1500)},
         {(PP, ANY, ANY, "target", ANY)}),
    # ... and the verb of that part is not a goal of the whole ("promised" is the 800's)
    case("36-part-verb-is-not-the-whole-goal-en", "en",
         "In 2021, Invest in Provence supported 64 projects, bringing 1,500 jobs, of which 800 were promised "
         "by companies from abroad.",
         {(PP, "foreign_jobs", "2021", "actual", 800), (PP, "jobs_created", "2021", "actual", 1500)},
         {(PP, ANY, ANY, "target", ANY)}),

    # 37. A list of companies as the subject stands for the year's projects, not one company.
    case("37-listed-companies-fr", "fr",
         "En 2021, Provence Promotion a accompagné 64 projets. Parmi eux, Airbus Helicopters (maintenance), "
         "Thales Alenia Space ou encore Safran et Dassault Systèmes ont choisi d'ouvrir un site à Marseille "
         "en 2021, avec à la clé 900 créations d'emplois.",
         {(PP, "jobs_created", "2021", "actual", 900)},
         {(ANY, "hires", ANY, ANY, 900)}),
    case("37-listed-companies-en", "en",
         "In 2021, Invest in Provence supported 64 projects. Among them, Airbus Helicopters (maintenance), "
         "Thales Alenia Space and Dassault Systèmes chose to open a site in Marseille in 2021, bringing 900 new jobs.",
         {(PP, "jobs_created", "2021", "actual", 900)},
         {(ANY, "hires", ANY, ANY, 900)}),

    # 38. Companies taken through to their decision are completed projects, whatever the verb.
    case("38-through-to-decision-en", "en",
         "Invest in Provence had a better 2021, when the agency took 68 companies through to a final decision, "
         "up from 60 a year earlier.",
         {(PP, "location_projects", "2021", "actual", 68), (PP, "location_projects", "2020", "actual", 60)},
         set()),
    case("38-through-to-decision-fr", "fr",
         "En 2021, Provence Promotion a conduit 68 entreprises jusqu'à la décision finale.",
         {(PP, "location_projects", "2021", "actual", 68)},
         set()),
    case("38-taken-to-a-fair-is-no-result-fr", "fr",
         "En 2021, Provence Promotion a conduit 68 entreprises jusqu'au salon de Hanovre.",
         set(),
         {(ANY, ANY, ANY, ANY, 68)}),
]


@pytest.mark.parametrize("lang, body, expected, absent", CASES)
def test_frame_rules(run_text, lang, body, expected, absent):
    found = metrics(run_text(article(lang, body)))
    assert expected <= found, f"missing {expected - found}; found {sorted(found, key=str)}"
    wrong = {f for f in found for p in absent if matches(p, f)}
    assert not wrong, f"unexpected {wrong}"


UNDATED = {
    "en": ("Invest in Provence results\n\nIn 2021, Invest in Provence supported 70 projects bringing 1,900 jobs. "
           "This is a little below last year, when its projects brought 2,050 jobs.\n", 2050),
    "fr": ("Bilan de Provence Promotion\n\nEn 2021, Provence Promotion a accompagné 70 projets porteurs de 1 900 "
           "emplois. L'an dernier, l'agence avait accompagné 64 projets.\n", 64),
}


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_past_year_of_an_undated_document_is_unresolved(run_text, lang):
    """"Last year" in a document with no date names no year we can tell: the figure keeps no
    period (it enters no history cell) instead of taking the year of the sentence before."""
    text, value = UNDATED[lang]
    doc = run_text(text)
    assert doc.published is None
    found = metrics(doc)
    assert (PP, "location_projects", "2021", "actual", 70) in found
    assert {f for f in found if f[4] == value} and all(f[2] is None for f in found if f[4] == value), found


def test_past_year_of_a_dated_document_resolves(run_text):
    doc = run_text("Bilan de Provence Promotion\n\nJeudi 10 mars 2022\n\nL'an dernier, Provence Promotion a "
                   "accompagné 64 projets.\n")
    assert (PP, "location_projects", "2021", "actual", 64) in metrics(doc)


AS_OF_WRITING = {
    "en": ("Invest in Provence, twenty years on\n\n{origin}, Invest in Provence has brought in 1,500 companies. "
           "The agency recently presented its results for 2021: 70 companies settled in the region. "
           "The board met on 12 April 2022 in Marseille.\n",
           "Since it was founded 20 years ago", "Since it was founded in 2002"),
    "fr": ("Provence Promotion a vingt ans\n\n{origin}, Provence Promotion a attiré 1 500 entreprises. "
           "L'agence a présenté ses résultats 2021 : 70 entreprises se sont implantées dans la région. "
           "Le conseil d'administration s'est réuni le 12 avril 2022 à Marseille.\n",
           "Depuis sa création il y a vingt ans", "Depuis sa création en 2002"),
}


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_running_total_counted_to_the_time_of_writing(run_text, lang):
    """A running total counted from the time of writing ("founded 20 years ago") is as of the year
    the document was written: undated, the latest full date it gives; one counted from a stated
    founding year stays as of the year the article reports on."""
    text, relative, absolute = AS_OF_WRITING[lang]
    written = metrics(run_text(text.format(origin=relative)))
    assert (PP, "cumulative_projects", "2022", "actual", 1500) in written, written
    assert (PP, "location_projects", "2021", "actual", 70) in written
    stated = metrics(run_text(text.format(origin=absolute)))
    assert (PP, "cumulative_projects", "2021", "actual", 1500) in stated, stated


FIRM_CONTEXT = {
    "fr": "Bilan\n\nEn 2020, Provence Promotion a accompagné 60 projets. Tout annonce une excellente année {year}. "
          "« Nous devrions implanter 70 projets cette année », a dit son président.\n",
    "en": "Results\n\nIn 2020, Invest in Provence supported 60 projects. Everything points to an excellent {year}. "
          "\"We should bring in 70 projects this year,\" its president said.\n",
}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_this_year_of_an_undated_results_article(run_text, lang):
    """Undated, "this year" after a sentence on the year following the results the article reports
    is that year, read twice: a firm reading (it can raise a conflict); a context year that is not
    the year after the results stays a weak one."""
    from pipeline.records import FIRM_CONFIDENCE

    def target(doc):
        return [f for f in doc.facts if f.kind == "metric" and f.value == 70]

    agreed = target(run_text(FIRM_CONTEXT[lang].format(year=2021)))
    assert [(f.period, f.status) for f in agreed] == [("2021", "target")]
    assert agreed[0].confidence >= FIRM_CONFIDENCE
    if lang == "fr":
        alone = target(run_text(FIRM_CONTEXT[lang].format(year=2024)))
        assert alone and alone[0].confidence < FIRM_CONFIDENCE
