"""bench/hub_dump.py writes a synthetic Hub dump of the promised shape, in JSON Lines and Parquet.

Everything is measured on the written file, with plain Python, never on the generator's internals.
"""

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

SCRIPT = Path(__file__).parents[1] / "bench" / "hub_dump.py"
DATASETS = Path(__file__).parents[1] / "data" / "datasets"


def _catalogued_dataset_repos() -> set[str]:
    entries = (yaml.safe_load(path.read_text()) for path in DATASETS.glob("*.yaml"))
    return {
        entry["links"]["huggingface"]
        for entry in entries
        if "huggingface" in entry.get("links", {})
    }


N = 20_000
SEED = 0
KEYS = ["id", "author", "createdAt", "sha", "tags", "cardData", "card"]
RELATIONS = ("finetune", "adapter", "quantized", "merge")
ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z")
CURATED = (
    "EleutherAI/pythia-1b",
    "EleutherAI/pythia-12b",
    "meta-llama/Llama-2-7b-hf",
    "mistralai/Mistral-7B-v0.1",
    "Qwen/Qwen2.5-7B",
)


def generate(out: Path, models: int = N, seed: int = SEED, *extra: str) -> str:
    command = [sys.executable, str(SCRIPT), "--models", str(models), "--seed", str(seed)]
    done = subprocess.run(
        [*command, "--out", str(out), *extra], capture_output=True, text=True, check=True
    )
    return done.stdout


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def lineage(rows: list[dict]) -> dict[str, list[tuple[str, str]]]:
    """Each model's declared (relation, parent) pairs, from its tags."""
    declared = {}
    for row in rows:
        plain, typed = [], []
        for tag in row["tags"]:
            if tag.startswith("base_model:"):
                rest = tag.removeprefix("base_model:")
                relation, sep, parent = rest.partition(":")
                if sep and relation in RELATIONS:
                    typed.append((relation, parent))
                else:
                    plain.append(rest)
        assert sorted(plain) == sorted(parent for _, parent in typed), row["id"]
        declared[row["id"]] = typed
    return declared


def depths(parents: dict[str, list[str]]) -> dict[str, int]:
    """Longest chain of parents above each model (0 for a root); an edge closing a cycle is cut."""
    depth: dict[str, int] = {}
    for start in parents:
        stack, open_ = [start], {start}
        while stack:
            node = stack[-1]
            if node in depth:
                stack.pop()
                continue
            todo = [p for p in parents[node] if p in parents and p not in depth and p not in open_]
            if todo:
                stack.append(todo[0])
                open_.add(todo[0])
                continue
            depth[node] = 1 + max((depth[p] for p in parents[node] if p in depth), default=-1)
            open_.discard(stack.pop())
    return depth


def descendant_counts(roots: list[str], parents: dict[str, list[str]]) -> dict[str, int]:
    children: dict[str, list[str]] = {}
    for child, above in parents.items():
        for parent in above:
            children.setdefault(parent, []).append(child)
    counts = {}
    for root in roots:
        seen, todo = {root}, [root]
        while todo:
            for child in children.get(todo.pop(), ()):
                if child not in seen:
                    seen.add(child)
                    todo.append(child)
        counts[root] = len(seen) - 1
    return counts


def front_matter(card: str) -> str:
    assert card.startswith("---\n")
    head, sep, _ = card[4:].partition("\n---\n")
    assert sep, "front matter is closed"
    return head


@pytest.fixture(scope="module")
def dump(tmp_path_factory) -> tuple[list[dict], str]:
    out = tmp_path_factory.mktemp("hub") / "models.jsonl"
    printed = generate(out)
    return read_jsonl(out), printed


def test_records_are_shaped_like_the_hub_dumps(dump):
    rows, _ = dump
    assert len(rows) == N
    ids = [row["id"] for row in rows]
    assert len(set(ids)) == N
    for row in rows:
        assert list(row) == KEYS
        assert row["author"] == row["id"].split("/")[0] and row["id"].count("/") == 1
        assert re.fullmatch(r"[0-9a-f]{40}", row["sha"])
        assert ISO.fullmatch(row["createdAt"]) and row["createdAt"] >= "2022-03-02T00:00:00.000Z"
        assert all(isinstance(tag, str) for tag in row["tags"]) and "region:us" in row["tags"]
        assert row["cardData"] is None or row["card"] is None
    authors = Counter(row["author"] for row in rows)
    assert 0.03 * N <= len(authors) <= 0.06 * N
    assert authors.most_common(1)[0][1] >= 10 * N / len(authors)  # a few own many
    datasets = Counter(tag for row in rows for tag in row["tags"] if tag.startswith("dataset:"))
    named = {tag for tag in datasets if not re.fullmatch(r"dataset:[A-Za-z0-9]+/data-\d+", tag)}
    catalogued = {f"dataset:{repo}" for repo in _catalogued_dataset_repos()}
    assert 3 <= len(named) <= 10 and named <= catalogued  # the most used: real datasets
    uses = sum(datasets.values())
    assert len(datasets) <= N / 200 and datasets.most_common(1)[0][1] >= 5 * uses / len(datasets)
    arxiv = sum(any(tag.startswith("arxiv:") for tag in row["tags"]) for row in rows)
    assert 0.02 <= arxiv / N <= 0.04
    licences = Counter(
        tag.removeprefix("license:") for row in rows for tag in row["tags"] if "license:" in tag
    )
    assert {"apache-2.0", "mit", "llama2", "other", "cc-by-nc-4.0"} <= set(licences)


