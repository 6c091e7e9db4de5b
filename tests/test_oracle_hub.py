"""Reports on a Hub-shaped graph mixed with the curated one: the index's answers equal the
queries' and the oracle's, in the same order, and the kept reports are written byte for byte as
their walked rows."""

from collections import Counter

import pytest
from click.testing import CliRunner

from slmgraph import (
    audit,
    entity_facts,
    formats,
    generated,
    kept,
    lineage_picture,
    overviews,
    reports,
)
from slmgraph.cli import main
from slmgraph.queries import Rows
from slmgraph.reports import EDGE_COLUMNS
from tests.oracle import same_rows
from tests.test_oracle import LINEAGE_PROPERTIES, audit_problems, shown_lineage

ROOTS = ["llama-2-7b", "pythia-1b", "mistral-7b-v0.1", "qwen2.5-7b", "llama"]


def test_a_hub_shaped_graph_mixed_with_the_curated_one_matches_the_oracle(hub_shaped):
    """Lineage and training data of the curated roots the Hub models hang under and of a
    sample of Hub models."""
    graph, unindexed, oracle = hub_shaped.graph, hub_shaped.unindexed, hub_shaped.oracle
    checks, synthetic_rows = [], 0
    for root in ROOTS:
        expected = oracle.descendants(root)
        in_order = reports.descendants(graph, root)
        assert in_order == reports.descendants(unindexed, root), f"{root}: the same tree order"
        checks += [
            (f"descendants {root}", reports.descendants(graph, root), expected),
            (f"descendants {root} (query)", reports.descendants(unindexed, root), expected),
            (
                f"descendants {root} --max-depth 2",
                reports.descendants(graph, root, 2),
                [row for row in expected if row["depth"] <= 2],
            ),
        ]
        for depth in (None, 1, 3):
            near = {row["id"] for row in expected if depth is None or row["depth"] <= depth}
            assert reports.descendant_count(graph, root, depth) == len(near), (root, depth)
    for generator in ("openai", "gpt-4", "text-davinci-003", "microsoft", "meta", "llama-2"):
        traced = generated.synthetic(graph, generator)
        assert traced == generated.synthetic(unindexed, generator), f"{generator}: same order"
        checks.append((f"synthetic {generator}", traced, oracle.synthetic(generator)))
        synthetic_rows += len(traced)
    datasets, trained_rows = oracle.of("dataset"), 0
    for dataset in datasets[:: max(1, len(datasets) // 30)]:
        traced = generated.trained_on(graph, dataset.id)
        assert traced == generated.trained_on(unindexed, dataset.id), f"{dataset.id}: same order"
        checks.append((f"trained-on {dataset.id}", traced, oracle.trained_on(dataset.id)))
        trained_rows += len(traced)
    for model in hub_shaped.hub_models[:: max(1, len(hub_shaped.hub_models) // 60)]:
        checks += [
            (f"ancestors {model}", reports.ancestors(graph, model), oracle.ancestors(model)),
            (
                f"datasets {model}",
                reports.datasets(graph, model, True),
                oracle.datasets(model, True),
            ),
        ]
    checks.append(("stats", [overviews.stats(graph)], [oracle.stats()]))
    assert hub_shaped.models > 2900
    assert synthetic_rows > 100  # Hub models below trainees of generated data
    assert trained_rows > 100  # Hub models below trainees of a dataset
    assert all(len(got) > 20 for name, got, _ in checks if name.startswith("descendants"))
    assert [name for name, got, expected in checks if not same_rows(got, expected)] == []


@pytest.mark.parametrize("shared", [False, True], ids=["one process", "shared"])
@pytest.mark.parametrize("fmt", ["json", "table", "csv"])
def test_the_descendants_command_writes_a_kept_report_as_the_walked_rows(
    hub_shaped, fmt, shared, monkeypatch
):
    """The command reads a report the index keeps as it writes it (JSON ready-made, a table
    written by SQLite, by several processes at once for a long one): what it writes is byte
    for byte what the rows walked from the query give, cut by --max-depth and --limit as they
    are, at any width."""
    runs = []
    if shared:  # reports long enough to share among three processes
        process = kept._Run
        monkeypatch.setattr(kept, "SHARED_FROM", 7)
        monkeypatch.setattr(kept.os, "cpu_count", lambda: 3)
        monkeypatch.setattr(kept, "_Run", lambda *args: runs.append(args) or process(*args))
    store_dir = str(hub_shaped.store_dir)
    for root, options, depth, limit in (
        ("llama-2-7b", [], None, None),
        ("llama-2-7b", ["--max-depth", "2", "--limit", "40"], 2, 40),
        ("pythia-1b", ["--limit", "0"], None, 0),
        ("pythia-1b", ["--max-depth", "1"], 1, None),
    ):
        walked = reports.descendants(hub_shaped.unindexed, root, depth)
        assert len(walked) > 10
        for width in (80, 200) if fmt == "table" else (80,):  # a table SQLite writes
            rows = Rows(EDGE_COLUMNS, walked[:limit])
            expected = b"".join(formats.encoded(rows, fmt, width))
            if fmt == "table" and limit == 0:
                expected = b""  # "no rows", said on standard error
            args = ["descendants", root, "--store", store_dir, "--format", fmt, *options]
            written = CliRunner().invoke(main, args, env={"COLUMNS": str(width)})
            assert written.exit_code == 0, written.output
            assert written.stdout_bytes == expected, (root, options, width)
    assert bool(runs) == (shared and fmt != "json")


def test_show_and_pictures_of_a_hub_shaped_graph_match_the_query_and_the_oracle(hub_shaped):
    """show reads the lineage edges into an entity from the index and a picture reads the edges
    into each node it draws: the same rows in the same order, and the same picture, as the
    queries and the whole descendants report give, with each fact's provenance."""
    graph, unindexed, oracle = hub_shaped.graph, hub_shaped.unindexed, hub_shaped.oracle
    incoming_rows, collapsed = 0, 0
    for root in ROOTS:
        shown = entity_facts.show(graph, root)
        assert shown == entity_facts.show(unindexed, root), f"show {root}: the same rows in order"
        assert shown_lineage(shown) == oracle.lineage_facts(root), f"show {root}"
        incoming_rows += sum(row["direction"] == "in" for row in shown)
        for row in shown:  # a Hub model's claim is the Hub's, with its day; the rest curated
            from_hub = row["direction"] == "in" and "/" in row["value"]
            assert row["provenance"] == ("hub" if from_hub else "curated"), row
            assert row["retrieved"] == ("2026-01-02" if from_hub else None), row
        curated = reports.Graph(graph.store, curated_only=True, lineage=graph.lineage)
        curated_shown = entity_facts.show(curated, root)
        unindexed_curated = reports.Graph(graph.store, curated_only=True)
        assert curated_shown == entity_facts.show(unindexed_curated, root)
        assert not any("/" in row["value"] for row in curated_shown if row["direction"] == "in")
        above = reports.ancestors(graph, root)
        drawn = lineage_picture.picture(root, root, above, reports.children_of(graph, root))
        whole = reports.descendants(unindexed, root)
        assert drawn == lineage_picture.picture(root, root, above, whole), f"picture of {root}"
        collapsed += sum(bool(node.group) for node in drawn.nodes.values())
    for model in hub_shaped.hub_models[:: max(1, len(hub_shaped.hub_models) // 60)]:
        shown = entity_facts.show(graph, model)
        assert shown == entity_facts.show(unindexed, model), f"show {model}: the same rows in order"
        assert shown_lineage(shown) == oracle.lineage_facts(model), f"show {model}"
        assert {row["provenance"] for row in shown if row["direction"] == "out"} == {"hub"}
        edges = [row for row in shown if row["property"] in LINEAGE_PROPERTIES]
        assert all(row["retrieved"] == "2026-01-02" for row in edges), model
    assert incoming_rows > 200  # Hub models deriving from the roots, from the index
    assert collapsed > 0  # pictures with collapsed sets of Hub children


def test_show_of_a_licence_or_dataset_many_hub_models_use_is_that_of_facts_rq(hub_shaped):
    """A licence has an incoming statement from every Hub model under it, and a dataset one
    from every Hub model trained on it (with the claim's source and day): show reads those from
    the index and orders them in Python, and gives the rows ``facts.rq`` gives, in its order."""
    graph, unindexed = hub_shaped.graph, hub_shaped.unindexed
    for licence in ("apache-2.0", "mit", "licenseref-llama-2"):
        shown = entity_facts.show(graph, licence)
        assert shown == entity_facts.show(unindexed, licence), licence
        assert sum(row["direction"] == "in" for row in shown) > 50, licence
        assert sum(row["direction"] == "out" for row in shown) > 3, licence
    trainees = Counter(
        fact.entity for fact in graph.lineage.hub_facts() if fact.property.endswith("trainedOn")
    )
    ranked = [dataset for dataset, _ in trainees.most_common()]
    for dataset in [*ranked[:3], *ranked[-2:]]:  # the most used and the least
        shown = entity_facts.show(graph, dataset)
        assert shown == entity_facts.show(unindexed, dataset), dataset
        # the most used are curated datasets, which curated models are trained on too
        claimed = [r for r in shown if r["direction"] == "in" and r["provenance"] == "hub"]
        assert claimed and all(row["retrieved"] == "2026-01-02" for row in claimed), dataset
        assert all(row["source"].startswith("https://huggingface.co/") for row in claimed)
    assert trainees[ranked[0]] > 50


def test_the_audit_of_a_hub_shaped_graph_reads_the_index_as_it_reads_the_store(hub_shaped):
    """The catalogue-wide audit reads the Hub's edges and entities from the lineage index: it
    finds what reading them from the store finds, in the same order, and what the oracle
    finds, Hub models among them; written as found, model by model, in the order of the
    model's name and id, then its own licence's before the others, then rule, holder and route."""
    from_index = list(overviews.licence_audit(hub_shaped.graph))
    assert from_index == list(overviews.licence_audit(hub_shaped.unindexed))
    rules = audit.RULE_IDS.index
    order = [
        (r["name"], r["id"], r["route"] != "own licence", rules(r["rule"]), r["holder"], r["route"])
        for r in from_index
    ]
    assert order == sorted(order)
    hub_rows = [row for row in from_index if "/" in row["id"]]
    assert len({row["id"] for row in hub_rows}) > 100
    routes = {"own licence", "weights", "training data", "generated data"}
    assert routes <= {row["route"] for row in hub_rows}
    assert audit_problems(from_index, hub_shaped.oracle, None) == []
