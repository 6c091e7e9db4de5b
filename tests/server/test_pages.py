"""Dereferenceable IRIs, the lineage diagram, search and the VoID description."""

import html
import json
import re
import xml.etree.ElementTree as ET

import rdflib
from click.testing import CliRunner

from slmgraph import catalog
from slmgraph.cli import main
from slmgraph.vocab import HUB, ID, SLM
from tests.conftest import VALID
from tests.server.conftest import running_server

ONT, IDS = rdflib.Namespace(SLM), rdflib.Namespace(ID)  # terms as rdflib reads them
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
SVG = "{http://www.w3.org/2000/svg}"


def _diagram(html: str) -> ET.Element:
    start, end = html.index("<svg"), html.index("</svg>") + len("</svg>")
    return ET.fromstring(html[start:end])


def test_entity_page_for_browsers(http):
    response = http.get("/id/alpaca-7b", headers=BROWSER)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "<h1>Alpaca 7B</h1>" in page
    assert 'href="/id/llama-7b"' in page  # a neighbour
    assert "https://crfm.stanford.edu/2023/03/13/alpaca.html" in page  # a citation
    rows = re.findall(r"<tr>(.*?)</tr>", page, re.S)
    trained = [row for row in rows if "slm:trainedOn" in row and "/id/alpaca-52k" in row]
    stage = '<td class="method" data-label="stage">sft</td>'  # a fact's stage, labelled for phones
    assert trained and all(stage in row for row in trained)
    data = http.get("/id/alpaca-52k", headers=BROWSER).text
    trainee = [row for row in re.findall(r"<tr>(.*?)</tr>", data, re.S) if "/id/alpaca-7b" in row]
    assert trainee and all(stage in row for row in trainee)  # and on the dataset's page
    generated = [
        row for row in re.findall(r"<tr>(.*?)</tr>", data, re.S) if "slm:generatedBy" in row
    ]
    note = '<p class="note">generated in the self-instruct style from 175 human-written seed'
    assert generated and note in generated[0]  # the curator's note, under the edge it is on
    assert note not in page  # said where the edge is stated, not on its neighbours' pages
    linked = {a.get("href") for a in _diagram(page).iter(f"{SVG}a")}
    assert {"/id/alpaca-7b", "/id/llama-7b", "/id/llama"} <= linked  # ancestors up to the family


def test_every_page_names_an_icon_that_is_served(http):
    for path in ("/", "/id/alpaca-7b", "/search?q=llama"):
        icon = re.search(r'<link rel="icon" href="([^"]+)"', http.get(path, headers=BROWSER).text)
        assert icon, f"{path} names no icon"
        served = http.get(icon.group(1))
        assert served.status_code == 200 and served.headers["content-type"] == "image/svg+xml"


def test_an_entity_page_says_its_description_under_its_name(http):
    entry = catalog.load(VALID)["alpaca-7b"]
    page = http.get("/id/alpaca-7b", headers=BROWSER).text
    said = f'<p class="description">{html.escape(entry.description, quote=False)}</p>'
    assert entry.description and said in page  # escaped: the fixture's holds "<", ">" and "&"
    assert page.index(said) < page.index("<h2>Facts</h2>")  # before the facts, not among them
    assert "schema:description" not in page


def test_an_entity_page_links_its_homepage(http):
    rows = re.findall(r"<tr>(.*?)</tr>", http.get("/id/eleutherai", headers=BROWSER).text, re.S)
    homepage = [row for row in rows if "schema:url" in row]
    assert homepage and 'href="https://www.eleuther.ai/"' in homepage[0]


def test_lineage_diagram_shows_descendants_with_relations(http):
    svg = ET.fromstring(http.get("/lineage/llama.svg").content)
    nodes = {a.get("data-id") for a in svg.iter(f"{SVG}a")}
    relations = {g.get("data-relation") for g in svg.iter(f"{SVG}g") if g.get("data-relation")}
    assert {"llama", "llama-7b", "alpaca-7b"} <= nodes
    assert {"member-of", "fine-tuned"} <= relations


def test_entity_iri_answers_rdf_by_accept(http):
    turtle = http.get("/id/alpaca-7b", headers={"Accept": "text/turtle"})
    jsonld = http.get("/id/alpaca-7b", headers={"Accept": "application/ld+json"})
    subject = rdflib.URIRef(ID + "alpaca-7b")
    for response, fmt in ((turtle, "turtle"), (jsonld, "json-ld")):
        graph = rdflib.Graph().parse(data=response.content, format=fmt)
        assert (
            subject,
            rdflib.URIRef(SLM + "fineTunedFrom"),
            rdflib.URIRef(ID + "llama-7b"),
        ) in graph
        # the qualified edge travels with the entity, with its citation
        edge = next(graph.objects(subject, rdflib.URIRef(SLM + "qualifiedRelation")))
        assert (edge, rdflib.DCTERMS.source, None) in graph
    assert "etag" in turtle.headers


