"""Every canned report equals the oracle, for every entity: on the fixture catalogue, on random
catalogues and on the real data."""

import tempfile
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyoxigraph import Store

from slmgraph import (
    audit,
    catalog,
    entity_facts,
    formats,
    generated,
    kept,
    lineage,
    lineage_build,
    lineage_picture,
    overviews,
    paths,
    rdf,
    reports,
    store,
)
from slmgraph.catalog import Catalog
from slmgraph.cli import main
from slmgraph.queries import Rows
from slmgraph.reports import EDGE_COLUMNS
from slmgraph.vocab import LINEAGE, STAGES
from tests.conftest import VALID, catalogue_of, indexed
from tests.oracle import Oracle, same_rows

SINCE = ("2020-01-01", "2023-04-01", "2023-04-15", "2024-12-31")
LINEAGE_PROPERTIES = {*LINEAGE, "trained-from", "based-on", "member-of", "slm:trainedOn"}


def disagreements(graph: reports.Graph, oracle: Oracle) -> list[str]:
    """Every (report, argument) whose answer differs from the oracle's."""
    checks = []
    for entry in oracle.of("model", "family"):
        e = entry.id
        checks += [
            (f"descendants {e}", reports.descendants(graph, e), oracle.descendants(e)),
            (f"ancestors {e}", reports.ancestors(graph, e), oracle.ancestors(e)),
            (f"datasets {e}", reports.datasets(graph, e), oracle.datasets(e, False)),
            (
                f"datasets {e} --transitive",
                reports.datasets(graph, e, transitive=True),
                oracle.datasets(e, True),
            ),
            (f"synthetic {e}", generated.synthetic(graph, e), oracle.synthetic(e)),
        ]
        if entry.type == "family":
            checks.append((f"family {e}", reports.family(graph, e), oracle.family(e)))
    for org in oracle.of("organisation"):
        o = org.id
        checks += [
            (f"org {o}", reports.organisation(graph, o), oracle.organisation(o)),
            (f"synthetic {o}", generated.synthetic(graph, o), oracle.synthetic(o)),
            (f"timeline --org {o}", reports.timeline(graph, org=o), oracle.timeline(org=o)),
        ]
    for day in SINCE:
        checks.append(
            (
                f"timeline --since {day}",
                reports.timeline(graph, since=day),
                oracle.timeline(None, day),
            )
        )
    checks += [
        ("stats", [overviews.stats(graph)], [oracle.stats()]),
        ("corrections", overviews.corrections(graph), oracle.corrections()),
    ]
    wrong = [name for name, got, expected in checks if not same_rows(got, expected)]
    audits = [(f"audit {e.id}", e.id) for e in oracle.of("model", "family")] + [("audit", None)]
    wrong += [
        name for name, e in audits if audit_problems(overviews.licence_audit(graph, e), oracle, e)
    ]
    for entry in oracle.of("model", "family", "dataset"):
        if shown_lineage(entity_facts.show(graph, entry.id)) != oracle.lineage_facts(entry.id):
            wrong.append(f"show {entry.id}")
    return wrong


def shown_lineage(rows: list[dict]) -> list[tuple]:
    """The lineage facts of a ``show`` report, as the oracle lists them."""
    return sorted(
        (
            (
                r["direction"],
                r["property"],
                r["value"],
                r["method"],
                r["stage"],
                r["source"],
                r["via"],
                r["note"],
            )
            for r in rows
            if r["property"] in LINEAGE_PROPERTIES
        ),
        key=str,
    )


AUDIT_KEY = ("id", "rule", "certainty", "licence", "clause", "holder", "route", "model_licence")


def audit_problems(found: list[dict], oracle: Oracle, wanted: str | None) -> list[str]:
    """How the audit's findings differ from the oracle's: the same findings, each path a real
    chain of cited edges as short as the oracle's."""
    got = sorted(((*(row[k] for k in AUDIT_KEY), len(row["path"])) for row in found), key=str)
    expected = sorted(
        ((*(row[k] for k in AUDIT_KEY), row["length"]) for row in oracle.audit(wanted)), key=str
    )
    problems = [f"got {row}" for row in got if row not in expected]
    problems += [f"missing {row}" for row in expected if row not in got]
    return problems + [p for row in found for p in oracle.audit_path_problems(row)]


