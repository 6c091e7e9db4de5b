"""Every canned report equals the oracle, for every entity: on the fixture catalogue, on random
catalogues and on the real data."""

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyoxigraph import Store

from slmgraph import (
    catalog,
    entity_facts,
    generated,
    lineage,
    lineage_build,
    overviews,
    paths,
    rdf,
    reports,
    store,
)
from slmgraph.catalog import Catalog
from slmgraph.vocab import LINEAGE, STAGES
from tests.conftest import VALID, catalogue_of, indexed
from tests.oracle import Oracle, same_rows

SINCE = ("2020-01-01", "2023-04-01", "2023-04-15", "2024-12-31")
LINEAGE_PROPERTIES = {
    *LINEAGE,
    "trained-from",
    "based-on",
    "member-of",
    "slm:trainedOn",
    "slm:trainedOnPromptsOf",
}


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
    for data in oracle.of("dataset"):
        d = data.id
        checks.append((f"trained-on {d}", generated.trained_on(graph, d), oracle.trained_on(d)))
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
                r["parts"],
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
            ("display", "Built with M1", False),
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
    (wholly, or only the responses), training edges that say which parts of a dataset they
    used or that took its prompts alone, organisations and licences with every fact the
    licence audit acts on, some organisations units of others."""
    n_orgs = draw(st.integers(1, 4))
    orgs = [f"org-{i}" for i in range(n_orgs)]
    entries = [  # each a unit of earlier ones, or of none
        {"type": "organisation", "id": o, "name": f"Org {o}"}
        | {
            "unit_of": draw(st.lists(st.sampled_from(orgs[:i]), max_size=2, unique=True))
            if i
            else []
        }
        for i, o in enumerate(orgs)
    ]
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
    parts_of = {}  # dataset -> its parts (the datasets it is derived from)
    for i, data_id in enumerate(datasets):
        entry = {"type": "dataset", "id": data_id, "name": f"Data {i}"}
        entry["organisation"] = draw(st.lists(st.sampled_from(orgs), max_size=1))
        if licence := draw(licence_choice):
            entry["licence"] = licence
        bases = draw(st.lists(st.sampled_from(datasets[:i]), max_size=2, unique=True)) if i else []
        parts_of[data_id] = bases
        entry["derived_from"] = [
            {"dataset": b, "source": SOURCE}
            | draw(
                st.sampled_from(
                    [{}, {"reuses": "prompts"}]  # every part of a base with parts, or not
                    + ([{"parts": "whole"}] if parts_of[b] else [])
                )
            )
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
        used = {d: draw(_parts_used(parts_of[d])) for d in {d for d, _ in data}}
        entry["trained_on"] = [
            {"dataset": d, "stage": s, "source": f"{SOURCE}/{entity_id}/{d}"}
            | ({"parts": used[d]} if used[d] else {})
            | ({"reuses": "prompts"} if not used[d] and draw(st.booleans()) else {})
            for d, s in data
        ]
        entries.append(entry)
    return catalogue_of(entries, SOURCE)


def _parts_used(parts: list[str]):
    """What a training edge may say of a dataset's parts: nothing, the whole, or of each part
    whether it was used, left out or of unknown use (not all of them used)."""
    if not parts:
        return st.none()
    some = st.lists(
        st.sampled_from(["used", "left_out", "unknown"]), min_size=len(parts), max_size=len(parts)
    )
    split = some.filter(lambda said: set(said) != {"used"}).map(
        lambda said: {
            key: [p for p, s in zip(parts, said, strict=True) if s == key] for key in set(said)
        }
    )
    return st.one_of(st.none(), st.just("whole"), split)


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
        for entry in oracle.of("dataset"):
            traced = generated.trained_on(graph, entry.id)
            assert same_rows(traced, oracle.trained_on(entry.id)), entry.id


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