def test_edge_node_iri_answers_rdf(http):
    graph = rdflib.Graph()
    found = http.get("/id/alpaca-7b/fine-tuned/llama-7b", headers={"Accept": "text/turtle"})
    graph.parse(data=found.text, format="turtle")
    edge = rdflib.URIRef(ID + "alpaca-7b/fine-tuned/llama-7b")
    assert (edge, rdflib.URIRef(SLM + "target"), rdflib.URIRef(ID + "llama-7b")) in graph
    browser = http.get("/id/alpaca-7b/fine-tuned/llama-7b", headers=BROWSER)
    assert browser.status_code == 303 and browser.headers["location"] == "/id/alpaca-7b"


def test_unknown_entity_is_404_with_suggestions(http):
    response = http.get("/id/alpaca-7", headers=BROWSER)
    assert response.status_code == 404 and "alpaca-7b" in response.text


def test_search_by_alias(http):
    hits = http.get("/search", params={"q": "stanford alpaca", "format": "json"}).json()
    assert hits[0]["id"] == "alpaca-7b" and hits[0]["href"] == "/id/alpaca-7b"
    page = http.get("/search", params={"q": "llama"})
    assert 'href="/id/llama-7b"' in page.text


def test_void_description(http):
    response = http.get("/.well-known/void", headers={"Accept": "text/turtle"})
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    void = rdflib.Namespace("http://rdfs.org/ns/void#")
    dataset = next(graph.subjects(rdflib.RDF.type, void.Dataset))
    assert int(graph.value(dataset, void.triples)) > 100
    assert str(graph.value(dataset, void.sparqlEndpoint)).endswith("/sparql")
    classes = {graph.value(p, void["class"]) for p in graph.objects(dataset, void.classPartition)}
    assert rdflib.URIRef(SLM + "Model") in classes


def test_seed_iri_answers_rdf_and_a_page(http):
    seed = "https://w3id.org/slmgraph/seed/awesome-slm"
    turtle = http.get("/seed/awesome-slm", headers={"Accept": "text/turtle"})
    graph = rdflib.Graph().parse(data=turtle.text, format="turtle")
    assert (rdflib.URIRef(seed), None, None) in graph
    page = http.get("/seed/awesome-slm", headers=BROWSER)
    assert page.status_code == 200 and seed in page.text
    assert http.get("/seed/no-such-seed", headers=BROWSER).status_code == 404


def test_ontology_iri_answers_the_ontology(http):
    response = http.get("/ontology", headers=BROWSER)
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    assert (rdflib.URIRef(SLM + "fineTunedFrom"), rdflib.RDFS.label, None) in graph


def _boxes(svg: ET.Element) -> dict[str, tuple[str, str]]:
    return {
        node.get("data-id"): (node.find(f"{SVG}rect").get("x"), node.find(f"{SVG}rect").get("y"))
        for node in svg.iter()
        if node.get("class", "").startswith("node")
    }


def test_slmgraph_tree_draws_the_picture_of_the_page(http, valid_store):

    from tests.conftest import VALID

    for entity in ("llama", "alpaca-7b", "pythia"):
        page = ET.fromstring(http.get(f"/lineage/{entity}.svg").content)
        command = ["tree", entity, "--data", str(VALID), "--store", str(valid_store)]
        written = ET.fromstring(CliRunner().invoke(main, command).output)
        assert _boxes(page) == _boxes(written) and len(_boxes(page)) > 2
        # the page links boxes to this server's pages, the file to the graph's IRIs
        assert {a.get("href") for a in page.iter(f"{SVG}a")} == {
            a.get("href").replace(ID, "/id/") for a in written.iter(f"{SVG}a")
        }


def test_a_model_page_gives_its_licence_audit_with_the_cited_paths(http, valid_store):
    """Each finding `slmgraph audit` gives, on the model's page: its rule, the entity under the
    licence, the clause, and every hop of its path with that hop's citation. A model without
    findings says so and names its own licence; a dataset's page has no audit. Its own licence's
    terms are said to be its own."""

    command = ["audit", "alpaca-7b", "--data", str(VALID), "--store", str(valid_store)]
    run = CliRunner().invoke(main, [*command, "--format", "json"])
    findings = json.loads(run.stdout)
    page = http.get("/id/alpaca-7b", headers=BROWSER).text
    section = page[page.index('<section id="licence-audit">') :]
    section = section[: section.index("</section>")]
    items = re.findall(r'<li><span class="rule">(.*?)</ol>', section, re.S)
    assert run.exit_code == 0 and findings and len(items) == len(findings)
    for item, finding in zip(items, findings, strict=True):
        assert item.startswith(f"{finding['rule']}</span>")
        if finding["route"] == "own licence":
            assert item.split("·")[1].lstrip().startswith("its own licence")
        else:
            assert f'<a href="/id/{finding["holder"]}">' in item
        assert finding["clause"] is None or f"§ {html.escape(finding['clause'])}" in item
        hops = re.findall(r"<li>(.*?)</li>", item, re.S)
        assert len(hops) == len(finding["path"])
        for hop, cited in zip(hops, finding["path"], strict=True):
            assert f'<a href="/id/{cited["to"]}">' in hop and cited["relation"] in hop
            assert cited["source"] is None or f'href="{cited["source"]}"' in hop
    plain = http.get("/id/pythia-12b", headers=BROWSER).text
    assert "its own licence, Apache-2.0, states no term the rules act on" in plain
    assert 'id="licence-audit"' not in http.get("/id/alpaca-52k", headers=BROWSER).text


