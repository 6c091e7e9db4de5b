"""A real browser (Debian's Chromium driven by Playwright) uses the web UI.

Screenshots land in ``tests/artifacts/`` (or ``$SLMGRAPH_SCREENSHOTS``) for a person to look at.
"""

import os
import shutil
from pathlib import Path

import pytest

from slmgraph import catalog, paths
from slmgraph.lineage_picture import Node, box_width
from tests.conftest import largest_families
from tests.geometry import Rect, Segment, edges_through_boxes
from tests.server.conftest import ARTIFACTS, ROW_CAP, running_server

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
DESKTOP = {"width": 1400, "height": 900}
PHONE = {"width": 390, "height": 844}
SHOTS = Path(os.environ.get("SLMGRAPH_SCREENSHOTS") or ARTIFACTS)

pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM), reason="Chromium is not installed (apt-get install chromium)"
)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    sync_api = pytest.importorskip("playwright.sync_api")
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=FLAGS, viewport=DESKTOP
        )
        yield context
        context.close()


def _page(browser, viewport):
    page = browser.new_page()
    page.set_viewport_size(viewport)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    missing: list[str] = []  # what a page asks for and does not get (its own 404 aside)

    def _note_missing(response) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            missing.append(response.url)

    page.on("response", _note_missing)
    page.missing = missing
    return page


@pytest.fixture
def page(browser):
    opened = _page(browser, DESKTOP)
    yield opened
    opened.close()


@pytest.fixture
def phone(browser):
    opened = _page(browser, PHONE)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def real_server(real_store, tmp_path_factory):
    """The server over the real catalogue: its largest families are what the pictures are for."""
    log = tmp_path_factory.mktemp("real-server") / "server.log"
    with running_server(real_store, log, "--workers", "2") as running:
        yield running


def _diagram_ready(page) -> None:
    page.wait_for_selector(".cy[data-ready='true']", timeout=20_000)


# --- the editor ------------------------------------------------------------------------------


def _run_from_form(page, url: str, query: str, param: str, value: str) -> str:
    """Open the editor, fill canned ``query``'s form with ``value`` for ``param``, run it, wait
    for its first row; the query text the form put in the editor."""
    page.goto(url + "/")
    page.wait_for_selector(".yasqe .CodeMirror")
    page.click(f"button.canned-query[data-name='{query}']")
    page.locator(f"#canned-form input[name='{param}']").fill(value)
    page.click("#canned-form button[type='submit']")
    page.locator(".yasr table tbody tr").first.wait_for(timeout=15_000)
    return page.evaluate("document.querySelector('.CodeMirror').CodeMirror.getValue()")


def test_a_canned_query_asks_for_its_name_runs_bound_and_links_results_here(server, page):
    # by an alias
    editor_text = _run_from_form(page, server.url, "ancestors", "start", "Stanford Alpaca")
    assert "(<https://w3id.org/slmgraph/id/alpaca-7b> AS ?start)" in editor_text
    assert "LATERAL" in editor_text and page.locator(".parseErrorIcon").count() == 0
    assert "llama-7b" in page.locator(".yasr").inner_text()
    links = page.locator(".yasr a[href*='llama-7b']")
    assert links.count() > 0
    assert links.first.get_attribute("href") == "/id/llama-7b"
    page.screenshot(path=_shot("home-query-1400"), full_page=True)
    # without LATERAL, a wrong query is still marked as wrong
    wrong = "SELECT * WHERE { ?s ?p ?o } }"
    page.evaluate("text => document.querySelector('.CodeMirror').CodeMirror.setValue(text)", wrong)
    page.locator(".parseErrorIcon").first.wait_for(timeout=5_000)
    links.first.evaluate("link => link.click()")  # the table's cells overlap their links
    page.wait_for_url("**/id/llama-7b")
    assert page.errors == []


def test_a_canned_query_in_the_editor_answers_as_the_command_line(hub_server, page):
    """On a store with a Hub import, the editor's canned descendants include the Hub models
    the report lists, as the command line does."""
    _run_from_form(page, hub_server.url, "descendants", "root", "pythia-70m")
    assert "someone/pythia-70m-sft" in page.locator(".yasr").inner_text()
    page.screenshot(path=_shot("home-hub-query-1400"), full_page=True)
    link = page.locator(".yasr a[href='/hub/someone/pythia-70m-sft']").first
    link.evaluate("link => link.click()")  # a Hub model's IRI opens its page here
    page.wait_for_url("**/hub/someone/pythia-70m-sft")
    assert page.locator("h1").inner_text() == "someone/pythia-70m-sft"
    assert page.errors == []


