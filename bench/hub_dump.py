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
import calendar
import json
import math
import random
import sys
import time
from array import array
from bisect import bisect
from collections.abc import Iterator
from itertools import accumulate
from pathlib import Path

# --- the timeline -------------------------------------------------------------------------------

FLOOR = calendar.timegm((2022, 3, 2, 0, 0, 0))  # the Hub dates older repos to this day
END = calendar.timegm((2025, 9, 30, 0, 0, 0))
SPAN = END - FLOOR
GROWTH = 2.5  # new models per day grow by e**GROWTH from the first day to the last
_EXPM1 = math.expm1(GROWTH)
DAY = 86400


def timeline(x: float) -> int:
    """Creation time of the model at fraction ``x`` (0..1) of the dump, in epoch seconds."""
    return FLOOR + int(SPAN * math.log1p(x * _EXPM1) / GROWTH)


def timeline_fraction(when: int) -> float:
    """The inverse of :func:`timeline`: where in the dump a model created at ``when`` falls."""
    f = min(max((when - FLOOR) / SPAN, 0.0), 1.0)
    return math.expm1(GROWTH * f) / _EXPM1


def iso(when: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(when))


def day(text: str) -> int:
    return calendar.timegm(time.strptime(text, "%Y-%m-%d"))


# --- vocabularies -------------------------------------------------------------------------------

ROOT, FINETUNE, ADAPTER, QUANTIZED, MERGE = range(5)
RELATION = ("", "finetune", "adapter", "quantized", "merge")

# Hub roots: repo ids the curated catalogue links, with their release day, Hub licence tag, model
# type tag and weight in the hub draw; the first five are meant to be popular roots.
HUBS = (
    ("meta-llama/Llama-2-7b-hf", "2023-07-18", "llama2", "llama", 200),
    ("mistralai/Mistral-7B-v0.1", "2023-09-27", "apache-2.0", "mistral", 45),
    ("Qwen/Qwen2.5-7B", "2024-09-19", "apache-2.0", "qwen2", 40),
    ("EleutherAI/pythia-1b", "2023-02-13", "apache-2.0", "gpt_neox", 8),
    ("EleutherAI/pythia-12b", "2023-02-13", "apache-2.0", "gpt_neox", 5),
    ("openai-community/gpt2", "2019-02-14", "mit", "gpt2", 4),
    ("meta-llama/Llama-2-7b-chat-hf", "2023-07-18", "llama2", "llama", 15),
    ("meta-llama/Llama-2-13b-hf", "2023-07-18", "llama2", "llama", 8),
    ("mistralai/Mistral-7B-Instruct-v0.1", "2023-09-27", "apache-2.0", "mistral", 10),
    ("microsoft/phi-2", "2023-12-12", "mit", "phi", 6),
    ("mistralai/Mixtral-8x7B-v0.1", "2023-12-11", "apache-2.0", "mixtral", 5),
    ("TinyLlama/TinyLlama-1.1B-intermediate-step-1431k-3T", "2023-12-28", "apache-2.0", "llama", 6),
    ("google/gemma-7b", "2024-02-21", "gemma", "gemma", 5),
    ("meta-llama/Meta-Llama-3-8B", "2024-04-18", "llama3", "llama", 15),
    ("meta-llama/Meta-Llama-3-8B-Instruct", "2024-04-18", "llama3", "llama", 12),
    ("google/gemma-2-9b", "2024-06-27", "gemma", "gemma2", 6),
    ("meta-llama/Llama-3.1-8B", "2024-07-23", "llama3.1", "llama", 15),
    ("meta-llama/Llama-3.1-8B-Instruct", "2024-07-23", "llama3.1", "llama", 20),
    ("Qwen/Qwen2.5-7B-Instruct", "2024-09-19", "apache-2.0", "qwen2", 15),
    ("Qwen/Qwen2.5-1.5B-Instruct", "2024-09-19", "apache-2.0", "qwen2", 8),
    ("meta-llama/Llama-3.2-1B", "2024-09-25", "llama3.2", "llama", 8),
)

