"""Synthetic, seeded dump of Hugging Face Hub model metadata, as JSON Lines or Parquet.

    python bench/hub_dump.py --models 1000000 --seed 1 --out hub.jsonl [--card-text-fraction 0.05]
    python bench/hub_dump.py --models 1000000 --seed 1 --out hub.parquet   # needs pyarrow

Each record is shaped like a row of the public daily dumps of Hub model metadata, with exactly the
keys ``id``, ``author``, ``createdAt``, ``sha``, ``tags``, ``cardData`` and ``card``. Lineage is in
the tags (``base_model:<parent>`` and ``base_model:<relation>:<parent>``) and again in ``cardData``
(``base_model``: a string, or a list for merges), or, for a fraction of records, in the YAML front
matter of the raw model ``card`` text (``cardData`` is then null). In Parquet, ``cardData`` is a
column of JSON text (its ``base_model`` is a string or a list, which a Parquet struct cannot hold).

Shape: ~60% of models have no parent; children are fine-tunes (~55%), quantisations (~30%, ~99%
of them leaves), adapters (~12%) and merges (~2.5%, of 2-4 parents). A parent is drawn from a mix
of: weighted hub roots (real repo ids the curated catalogue links, such as meta-llama/Llama-2-7b-hf,
each dated its release day and placed there on the timeline) or a model in a hub's tree; a recent
fine-tune (chains of fine-tunes of fine-tunes); preferential attachment over all models one may
build on. Deep models are built on less, so chains reach ~20 at a million models. At that size the
largest root has ~15% of all models below it and a handful of roots have 10k+ descendants. Records
are in creation order, from 2022-03-02 (the Hub's floor date) on, the daily rate growing over time.

Planted on purpose, each rare: children dated before their parent (~0.1% of edges), model cards
whose YAML does not parse (~0.05% of cards), and a few of each of: a model naming itself as its
base model, a parent id that is not in the dump, a mutual pair (A from B and B from A), and a merge
declaring a single parent.

The same --models and --seed give the same records in either format; the lineage does not depend on
--card-text-fraction. Per-model state is a few compact arrays (parent index, relation, family,
author, date, depth), so a million models fit in modest memory; records are streamed out.
"""

import argparse
import json
import random
import sys
import time
from bisect import bisect
from collections.abc import Iterator
from pathlib import Path

from hub_lineage import Lineage
from hub_pools import (
    ADAPTER,
    FINETUNE,
    HUBS,
    KNOWN_DATASETS,
    LICENSE_CUM,
    LICENSE_IDS,
    MERGE,
    MODEL_TYPES,
    OTHER,
    OTHER_NAMES,
    PIPELINES,
    QUANT_TAGS,
    QUANTIZED,
    RELATION,
    ROOT,
    STEMS,
    WORDS,
    base36,
    iso,
    zipf_cumulative,
)


