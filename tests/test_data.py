"""Integrity of the curated catalogue in data/: one rule per test, messages name entry and fix."""

import pytest

from slmgraph import catalog, lint, overviews, paths, queries, reports, scancode, store
from slmgraph.checks import references
from slmgraph.edgerows import NAMES
from slmgraph.schema import SEED_IDS

DATA = paths.data_dir()


@pytest.fixture(scope="module")
def loaded():
    found, problems = catalog.check(DATA)
    assert not problems, "\n".join(map(str, problems))
    return found


@pytest.fixture(scope="module")
def real_graph(tmp_path_factory, loaded):
    store_dir = tmp_path_factory.mktemp("real-store")
    store.ensure(DATA, paths.ontology_dir(), store_dir)
    return reports.Graph(store.open_store(store_dir))


def test_catalogue_has_no_problems(loaded):
    assert len(loaded.records) == len(catalog.entry_files(DATA))


def test_files_are_canonical():
    changed, problems = lint.lint(DATA, fix=False)
    stale = [str(path.relative_to(DATA)) for path in changed] + [str(p) for p in problems]
    assert not stale, f"not in canonical form (run `slmgraph lint --fix`): {stale}"


def test_every_organisation_and_publication_is_used(loaded):
    used = {target for entry in loaded.entries() for _, target, _ in references(entry)}
    unused = [e.id for e in loaded.entries("organisation", "publication") if e.id not in used]
    assert not unused, f"entries nothing refers to (link them or delete them): {unused}"


def test_no_organisation_name_holds_the_separator_reports_join_names_with(loaded):
    # a timeline row lists its organisations' names joined by edgerows.NAMES
    assert not [e.id for e in loaded.entries("organisation") if NAMES in e.name]


def test_every_family_has_members_or_lineage(loaded):
    members = {e.family for e in loaded.entries("model")}
    empty = [e.id for e in loaded.entries("family") if e.id not in members and not e.derived_from]
    assert not empty, f"families with no member model (add the variants): {empty}"


def test_closed_models_are_marked(loaded):
    for model_id in ("chatgpt", "gpt-4", "text-davinci-003"):
        assert loaded[model_id].open_weights is False, f"{model_id}: set open_weights: false"


def test_violation_queries_find_nothing(real_graph):
    for query in queries.discover(paths.queries_dir() / "checks").values():
        assert queries.run(real_graph.store, query) == [], query.title


def test_pythia_family_has_all_eight_sizes(real_graph):
    sizes = {row["parameters"] for row in reports.family(real_graph, "pythia")}
    assert {"70M", "160M", "410M", "1B", "1.4B", "2.8B", "6.9B", "12B"} <= sizes


@pytest.mark.parametrize(
    ("root", "descendant"),
    [
        ("pythia", "dolly-v2-12b"),
        ("llama", "alpaca-7b"),
        ("llama", "vicuna-13b"),
        ("llama", "stablevicuna-13b"),
        ("gpt-j-6b", "dolly-v1-6b"),
    ],
)
def test_starter_lineage(real_graph, root, descendant):
    assert descendant in {row["id"] for row in reports.descendants(real_graph, root)}


def test_vicuna_data_goes_back_to_chatgpt_and_llama_pretraining(real_graph):
    rows = reports.datasets(real_graph, "vicuna-13b", transitive=True)
    conversations = next(row for row in rows if row["id"] == "sharegpt-vicuna-70k")
    assert "chatgpt" in conversations["generated_by"]
    assert conversations["derived_from"] == "sharegpt"
    assert any(row["stage"] == "pretraining" and row["via"] != "vicuna-13b" for row in rows)


def test_alpaca_data_was_generated_by_text_davinci_003(real_graph):
    rows = reports.datasets(real_graph, "alpaca-7b")
    assert any("text-davinci-003" in (row["generated_by"] or "") for row in rows)


def test_seed_mistakes_are_recorded(real_graph):
    fixed = {(row["id"], row["seed"]) for row in overviews.corrections(real_graph)}
    assert ("pythia", "awesome-slm") in fixed


def _seed_names(loaded):
    return [
        (seed, name, target)
        for seed, (seed_map, _, _) in sorted(loaded.seed_maps.items())
        for name, target in seed_map.names.items()
    ]


def test_every_seed_document_has_a_name_map(loaded):
    assert set(loaded.seed_maps) == set(SEED_IDS)


