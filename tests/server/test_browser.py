"""A real browser (Debian's Chromium driven by Playwright) uses the web UI.

Screenshots land in ``tests/artifacts/`` for a person to look at.
"""

import os
import shutil

import pytest

from tests.server.conftest import ARTIFACTS

CHROMIUM = os.environ.get("SLMGRAPH_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM), reason="Chromium is not installed (apt-get install chromium)"
)


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    sync_api = pytest.importorskip("playwright.sync_api")
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            headless=True,
            args=FLAGS,
            viewport={"width": 1400, "height": 1000},
        )
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.errors = errors
        yield page
        browser.close()


def test_home_runs_a_canned_query_and_shows_rows(server, page):
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(server.url + "/")
    page.wait_for_selector(".yasqe .CodeMirror")
    page.click("button.canned-query[data-name='descendants']")
    editor_text = page.evaluate("document.querySelector('.CodeMirror').CodeMirror.getValue()")
    assert "SELECT ?root ?child" in editor_text
    page.click(".yasqe_queryButton")
    rows = page.locator(".yasr table tbody tr")
    rows.first.wait_for(timeout=15_000)
    assert rows.count() > 0
    assert "alpaca-7b" in page.locator(".yasr").inner_text()
    page.screenshot(path=ARTIFACTS / "home-query.png", full_page=True)
    assert page.errors == []


def test_entity_page_shows_its_lineage_diagram(server, page):
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(server.url + "/id/llama-7b")
    diagram = page.locator(".diagram svg.lineage")
    diagram.wait_for()
    nodes = page.locator(".diagram svg a.node")
    assert {nodes.nth(i).get_attribute("data-id") for i in range(nodes.count())} >= {
        "llama",
        "llama-7b",
        "alpaca-7b",
    }
    assert diagram.bounding_box()["height"] > 100
    page.screenshot(path=ARTIFACTS / "entity-llama-7b.png", full_page=True)
    page.click(".diagram svg a.node[data-id='alpaca-7b']")
    page.wait_for_url("**/id/alpaca-7b")
    assert page.locator("h1").inner_text() == "Alpaca 7B"


def test_search_box_leads_to_an_entity(server, page):
    page.goto(server.url + "/")
    page.fill("#search-box", "vicuna")
    page.press("#search-box", "Enter")
    page.wait_for_url("**/search?q=vicuna")
    page.click("ul.results a")
    page.wait_for_url("**/id/vicuna-13b")
    page.screenshot(path=ARTIFACTS / "entity-vicuna-13b.png", full_page=True)