_PREFIXES = (
    ("tiny-lm", "llama"),
    ("nano-gpt", "gpt2"),
    ("mini-llm", "llama"),
    ("open-lm", "llama"),
    ("bert-base", "bert"),
    ("roberta", "roberta"),
    ("t5-small", "t5"),
    ("opt", "opt"),
    ("bloom-mini", "bloom"),
    ("gpt-j", "gptj"),
    ("mamba", "mamba"),
    ("rwkv", "rwkv"),
    ("stablelm", "stablelm"),
    ("pico-lm", "llama"),
    ("deberta", "deberta"),
    ("falcon-lite", "falcon"),
)
_SIZES = ("70m", "125m", "350m", "1b", "1.3b", "3b", "7b", "13b")
# A family is what a model's name starts with: the hub's repo name, or a synthetic stem.
STEMS = [repo.split("/", 1)[1] for repo, *_ in HUBS] + [
    f"{prefix}-{size}" for prefix, _ in _PREFIXES for size in _SIZES
]
MODEL_TYPES = [kind for *_, kind, _ in HUBS] + [kind for _, kind in _PREFIXES for _ in _SIZES]

WORDS = (
    ("base", "v1", "v2", "pretrain", "exp", "scratch", "ckpt"),
    ("chat", "instruct", "sft", "dpo", "orpo", "alpaca", "orca", "code", "math", "uncensored",
     "roleplay", "medical", "legal", "ko", "ja", "de", "zh", "v2", "rlhf", "reasoning"),
    ("lora", "qlora", "adapter", "peft", "lora-r16", "lora-alpaca"),
    ("GGUF", "AWQ", "GPTQ", "4bit", "8bit", "exl2", "mlx-4bit", "bnb-4bit"),
    ("merge", "slerp", "ties", "dare-ties", "passthrough", "frankenmerge"),
)  # fmt: skip
PIPELINES = {  # the pipeline tag, where it is not "text-generation"
    "bert": "fill-mask",
    "roberta": "fill-mask",
    "deberta": "fill-mask",
    "t5": "text2text-generation",
}
QUANT_TAGS = {
    "GGUF": (),  # its library tag, "gguf", says it
    "AWQ": ("awq", "4-bit"),
    "GPTQ": ("gptq", "4-bit"),
    "4bit": ("4-bit", "bitsandbytes"),
    "8bit": ("8-bit", "bitsandbytes"),
    "exl2": ("exl2",),
    "mlx-4bit": ("mlx", "4-bit"),
    "bnb-4bit": ("4-bit", "bitsandbytes"),
}

LICENSES = (
    ("apache-2.0", 35),
    ("mit", 15),
    ("other", 10),
    ("cc-by-nc-4.0", 8),
    ("cc-by-4.0", 6),
    ("openrail", 5),
    ("llama2", 3),
    ("llama3", 3),
    ("llama3.1", 2),
    ("llama3.2", 1),
    ("gemma", 2),
    ("gpl-3.0", 3),
    ("creativeml-openrail-m", 2),
    ("bigscience-openrail-m", 2),
    ("cc-by-sa-4.0", 2),
    ("bsd-3-clause", 1),
    ("unknown", 1),
)
LICENSE_IDS = [name for name, _ in LICENSES]
# Real datasets, most used first, as popular on the Hub as those the generator names: their
# licences and generators (a non-commercial, a share-alike and an OpenAI-generated one) reach
# the Hub models trained on them.
KNOWN_DATASETS = [
    "tatsu-lab/alpaca",
    "OpenAssistant/oasst1",
    "Anthropic/hh-rlhf",
    "HuggingFaceH4/ultrachat_200k",
    "databricks/databricks-dolly-15k",
    "nomic-ai/gpt4all_prompt_generations",
    "BelleGroup/train_1M_CN",
]
LICENSE_CUM = list(accumulate(weight for _, weight in LICENSES))
OTHER = LICENSE_IDS.index("other")
OTHER_NAMES = (
    "qwen-research", "deepseek", "tongyi-qianwen", "falcon-llm-license", "exaone",
    "yi-license", "model-license", "research-only",
)  # fmt: skip

