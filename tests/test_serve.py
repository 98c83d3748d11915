"""`pressfacts serve`: Datasette over facts.db, started in a subprocess and queried over HTTP,
then in a real headless browser (Debian's chromium + chromedriver, driven by Selenium).

The browser tests skip when Chromium is absent, except where a browser is required: with
PRESSFACTS_REQUIRE_BROWSER=1 (set by .ci/run) or CI set (as CI services do), a missing browser
fails them instead."""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest


pytest.importorskip("datasette", reason="Datasette is not installed (pip install -e '.[serve]')")

DATA = Path(__file__).parent / "data" / "factbase"
CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
BROWSER_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1280,900")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def db_path(factbase_db) -> Path:
    return factbase_db


@pytest.fixture(scope="module")
def server(db_path, tmp_path_factory):
    """`pressfacts serve` on a free loopback port; yields its base URL, stops it afterwards."""
    port = _free_port()
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    cmd = [sys.executable, "-c", "from pipeline.cli import main; main()", "serve", "--db", str(db_path),
           "--port", str(port)]
    with log.open("w") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(base + "/-/versions.json", timeout=2).close()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"Datasette did not start: {log.read_text()}")
            time.sleep(0.2)
    yield base
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    assert "read-only on http://127.0.0.1:" in log.read_text()