def test_a_parameter_named_like_a_form_property_still_binds(server, page):
    """``dataset`` is also a form's own property (``form.dataset``): the form keeps its query
    apart from its fields, so a query asking for a dataset runs with the name typed."""
    text = _run_from_form(page, server.url, "dataset-lineage", "dataset", "The Pile")
    assert "<https://w3id.org/slmgraph/id/the-pile>" in text
    assert "dolly-v2-12b" in page.locator(".yasr").inner_text()
    assert page.locator("#canned-form .problem").inner_text() == ""
    assert page.errors == []


def test_a_canned_query_never_runs_unbound(server, page):
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.url))
    page.goto(server.url + "/")
    page.wait_for_selector(".yasqe .CodeMirror")
    page.click("button.canned-query[data-name='datasets']")
    before = page.evaluate("document.querySelector('.CodeMirror').CodeMirror.getValue()")
    # the browser itself refuses to submit an empty required box; go past that to our check
    page.eval_on_selector(
        "#canned-form", "form => form.dispatchEvent(new Event('submit', {cancelable: true}))"
    )
    problem = page.locator("#canned-form .problem")
    problem.wait_for()
    assert problem.inner_text().startswith("'model' needs a value")
    page.fill("#canned-form input[name='model']", "no such model anywhere")
    page.click("#canned-form button[type='submit']")
    page.wait_for_function(
        "!document.querySelector('#canned-form .problem').textContent.includes('needs')"
    )
    assert "'model'" in problem.inner_text()
    after = page.evaluate("document.querySelector('.CodeMirror').CodeMirror.getValue()")
    assert after == before  # the editor never received the unbound query
    assert not [url for url in sent if "/sparql" in url]


def test_an_answer_cut_at_the_row_cap_says_so_above_the_results(server, page):
    page.goto(server.url + "/")
    page.wait_for_selector(".yasqe .CodeMirror")
    notice = page.locator("#cut-notice")
    for text, cut in (
        ("SELECT * WHERE { ?s ?p ?o }", True),  # far more than the cap
        ("SELECT * WHERE { ?s ?p ?o } LIMIT 3", False),
        ("SELECT * WHERE { ?s ?p ?o } LIMIT 500", True),  # the second time, from the cache
        ("SELECT * WHERE { ?s ?p ?o } LIMIT 500", True),
    ):
        page.evaluate(
            "text => { const e = document.querySelector('.CodeMirror').CodeMirror;"
            " e.setValue(text); }",
            text,
        )
        with page.expect_response("**/sparql") as answered:
            page.click(".yasqe_queryButton")
        assert answered.value.ok
        page.wait_for_function(
            f"document.getElementById('cut-notice').hidden === {str(not cut).lower()}"
        )
        if cut:
            assert notice.inner_text().startswith(f"Only the first {ROW_CAP} rows are shown")
    assert page.errors == []


def test_the_name_box_suggests_names_and_aliases(server, page):
    page.goto(server.url + "/")
    page.click("button.canned-query[data-name='descendants']")
    page.fill("#canned-form input[name='root']", "")
    page.type("#canned-form input[name='root']", "stanford", delay=20)
    page.wait_for_function("document.querySelectorAll('#name-suggestions option').length > 0")
    options = page.eval_on_selector_all(
        "#name-suggestions option", "options => options.map(o => o.value)"
    )
    assert "Alpaca 7B" in options  # found by its alias "Stanford Alpaca"


def test_a_link_fills_in_a_canned_query_and_runs_it(server, page):
    page.goto(server.url + "/?form=descendants&root=Pythia")
    page.locator(".yasr table tbody tr").first.wait_for(timeout=15_000)
    assert page.input_value("#canned-form input[name='root']") == "Pythia"
    assert "dolly-v2-12b" in page.locator(".yasr").inner_text()
    assert page.errors == []


# --- the lineage diagram ---------------------------------------------------------------------