_SYLLABLES = (
    "ba", "ko", "ri", "ne", "su", "ta", "mi", "lo", "ve", "da", "zu", "ha", "ki", "no", "pe",
    "ra", "si", "to", "wu", "ya", "ge", "fo", "lu", "ma", "ni", "xa", "jo", "ce", "bu", "di",
)  # fmt: skip

QUANTIZERS = 6  # the head of the author pool: accounts that mostly publish quantisations


def author_name(k: int) -> str:
    """A distinct, pronounceable user or organisation name for each k (bijective numeration)."""
    letters = []
    n = k + len(_SYLLABLES) + 1  # at least two syllables
    while n:
        n, digit = divmod(n - 1, len(_SYLLABLES))
        letters.append(_SYLLABLES[digit])
    name = "".join(reversed(letters))
    style = (k * 2654435761) % 7
    if style == 1:
        return name.capitalize()
    if style == 2:
        return name + str(k % 97)
    if style == 3:
        return name.capitalize() + "AI"
    return name


def base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if not n:
            return out


def zipf_cumulative(size: int, exponent: float, offset: float) -> list[float]:
    """Cumulative weights 1 / (k + offset) ** exponent, k = 1..size: a heavy-tailed draw."""
    total, out = 0.0, []
    for k in range(1, size + 1):
        total += (k + offset) ** -exponent
        out.append(total)
    return out


# --- pass 1: the lineage ------------------------------------------------------------------------

P_ROOT = 0.60
# Cumulative relation draw for a child: fine-tune, quantisation, adapter, merge.
P_FINETUNE, P_QUANTIZED, P_ADAPTER = 0.555, 0.855, 0.975
# Parent draw: a quantised model (rare, so that ~99% of them stay leaves), else a hub, else a recent
# fine-tune (chains), else preferential attachment over everything that can have children.
P_QUANT_PARENT, P_HUB, P_RECENT = 0.0015, 0.55, 0.70
DEEP, KEEP_DEEP = 8, 0.42  # a parent this deep is kept with this chance, else its parent is tried
HUB_DAMPING = 30.0
P_HUB_ITSELF = 0.5  # a hub draw takes the hub itself, else a model in its tree
P_ROOT_TARGET = 0.3  # share of new roots that anyone may build on
RECENT = 48  # how far back "recent" reaches, in fine-tunes
P_DATE_VIOLATION = 0.001


