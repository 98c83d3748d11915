"""`pressfacts serve`: Datasette over facts.db, started in a subprocess and queried over HTTP,
then once in a real headless browser (Debian's chromium + chromedriver, driven by Selenium)."""

from __future__ import annotations

import hashlib
import json
import socket
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


def _browser(monkeypatch):
    if not CHROMIUM.exists():
        pytest.skip(f"no browser: {CHROMIUM} is absent (apt-get install chromium chromium-driver)")
    if not CHROMEDRIVER.exists():
        pytest.skip(f"no driver: {CHROMEDRIVER} is absent (apt-get install chromium-driver)")
    webdriver = pytest.importorskip("selenium.webdriver", reason="Selenium is not installed (pip install selenium)")
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