def _drawn(page) -> tuple[list[Segment], list[Rect]]:
    """Every edge segment and every box as cytoscape rendered them (model coordinates)."""
    found = page.evaluate(
        """() => {
        const cy = window.lineageDiagram;
        const boxes = cy.nodes().filter((n) => n.data('kind') !== 'virtual').map((n) => {
          const b = n.boundingBox({ includeLabels: false, includeOverlays: false });
          return { id: n.id(), x1: b.x1, y1: b.y1, x2: b.x2, y2: b.y2 };
        });
        const segments = cy.edges().map((e) => {
          const s = e.sourceEndpoint(), t = e.targetEndpoint();
          return { source: e.source().id(), target: e.target().id(), sx: s.x, sy: s.y,
                   tx: t.x, ty: t.y, label: e.data('from') + ' ' + e.data('relation') + ' '
                   + e.data('to') };
        });
        return { boxes, segments };
    }"""
    )
    rects = [Rect(b["id"], b["x1"], b["y1"], b["x2"], b["y2"]) for b in found["boxes"]]
    segments = [
        Segment(
            (s["sx"], s["sy"]),
            (s["tx"], s["ty"]),
            frozenset({s["source"], s["target"]}),
            s["label"],
        )
        for s in found["segments"]
    ]
    return segments, rects


def test_no_edge_crosses_a_box_in_the_largest_curated_families(
    real_server, real_graph_with_index, page
):
    # the largest families, and the pictures with the most long edges (virtual nodes)
    chosen = largest_families(real_graph_with_index, 5) + ["llama-7b", "vicuna-13b"]
    chosen += ["llama-3.2", "codegen", "sheared-llama", "deepseek-math"]
    for entity in chosen:
        page.goto(f"{real_server.url}/id/{entity}")
        _diagram_ready(page)
        segments, rects = _drawn(page)
        assert len(rects) > 3 and segments, entity
        assert edges_through_boxes(segments, rects) == [], entity
        # every segment runs upward, from a lower box's top to a higher box's bottom
        assert all(s.start[1] > s.end[1] for s in segments), entity
        assert _labels_wider_than_their_boxes(page) == [], entity
    assert page.errors == []


def _labels_wider_than_their_boxes(page) -> list[str]:
    """Boxes whose name, set in the diagram's font, would not fit inside them."""
    return page.evaluate(
        """() => {
        const cy = window.lineageDiagram;
        const pen = document.createElement('canvas').getContext('2d');
        return cy.nodes().filter((n) => n.data('kind') !== 'virtual').filter((n) => {
          pen.font = (n.data('kind') === 'entity' ? 'bold ' : '') + '13px system-ui, sans-serif';
          return pen.measureText(n.data('label')).width > n.width() - 4;
        }).map((n) => n.data('label'));
    }"""
    )


def test_every_curated_name_fits_its_box_in_the_browsers_font(page):
    """Box widths are estimated, not measured: every model and family name, set in the diagram's
    font (bold for the page's own entity), fits the box drawn for it with room to spare."""
    found, _ = catalog.check(paths.data_dir())
    names = sorted({e.name for kind in ("model", "family") for e in found.entries(kind)})
    labels = [Node(name, name).label for name in names]  # as drawn: a long name is cut
    assert len(labels) > 500
    widths = page.evaluate(
        """(names) => { const pen = document.createElement('canvas').getContext('2d');
        return ['', 'bold '].map((weight) => { pen.font = weight + '13px system-ui, sans-serif';
          return names.map((name) => pen.measureText(name).width); }); }""",
        labels,
    )
    boxes = [[box_width(Node(name, name), bold) for name in names] for bold in (False, True)]
    too_narrow = [
        (name, round(width), box)
        for measured, drawn in zip(widths, boxes, strict=True)
        for name, width, box in zip(labels, measured, drawn, strict=True)
        if width > box - 8
    ]
    assert too_narrow == []


def test_the_diagram_is_interactive(real_server, page):
    page.goto(real_server.url + "/id/llama-7b")
    _diagram_ready(page)
    assert page.locator(".diagram svg.lineage").is_hidden()  # the static picture gives way
    legend = page.locator(".legend li").all_inner_texts()
    assert {"fine-tuned", "adapter", "continued-pretraining", "member-of"} <= set(legend)
    where = page.evaluate(
        """() => { const cy = window.lineageDiagram;
        const edge = cy.edges().filter((e) => e.data('from') === 'Alpaca 7B')[0];
        const p = edge.renderedMidpoint(), box = cy.container().getBoundingClientRect();
        return { x: box.left + p.x, y: box.top + p.y }; }"""
    )
    page.mouse.move(where["x"], where["y"])
    tip = page.locator(".edge-tip")
    tip.wait_for(state="visible")
    text = tip.inner_text()
    assert "fine-tuned" in text and "SFT" in text and "crfm.stanford.edu" in text
    zoom = page.evaluate("window.lineageDiagram.zoom()")
    page.mouse.wheel(0, -400)
    page.wait_for_function(f"window.lineageDiagram.zoom() > {zoom}")
    at = page.evaluate(
        """() => { const cy = window.lineageDiagram; const n = cy.getElementById('llama');
        const p = n.renderedPosition(), box = cy.container().getBoundingClientRect();
        return { x: box.left + p.x, y: box.top + p.y }; }"""
    )
    page.mouse.click(at["x"], at["y"])
    page.wait_for_url("**/id/llama")
    assert page.locator("h1").inner_text() == "LLaMA"
    assert page.errors == []