def test_fixture_catalogue_matches_the_oracle(graph):
    assert disagreements(graph, Oracle(catalog.load(VALID))) == []


def test_real_catalogue_matches_the_oracle(tmp_path):
    """With the lineage index, as the commands read it, and without, as the endpoint does."""
    data = paths.data_dir()
    store.ensure(data, paths.ontology_dir(), tmp_path)
    oracle = Oracle(catalog.load(data))
    assert disagreements(indexed(tmp_path), oracle) == []
    assert disagreements(reports.Graph(store.open_store(tmp_path)), oracle) == []


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


# --- random catalogues ----------------------------------------------------------------------

SOURCE = "https://example.org/source"


# Licences with every fact the audit's rules act on: (spdx, kind, [(fact, value, outputs)]).
LICENCES = [
    ("Free", "licence", []),
    ("NC", "licence", [("non-commercial", None, False)]),
    ("SA", "licence", [("share-alike", None, False)]),
    ("Research", "licence", [("research-only", None, False), ("no-redistribution", None, False)]),
    ("RAIL", "licence", [("use-restrictions", None, False), ("outputs-derivatives", None, False)]),
    (
        "Llama",
        "licence",
        [
            ("use-restrictions", None, False),
            ("naming", "M1", True),
            ("user-threshold", 700000000, False),
            ("outputs-ban", None, False),
        ],
    ),
    ("ToS", "terms", [("outputs-ban", None, False)]),
    ("Closed", "placeholder", []),
]


@st.composite
def catalogues(draw) -> Catalog:
    """A valid random catalogue: a lineage DAG over models and families (merges, family-level
    edges, members), datasets derived from datasets (or their prompts) or generated by models
    (wholly, or only the responses), organisations and licences with every fact the licence
    audit acts on."""
    n_orgs = draw(st.integers(1, 3))
    orgs = [f"org-{i}" for i in range(n_orgs)]
    entries = [{"type": "organisation", "id": o, "name": f"Org {o}"} for o in orgs]
    for spdx, kind, facts in LICENCES:
        licence = {"type": "licence", "id": f"lic-{spdx.lower()}", "name": spdx, "spdx": spdx}
        if kind != "placeholder":
            licence |= {"kind": kind, "text": f"{SOURCE}/{spdx}"}
            licence["terms"] = [
                {"fact": fact, "clause": f"{n}.a"}
                | ({"value": value} if value else {})
                | ({"outputs": True} if outputs else {})
                for n, (fact, value, outputs) in enumerate(facts, start=1)
            ]
        entries.append(licence)
    licences = [spdx for spdx, _, _ in LICENCES]
    licence_choice = st.sampled_from([None, *licences])
    # Trainables in one order; every edge and membership points to an earlier one, so no cycles.
    kinds = draw(st.lists(st.sampled_from(["model", "model", "family"]), min_size=2, max_size=9))
    names = [f"{kind[0]}{i}" for i, kind in enumerate(kinds)]
    n_data = draw(st.integers(1, 5))
    datasets = [f"d{i}" for i in range(n_data)]
    for i, data_id in enumerate(datasets):
        entry = {"type": "dataset", "id": data_id, "name": f"Data {i}"}
        entry["organisation"] = draw(st.lists(st.sampled_from(orgs), max_size=1))
        if licence := draw(licence_choice):
            entry["licence"] = licence
        bases = draw(st.lists(st.sampled_from(datasets[:i]), max_size=2, unique=True)) if i else []
        entry["derived_from"] = [
            {"dataset": b, "source": SOURCE}
            | ({"reuses": "prompts"} if draw(st.booleans()) else {})
            for b in bases
        ]
        makers = draw(st.lists(st.sampled_from(names), max_size=2, unique=True))
        entry["generated_by"] = [
            {"model": m, "source": SOURCE} | ({"wrote": "responses"} if draw(st.booleans()) else {})
            for m in makers
        ]
        entries.append(entry)
    for i, (kind, entity_id) in enumerate(zip(kinds, names, strict=True)):
        earlier = names[:i]
        entry = {"type": kind, "id": entity_id, "name": entity_id.upper()}
        entry["organisation"] = draw(st.lists(st.sampled_from(orgs), max_size=2, unique=True))
        if licence := draw(licence_choice):
            entry["licence"] = licence
        if kind == "model" and draw(st.booleans()):
            entry["open_weights"] = draw(st.booleans())
        if draw(st.booleans()):
            entry["released"] = draw(st.sampled_from(["2022", "2023-04", "2023-04-10", "2024"]))
        families = [n for n, k in zip(earlier, kinds, strict=False) if k == "family"]
        if kind == "model" and families and draw(st.booleans()):
            entry["family"] = draw(st.sampled_from(families))
        parents = draw(st.lists(st.sampled_from(earlier), max_size=3, unique=True)) if i else []
        relations = st.sampled_from(sorted(LINEAGE))
        entry["derived_from"] = [
            {"parent": p, "relation": draw(relations), "source": f"{SOURCE}/{entity_id}/{p}"}
            | ({"method": draw(st.sampled_from(["SFT", "LoRA", ["SFT", "DPO"]]))} if j else {})
            for j, p in enumerate(parents)
        ]
        data = draw(
            st.lists(
                st.tuples(st.sampled_from(datasets), st.sampled_from(sorted(STAGES))),
                max_size=3,
                unique=True,
            )
        )
        entry["trained_on"] = [
            {"dataset": d, "stage": s, "source": f"{SOURCE}/{entity_id}/{d}"} for d, s in data
        ]
        entries.append(entry)
    return catalogue_of(entries, SOURCE)