def test_card_data_agrees_with_the_tags(dump):
    rows, _ = dump
    declared = lineage(rows)
    for row in rows:
        data = row["cardData"]
        if data is None:
            continue
        parents = [parent for _, parent in declared[row["id"]]]
        relations = {relation for relation, _ in declared[row["id"]]}
        if not parents:
            assert "base_model" not in data
        elif relations == {"merge"}:
            assert data["base_model"] == parents
        else:
            assert data["base_model"] == parents[0] and len(parents) == 1
        assert [f"dataset:{d}" for d in data.get("datasets", [])] == [
            tag for tag in row["tags"] if tag.startswith("dataset:")
        ]
        assert f"license:{data['license']}" in row["tags"]
        assert ("license_name" in data) == ("license_link" in data) == (data["license"] == "other")


def test_lineage_shape(dump):
    rows, printed = dump
    declared = lineage(rows)
    parents = {model: [parent for _, parent in pairs] for model, pairs in declared.items()}
    roots = [model for model, above in parents.items() if not above]
    assert 0.55 <= len(roots) / N <= 0.65

    relation_of = {}
    for model, pairs in declared.items():
        if pairs:
            assert len({relation for relation, _ in pairs}) == 1, model
            relation_of[model] = pairs[0][0]
    mix = Counter(relation_of.values())
    children = len(relation_of)
    assert 0.48 <= mix["finetune"] / children <= 0.62
    assert 0.25 <= mix["quantized"] / children <= 0.35
    assert 0.09 <= mix["adapter"] / children <= 0.15
    assert 0.01 <= mix["merge"] / children <= 0.05
    merge_sizes = Counter(len(parents[m]) for m, r in relation_of.items() if r == "merge")
    assert set(merge_sizes) <= {1, 2, 3, 4} and merge_sizes[1] <= 10

    have_children = {parent for above in parents.values() for parent in above}
    quantized = [model for model, relation in relation_of.items() if relation == "quantized"]
    leaves = sum(model not in have_children for model in quantized)
    assert leaves / len(quantized) >= 0.98

    depth = depths(parents)
    assert max(depth.values()) >= 10

    counts = descendant_counts(roots, parents)
    largest = max(counts, key=counts.get)
    assert counts[largest] >= 0.10 * N
    assert f"largest root: {largest} with {counts[largest]} descendants" in printed
    for repo in CURATED:  # real repo ids, roots that Hub models hang under
        assert repo in parents and not parents[repo]
        assert counts[repo] >= 0.002 * N, repo
    edges = sum(len(above) for above in parents.values())
    assert f"edges: {edges}\n" in printed
    assert f"records written: {N} " in printed
    assert re.search(r"^max depth: \d+$", printed, re.M) and "elapsed: " in printed


def test_planted_quality_problems(dump):
    rows, _ = dump
    parents = {model: [p for _, p in pairs] for model, pairs in lineage(rows).items()}
    relation = {m: pairs[0][0] for m, pairs in lineage(rows).items() if pairs}
    created = {row["id"]: row["createdAt"] for row in rows}

    assert any(model in above for model, above in parents.items())  # self-loop
    assert any(p not in parents for above in parents.values() for p in above)  # missing parent
    mutual = [
        (a, b) for a, above in parents.items() for b in above if b != a and a in parents.get(b, ())
    ]
    assert mutual
    assert any(relation.get(m) == "merge" and len(above) == 1 for m, above in parents.items())

    edges = [(child, p) for child, above in parents.items() for p in above if p in created]
    early = [(child, p) for child, p in edges if created[child] < created[p]]
    assert 1 <= len(early) <= 0.005 * len(edges)


def test_cards_carry_front_matter_and_a_few_do_not_parse(dump):
    rows, _ = dump
    declared = lineage(rows)
    cards = [row for row in rows if row["card"] is not None]
    assert 0.03 * N <= len(cards) <= 0.07 * N
    broken = 0
    for row in cards:
        assert row["cardData"] is None
        try:
            meta = yaml.safe_load(front_matter(row["card"]))
        except yaml.YAMLError:
            broken += 1
            continue
        parents = [parent for _, parent in declared[row["id"]]]
        base = meta.get("base_model")
        assert (base if isinstance(base, list) else [base] if base else []) == parents
        assert f"license:{meta['license']}" in row["tags"]
        assert "\n# " in row["card"]  # a Markdown body follows
    assert 1 <= broken <= max(2, 0.002 * len(cards))


def test_parquet_holds_the_same_records(dump, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    rows, _ = dump
    out = tmp_path / "models.parquet"
    generate(out)
    table = pq.read_table(out)
    assert table.column_names == KEYS
    back = table.to_pylist()
    for row in back:
        if row["cardData"] is not None:
            row["cardData"] = json.loads(row["cardData"])
    assert back == rows


def test_the_card_text_fraction_leaves_the_lineage_alone(tmp_path):
    plain, carded = tmp_path / "plain.jsonl", tmp_path / "carded.jsonl"
    generate(plain, 5000, 3, "--card-text-fraction", "0")
    generate(carded, 5000, 3, "--card-text-fraction", "0.5")
    a, b = read_jsonl(plain), read_jsonl(carded)
    assert not any(row["card"] for row in a)
    assert 0.35 <= sum(row["card"] is not None for row in b) / len(b) <= 0.5
    strip = ("cardData", "card")
    assert [{k: v for k, v in r.items() if k not in strip} for r in a] == [
        {k: v for k, v in r.items() if k not in strip} for r in b
    ]
