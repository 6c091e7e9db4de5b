"""The oracle's records: the catalogue's entries and lineage as plain dicts, and the Hub's
claims read from its records on their own."""

import json
from collections import defaultdict
from types import SimpleNamespace

import yaml

from slmgraph.hubrdf import HUB_LICENCES  # the Hub's names of licences: facts, not logic

TRAINABLE = ("model", "family")


def hub_name(value, dataset: bool = False) -> str | None:
    """What a card or tag names as a base model (or dataset) as the import should read it: a
    repo id, with spaces around it and a link to its Hub page taken away; None for anything
    else (a local path, a blank, a number). A dataset may have no owner."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    for page in ("https://huggingface.co/datasets/", "https://huggingface.co/"):
        if text.startswith(page):
            text = text[len(page) :].removesuffix("/")
            break
    parts = text.split("/")
    if len(parts) != 2 and not (dataset and len(parts) == 1):
        return None
    for part in parts:
        if not part or not (part[0].isalnum() or part[0] == "_"):
            return None
        if any(not (c.isalnum() or c in "_.-") for c in part):
            return None
    return text


def join(values) -> str | None:
    """Values as one sorted, comma-separated text, as a report joins them; None for none."""
    values = sorted(set(values))
    return ", ".join(values) if values else None


class Records:
    """The entries by id, the lineage edges up and down, each family's members."""

    def __init__(self, catalog):
        self.entries = {entry.id: entry for entry in catalog.entries()}
        self.up = defaultdict(list)  # child -> [(relation, parent, methods, source)]
        self.down = defaultdict(list)  # parent -> [(relation, child, methods, source)]
        self.members = defaultdict(list)
        for entry in self.of("model", "family"):
            for edge in entry.derived_from:
                self._link(entry.id, edge.relation, edge.parent, join(edge.method), edge.source)
            if getattr(entry, "family", None):
                self._link(entry.id, "member-of", entry.family, None, None)
                self.members[entry.family].append(entry.id)
        self.spdx = {entry.spdx: entry for entry in self.of("licence")}
        self.hub_edges: dict[tuple, str] = {}  # (child, relation, parent) -> day retrieved
        self.hub_training: dict[tuple, str] = {}  # (child, dataset) -> day retrieved

    # --- claims imported from the Hub, read from the records on their own ------------------

    HUB_WORDS = {
        "finetune": "trained-from",
        "adapter": "adapter",
        "quantized": "quantized",
        "merge": "merged",
    }

    def add_hub(self, records: list[dict], fetched: str) -> None:
        """Hub records as the import should read them: a repo a curated entry names is that
        entry (whose own claims lose to it); self-loops and mutual claims are dropped."""
        # a repo listed again (in any case) is its last record
        records = list({str(r.get("id")).lower(): r for r in records}.values())
        links = {}
        for entry in self.entries.values():
            repos = getattr(entry, "links", None) and entry.links
            for repo in [repos.huggingface, *repos.huggingface_aliases] if repos else []:
                if repo:
                    links[("datasets/" if entry.type == "dataset" else "") + repo] = entry.id
        # the Hub ignores case in repo ids: a record's own spelling, else a curated link's, else
        # the first one met
        spelled = {key.lower(): key for key in links}
        spelled.update((r["id"].lower(), r["id"]) for r in records if r.get("id"))

        def canonical(repo: str, prefix: str = "") -> str:
            return spelled.setdefault((prefix + repo).lower(), prefix + repo).removeprefix(prefix)

        links = {canonical(key): entity for key, entity in links.items()}
        claims = {}  # child repo -> {parent repo: (word, declared on card)}
        datasets = {}  # child repo -> {dataset: declared on card}
        shas = {}
        licences = {}  # repo -> the licence its card or tags name
        spdx_ids = {spdx.lower(): spdx for spdx in self.spdx}
        for record in records:
            repo = record.get("id")
            card = record.get("cardData")
            card = json.loads(card) if isinstance(card, str) else card
            if not card and record.get("card"):
                text = record["card"]
                try:
                    card = yaml.safe_load(text[3 : text.find("\n---", 3)])
                except yaml.YAMLError:
                    card = {}
            card = card if isinstance(card, dict) else {}
            tags = record.get("tags") or []
            typed = {}
            for tag in tags:
                parts = tag.split(":")
                typed_tag = parts[0] == "base_model" and len(parts) == 3
                if typed_tag and parts[1] in self.HUB_WORDS and (name := hub_name(parts[2])):
                    typed[name] = self.HUB_WORDS[parts[1]]
            named = card.get("base_model") or []
            named = [named] if not isinstance(named, list) else named
            named = [name for name in map(hub_name, named) if name]
            plain = [
                name
                for t in tags
                if t.count(":") == 1 and t.startswith("base_model:")
                if (name := hub_name(t[len("base_model:") :]))
            ]
            stated = self.HUB_WORDS.get(card.get("base_model_relation"))
            parents = {}  # one a parent entity: a curated entry's repos are one, the first
            for parent in [*named, *typed, *plain]:  # named stands, the surest word on the
                said = 2 if parent in named and stated else 1 if parent in typed else 0
                word = stated if said == 2 else typed.get(parent, "based-on")  # relation
                kept = parents.setdefault(
                    links.get(canonical(parent), canonical(parent)),
                    [canonical(parent), word, parent in named, said],
                )
                if said > kept[3]:
                    kept[1], kept[3] = word, said
                kept[2] = kept[2] or parent in named
            claims[repo] = {first: (word, on_card) for first, word, on_card, _ in parents.values()}
            listed = card.get("datasets") or []
            listed = [listed] if not isinstance(listed, list) else listed
            listed = [name for name in (hub_name(d, dataset=True) for d in listed) if name]
            tagged = {
                name: name in listed
                for t in tags
                if t.startswith("dataset:")
                if (name := hub_name(t[len("dataset:") :], dataset=True))
            }
            datasets[repo] = {}  # one a dataset entity: a curated entry's repos are one
            for dataset, on_card in [*((d, True) for d in listed), *tagged.items()]:
                name = canonical(dataset, "datasets/")
                kept = datasets[repo].setdefault(links.get(f"datasets/{name}", name), [name, False])
                kept[1] = kept[1] or on_card
            shas[repo] = record.get("sha")
            named_licences = card.get("license") or [
                t[len("license:") :] for t in tags if t.startswith("license:")
            ]
            named_licences = [named_licences] if isinstance(named_licences, str) else named_licences
            if named_licences:
                first = named_licences[0]
                licences[repo] = card.get("license_name") if first == "other" else first

        def node(repo: str, kind: str = "model") -> str:
            key = ("datasets/" if kind == "dataset" else "") + repo
            if key in links:
                return links[key]
            if key not in self.entries:
                self.entries[key if kind == "dataset" else repo] = SimpleNamespace(
                    id=key,
                    name=repo,
                    type=kind,
                    derived_from=[],
                    trained_on=[],
                    family=None,
                    organisation=[],
                    generated_by=[],
                    aliases=[],
                    # a model's repo id names it, as the Hub shows it
                    links=SimpleNamespace(huggingface=repo, huggingface_aliases=[])
                    if kind == "model"
                    else None,
                    licence=None,
                )
            return key

        def source(repo: str, on_card: bool) -> str:
            if on_card:
                return f"https://huggingface.co/{repo}/blob/{shas.get(repo) or 'main'}/README.md"
            return f"https://huggingface.co/api/models/{repo}"

        for repo, parents in claims.items():
            if repo in links:
                continue  # the curated entry's own lineage wins
            child = node(repo)
            if licences.get(repo):  # the licence's name on the Hub, or an SPDX id any case
                named = licences[repo].lower()
                self.entries[child].licence = spdx_ids.get(HUB_LICENCES.get(named, named).lower())
            for parent, (word, on_card) in parents.items():
                if parent == repo or repo in claims.get(parent, {}):
                    continue
                target = node(parent)
                self._link(child, word, target, None, source(repo, on_card))
                self.hub_edges[(child, word, target)] = fetched
            for dataset, on_card in datasets[repo].values():
                self.entries[child].trained_on.append(
                    SimpleNamespace(  # a claim has no stage, no curator's note, no parts
                        dataset=node(dataset, "dataset"),
                        stage=None,
                        source=source(repo, on_card),
                        note=None,
                        parts=None,
                        reuses=None,
                    )
                )
                self.hub_training[(child, node(dataset, "dataset"))] = fetched

    def _provenance(self, child, relation, parent) -> tuple[str, str | None]:
        fetched = self.hub_edges.get((child, relation, parent))
        return ("hub", fetched) if fetched else ("curated", None)

    def _link(self, child, relation, parent, methods, source) -> None:
        self.up[child].append((relation, parent, methods, source))
        self.down[parent].append((relation, child, methods, source))

    def of(self, *types):
        return [entry for entry in self.entries.values() if entry.type in types]

    def name(self, entity_id: str) -> str:
        return self.entries[entity_id].name

    def developed_within(self, entity_id: str) -> set[str]:
        """The organisations that developed the entity, and every one each is a unit of."""
        return self.within(getattr(self.entries[entity_id], "organisation", None) or [])

    def within(self, orgs) -> set[str]:
        """The organisations, and every one each is a unit of, transitively."""
        seen, todo = set(), list(orgs)
        while todo:
            org = todo.pop()
            if org not in seen:
                seen.add(org)
                todo.extend(self.entries[org].unit_of)
        return seen

    def _row(self, child, relation, parent, methods, source, depth) -> dict:
        return {
            "id": child,
            "name": self.name(child),
            "relation": relation,
            "parent": parent,
            "parent_name": self.name(parent),
            "depth": depth,
            "method": methods,
            "source": source,
            "provenance": self._provenance(child, relation, parent)[0],
            "retrieved": self._provenance(child, relation, parent)[1],
        }

    def above(self, starts, skip=()) -> set[str]:
        """Every node reachable upward (lineage and membership) from the starts, themselves too,
        but along the relations in ``skip``."""
        seen, todo = set(starts), list(starts)
        while todo:
            for relation, parent, _, _ in self.up[todo.pop()]:
                if parent not in seen and relation not in skip:
                    seen.add(parent)
                    todo.append(parent)
        return seen