def _graph_of(found: Catalog, index_dir: Path) -> reports.Graph:
    memory = Store()
    memory.bulk_extend(rdf.to_quads(found))
    lineage_build.index_build(memory, index_dir, (), (), ())
    return reports.Graph(memory, lineage=lineage.open_index(index_dir))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(catalogues())
def test_random_catalogues_match_the_oracle(found):
    with tempfile.TemporaryDirectory() as index_dir:
        graph = _graph_of(found, Path(index_dir))
        oracle = Oracle(found)
        assert disagreements(graph, oracle) == []
        graph.lineage = None  # the queries the index stands in for, as the endpoint runs them
        for entry in oracle.of("model", "family"):
            assert same_rows(reports.descendants(graph, entry.id), oracle.descendants(entry.id))
        for entry in oracle.of("model", "family", "organisation"):
            traced = generated.synthetic(graph, entry.id)
            assert same_rows(traced, oracle.synthetic(entry.id)), entry.id


@pytest.mark.parametrize("start", ["vicuna-13b", "llama", "pythia"])
def test_tree_order_puts_each_row_under_its_parent(graph, start):
    """A row's depth is one more than the row that reached its near end, which comes before it."""
    for report, near in ((reports.ancestors, "id"), (reports.descendants, "parent")):
        rows = report(graph, start)
        reached = {start: 0}
        for row in rows:
            if row["relation"] is None:  # a root of the ancestry
                assert reached[row["id"]] == row["depth"]
                continue
            if (
                report is reports.ancestors
                and row["relation"] == "member-of"
                and row["parent"] == start
            ):
                reached[row["id"]] = 1
                continue
            assert reached[row[near]] == row["depth"] - 1, row
            far = row["parent"] if near == "id" else row["id"]
            reached.setdefault(far, row["depth"])


def test_the_audit_of_a_hub_shaped_graph_reads_the_index_as_it_reads_the_store(hub_shaped):
    """The catalogue-wide audit reads the Hub's edges and entities from the lineage index: it
    finds what reading them from the store finds, in the same order, and what the oracle
    finds, Hub models among them; written as found, model by model, in the order of the
    model's name and id, then rule, holder and route."""
    from_index = list(overviews.licence_audit(hub_shaped.graph))
    assert from_index == list(overviews.licence_audit(hub_shaped.unindexed))
    rules = audit.RULE_IDS.index
    order = [(r["name"], r["id"], rules(r["rule"]), r["holder"], r["route"]) for r in from_index]
    assert order == sorted(order)
    hub_rows = [row for row in from_index if "/" in row["id"]]
    assert len({row["id"] for row in hub_rows}) > 100
    assert {"weights", "training data", "generated data"} <= {row["route"] for row in hub_rows}
    assert audit_problems(from_index, hub_shaped.oracle, None) == []