def test_pages_without_javascript_keep_the_svg(real_server, real_graph_with_index, page):
    page.route("**/*.js", lambda route: route.abort())  # as if scripts were off
    for entity in largest_families(real_graph_with_index, 3) + ["llama-7b"]:
        page.goto(f"{real_server.url}/id/{entity}")
        assert page.locator(".diagram svg.lineage").is_visible()
        overflowing = page.evaluate(
            """() => Array.from(document.querySelectorAll('.diagram svg .node')).filter((n) => {
            const text = n.querySelector('text').getBBox();
            const box = n.querySelector('rect').getBBox();
            return text.x < box.x + 2 || text.x + text.width > box.x + box.width - 2;
        }).map((n) => n.dataset.id)"""
        )
        assert overflowing == [], entity  # every name is whole inside its box
    nodes = page.locator(".diagram svg a.node")
    assert {nodes.nth(i).get_attribute("data-id") for i in range(nodes.count())} >= {
        "llama",
        "llama-7b",
        "alpaca-7b",
    }
    page.click(".diagram svg a.node[data-id='alpaca-7b']")
    page.wait_for_url("**/id/alpaca-7b")


# --- phones and screenshots ------------------------------------------------------------------

PAGES = {
    "home": "/",
    "editor-form": "/?form=ancestors",
    "model": "/id/llama-7b",
    "family": "/id/pythia",
    "family-llama": "/id/llama",
    "paper": "/id/arxiv-2302.13971",
    "dataset": "/id/the-pile",
    "organisation": "/id/meta",
    "licence": "/id/licenseref-llama-2",
    "search": "/search?q=llama",
    "seed": "/seed/awesome-slm",
    "missing": "/id/no-such-entity-with-a-very-long-name-that-goes-on-and-on-and-on",
}


def _shot(name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS / f"{name}.png"


def _open(page, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    if page.locator("#lineage-data").count():
        _diagram_ready(page)


@pytest.mark.parametrize("kind", PAGES)
def test_no_page_scrolls_sideways_on_a_phone(real_server, phone, page, kind):
    url = real_server.url + PAGES[kind]
    _open(phone, url)
    width = phone.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    phone.screenshot(path=_shot(f"{kind}-390"), full_page=True)
    assert width[0] <= width[1], f"{kind}: the page is {width[0]} px wide on a {width[1]} px screen"
    _open(page, url)
    page.screenshot(path=_shot(f"{kind}-1400"), full_page=True)
    assert phone.errors == [] and page.errors == []
    assert phone.missing == [] and page.missing == []


@pytest.mark.parametrize("entity", ["llama-7b", "pythia", "llama"])
def test_the_diagram_opens_centred_on_the_entity(real_server, phone, entity):
    phone.goto(f"{real_server.url}/id/{entity}")
    _diagram_ready(phone)
    found = phone.evaluate(
        f"""() => {{ const cy = window.lineageDiagram; const p = cy.getElementById('{entity}')
        .renderedPosition(); return [p.x - cy.width() / 2, p.y, cy.height()]; }}"""
    )
    across, down, height = found
    assert abs(across) < 2 and 20 < down < height - 20  # centred across, in view down the page


# every word of a method or stage cell, as the ranges of its characters lay it out
SPLIT_WORDS = """() => [...document.querySelectorAll("table.facts td.method")].flatMap((cell) => {
  const text = cell.firstChild;
  if (!text || text.nodeType !== Node.TEXT_NODE) return [];
  return [...text.data.matchAll(/[^\\s,-]+/g)].filter((word) => {
    const range = document.createRange();
    range.setStart(text, word.index);
    range.setEnd(text, word.index + word[0].length);
    return range.getClientRects().length > 1;
  }).map((word) => word[0]);
})"""


@pytest.mark.parametrize("entity", ["openelm-270m", "llama-2-7b"])
def test_no_method_or_stage_is_split_inside_a_word_on_a_wide_screen(real_server, page, entity):
    """A long note beside it once squeezed the column until 'pretraining' broke in two."""
    _open(page, f"{real_server.url}/id/{entity}")
    assert page.locator("table.facts td.method").count()
    assert page.evaluate(SPLIT_WORDS) == []
