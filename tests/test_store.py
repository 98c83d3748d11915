"""pipeline/store.py: facts.db from a build's JSON outputs (tests/data/factbase, a tiny hand-made build)."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from conftest import make_factbase
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlite_utils import Database

from pipeline.store import CANNED_QUERIES, MIGRATIONS, TABLE_DOCS, _json_members, datasette_metadata, migrate, write_db

DATA = Path(__file__).parent / "data" / "factbase"


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Database:
    return Database(make_factbase(tmp_path_factory.mktemp("build")))


def test_store_tables_and_counts(db):
    counts = {t: db[t].count for t in ("documents", "facts", "entities", "problems", "history", "roles", "targets")}
    assert counts == {"documents": 5, "facts": 16, "entities": 7, "problems": 2, "history": 9, "roles": 5,
                      "targets": 2}
    assert set(db.view_names()) == {"history_by_year", "leadership_timeline", "conflicts", "figure_facts",
                                    "role_facts", "implantation_facts"}
    assert {k: db[v].count for k, v in (("metric", "figure_facts"), ("role", "role_facts"),
                                        ("implantation", "implantation_facts"))} == {
        "metric": 10, "role": 5, "implantation": 1}
    assert "subject" not in db["role_facts"].columns_dict and "person" not in db["figure_facts"].columns_dict
    assert [r["name"] for r in db["migrations"].rows_where(order_by="seq")] == [name for name, _ in MIGRATIONS]


def test_store_fact_row_has_typed_columns_and_evidence(db):
    [row] = db.query("SELECT f.*, d.text FROM facts f JOIN documents d USING (doc_id) "
                     "WHERE metric = 'location_projects' AND period = '2014' AND approx = 1")
    assert (row["value"], row["unit"], row["status"], row["lang"]) == (70, "count", "actual", "fr")
    assert row["text"][row["start"]:row["end"]] == row["sentence"]
    assert row["source"] == "corpus/d10.txt" and row["extractor_version"] == "pressfacts.extract.v1"
    assert type(row["value"]) is int  # NUMERIC: 70 stays 70, not 70.0


@pytest.mark.parametrize(
    "words, table, expected",
    [
        ("developpement", "facts", {"corpus/d01.html", "corpus/d10.txt"}),
        ("DÉVELOPPEMENT économique", "documents", {"corpus/d01.html", "corpus/d10.txt"}),
        ("stefanini", "facts", {"corpus/d10.txt"}),
        ("Loic", "documents", {"corpus/d02.html"}),
    ],
)
def test_store_full_text_ignores_accents_and_case(db, words, table, expected):
    rows = db.query(f"SELECT source FROM {table} WHERE rowid IN (SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH ?)",
                    [" ".join(f'"{w}"' for w in words.split())])
    assert {r["source"] for r in rows} == expected


def test_store_history_by_year_puts_actual_beside_target(db):
    [row] = db.query("SELECT * FROM history_by_year WHERE metric = 'location_projects' AND period = '2018'")
    assert (row["actual"], row["target"], row["outcome"], row["difference"]) == (77, 75, "met", 2)
    [later] = db.query("SELECT * FROM history_by_year WHERE metric = 'location_projects' AND period = '2021'")
    assert (later["actual"], later["target"], later["outcome"]) == (None, 65, "no actual reported")


def test_store_2014_disagreement_is_a_conflict_with_both_sources(db):
    [h] = db.query("SELECT * FROM history WHERE metric = 'location_projects' AND period = '2014'")
    assert h["conflict"] == 1 and h["value"] == 63 and h["n_sources"] == 2
    assert h["competing_values"] == "63 [d02.html] | ~70 [d10.txt]"
    rows = list(db.query("SELECT value, approx, source, lang, sentence FROM conflicts WHERE period = '2014'"))
    assert [(r["value"], r["approx"], r["source"], r["lang"]) for r in rows] == [
        (63, 0, "corpus/d02.html", "en"), (70, 1, "corpus/d10.txt", "fr")]
    assert "près de 70" in rows[1]["sentence"]


def test_store_leadership_timeline_orders_holders(db):
    rows = list(db.query("SELECT person, first_seen, next_person FROM leadership_timeline "
                         "WHERE org = 'Provence Promotion' AND role = 'president'"))
    assert [(r["person"], r["next_person"]) for r in rows] == [
        ("Jacques Pfister", "Loïc Gachon"), ("Loïc Gachon", "Jean-Luc Chauvin"), ("Jean-Luc Chauvin", None)]


def test_store_entities_keep_every_surface_form(db):
    forms = {r["mention"] for r in db["entity_mentions"].rows_where("name = ?", ["CCI Marseille Provence"])}
    assert forms == {"CCI Marseille Provence", "CCIMP"}


def test_store_problems_from_documents_and_manifest(db):
    rows = {(r["path"], r["stage"], r["kind"], r["status"]) for r in db["problems"].rows}
    assert rows == {("corpus/d99.pdf", "ingest", "unreadable", "skipped"),
                    ("corpus/gold.jsonl", "input", "skipped", "skipped")}


def test_store_same_outputs_give_the_same_file(tmp_path):
    a, b = make_factbase(tmp_path / "a"), make_factbase(tmp_path / "b")
    assert hashlib.sha256(a.read_bytes()).digest() == hashlib.sha256(b.read_bytes()).digest()
    assert make_factbase(tmp_path / "a") == a  # rewriting replaces the file
    assert not list((tmp_path / "a").glob(".*tmp"))


def test_store_migrations_apply_once_and_in_order():
    db = Database(memory=True)
    assert migrate(db) == [name for name, _ in MIGRATIONS]
    assert migrate(db) == []
    added = []
    assert migrate(db, [*MIGRATIONS, ("004_extra", lambda d: added.append(1))]) == ["004_extra"]
    assert added == [1] and db["migrations"].count == len(MIGRATIONS) + 1


def test_store_write_db_on_empty_folder(tmp_path):
    db = Database(write_db(tmp_path))
    assert db["facts"].count == 0 and db["history"].count == 0


def test_store_metadata_describes_real_columns(db):
    for name, (_desc, columns) in TABLE_DOCS.items():
        real = {c.name for c in db[name].columns} if name in db.table_names() else set(db[name].columns_dict)
        assert set(columns) <= real, name
    meta = datasette_metadata("facts")
    assert set(meta["databases"]["facts"]["tables"]) >= set(db.table_names()) - {"migrations"} - {
        t for t in db.table_names() if "_fts" in t}


@pytest.mark.parametrize(
    "name, params, check",
    [
        ("history_by_year_for", {"subject": "Provence Promotion"}, lambda rows: any(r["outcome"] == "met" for r in rows)),
        ("who_held_which_role_when", {"org": "", "person": "chauvin"}, lambda rows: len(rows) == 2),
        ("conflicting_figures", {}, lambda rows: {r["value"] for r in rows} == {63, 70}),
        ("search_the_sources", {"q": "developpement"}, lambda rows: {r["found_in"] for r in rows} == {"evidence", "document"}),
        ("search_the_sources", {"q": '" OR 1=1'}, lambda rows: rows == []),
    ],
)
def test_store_canned_queries_answer(db, name, params, check):
    from pipeline.query import register_sql_functions

    register_sql_functions(db.conn)  # pf_fts(), as pressfacts serve registers it
    assert check(list(db.query(CANNED_QUERIES[name]["sql"], params)))


def _members_as_json(path: Path, chunk: int) -> dict:
    """What _json_members reads, put back together as json.load would give it."""
    out: dict = {}
    for name, item in _json_members(path, chunk):
        if isinstance(item, tuple):
            out.setdefault(name, {})[item[0]] = item[1]
        else:
            out.setdefault(name, []).append(item)
    return out


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 64, 1 << 16])
@pytest.mark.parametrize("indent", [None, 1])
def test_store_json_members_streams_any_layout(tmp_path, chunk, indent):
    data = {"a": [1, 12.5e3, -7, "x \"y\" \\ é 😀", None, True, {"k": [1, {"z": 2}]}, []],
            "b": {"org 1": [{"role": "president"}], "org 2": []}, "c": [], "d": {}, "e": [123456789]}
    path = tmp_path / "h.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=indent), encoding="utf-8")
    assert _members_as_json(path, chunk) == {k: v for k, v in data.items() if v}
    path.write_text(' { "n" : 5 , "s": [ "t" ] }\n', encoding="utf-8")
    assert list(_json_members(path, chunk)) == [("n", 5), ("s", "t")]
    path.write_text(json.dumps({"b": {"o1": [{"r": 1}, {"r": 2}], "o2": [], "o3": [3]}, "c": [[4, 5]]}), encoding="utf-8")
    assert list(_json_members(path, chunk, nested=frozenset({"b"}))) == [
        ("b", ("o1", {"r": 1})), ("b", ("o1", {"r": 2})), ("b", ("o3", 3)), ("c", [4, 5])]


_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
                     lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4),
                     max_leaves=12)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.dictionaries(st.text(max_size=4), st.lists(_JSON, min_size=1, max_size=4)),
       chunk=st.integers(1, 9), indent=st.sampled_from([None, 0, 2]))
def test_store_json_members_match_json_load(tmp_path, data, chunk, indent):
    path = tmp_path / "h.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=indent), encoding="utf-8")
    assert _members_as_json(path, chunk) == data


def test_store_json_members_rejects_broken_files(tmp_path):
    assert list(_json_members(tmp_path / "missing.json")) == []
    for text in ("", "[1]", '{"a": [1, 2}', '{"a": 1} x', '{"a": 1,}', '{1: 2}', '{"a": {2: 3}}'):
        (tmp_path / "bad.json").write_text(text, encoding="utf-8")
        with pytest.raises(ValueError):
            list(_json_members(tmp_path / "bad.json", 4))


def test_store_input_order_does_not_matter(tmp_path):
    """Entities, history and manifest in another order give the same file: SQLite sorts them."""
    a = make_factbase(tmp_path / "a")
    b = tmp_path / "b"
    b.mkdir()
    for p in (tmp_path / "a").glob("*.json*"):
        shutil.copy(p, b)
    lines = (b / "entities.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    (b / "entities.jsonl").write_text("".join(reversed(lines)), encoding="utf-8")
    history = json.loads((b / "history.json").read_text(encoding="utf-8"))
    history = {k: (v[::-1] if isinstance(v, list) else dict(reversed(v.items()))) for k, v in reversed(history.items())}
    (b / "history.json").write_text(json.dumps(history, ensure_ascii=False, indent=3), encoding="utf-8")
    manifest = json.loads((b / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"].reverse()
    (b / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert hashlib.sha256(write_db(b).read_bytes()).digest() == hashlib.sha256(a.read_bytes()).digest()


def test_store_fact_without_version_takes_its_documents(tmp_path):
    (tmp_path / "documents.jsonl").write_text(json.dumps(
        {"doc_id": "d1", "source": "a.txt", "text": "Hello.", "extractor_version": "v9"}) + "\n", encoding="utf-8")
    fact = {"fact_id": "f1", "kind": "metric", "evidence": {"doc_id": "d1", "sentence": "Hello.", "start": 0, "end": 6}}
    (tmp_path / "facts.jsonl").write_text(json.dumps(fact) + "\n" + json.dumps(
        {**fact, "fact_id": "f2", "extractor_version": "v1"}) + "\n", encoding="utf-8")
    db = Database(write_db(tmp_path))
    assert [(r["fact_id"], r["extractor_version"]) for r in db["facts"].rows] == [("f1", "v9"), ("f2", "v1")]
