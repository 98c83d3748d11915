"""pipeline/query.py: filters over facts.db, parameterized only (tests/data/factbase)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from pipeline import query as q

DATA = Path(__file__).parent / "data" / "factbase"
INJECTIONS = ["'; DROP TABLE facts; --", '" OR 1=1', "' OR '1'='1", "%", "_", "x') OR 1=1 --", "*", "NEAR(a b)"]


@pytest.fixture(scope="module")
def db_path(factbase_db) -> Path:
    return factbase_db


@pytest.fixture()
def db(db_path):
    return q.open_db(db_path)


def _ids(rows):
    return sorted(r["fact_id"] for r in rows)


@pytest.mark.parametrize("spec, expected", [("2014", (2014, 2014)), ("2010-2015", (2010, 2015)),
                                            (" 2010 – 2015 ", (2010, 2015))])
def test_query_parse_years(spec, expected):
    assert q.parse_years(spec) == expected


@pytest.mark.parametrize("spec", ["14", "2015-2010", "last year", "2014; DROP TABLE facts"])
def test_query_parse_years_rejects(spec):
    with pytest.raises(q.QueryError):
        q.parse_years(spec)


@pytest.mark.parametrize(
    "filters, expected",
    [
        ({"org": "provence promotion", "metric": "location_projects"}, 6),
        ({"org": "CCI Marseille"}, 1),  # a role's org
        ({"org": "infosys"}, 1),  # an implantation's company
        ({"person": "stefanini"}, 1),  # accents and case optional
        ({"person": "Chauvin"}, 2),
        ({"metric": "location_projects", "year": "2014"}, 2),
        ({"metric": "location_projects", "year": "2015-2021"}, 3),
        ({"kind": "role", "year": "2015"}, 2),  # a role's year is its as_of date
        ({"status": "target"}, 2),
        ({"lang": "en"}, 3),
        ({"text": "developpement"}, 2),
        ({"text": "près de"}, 4),  # two sentences, two facts each
        ({"org": "Provence Promotion", "limit": 3}, 3),
    ],
)
def test_query_find_facts_filters(db, filters, expected):
    rows = q.find_facts(db, q.FactQuery(**filters))
    assert len(rows) == expected
    assert all(r["sentence"] and r["source"] for r in rows)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("emploi", 4), ("emplois", 4),  # French plural and singular: one stem
        ("job", 1), ("jobs", 1),  # English too
        ("entreprise", 2), ("etrangeres", 2), ("Étrangères", 2),  # accents optional, either way
        ("implant*", 3), ("proj*", 5),  # prefixes
        ("emploi OR jobs", 5), ("emploi or jobs", 5), ("emploi | jobs", 5),  # alternatives
        ("emplois 77", 2),  # every term
        ('"près de" -emplois', 2),  # a phrase, an exclusion
        ('"emplois de"', 0),  # a phrase keeps its order
        ("OR", 0), ("-emplois", 0), ("*", 0), ("", 0),  # no word to search
    ],
)
def test_query_text_search_forgives(db, text, expected):
    assert len(q.find_facts(db, q.FactQuery(text=text))) == expected


@pytest.mark.parametrize(
    "text, expr",
    [
        ("emplois", '("emplois")'),
        ("recrut* OR emploi -stage", '(("recrut" * OR "emploi")) NOT ("stage")'),
        ("a or b c", '("a" OR "b") AND ("c")'),
        ("l'emploi", '("l emploi")'),
        ('" OR 1=1', '("OR 1 1")'),  # an unclosed quote is a phrase to its end
        ("NEAR(a b)", '("NEAR a") AND ("b")'),
        ("OR -x *", None),
    ],
)
def test_query_fts_query_is_well_formed(text, expr):
    assert q.fts_query(text) == expr


@pytest.mark.parametrize(
    "filters, expected",
    [({"status": "Target"}, 2), ({"kind": "ROLE"}, 5), ({"lang": " EN "}, 3),
     ({"metric": "Location_Projects", "year": "2014"}, 2)],
)
def test_query_vocabulary_filters_take_any_case(db, filters, expected):
    assert len(q.find_facts(db, q.FactQuery(**filters))) == expected


@pytest.mark.parametrize(
    "filters, message",
    [
        ({"metric": "jobs"}, "unknown metric 'jobs' (did you mean jobs_created?); valid values: budget, "
                             "foreign_share_projects, jobs_created, location_projects"),
        ({"status": "planned"}, "unknown status 'planned'; valid values: actual, target, current, former, incoming"),
        ({"lang": "de"}, "unknown lang 'de'; valid values: en, fr"),
        ({"kind": "figure"}, "unknown kind 'figure'; valid values: metric, role, implantation"),
    ],
)
def test_query_vocabulary_filters_refuse_unknown_values(db, filters, message):
    with pytest.raises(q.QueryError) as err:
        q.find_facts(db, q.FactQuery(**filters))
    assert str(err.value) == message


def test_query_rows_are_ordered_by_publication(db):
    rows = q.find_facts(db, q.FactQuery())
    keys = [(r["published"], r["source"], r["start"], r["fact_id"]) for r in rows]
    assert keys == sorted(keys) and len(rows) == 16


@pytest.mark.parametrize("payload", INJECTIONS)
@pytest.mark.parametrize("field", ["org", "person", "metric", "status", "lang", "kind", "text"])
def test_query_injection_attempts_return_nothing_and_change_nothing(db_path, field, payload):
    db = q.open_db(db_path)
    if field in ("metric", "status", "lang", "kind"):  # a vocabulary: an unknown value is refused
        with pytest.raises(q.QueryError, match="valid values: "):
            q.find_facts(db, q.FactQuery(**{field: payload}))
    else:
        assert q.find_facts(db, q.FactQuery(**{field: payload})) == []
    check = sqlite3.connect(db_path)
    assert check.execute("SELECT count(*) FROM facts").fetchone()[0] == 16
    assert {r[0] for r in check.execute("SELECT name FROM sqlite_master WHERE type = 'table'")} >= {
        "facts", "documents", "history", "migrations"}
    check.close()


@pytest.mark.parametrize("payload", INJECTIONS)
def test_query_injection_in_year_is_refused(db, payload):
    with pytest.raises(q.QueryError):
        q.find_facts(db, q.FactQuery(year=payload))


def test_query_columns_come_from_the_whitelist(db):
    with pytest.raises(q.QueryError, match="unknown column"):
        q.find_facts(db, q.FactQuery(), columns=("fact_id FROM facts; DROP TABLE facts; --",))
    assert q.find_facts(db, q.FactQuery(person="Gachon"), columns=("person", "source")) == [
        {"person": "Loïc Gachon", "source": "corpus/d02.html"}]


def test_query_db_is_opened_read_only(db):
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        db.execute("DELETE FROM facts")


def test_query_missing_db_says_what_to_do(tmp_path):
    with pytest.raises(q.QueryError, match="pressfacts build"):
        q.open_db(tmp_path / "facts.db")


def test_query_db_that_is_not_a_fact_base_is_refused(tmp_path):
    text = tmp_path / "notes.db"
    text.write_text("not a database\n", encoding="utf-8")
    with pytest.raises(q.QueryError, match="is not an SQLite database"):
        q.open_db(text)
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE facts (x)")
    conn.commit()
    conn.close()
    with pytest.raises(q.QueryError, match="not a fact base \\(no table documents, history, migrations\\)"):
        q.open_db(other)
    with pytest.raises(q.QueryError, match="no fact base at"):
        q.open_db(tmp_path)  # a folder


@pytest.mark.parametrize("given, stored", [(None, "Provence Promotion"), ("provence promotion", "Provence Promotion"),
                                           ("Provence", "Provence Promotion")])
def test_query_resolve_subject(db, given, stored):
    assert q.resolve_subject(db, given) == stored


def test_query_resolve_subject_unknown_lists_known(db):
    with pytest.raises(q.QueryError, match="known subjects: Provence Promotion"):
        q.resolve_subject(db, "Invest in Lyon")


def test_query_year_table_pivots_series(db):
    table = q.year_table(q.history_by_year(db, "Provence Promotion"))
    assert [t["year"] for t in table] == ["2010", "2014", "2018", "2021"]
    y2014 = table[1]
    assert y2014["projects"]["actual"] == 63 and y2014["projects"]["actual_conflict"] == 1
    assert y2014["foreign share"]["actual"] == 54 and y2014["jobs"] is None
    assert (table[2]["projects"]["actual"], table[2]["projects"]["target"]) == (77, 75)


def test_query_conflicts_and_targets(db):
    assert {r["value"] for r in q.conflicts(db, "Provence Promotion")} == {63, 70}
    assert q.conflicts(db, "Nobody") == []
    assert [(t["period"], t["outcome"]) for t in q.targets(db, "Provence Promotion")] == [
        ("2018", "met"), ("2021", "no actual reported")]
