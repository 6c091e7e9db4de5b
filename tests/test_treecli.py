"""`slmgraph tree`: the page's picture as SVG, DOT (parsed by pydot) and Mermaid (one edge line
per lineage edge of the ancestors and descendants reports)."""

import json
import re
import xml.etree.ElementTree as ET

import pydot
import pytest
from click.testing import CliRunner

from slmgraph.cli import main
from slmgraph.vocab import entity_iri
from tests.conftest import VALID

ENTITIES = ["llama", "llama-7b", "pythia", "vicuna-13b", "dolly-v2-12b"]
EDGE = re.compile(r"^\s*(n\d+) -->\|([\w-]+)\| (n\d+)$")
BOX = re.compile(r'^\s*(n\d+)\["(.*)"\]$')


@pytest.fixture
def run(valid_store):
    def invoke(*args: str):
        command = [*args, "--data", str(VALID), "--store", str(valid_store)]
        return CliRunner().invoke(main, command)

    return invoke


def report_edges(run, name) -> tuple[set[tuple[str, str, str]], dict[str, str]]:
    """(child, relation, parent) of every lineage edge the two reports list for ``name``, and
    the names the rows give."""
    edges, names = set(), {}
    for report in ("ancestors", "descendants"):
        result = run(report, name, "--format", "json")
        assert result.exit_code == 0, result.output
        for row in json.loads(result.output):
            names[row["id"]] = row["name"]
            if row["parent"]:
                edges.add((row["id"], row["relation"], row["parent"]))
                names[row["parent"]] = row["parent_name"]
    return edges, names


@pytest.mark.parametrize("entity", ENTITIES)
def test_mermaid_has_one_edge_line_per_report_edge(run, entity):
    result = run("tree", entity, "--format", "mermaid")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "flowchart BT"
    labels = {m[1]: m[2] for line in lines if (m := BOX.match(line))}
    drawn = [EDGE.match(line).groups() for line in lines if "-->" in line]
    expected, names = report_edges(run, entity)
    assert len(drawn) == len(expected)
    label_pairs = {(labels[child], relation, labels[parent]) for child, relation, parent in drawn}
    assert label_pairs == {(names[c], r, names[p]) for c, r, p in expected}


@pytest.mark.parametrize("entity", ENTITIES)
def test_dot_parses_with_every_report_edge(run, entity):
    result = run("tree", entity, "--format", "dot")
    assert result.exit_code == 0, result.output
    (graph,) = pydot.graph_from_dot_data(result.output)
    nodes = {node.get_name().strip('"') for node in graph.get_nodes()}
    nodes |= {n.get_name().strip('"') for sub in graph.get_subgraphs() for n in sub.get_nodes()}
    drawn = {
        (e.get_source().strip('"'), e.get("label").strip('"'), e.get_destination().strip('"'))
        for e in graph.get_edges()
    }
    expected, _ = report_edges(run, entity)
    assert drawn == expected
    assert {node for edge in expected for node in (edge[0], edge[2])} <= nodes
    first = graph.get_node(f'"{entity}"')[0]
    assert first.get("URL").strip('"') == entity_iri(entity)


def test_svg_to_a_file_links_boxes_to_their_iris(run, tmp_path):
    out = tmp_path / "pythia.svg"
    result = run("tree", "Pythia", "--out", str(out))
    assert result.exit_code == 0 and result.output == ""
    svg = ET.fromstring(out.read_text())
    links = {a.get("href") for a in svg.iter("{http://www.w3.org/2000/svg}a")}
    assert {entity_iri("pythia"), entity_iri("pythia-12b"), entity_iri("dolly-v2-12b")} <= links


def test_bad_input_is_one_line_and_exit_2(run, tmp_path):
    unknown = run("tree", "no-such-model")
    assert unknown.exit_code == 2 and "unknown name 'no-such-model'" in unknown.output
    nowhere = run("tree", "pythia", "--out", str(tmp_path / "missing" / "x.svg"))
    assert nowhere.exit_code == 2 and "does not exist" in nowhere.output
    assert "Traceback" not in unknown.output + nowhere.output