class Lineage:
    """The dump's models as compact arrays, indexed in creation order."""

    def __init__(self, n: int, seed: int) -> None:
        self.n = n
        rng = random.Random(f"hub-dump:{seed}:lineage")
        self.parent = array("i", [-1]) * n  # first parent, or -1
        self.extra: dict[int, tuple[int, ...]] = {}  # merges: the further parents
        self.relation = bytearray(n)
        self.family = array("H", [0]) * n  # index into STEMS
        self.word = bytearray(n)  # index into WORDS[relation]
        self.author = array("i", [0]) * n  # index into the author pool
        self.depth = bytearray(n)
        self.created = array("q", [0]) * n
        self.hub_at: dict[int, int] = {}  # index -> number in HUBS
        self.problem: dict[int, str] = {}  # index -> the quality problem it carries
        self.authors = max(50, n // 20)
        self.author_names = [author_name(k) for k in range(self.authors)]

        for i in range(n):
            self.created[i] = timeline((i + rng.random()) / n)
        self._place_hubs(rng)
        self._plan_problems(rng)
        self._grow(rng)
        self.date_violations = self._misdate(rng)
        self.descendants = self._descendants()

    def _place_hubs(self, rng: random.Random) -> None:
        """Put each hub where the timeline reaches its release day, and date it that day."""
        for h, (_, released, *_) in enumerate(HUBS[: max(1, self.n // 200)]):
            when = max(FLOOR, day(released) + rng.randrange(DAY))
            slot = min(int(timeline_fraction(when) * self.n), self.n - 1)
            while slot in self.hub_at:
                slot = slot + 1 if slot + 1 < self.n else 0
            self.hub_at[slot] = h
            # everything after the slot is dated after it, so the hub's children stay after it
            self.created[slot] = min(when, timeline((slot + 1) / self.n) - 1)

    def _plan_problems(self, rng: random.Random) -> None:
        if self.n < 1000:
            return
        each = max(2, self.n // 200_000)
        for kind in ("self", "missing", "single-merge", "mutual") * each:
            while True:
                i = rng.randrange(self.n // 5, self.n - 1)
                slots = (i, i + 1) if kind == "mutual" else (i,)
                if not any(s in self.hub_at or s in self.problem for s in slots):
                    break
            if kind == "mutual":  # i is a root that also names i + 1, a fine-tune of i
                self.problem[i], self.problem[i + 1] = "mutual", "mutual-child"
            else:
                self.problem[i] = kind

    def _grow(self, rng: random.Random) -> None:
        random_, randrange = rng.random, rng.randrange
        parent, relation, family, word = self.parent, self.relation, self.family, self.word
        author, depth, extra = self.author, self.depth, self.extra
        n_hubs = len(HUBS)
        author_cum = zipf_cumulative(self.authors, 1.0, 10.0)
        author_total = author_cum[-1]
        targets = array("i")  # preferential attachment: each model once, plus once per child
        recent = array("i", [0]) * RECENT
        quants = array("i", [0]) * RECENT
        n_recent = n_quants = 0
        hub_nodes: list[int] = []  # the hubs created so far, and their summed weights
        hub_cum: list[float] = []
        in_tree = [array("i") for _ in HUBS]  # per hub: the models below it one may build on

        def pick() -> int:
            p = draw()
            # deep models are built on less: step up to the parent, more likely the deeper it is
            while depth[p] >= DEEP and random_() > KEEP_DEEP:
                p = parent[p]
            return p

        def draw() -> int:
            u = random_()
            if u < P_QUANT_PARENT and n_quants:
                return quants[randrange(min(n_quants, RECENT))]
            if u < P_HUB and hub_nodes:
                # the hubs' pull grows with their weight: one early hub does not take every child
                x = random_() * (hub_cum[-1] + HUB_DAMPING)
                if x < hub_cum[-1]:
                    hub = hub_nodes[bisect(hub_cum, x)]
                    below = in_tree[family[hub]]
                    if below and random_() >= P_HUB_ITSELF:
                        return below[randrange(len(below))]
                    return hub
            if u < P_RECENT and n_recent:
                return recent[randrange(min(n_recent, RECENT))]
            return targets[randrange(len(targets))]

        for i in range(self.n):
            h = self.hub_at.get(i)
            if h is not None:
                family[i] = h
                hub_nodes.append(i)
                hub_cum.append((hub_cum[-1] if hub_cum else 0.0) + HUBS[h][4])
                targets.append(i)
                continue
            problem = self.problem.get(i)
            if problem in ("self", "missing", "mutual") or (
                problem is None and (not targets or random_() < P_ROOT)
            ):
                family[i] = n_hubs + randrange(len(STEMS) - n_hubs)
                word[i] = randrange(len(WORDS[ROOT]))
                author[i] = bisect(author_cum, random_() * author_total)
                if problem == "missing":  # a fine-tune whose parent is not in the dump
                    relation[i] = FINETUNE
                    word[i] = randrange(len(WORDS[FINETUNE]))
                if random_() < P_ROOT_TARGET:
                    targets.append(i)
                continue

            u = random_()
            kind = (
                FINETUNE
                if u < P_FINETUNE
                else QUANTIZED
                if u < P_QUANTIZED
                else ADAPTER
                if u < P_ADAPTER
                else MERGE
            )
            if problem == "mutual-child":
                kind, parents = FINETUNE, [i - 1]
            elif problem == "single-merge":
                kind, parents = MERGE, [pick()]
            elif kind == MERGE:
                parents = []
                for _ in range(rng.randint(2, 4)):
                    for _attempt in range(8):
                        p = pick()
                        if p not in parents:
                            parents.append(p)
                            break
                if len(parents) < 2:  # too few models yet to merge two distinct ones
                    kind = FINETUNE
                    del parents[1:]
            else:
                parents = [pick()]

            relation[i] = kind
            parent[i] = parents[0]
            if len(parents) > 1:
                extra[i] = tuple(parents[1:])
            depth[i] = min(255, 1 + max(depth[p] for p in parents))
            family[i] = family[parents[0]]
            word[i] = randrange(len(WORDS[kind]))
            if kind == QUANTIZED and random_() < 0.3:
                author[i] = randrange(QUANTIZERS)
            else:
                author[i] = bisect(author_cum, random_() * author_total)
            targets.extend(parents)
            if kind == QUANTIZED:
                quants[n_quants % RECENT] = i
                n_quants += 1
            elif kind == ADAPTER:
                if random_() < 0.3:
                    targets.append(i)
            else:
                targets.append(i)
                recent[n_recent % RECENT] = i
                n_recent += 1
                if family[i] < n_hubs:
                    in_tree[family[i]].append(i)

    def _misdate(self, rng: random.Random) -> int:
        """Date ~0.1% of single-parent children before their parent; return how many."""
        if self.n < 1000:
            return 0
        wanted = max(2, round(P_DATE_VIOLATION * (self.n - self.relation.count(ROOT))))
        done = 0
        for _attempt in range(wanted * 1000):
            if done == wanted:
                break
            i = rng.randrange(self.n)
            p = self.parent[i]
            if p < 0 or i in self.extra or i in self.problem:
                continue
            room = self.created[p] - FLOOR
            if room < 2 * DAY:
                continue
            self.created[i] = self.created[p] - rng.randint(3600, min(90 * DAY, room - DAY))
            done += 1
        return done

    def _descendants(self) -> dict[int, int]:
        """Transitive descendant count of each root, over the planned (acyclic) edges."""
        n, parent, extra = self.n, self.parent, self.extra
        root_of = array("i", [0]) * n  # the one root above, or -1 when several (see several)
        several: dict[int, frozenset[int]] = {}
        counts: dict[int, int] = {}
        for i in range(n):
            p = parent[i]
            if p < 0:
                root_of[i] = i
                continue
            if i in extra:
                roots: set[int] = set()
                for q in (p, *extra[i]):
                    r = root_of[q]
                    roots.update(several[q] if r < 0 else (r,))
                if len(roots) == 1:
                    root_of[i] = roots.pop()
                else:
                    root_of[i] = -1
                    several[i] = frozenset(roots)
            else:
                root_of[i] = root_of[p]
                if root_of[i] < 0:
                    several[i] = several[p]
            r = root_of[i]
            for root in several[i] if r < 0 else (r,):
                counts[root] = counts.get(root, 0) + 1
        return counts

    # --- names ---

    def model_id(self, i: int) -> str:
        h = self.hub_at.get(i)
        if h is not None:
            return HUBS[h][0]
        return (
            f"{self.author_names[self.author[i]]}/{STEMS[self.family[i]]}"
            f"-{WORDS[self.relation[i]][self.word[i]]}-{base36(i)}"
        )


# --- pass 2: the records ------------------------------------------------------------------------


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