def test_the_interactive_diagram_gets_its_picture_in_the_page(http):
    import json

    page = http.get("/id/llama", headers=BROWSER).text
    start = page.index('<script type="application/json" id="lineage-data">')
    data = json.loads(page[page.index(">", start) + 1 : page.index("</script>", start)])
    ids = {el["data"]["id"] for el in data["elements"] if "source" not in el["data"]}
    assert data["entity"] == "llama" and {"llama", "llama-7b", "alpaca-7b"} <= ids
    assert '<script src="/vendor/cytoscape.min.js">' in page
    assert http.get("/vendor/cytoscape-dagre.min.js").status_code == 200


def test_entities_without_lineage_get_no_empty_diagram(http):
    page = http.get("/id/meta", headers=BROWSER).text
    assert "<h1>Meta AI</h1>" in page and "<svg" not in page and "lineage-data" not in page


def test_a_collapsed_box_would_lead_to_the_list_of_every_child(http):
    page = http.get("/id/llama-7b", headers=BROWSER).text
    assert '<section id="referred-to-by">' in page and 'href="/id/alpaca-7b"' in page


def test_hub_models_have_pages_search_hits_and_links(hub_server):
    with hub_server.client() as http:
        page = http.get("/id/someone/pythia-70m-sft", headers=BROWSER)
        assert page.status_code == 200, page.text
        assert "<h1>someone/pythia-70m-sft</h1>" in page.text
        assert 'href="/id/pythia-70m"' in page.text  # its curated base
        at_its_iri = http.get("/hub/someone/pythia-70m-sft", headers=BROWSER)
        assert at_its_iri.status_code == 200 and at_its_iri.text == page.text
        base = http.get("/id/pythia-70m", headers=BROWSER).text
        assert 'href="/id/someone/pythia-70m-sft"' in base  # referred to by the Hub model
        hits = http.get("/search", params={"q": "pythia-70m-sft", "format": "json"}).json()
        assert "someone/pythia-70m-sft" in {hit["id"] for hit in hits}
        svg = http.get("/lineage/someone/pythia-70m-sft.svg")
        assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg")
        assert http.get("/id/someone/no-such-model", headers=BROWSER).status_code in (303, 404)


def test_hub_models_and_their_claims_dereference_as_rdf(hub_server):
    """A Hub model's IRI answers with what the Hub claims of it, each claim with its
    provenance, and each claim's own IRI answers too (as RDF, or as a page)."""
    model = rdflib.URIRef(HUB + "someone/pythia-70m-sft")
    with hub_server.client() as http:
        answer = http.get("/hub/someone/pythia-70m-sft", headers={"Accept": "text/turtle"})
        assert answer.status_code == 200, answer.text
        graph = rdflib.Graph().parse(data=answer.text, format="turtle")
        assert (model, ONT.trainedFrom, IDS["pythia-70m"]) in graph
        claims = set(graph.objects(model, ONT.qualifiedRelation))
        [claim] = {c for c in claims if (c, ONT.target, IDS["pythia-70m"]) in graph}
        assert all(str(c).startswith(str(model) + "/claim/") for c in claims)
        assert graph.value(claim, ONT.provenance) == rdflib.Literal("hub")
        assert str(graph.value(claim, rdflib.DCTERMS.source)).startswith("https://huggingface.co/")
        linked = http.get("/id/someone/pythia-70m-sft", params={"format": "jsonld"})
        assert linked.status_code == 200
        assert set(rdflib.Graph().parse(data=linked.text, format="json-ld")) == set(graph)
        path = "/" + str(claim).removeprefix("https://w3id.org/slmgraph/")
        node = http.get(path, headers={"Accept": "application/n-triples"})
        assert node.status_code == 200, node.text
        own = rdflib.Graph().parse(data=node.text, format="nt")
        assert set(own) == set(graph.triples((claim, None, None)))
        page = http.get(path, headers=BROWSER)
        assert page.status_code == 200 and 'href="/id/pythia-70m"' in page.text
        missing = http.get("/hub/someone/pythia-70m-sft/claim/none", headers=BROWSER)
        assert missing.status_code == 404


