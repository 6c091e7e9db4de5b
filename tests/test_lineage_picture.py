"""Which boxes and arrows a lineage picture has: every report edge, large sibling sets collapsed
into one box, and never more than MAX_NODES boxes however many children a model has."""

from slmgraph import lineage_picture, reports
from slmgraph.lineage_picture import MAX_NODES, MAX_SIBLINGS


def row(child, relation, parent, depth=1, method=None, source=None):
    return {
        "id": child, "name": child.upper(), "relation": relation, "parent": parent,
        "parent_name": parent.upper(), "depth": depth, "method": method, "source": source,
    }  # fmt: skip


def test_every_report_edge_is_drawn(graph):
    ancestors = reports.ancestors(graph, "alpaca-7b")
    descendants = reports.descendants(graph, "llama-7b")
    pic = lineage_picture.picture(
        "llama-7b", "LLaMA-7B", reports.ancestors(graph, "llama-7b"), descendants
    )
    drawn = {(e.child, e.relation, e.parent) for e in pic.edges}
    expected = {(r["id"], r["relation"], r["parent"]) for r in descendants if r["parent"]}
    assert expected and expected <= drawn
    up = lineage_picture.picture("alpaca-7b", "Alpaca 7B", ancestors, [])
    assert {(r["id"], r["relation"], r["parent"]) for r in ancestors if r["parent"]} == {
        (e.child, e.relation, e.parent) for e in up.edges
    }


def test_a_large_sibling_set_becomes_one_box_and_the_rest_stay():
    quantized = [row(f"q{i:02}", "quantized", "base") for i in range(37)]
    tuned = [row("chat", "fine-tuned", "base"), row("chat-q", "quantized", "chat", 2)]
    pic = lineage_picture.picture("base", "Base", [], quantized + tuned)
    groups = [node for node in pic.nodes.values() if node.group]
    assert [(g.label, len(g.group)) for g in groups] == [("+37 quantized", 37)]
    assert {"base", "chat", "chat-q"} <= set(pic.nodes)
    assert not any(node.startswith("q") for node in pic.nodes)
    relations = {(e.child, e.relation, e.parent) for e in pic.edges}
    assert (groups[0].id, "quantized", "base") in relations
    assert ("chat-q", "quantized", "chat") in relations


def test_sets_within_the_limit_are_drawn_whole():
    rows = [row(f"m{i}", "member-of", "family") for i in range(MAX_SIBLINGS)]
    pic = lineage_picture.picture("family", "Family", [], rows)
    assert len(pic.nodes) == MAX_SIBLINGS + 1 and not any(n.group for n in pic.nodes.values())


def test_thousands_of_hub_children_make_a_small_picture():
    rows = []
    for i in range(60):  # 60 fine-tunes, each with 50 quantized children and a grandchild
        rows.append(row(f"ft{i}", "fine-tuned", "root"))
        rows += [row(f"ft{i}-q{j}", "quantized", f"ft{i}", 2) for j in range(50)]
        rows.append(row(f"ft{i}-merge", "merged", f"ft{i}", 2))
    rows += [row(f"a{i}", "adapter", "root") for i in range(3000)]
    pic = lineage_picture.picture("root", "Root", [], rows)
    assert len(pic.nodes) <= MAX_NODES
    labels = {node.label for node in pic.nodes.values()}
    assert "+3,000 adapter" in labels
    assert all(e.child in pic.nodes and e.parent in pic.nodes for e in pic.edges)
    data = lineage_picture.cytoscape(pic, lambda node: f"/id/{node}")
    assert len(data["elements"]) < 4 * MAX_NODES  # bounded, whatever the store holds


def test_cytoscape_segments_join_adjacent_layers_and_only_the_last_has_the_arrow():
    rows = [
        row("mid", "fine-tuned", "root"),
        row("leaf", "fine-tuned", "mid", 2),
        row("leaf", "merged", "root", 1),  # a long edge: root is two layers above leaf
    ]
    data = lineage_picture.cytoscape(lineage_picture.picture("root", "Root", [], rows), str)
    nodes = {el["data"]["id"]: el["data"] for el in data["elements"] if "source" not in el["data"]}
    segments = [el["data"] for el in data["elements"] if "source" in el["data"]]
    virtual = [node for node in nodes.values() if node["kind"] == "virtual"]
    assert len(virtual) == 1 and virtual[0]["relation"] == "merged"
    merged = [s for s in segments if s["relation"] == "merged"]
    assert [(s["source"], s["target"], s["last"]) for s in merged] == [
        ("leaf", virtual[0]["id"], False),
        (virtual[0]["id"], "root", True),
    ]
    assert [item["relation"] for item in data["legend"]] == ["fine-tuned", "merged"]


def test_a_collapsed_box_links_to_the_listing_of_its_parent():
    rows = [row(f"q{i:02}", "quantized", "base") for i in range(30)]
    pic = lineage_picture.picture("base", "Base", [], rows)
    data = lineage_picture.cytoscape(pic, lambda node: f"/id/{node}", lambda p: f"/all/{p}")
    groups = [el["data"] for el in data["elements"] if el["data"].get("kind") == "group"]
    assert [(g["label"], g["href"]) for g in groups] == [("+30 quantized", "/all/base")]
    assert groups[0]["title"].startswith("Q00, Q01") and groups[0]["title"].endswith("18 more")


def test_every_curated_picture_draws_each_report_edge_once(real_graph_with_index):
    graph = real_graph_with_index
    families = {row["id"] for row in graph.select("labels") if row["class"] == "family"}
    for entity in sorted(families):
        ancestors, descendants = (
            reports.ancestors(graph, entity),
            reports.descendants(graph, entity),
        )
        pic = lineage_picture.picture(entity, entity, ancestors, descendants)
        drawn = [(e.child, e.relation, e.parent) for e in pic.edges]
        expected = {(r["id"], r["relation"], r["parent"]) for r in ancestors + descendants}
        assert len(drawn) == len(set(drawn)), entity
        if not any(node.group for node in pic.nodes.values()):
            assert set(drawn) == {edge for edge in expected if edge[2]}, entity