def test_every_seed_name_resolves_to_its_entry(loaded, real_graph):
    wrong = []
    for seed, name, target in _seed_names(loaded):
        if isinstance(target, str):
            try:
                resolved = real_graph.resolve(name)
            except LookupError as error:
                resolved = str(error)
            if resolved != target:
                wrong.append(f"{seed}: '{name}' resolves to {resolved}, expected {target}")
    assert not wrong, "add the seed's spelling to the entry's aliases:\n" + "\n".join(wrong)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("LLaMA", "llama"),
        ("Llama 2", "llama-2"),
        ("Dolly-v2-12B", "dolly-v2-12b"),
        ("Mixtral 8x7B", "mixtral-8x7b-v0.1"),
        ("the Pile", "the-pile"),
    ],
)
def test_names_as_users_type_them(real_graph, name, expected):
    assert real_graph.resolve(name) == expected


def test_mapped_entries_list_their_seed(loaded):
    missing = [
        f"{target}: add {seed} to seeds"
        for seed, name, target in _seed_names(loaded)
        if isinstance(target, str) and seed not in loaded[target].seeds
    ]
    assert not missing, "\n".join(sorted(set(missing)))


def _family_fact_gaps(loaded) -> list[str]:
    """Facts stated on a family that a member's own entry lacks or contradicts.

    A family's statements hold for every member, so each member must state them too: a training
    edge (dataset, stage), which a tuned member states through the model it was tuned from, a
    lineage edge (relation, parent: the family's parent or one of its members), the licence and
    the developing organisations. An architecture value a member states must be the family's,
    or (in words) begin with it, as "grouped-query, no sliding window" does; a family's first
    release cannot come after a member's.
    """
    members: dict[str, list] = {}
    for model in loaded.entries("model"):
        if model.family:
            members.setdefault(model.family, []).append(model)

    def family_of(entry_id: str) -> str | None:
        entry = loaded[entry_id]
        return getattr(entry, "family", None)

    gaps = []
    for fam in loaded.entries("family"):
        for member in members.get(fam.id, []):
            where = f"{member.id} (member of {fam.id})"
            trained = _trained_along_lineage(loaded, member)
            for edge in fam.trained_on:
                if (edge.dataset, edge.stage) not in trained:
                    gaps.append(f"{where}: lacks trained_on {edge.dataset} ({edge.stage})")
            for edge in fam.derived_from:
                if not any(
                    own.relation == edge.relation
                    and edge.parent in (own.parent, family_of(own.parent))
                    for own in member.derived_from
                ):
                    gaps.append(f"{where}: lacks derived_from {edge.relation} {edge.parent}")
            if fam.licence and member.licence != fam.licence:
                gaps.append(f"{where}: licence {member.licence} but the family says {fam.licence}")
            missing = set(fam.organisation) - set(member.organisation)
            if missing:
                gaps.append(f"{where}: lacks organisation {sorted(missing)}")
            if fam.released and member.released and _before(member.released, fam.released):
                gaps.append(f"{where}: released {member.released}, before {fam.released}")
            stated = _architecture(member)
            for key, value in _architecture(fam).items():
                own = stated.get(key, value)
                agrees = own.startswith(value) if isinstance(value, str) else own == value
                if not agrees:
                    gaps.append(f"{where}: architecture {key} {own} but the family says {value}")
    return gaps


def _trained_along_lineage(loaded, model) -> set[tuple[str, str]]:
    """The (dataset, stage) pairs a model or any model its weights come from was trained on."""
    pairs: set[tuple[str, str]] = set()
    seen, todo = {model.id}, [model]
    while todo:
        entry = todo.pop()
        pairs |= {(edge.dataset, edge.stage) for edge in entry.trained_on}
        for edge in entry.derived_from:
            parent = loaded[edge.parent]
            if parent.id not in seen and parent.type == "model":
                seen.add(parent.id)
                todo.append(parent)
    return pairs


def _before(date: str, other: str) -> bool:
    """Whether one release date (YYYY, YYYY-MM or YYYY-MM-DD) falls before another, at the
    precision both give."""
    shared = min(len(date), len(other))
    return date[:shared] < other[:shared]


def _architecture(entry) -> dict:
    """The architecture values an entry states."""
    stated = entry.architecture.model_dump() if entry.architecture else {}
    return {key: value for key, value in stated.items() if value is not None}


def test_family_facts_hold_for_every_member(loaded):
    gaps = _family_fact_gaps(loaded)
    assert not gaps, (
        "state each fact on the members it is true of; keep it on the family only when every "
        "member states it:\n" + "\n".join(gaps)
    )


def test_every_licence_scancode_knows_names_its_key(loaded):
    """A licence whose SPDX id is in the ScanCode LicenseDB names its key there."""
    known = {spdx: key for key in scancode.index() for spdx in scancode.spdx_ids(key)}
    missing = [
        entry.id
        for entry in loaded.entries("licence")
        if entry.scancode is None and entry.spdx in known
    ]
    assert missing == []