def get_html(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, resp.read().decode("utf-8")
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8", "replace")


def get(url: str) -> tuple[int, object]:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null")


def canned(base: str, name: str, **params: str) -> list[dict[str, object]]:
    status, rows = get(f"{base}/facts/{name}.json?" + urllib.parse.urlencode({**params, "_shape": "array"}))
    assert status == 200, rows
    assert isinstance(rows, list)
    return rows


def test_serve_canned_queries_answer(server):
    years = canned(server, "history_by_year_for", subject="Provence Promotion")
    [row] = [r for r in years if r["metric"] == "location_projects" and r["year"] == "2018"]
    assert (row["actual"], row["target"], row["outcome"]) == (77, 75, "met")
    roles = canned(server, "who_held_which_role_when", org="Provence Promotion", person="")
    assert [r["person"] for r in roles if r["role"] == "president"] == ["Jacques Pfister", "Loïc Gachon",
                                                                       "Jean-Luc Chauvin"]
    conflicts = canned(server, "conflicting_figures")
    assert {(r["value"], Path(str(r["source"])).name) for r in conflicts} == {(63, "d02.html"), (70, "d10.txt")}
    hits = canned(server, "search_the_sources", q="developpement")
    assert {r["found_in"] for r in hits} == {"evidence", "document"}
    assert any("développement" in str(r["text"]) for r in hits)


def test_serve_is_read_only(server, db_path):
    before = hashlib.sha256(db_path.read_bytes()).hexdigest()
    for sql in ("DELETE FROM facts", "DROP TABLE facts", "INSERT INTO facts (fact_id) VALUES ('x')",
                "UPDATE history SET value = 0"):
        status, body = get(f"{server}/facts.json?" + urllib.parse.urlencode({"sql": sql}))
        assert status == 400, (sql, body)
    status, dbs = get(f"{server}/-/databases.json")
    assert status == 200 and [(d["name"], d["is_mutable"]) for d in dbs] == [("facts", False)]  # type: ignore[index]
    status, count = get(f"{server}/facts.json?sql=select+count(*)+as+n+from+facts&_shape=array")
    assert count == [{"n": 16}]
    assert hashlib.sha256(db_path.read_bytes()).hexdigest() == before


def test_serve_metadata_and_facets(server):
    status, meta = get(f"{server}/-/metadata.json")
    assert status == 200
    db = meta["databases"]["facts"]  # type: ignore[index]
    assert {q["title"] for q in db["queries"].values()} == {"History by year", "Who held which role when",
                                                            "Who held which office on a date",
                                                            "Conflicting figures", "Search the sources"}
    assert "evidence sentence" in db["tables"]["facts"]["columns"]["sentence"]
    status, page = get(f"{server}/facts/facts.json?_facet=metric&_shape=objects")
    assert status == 200
    metrics = {f["value"] for f in page["facet_results"]["metric"]["results"]}  # type: ignore[index]
    assert {"location_projects", "jobs_created"} <= metrics


def _fact(db_path: Path, where: str) -> dict[str, object]:
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    try:
        return dict(conn.execute(f"SELECT * FROM facts WHERE {where} ORDER BY fact_id LIMIT 1").fetchone())
    finally:
        conn.close()


def test_serve_front_page(server):
    status, page = get_html(server + "/")
    assert status == 200
    figures = page[page.index('id="pf-figures"'):page.index('id="pf-leaders"')]
    assert "Provence Promotion: figures by year" in figures
    assert re.search(r"<td>2018</td>\s*<td[^>]*>77</td>\s*<td[^>]*>75 <span class=\"pf-met\"", figures)
    leaders = page[page.index('id="pf-leaders"'):page.index('id="pf-conflicts"')]
    assert "Jean-Luc Chauvin" in leaders and "<th>next_person</th>" in leaders
    conflicts = page[page.index('id="pf-conflicts"'):page.index('id="pf-queries"')]
    assert "corpus/d02.html</a>" in conflicts and "corpus/d10.txt</a>" in conflicts
    assert conflicts.count('href="/-/source/') == 2
    for name in ("history_by_year_for", "who_held_which_role_when", "conflicting_figures", "search_the_sources"):
        assert f'href="/facts/{name}"' in page
    for view in ("figure_facts", "role_facts", "implantation_facts"):
        assert f'href="/facts/{view}"' in page
    assert '<form class="pf-search" id="pf-search" action="/facts/search_the_sources"' in page


def test_serve_internal_tables_hidden_and_views_per_kind(server):
    status, db = get(f"{server}/facts.json")
    assert status == 200
    hidden = {t["name"] for t in db["tables"] if t["hidden"]}  # type: ignore[index]
    assert "migrations" in hidden and "facts_fts" in hidden
    status, page = get(f"{server}/facts/role_facts.json?_shape=objects")
    assert status == 200
    assert page["columns"][:5] == ["person", "role", "org", "status", "as_of"]  # type: ignore[index]
    assert "subject" not in page["columns"] and len(page["rows"]) == 5  # type: ignore[index]


def test_serve_source_page_highlights_the_sentence(server, db_path):
    fact = _fact(db_path, "person = 'Loïc Gachon'")
    status, page = get_html(f"{server}/-/source/{fact['doc_id']}?fact={fact['fact_id']}")
    assert status == 200
    [marked] = re.findall(r'<mark class="pf-evidence" id="evidence">(.*?)</mark>', page, re.S)
    assert html.unescape(marked) == fact["sentence"]
    assert "Loïc Gachon: president of Provence Promotion" in page and "corpus/d02.html" in page
    text = html.unescape(re.sub(r"</?mark[^>]*>", "", page.split('id="pf-text">')[1].split("</div>")[0]))
    assert text[fact["start"]:fact["end"]] == fact["sentence"]  # the mark sits at the fact's offsets
    status, page = get_html(f"{server}/-/source/{fact['doc_id']}?start=0&end=5")
    assert status == 200 and page.count('id="evidence"') == 1
    status, page = get_html(f"{server}/-/source/{fact['doc_id']}?start=0&end=999999")
    assert status == 200 and "outside the text" in page and 'id="evidence"' not in page
    status, _ = get_html(f"{server}/-/source/nosuchdocument")
    assert status == 404


def test_serve_fact_sources_link_to_their_page(server, db_path):
    fact = _fact(db_path, "person = 'Loïc Gachon'")
    for path in ("/facts/facts", "/facts/role_facts", f"/facts/facts/{fact['fact_id']}"):
        status, page = get_html(server + path)
        assert status == 200, (path, page[-3000:])
        assert f'href="/-/source/{fact["doc_id"]}?fact={fact["fact_id"]}#evidence"' in page, path


@pytest.mark.parametrize(
    "words, n_evidence",
    [("emploi", 4), ("emplois", 4), ("job", 1), ("jobs", 1), ("implant*", 3), ("emploi OR jobs", 5),
     ("etrangeres", 2), ('" OR 1=1', 0), ("NEAR(", 0)],
)
def test_serve_search_forgives(server, words, n_evidence):
    rows = canned(server, "search_the_sources", q=words)
    assert sum(r["found_in"] == "evidence" for r in rows) == n_evidence


def _browser_required() -> bool:
    return os.environ.get("PRESSFACTS_REQUIRE_BROWSER") == "1" or os.environ.get("CI", "").lower() not in (
        "", "0", "false")


def _browser(monkeypatch):
    missing = [f"{path} is absent" for path in (CHROMIUM, CHROMEDRIVER) if not path.exists()]
    try:
        from selenium import webdriver
    except ImportError:
        missing.append("Selenium is not installed")
    if missing:
        why = f"no browser: {'; '.join(missing)} (apt-get install chromium chromium-driver)"
        if _browser_required():
            pytest.fail(why + ": a browser is required here (PRESSFACTS_REQUIRE_BROWSER=1 or CI)")
        pytest.skip(why)
    from selenium.webdriver.chrome.service import Service

    monkeypatch.setenv("SE_OFFLINE", "true")  # Selenium Manager must not try to download anything
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in BROWSER_FLAGS:
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)