def _imported(tmp_path, records: list[dict]):
    """A store of the bundled catalogue with ``records`` imported beside it as a Hub dump."""
    dump = tmp_path / "models.jsonl"
    dump.write_text("".join(json.dumps(record) + "\n" for record in records))
    store = tmp_path / "store"
    run = CliRunner().invoke(main, ["import", "hf", "--from", str(dump), "--store", str(store)])
    assert run.exit_code == 0, run.output
    return store


def test_what_the_hub_claims_of_a_curated_entry_is_in_its_description(tmp_path):
    """A curated entry's Hub card may claim other lineage than the catalogue cites: its IRI
    answers with those claims too, marked as the Hub's, and its own lineage unchanged."""
    from slmgraph.server import worker

    records = [
        {"id": "someone/older-base", "createdAt": "2022-05-01T00:00:00.000Z"},
        {
            "id": "EleutherAI/pythia-70m",
            "createdAt": "2023-02-13T00:00:00.000Z",
            "tags": ["base_model:finetune:someone/older-base"],
        },
    ]
    store = _imported(tmp_path, records)
    build = worker.Build(store, (store / "current").resolve().name)
    answer = worker.describe(build, ID + "pythia-70m", "application/n-triples", None)
    graph = rdflib.Graph().parse(data=answer.body, format="nt")
    [claim] = graph.objects(IDS["pythia-70m"], ONT.hubClaim)
    older = rdflib.URIRef(HUB + "someone/older-base")
    assert (claim, ONT.target, older) in graph
    assert graph.value(claim, ONT.provenance) == rdflib.Literal("hub")
    assert not set(graph.triples((IDS["pythia-70m"], None, older)))  # no lineage of its own


def test_the_editor_reads_the_graphs_the_reports_read(hub_server, http):
    """With a Hub import, the editor names the curated and Hub graphs as its default graph, so
    a canned query there answers what the command line answers; without one it names none."""
    hub_graph = "https://w3id.org/slmgraph/graph/hub"
    with hub_server.client() as client:
        home = client.get("/", headers=BROWSER).text
        graphs = json.loads(html.unescape(re.search(r'data-graphs="([^"]*)"', home)[1]))
        assert graphs == ["https://w3id.org/slmgraph/graph/curated", hub_graph]
        text = client.get("/canned/descendants", params={"root": "pythia-70m"}).json()["query"]

        def descendants(dataset: list[str]) -> str:
            form = {"query": text, "default-graph-uri": dataset}
            return client.post("/sparql", data=form, headers={"Accept": "text/csv"}).text

        assert "someone/pythia-70m-sft" in descendants(graphs)
        assert "someone/pythia-70m-sft" not in descendants([])  # the curated graph alone
    curated_home = http.get("/", headers=BROWSER).text
    assert 'data-graphs="[]"' in curated_home


def test_a_page_lists_500_incoming_facts_the_curated_ones_among_them(tmp_path):
    """A base model with more Hub models below it than a page lists: the page's facts are the
    report's, except that of the incoming ones it lists 500, every curated one among them,
    with the count of all."""
    from slmgraph import entity_facts
    from slmgraph.server import worker

    records = [
        {
            "id": f"someone/pythia-12b-ft-{n:03}",
            "author": "someone",
            "createdAt": "2024-01-01T00:00:00.000Z",
            "tags": ["base_model:finetune:EleutherAI/pythia-12b"],
            "cardData": {"base_model": "EleutherAI/pythia-12b"},
        }
        for n in range(620)
    ]
    store = _imported(tmp_path, records)
    build = worker.Build(store, (store / "current").resolve().name)
    page = worker.entity(build, "pythia-12b", "Pythia-12B")
    report = entity_facts.show(build.graph, "pythia-12b")
    incoming = [fact for fact in report if fact["direction"] == "in"]
    listed = [fact for fact in page["facts"] if fact["direction"] == "in"]
    curated = [fact for fact in incoming if "/" not in fact["value"]]
    assert page["incoming"] == len(incoming) > 620 and curated  # dolly-v2-12b and others
    assert len(listed) == 500 and listed == [fact for fact in incoming if fact in listed]
    assert all(fact in listed for fact in curated)
    assert [f for f in page["facts"] if f["direction"] != "in"] == [
        f for f in report if f["direction"] != "in"
    ]
    assert len(page["picture"].nodes) < 40  # 620 fine-tunes drawn as one box
    with running_server(store, tmp_path / "server.log") as server, server.client() as http:
        text = http.get("/id/pythia-12b", headers=BROWSER).text
    assert f"500 of {len(incoming):,}, the curated ones among them" in text
    assert 'href="/id/dolly-v2-12b"' in text