def records(lineage: Lineage, seed: int, card_fraction: float, tally: dict) -> Iterator[dict]:
    """The dump's records in creation order, generated one at a time; counts go into ``tally``."""
    rng = random.Random(f"hub-dump:{seed}:records")
    pick_broken = random.Random(f"hub-dump:{seed}:broken-cards").sample
    random_, randrange = rng.random, rng.randrange
    n = lineage.n
    license_of = bytearray(n)
    license_total = LICENSE_CUM[-1]
    datasets = max(10, n // 200)
    dataset_cum = zipf_cumulative(datasets, 1.1, 2.0)
    dataset_total = dataset_cum[-1]
    hub_license = {h: LICENSE_IDS.index(lic) for h, (_, _, lic, _, _) in enumerate(HUBS)}
    # Which cards (by their order among cards) get YAML that does not parse: ~0.05%, at least one.
    expected_cards = int(n * card_fraction)
    broken_cards = set()
    if expected_cards >= 20:
        wanted = max(1, round(expected_cards * 0.0005))
        broken_cards = set(pick_broken(range(int(expected_cards * 0.9)), wanted))
    cards = 0
    tally.update(edges=0, cards=0, broken_cards=0)

    def dataset_name(k: int) -> str:
        if k < len(KNOWN_DATASETS):  # the most used are datasets the catalogue holds
            return KNOWN_DATASETS[k]
        return f"{lineage.author_names[(k * 7919) % lineage.authors]}/data-{k}"

    for i in range(n):
        model = lineage.model_id(i)
        kind = lineage.relation[i]
        h = lineage.hub_at.get(i)
        problem = lineage.problem.get(i)
        p = lineage.parent[i]
        parents = [] if p < 0 else [p, *lineage.extra.get(i, ())]
        parent_ids = [lineage.model_id(q) for q in parents]
        if problem == "self":
            kind, parent_ids = FINETUNE, [model]
        elif problem == "missing":
            parent_ids = [f"deleted-user/{STEMS[lineage.family[i]]}-gone-{base36(i)}"]
        elif problem == "mutual":
            kind, parent_ids = FINETUNE, [lineage.model_id(i + 1)]

        # licence: the hub's own; a child mostly keeps its parent's
        if h is not None:
            lic = hub_license[h]
        elif parents and random_() < 0.85:
            lic = license_of[parents[0]]
        else:
            lic = bisect(LICENSE_CUM, random_() * license_total)
        license_of[i] = lic
        license_id = LICENSE_IDS[lic]

        # training data
        chance, most = ((0.25, 2), (0.75, 3), (0.7, 2), (0.15, 2), (0.1, 1))[kind]
        trained_on: list[str] = []
        if h is None and random_() < chance:
            picks = {bisect(dataset_cum, random_() * dataset_total) for _ in range(randrange(most))}
            picks.add(bisect(dataset_cum, random_() * dataset_total))
            trained_on = [dataset_name(k) for k in sorted(picks)]

        has_card = h is not None or kind != ROOT or random_() > 0.1
        arxiv = None
        if has_card and random_() < 0.03:
            arxiv = f"{randrange(22, 26)}{randrange(1, 13):02d}.{randrange(100, 20000):05d}"

        word = WORDS[lineage.relation[i]][lineage.word[i]] if h is None else ""
        model_type = MODEL_TYPES[lineage.family[i]]
        tags = []
        if kind == QUANTIZED and word == "GGUF":
            tags.append("gguf")
        elif kind == ADAPTER:
            tags += ("peft", "safetensors")
        else:
            tags.append("transformers")
            u = random_()
            tags += ("safetensors",) if u < 0.75 else ("pytorch",) if u < 0.9 else ()
        if kind == MERGE:
            tags += ("mergekit", "merge")
        tags.append(model_type)
        tags.append(PIPELINES.get(model_type, "text-generation"))
        if kind in (FINETUNE, MERGE) and random_() < 0.35:
            tags.append("conversational")
        if kind == QUANTIZED:
            tags += QUANT_TAGS[word]
        if random_() < 0.4:
            tags.append("en")
        if has_card:
            tags += ["dataset:" + d for d in trained_on]
            if arxiv:
                tags.append("arxiv:" + arxiv)
            for parent_id in parent_ids:
                tags.append("base_model:" + parent_id)
                tags.append(f"base_model:{RELATION[kind]}:{parent_id}")
            tags.append("license:" + license_id)
        if random_() < 0.4:
            tags.append("autotrain_compatible")
        if model_type in ("llama", "mistral", "qwen2", "gemma", "gemma2") and random_() < 0.5:
            tags.append("text-generation-inference")
        if random_() < 0.7:
            tags.append("endpoints_compatible")
        tags.append("region:us")

        card_data = card = None
        if has_card:
            card_data = {}
            if parent_ids:
                card_data["base_model"] = parent_ids if kind == MERGE else parent_ids[0]
            if trained_on:
                card_data["datasets"] = trained_on
            card_data["license"] = license_id
            if lic == OTHER:
                card_data["license_name"] = OTHER_NAMES[randrange(len(OTHER_NAMES))]
                card_data["license_link"] = (
                    "LICENSE"
                    if random_() < 0.5
                    else f"https://huggingface.co/{model}/blob/main/LICENSE"
                )
            if random_() < card_fraction:
                card = model_card(model, kind, card_data, cards in broken_cards)
                card_data = None
                tally["broken_cards"] += cards in broken_cards
                cards += 1
        tally["edges"] += len(parent_ids)
        tally["cards"] = cards

        yield {
            "id": model,
            "author": model.partition("/")[0],
            "createdAt": iso(lineage.created[i]),
            "sha": f"{rng.getrandbits(160):040x}",
            "tags": tags,
            "cardData": card_data,
            "card": card,
        }


def model_card(model: str, kind: int, data: dict, broken: bool) -> str:
    """Raw model card: YAML front matter with ``data``'s fields, then a short Markdown body."""
    lines = ["---"]
    base = data.get("base_model")
    if isinstance(base, list):
        lines += ["base_model:", *(f"- {b}" for b in base)]
    elif base:
        lines.append(f"base_model: {base}")
    datasets = data.get("datasets")
    if datasets and broken and len(model) % 2:
        lines.append(f"datasets: [{', '.join(datasets)}")  # the flow sequence is never closed
        broken = False
    elif datasets:
        lines += ["datasets:", *(f"- {d}" for d in datasets)]
    if broken:  # a tab where YAML allows only spaces
        lines.append(f"\tlicense: {data['license']}")
    else:
        lines.append(f"license: {data['license']}")
    for key in ("license_name", "license_link"):
        if key in data:
            lines.append(f"{key}: {data[key]}")
    lines.append("---")
    name = model.split("/", 1)[1]
    what = {
        ROOT: "A language model trained from scratch.",
        FINETUNE: f"This model is a fine-tuned version of [{base}](https://huggingface.co/{base}).",
        ADAPTER: f"A LoRA adapter for [{base}](https://huggingface.co/{base}).",
        QUANTIZED: f"Quantised files of [{base}](https://huggingface.co/{base}).",
        MERGE: "A merge of pre-trained language models made with mergekit.",
    }[kind]
    body = [
        "",
        f"# {name}",
        "",
        what,
        "",
        "## Training data",
        "",
        ", ".join(datasets) if datasets else "More information needed.",
        "",
        "## Usage",
        "",
        "```python",
        "from transformers import AutoModelForCausalLM",
        f'model = AutoModelForCausalLM.from_pretrained("{model}")',
        "```",
        "",
    ]
    return "\n".join(lines + body)


# --- writers ------------------------------------------------------------------------------------

BATCH = 50_000


def write_jsonl(rows: Iterator[dict], path: Path) -> int:
    count = 0
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    with path.open("w", encoding="utf-8", buffering=1 << 20) as out:
        batch = []
        for row in rows:
            batch.append(dumps(row))
            if len(batch) == BATCH:
                out.write("\n".join(batch) + "\n")
                count += len(batch)
                batch.clear()
        if batch:
            out.write("\n".join(batch) + "\n")
            count += len(batch)
    return count


def write_parquet(rows: Iterator[dict], path: Path) -> int:
    """Parquet in row groups of BATCH records; ``cardData`` as JSON text."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema(
        [
            ("id", pa.string()),
            ("author", pa.string()),
            ("createdAt", pa.string()),
            ("sha", pa.string()),
            ("tags", pa.list_(pa.string())),
            ("cardData", pa.string()),
            ("card", pa.string()),
        ]
    )
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    count = 0
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        columns: dict[str, list] = {name: [] for name in schema.names}

        def flush() -> None:
            writer.write_table(pa.Table.from_pydict(columns, schema=schema), row_group_size=BATCH)
            for values in columns.values():
                values.clear()

        for row in rows:
            for name in ("id", "author", "createdAt", "sha", "tags", "card"):
                columns[name].append(row[name])
            data = row["cardData"]
            columns["cardData"].append(None if data is None else dumps(data))
            count += 1
            if count % BATCH == 0:
                flush()
        if columns["id"]:
            flush()
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, required=True, help="how many model records")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True, help="FILE.jsonl or FILE.parquet")
    parser.add_argument(
        "--card-text-fraction",
        type=float,
        default=0.05,
        help="share of records giving the raw card text instead of cardData (default 0.05)",
    )
    args = parser.parse_args()
    if args.models < 1:
        parser.error("--models must be at least 1")
    if not 0 <= args.card_text_fraction <= 1:
        parser.error("--card-text-fraction must be between 0 and 1")
    suffix = args.out.suffix.lower()
    if suffix not in (".jsonl", ".parquet"):
        parser.error("--out must end in .jsonl or .parquet")

    start = time.perf_counter()
    lineage = Lineage(args.models, args.seed)
    tally: dict[str, int] = {}
    rows = records(lineage, args.seed, args.card_text_fraction, tally)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    written = (write_jsonl if suffix == ".jsonl" else write_parquet)(rows, args.out)
    elapsed = time.perf_counter() - start

    top = sorted(lineage.descendants.items(), key=lambda item: -item[1])[:5]
    print(f"records written: {written} -> {args.out} ({args.out.stat().st_size / 1e6:.1f} MB)")
    print(f"edges: {tally['edges']}")
    print(f"max depth: {max(lineage.depth)}")
    if top:
        print(f"largest root: {lineage.model_id(top[0][0])} with {top[0][1]} descendants")
        print("next roots: " + ", ".join(f"{lineage.model_id(r)} {c}" for r, c in top[1:]))
    print(
        f"planted: {lineage.date_violations} children dated before their parent, "
        f"{tally['broken_cards']} of {tally['cards']} cards with broken YAML, "
        f"{len(lineage.problem)} models in lineage problems"
    )
    print(f"elapsed: {elapsed:.1f} s")


if __name__ == "__main__":
    sys.exit(main())