def test_serve_history_page_in_headless_chromium(server, tmp_path, monkeypatch):
    driver = _browser(monkeypatch)
    try:
        from selenium.webdriver.common.by import By

        driver.get(f"{server}/facts/history_by_year_for?subject=Provence+Promotion")
        assert "History by year" in driver.find_element(By.TAG_NAME, "h1").text
        table = driver.find_element(By.CSS_SELECTOR, "table.rows-and-columns").text
        assert "location_projects" in table and "met" in table and "Provence Promotion" in table
        shot = tmp_path / "history.png"
        assert driver.save_screenshot(str(shot))
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 5_000
    finally:
        driver.quit()


def test_serve_pages_in_headless_chromium(server, db_path, monkeypatch):
    """The front page, a search from its box, a source page with its highlight, a canned query."""
    driver = _browser(monkeypatch)
    try:
        from selenium.webdriver.common.by import By

        driver.get(server + "/")
        assert driver.find_element(By.TAG_NAME, "h1").text == "pressfacts: the fact base"
        figures = driver.find_element(By.ID, "pf-figures").text
        assert "Provence Promotion: figures by year" in figures and "75 met" in figures
        assert "Jean-Luc Chauvin" in driver.find_element(By.ID, "pf-leaders").text
        conflicts = driver.find_element(By.ID, "pf-conflicts")
        assert "63: corpus/d02.html" in conflicts.text and "~70: corpus/d10.txt" in conflicts.text
        queries = driver.find_element(By.ID, "pf-queries").text
        assert "Who held which role when" in queries and "Search the sources" in queries
        # a search from the front page's box
        box = driver.find_element(By.ID, "pf-q")
        box.send_keys("emploi OR jobs")
        box.submit()
        assert "Search the sources" in driver.find_element(By.TAG_NAME, "h1").text
        rows = driver.find_elements(By.CSS_SELECTOR, "table.rows-and-columns tbody tr")
        assert sum("evidence" in r.text for r in rows) == 5
        assert any("emplois" in r.text for r in rows) and any("jobs" in r.text for r in rows)
        # a fact's source link: its page, the sentence highlighted and in view
        driver.get(server + "/")
        driver.find_element(By.ID, "pf-conflicts").find_element(By.LINK_TEXT, "corpus/d10.txt").click()
        mark = driver.find_element(By.CSS_SELECTOR, "mark#evidence")
        fact = _fact(db_path, "source = 'corpus/d10.txt' AND metric = 'location_projects'")
        assert mark.text == fact["sentence"] and mark.is_displayed()
        assert mark.value_of_css_property("background-color") == "rgba(255, 224, 102, 1)"
        assert "Facts from this document" in driver.page_source
        # a canned query with its form
        driver.get(f"{server}/facts/who_held_which_role_when?org=Provence+Promotion&person=chauvin")
        assert "Who held which role when" in driver.find_element(By.TAG_NAME, "h1").text
        table = driver.find_element(By.CSS_SELECTOR, "table.rows-and-columns").text
        assert "Jean-Luc Chauvin" in table and "president" in table
    finally:
        driver.quit()


def test_serve_missing_browser_fails_where_required(monkeypatch, tmp_path):
    monkeypatch.setattr(sys.modules[__name__], "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.setenv("PRESSFACTS_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="no-chromium is absent.*a browser is required"):
        _browser(monkeypatch)
    monkeypatch.delenv("PRESSFACTS_REQUIRE_BROWSER")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception):
        _browser(monkeypatch)
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="no browser"):
        _browser(monkeypatch)
