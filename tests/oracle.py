"""An oracle for every report: the same answers computed straight from the catalogue records.

Plain graph walks over dicts, no SPARQL and no code shared with the reports, so that a wrong
query or a wrong post-processing step shows up as a difference. The semantics it encodes are
the README's: a family means itself and its members; a model's family states what holds for
every member; a lineage edge to a family leads to the family's own statements only.
"""

import json
from collections import defaultdict, deque
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


def _join(values) -> str | None:
    values = sorted(set(values))
    return ", ".join(values) if values else None


class Oracle:
    def __init__(self, catalog):
        self.entries = {entry.id: entry for entry in catalog.entries()}
        self.up = defaultdict(list)  # child -> [(relation, parent, methods, source)]
        self.down = defaultdict(list)  # parent -> [(relation, child, methods, source)]
        self.members = defaultdict(list)
        for entry in self.of("model", "family"):
            for edge in entry.derived_from:
                self._link(entry.id, edge.relation, edge.parent, _join(edge.method), edge.source)
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
                    SimpleNamespace(  # a claim has no stage, and no curator's note
                        dataset=node(dataset, "dataset"),
                        stage=None,
                        source=source(repo, on_card),
                        note=None,
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

    # --- lineage -------------------------------------------------------------------------

    def descendants(self, root: str) -> list[dict]:
        below, todo = set(), [root]
        while todo:
            for _, child, _, _ in self.down[todo.pop()]:
                if child not in below:
                    below.add(child)
                    todo.append(child)
        inside = below | {root}
        dist = {root: 0}
        queue = deque([root])
        while queue:
            node = queue.popleft()
            for _, child, _, _ in self.down[node]:
                if child in inside and child not in dist:
                    dist[child] = dist[node] + 1
                    queue.append(child)
        return [
            self._row(child, relation, parent, methods, source, dist[parent] + 1)
            for child in below
            for relation, parent, methods, source in self.up[child]
            if parent in inside
        ]

    def _ancestry(self, start: str):
        members = self.members.get(start, [])
        nodes = self.above([start, *members])
        upward = {node: [edge for edge in self.up[node] if edge[1] != start] for node in nodes}
        dist = {start: 0} | {member: 1 for member in members}
        queue = deque(sorted(dist, key=dist.get))
        while queue:
            node = queue.popleft()
            for _, parent, _, _ in upward[node]:
                if parent not in dist or dist[parent] > dist[node] + 1:
                    dist[parent] = dist[node] + 1
                    queue.append(parent)
        return members, upward, dist

    def ancestors(self, start: str) -> list[dict]:
        members, upward, dist = self._ancestry(start)
        rows = []
        for member in members:
            if upward[member]:
                rows.append(self._row(member, "member-of", start, None, None, 1))
        parents = set()
        for node, edges in upward.items():
            for relation, parent, methods, source in edges:
                rows.append(self._row(node, relation, parent, methods, source, dist[node] + 1))
                parents.add(parent)
        for root in parents:
            if not upward[root]:
                rows.append(
                    dict.fromkeys(rows[0])
                    | {"id": root, "name": self.name(root), "depth": dist[root]}
                )
        return rows

    def datasets(self, start: str, transitive: bool) -> list[dict]:
        members, upward, dist = self._ancestry(start)
        family = getattr(self.entries[start], "family", None)
        own = {start, *members} | ({family} if family else set())
        trainees = set(upward) if transitive else own
        candidates = [
            (dist[via], via, edge.stage, edge.dataset, edge.source)
            for via in trainees
            for edge in self.entries[via].trained_on
        ]
        nearest = {}
        for depth, via, stage, dataset, source in sorted(
            candidates, key=lambda c: (*c[:2], c[2] or "", *c[3:])
        ):
            if (dataset, stage) in nearest:
                continue
            data = self.entries[dataset]
            nearest[(dataset, stage)] = {
                "id": dataset,
                "name": data.name,
                "stage": stage,
                "via": via,
                "via_name": self.name(via),
                "depth": depth,
                "generated_by": _join(
                    g.model + (" (responses)" if g.wrote == "responses" else "")
                    for g in data.generated_by
                ),
                "derived_from": _join(
                    d.dataset + (" (prompts)" if d.reuses == "prompts" else "")
                    for d in data.derived_from
                ),
                "source": source,
                "provenance": "hub" if (via, dataset) in self.hub_training else "curated",
                "retrieved": self.hub_training.get((via, dataset)),
            }
        return list(nearest.values())

    # --- organisations -------------------------------------------------------------------

    def _developed_by(self, entity_id: str, org: str) -> bool:
        return org in (getattr(self.entries[entity_id], "organisation", None) or [])

    def organisation(self, org: str) -> list[dict]:
        released = [
            {
                "id": entry.id,
                "name": entry.name,
                "section": "released",
                "kind": entry.type,
                "released": entry.released,
                "parameters": getattr(entry, "parameters", None),
            }
            for entry in self.of("model", "family", "dataset")
            if org in entry.organisation
        ]
        builders = []
        for entry in self.of(*TRAINABLE):
            if org in entry.organisation or not entry.organisation:
                continue
            reached = self.above([parent for _, parent, _, _ in self._lineage_up(entry.id)])
            bases = {b for b in reached if self._developed_by(b, org)}
            nearest = {
                base
                for base in bases
                if not any(base in self.above([o]) - {o} for o in bases - {base})
            }
            weights = self.above(  # chains that carry weights: no distillation on them
                [p for relation, p, _, _ in self._lineage_up(entry.id) if relation != "distilled"],
                skip={"distilled"},
            )
            for builder in entry.organisation:
                for base in nearest:
                    builders.append(
                        {
                            "id": entry.id,
                            "name": entry.name,
                            "section": "builds-on" if base in weights else "via-distillation",
                            "kind": entry.type,
                            "organisation": builder,
                            "organisation_name": self.name(builder),
                            "base": base,
                            "base_name": self.name(base),
                        }
                    )
        return released + builders

    def _lineage_up(self, entity_id: str):
        return [edge for edge in self.up[entity_id] if edge[0] != "member-of"]

    # --- synthetic data and licences --------------------------------------------------------

    def synthetic(self, generator: str) -> list[dict]:
        def generates(candidate: str) -> bool:
            entry = self.entries[candidate]
            family = getattr(entry, "family", None)
            return (
                candidate == generator
                or family == generator
                or generator in getattr(entry, "organisation", [])
                or (family is not None and generator in self.entries[family].organisation)
            )

        derived = defaultdict(set)  # dataset -> datasets built from it, transitively, itself too
        for data in self.of("dataset"):
            for base in self._dataset_bases(data.id):
                derived[base].add(data.id)
        rows = set()
        for model in self.of("model"):
            for via in self.above([model.id]):
                for edge in self.entries[via].trained_on:
                    # a generator's text is in the dataset's whole text, and in any prompts
                    # taken, unless it wrote only responses
                    whole = self._dataset_bases(edge.dataset, prompts=False)
                    for synthetic in self._dataset_bases(edge.dataset):
                        for made in self.entries[synthetic].generated_by:
                            if not generates(made.model):
                                continue
                            if synthetic in whole or made.wrote != "responses":
                                rows.add((model.id, synthetic, made.model, via, edge.dataset))
        return [
            {
                "id": model,
                "name": self.name(model),
                "dataset": synthetic,
                "dataset_name": self.name(synthetic),
                "generated_by": made,
                "trained_on": trained,
                "via": via,
            }
            for model, synthetic, made, via, trained in rows
        ]

    def _dataset_bases(self, dataset: str, prompts: bool = True) -> set[str]:
        """The dataset and those it was built from, transitively; with ``prompts``, also
        through datasets whose prompts alone were taken."""
        seen, todo = {dataset}, [dataset]
        while todo:
            for base in self.entries[todo.pop()].derived_from:
                if base.reuses == "prompts" and not prompts:
                    continue
                if base.dataset not in seen:
                    seen.add(base.dataset)
                    todo.append(base.dataset)
        return seen

    # The licence audit: distances to what a model reaches by each route, then the rules.

    def _relax(self, dist: dict, edges) -> dict:
        """Shortest distances from seeded nodes along ``edges(node)``, by relaxing until stable."""
        changed = True
        while changed:
            changed = False
            for node, d in list(dist.items()):
                for nxt in edges(node):
                    if dist.get(nxt, d + 2) > d + 1:
                        dist[nxt] = d + 1
                        changed = True
        return dist

    def _reach(self, model: str) -> dict[tuple[str, str], int]:
        """(entity, route) -> length of the shortest path from the model."""
        own = self._relax(
            {model: 0}, lambda n: [p for r, p, _, _ in self.up[n] if r == "member-of"]
        )
        weights = {}
        for node, d in own.items():
            for _, parent, _, _ in self._lineage_up(node):
                weights[parent] = min(weights.get(parent, d + 1), d + 1)
        weights = self._relax(weights, lambda n: [p for _, p, _, _ in self.up[n]])
        data = {}
        for node in own.keys() | weights.keys():
            d = min(own.get(node, 10**9), weights.get(node, 10**9))
            for edge in getattr(self.entries[node], "trained_on", []):
                data[edge.dataset] = min(data.get(edge.dataset, d + 1), d + 1)

        # datasets reached through their whole text, then those reached by a path that took
        # only prompts somewhere: only generators that wrote prompts reach on from those
        def bases(node, reuses):
            return [b.dataset for b in self.entries[node].derived_from if b.reuses in reuses]

        data = self._relax(data, lambda n: bases(n, {None}))
        prompted = {}
        for node, d in data.items():
            for base in bases(node, {"prompts"}):
                prompted[base] = min(prompted.get(base, d + 1), d + 1)
        prompted = self._relax(prompted, lambda n: bases(n, {None, "prompts"}))
        generated = {}
        for reached, wrote in ((data, {None, "responses"}), (prompted, {None})):
            for dataset, d in reached.items():
                for made in self.entries[dataset].generated_by:
                    if made.wrote in wrote:
                        generated[made.model] = min(generated.get(made.model, d + 1), d + 1)
        reach = {(n, "weights"): d for n, d in weights.items()}
        reach |= {(n, "training data"): d for n, d in (prompted | data).items()}
        return reach | {(n, "generated data"): d for n, d in generated.items()}

    def _orgs(self, entity_id: str) -> set[str]:
        entry = self.entries[entity_id]
        family = getattr(entry, "family", None)
        return set(getattr(entry, "organisation", [])) | (self._orgs(family) if family else set())

    def _licence_id(self, entity_id: str) -> str | None:
        """The entity's licence, or its family's."""
        entry = self.entries[entity_id]
        family = getattr(entry, "family", None)
        own = getattr(entry, "licence", None)
        return own or (getattr(self.entries[family], "licence", None) if family else None)

    def _readable_licence(self, entity_id: str):
        licence = self.spdx.get(self._licence_id(entity_id))
        return licence if licence is not None and licence.text else None

    def _outputs_lineage(self, model: str, spdx: str) -> bool:
        """Whether the model's weights come from under ``spdx`` (a distilled student's do not)."""
        return any(self._licence_id(n) == spdx for n in self.above([model], skip={"distilled"}))

    def _rule(self, model, licence, term, route) -> str | None:
        facts = {t.fact for t in licence.terms}
        outputs = route == "generated data" and (term.outputs or "outputs-derivatives" in facts)
        through_weights = route == "weights" or outputs
        mine = self._readable_licence(model.id)
        names = [model.name, *model.aliases]
        if model.links and model.links.huggingface:
            names.append(model.links.huggingface.split("/")[1])
        fold = str.maketrans("-_", "  ")
        match term.fact:
            case "non-commercial" | "research-only":
                return term.fact
            case "no-redistribution" if through_weights and model.open_weights is not False:
                return "no-redistribution"
            case "share-alike" if through_weights or route == "training data":
                return None if self._licence_id(model.id) == licence.spdx else "share-alike"
            case "use-restrictions" if through_weights and mine is not None:
                return (
                    None
                    if "use-restrictions" in {t.fact for t in mine.terms}
                    else ("clause-elimination")
                )
            case "naming" if through_weights:
                prefix = str(term.value).lower().translate(fold)
                named = any(n.lower().translate(fold).startswith(prefix) for n in names)
                return None if named else "naming"
            case "user-threshold" if through_weights:
                return "user-threshold"
            case "outputs-ban" if route == "generated data":
                if self._outputs_lineage(model.id, licence.spdx):
                    return None
                return "terms-of-service" if licence.kind == "terms" else "outputs-ban"
        return None

    def audit(self, wanted: str | None = None) -> list[dict]:
        """The findings, each with the length of its shortest path instead of the path."""
        scope = None if wanted is None else {wanted, *self.members.get(wanted, [])}
        found = []
        for model in self.of("model"):
            if scope is not None and model.id not in scope:
                continue
            reach = self._reach(model.id)
            for (holder, route), length in reach.items():
                if self._orgs(holder) & self._orgs(model.id):
                    continue
                if any((m, route) in reach for m in self.members.get(holder, [])):
                    continue
                licence = self._readable_licence(holder)
                if licence is None:
                    if route != "training data":
                        recorded = self._licence_id(holder)
                        found.append(
                            (
                                model,
                                "unknown",
                                "informational",
                                recorded,
                                None,
                                holder,
                                route,
                                length,
                            )
                        )
                    continue
                clauses = defaultdict(list)
                for term in licence.terms:
                    rule = self._rule(model, licence, term, route)
                    if rule is not None and term.clause not in clauses[rule]:
                        clauses[rule].append(term.clause)
                for rule, cited in clauses.items():
                    clause = "; ".join(cited)
                    if licence.kind == "terms":
                        certainty = "terms-only"
                    elif rule == "user-threshold":
                        certainty = "informational"
                    else:
                        certainty = "firm" if route == "weights" else "disputed"
                    found.append(
                        (model, rule, certainty, licence.spdx, clause, holder, route, length)
                    )
            found += self._drift(model)
        return [
            {
                "id": model.id,
                "rule": rule,
                "certainty": certainty,
                "licence": licence,
                "clause": clause,
                "holder": holder,
                "route": route,
                "model_licence": self._licence_id(model.id),
                "length": length,
            }
            for model, rule, certainty, licence, clause, holder, route, length in found
        ]

    def _drift(self, model) -> list[tuple]:
        mine = self._readable_licence(model.id)
        if mine is None:
            return []
        own = self._relax(
            {model.id: 0}, lambda n: [p for r, p, _, _ in self.up[n] if r == "member-of"]
        )
        parents = {}
        for node, d in own.items():
            for _, parent, _, _ in self._lineage_up(node):
                parents[parent] = min(parents.get(parent, d + 1), d + 1)
        found = []
        for parent, length in parents.items():
            if any(m in parents for m in self.members.get(parent, [])):
                continue
            theirs = self._readable_licence(parent)
            if theirs is None or theirs.kind == "terms" or theirs.spdx == mine.spdx:
                continue
            if self._orgs(parent) & self._orgs(model.id):
                continue
            kept = {t.fact for t in mine.terms} | {"outputs-derivatives"}
            dropped = [t.clause for t in theirs.terms if t.fact not in kept]
            if dropped:
                clause = "; ".join(dict.fromkeys(dropped))
                found.append(
                    (model, "drift", "firm", theirs.spdx, clause, parent, "weights", length)
                )
        return found

    def audit_path_problems(self, row: dict) -> list[str]:
        """What is wrong with a finding's path: it must be a chain of catalogue edges from the
        model to the holder, by the finding's route, each hop citing its edge's source."""
        problems, at = [], row["id"]
        for hop in row["path"]:
            if hop["from"] != at:
                problems.append(f"hop {hop} does not continue from {at}")
            at = hop["to"]
            sources = self._sources(hop["from"], hop["relation"], hop["to"])
            if sources is None:
                problems.append(f"no edge {hop}")
            elif (min(sources) if sources else None) != hop["source"]:
                problems.append(f"hop {hop} should cite {min(sources) if sources else None}")
        if at != row["holder"]:
            problems.append(f"path ends at {at}, not {row['holder']}")
        return problems

    def _sources(self, child: str, relation: str, parent: str) -> list | None:
        entry = self.entries[child]
        if relation == "member-of":
            return [] if getattr(entry, "family", None) == parent else None
        made = getattr(entry, "generated_by", [])
        edges = {
            "trained-on": [(e.dataset, e.source) for e in getattr(entry, "trained_on", [])],
            "generated-by": [(e.model, e.source) for e in made if e.wrote is None],
            "responses-generated-by": [(e.model, e.source) for e in made if e.wrote is not None],
        }.get(relation)
        if relation in ("derived-from", "prompts-from") and entry.type == "dataset":
            reuses = None if relation == "derived-from" else "prompts"
            edges = [(e.dataset, e.source) for e in entry.derived_from if e.reuses == reuses]
        elif relation in ("derived-from", "prompts-from"):
            edges = []
        if edges is None:  # a lineage edge, curated or claimed on the Hub
            edges = [(p, source) for r, p, _, source in self.up[child] if r == relation]
        sources = [source for target, source in edges if target == parent]
        return sources or None

    # --- the rest ------------------------------------------------------------------------

    def family(self, family_id: str) -> list[dict]:
        return [
            {
                "id": member,
                "name": self.name(member),
                "parameters": self.entries[member].parameters,
                "released": self.entries[member].released,
                "licence": self.entries[member].licence,
            }
            for member in self.members.get(family_id, [])
        ]

    def timeline(self, org: str | None = None, since: str | None = None) -> list[dict]:
        ends = {4: "-12-31", 7: "-31", 10: ""}
        return [
            {
                "id": entry.id,
                "name": entry.name,
                "kind": entry.type,
                "released": entry.released,
                "organisations": _join(self.name(o) for o in entry.organisation),
            }
            for entry in self.of(*TRAINABLE)
            if entry.released
            and (org is None or org in entry.organisation)
            and (since is None or entry.released + ends[len(entry.released)] >= since)
        ]

    def stats(self) -> dict:
        """The counts ``stats`` gives: entries by type, and edges. Every edge an entry states
        and every Hub claim is an edge: lineage and training (Hub claims too), a dataset's
        derivations and generators, reproductions; each carries its citation."""
        plural = {"family": "families"}
        counts = {
            plural.get(kind, f"{kind}s"): len(self.of(kind))
            for kind in ("model", "family", "dataset", "organisation", "publication", "licence")
        }
        stated = [
            edge
            for entry in self.entries.values()
            for field in ("derived_from", "trained_on", "reproduces", "generated_by")
            for edge in getattr(entry, field, None) or []
        ]
        trainable = self.of(*TRAINABLE)
        counts["lineage_edges"] = sum(len(e.derived_from) for e in trainable) + len(self.hub_edges)
        counts["training_edges"] = sum(len(e.trained_on) for e in trainable)
        counts["synthetic_datasets"] = sum(1 for e in self.of("dataset") if e.generated_by)
        counts["edges"] = len(stated) + len(self.hub_edges)
        counts["cited_edges"] = sum(1 for edge in stated if edge.source) + len(self.hub_edges)
        counts["corrections"] = len(self.corrections())
        return counts

    def corrections(self) -> list[dict]:
        return [
            {
                "id": entry.id,
                "name": entry.name,
                "seed": fix.seed,
                "field": fix.field,
                "says": fix.says,
                "truth": fix.truth,
                "source": fix.source,
            }
            for entry in self.entries.values()
            for fix in getattr(entry, "corrections", None) or []
        ]

    def lineage_facts(self, entity_id: str) -> list[tuple]:
        """What ``show`` says of lineage, membership and training: (direction, property, value,
        method, stage, source, via, note), the curator's note only on the facts going out."""
        words = {"trained-on": "slm:trainedOn"}
        facts = set()
        entry = self.entries[entity_id]
        lineage = getattr(entry, "derived_from", []) if entry.type != "dataset" else []
        notes = {(e.relation, e.parent, e.source): e.note for e in lineage}
        for relation, parent, methods, source in self.up[entity_id]:
            note = notes.get((relation, parent, source))
            facts.add(("out", relation, parent, methods, None, source, None, note))
        for relation, child, methods, source in self.down[entity_id]:
            facts.add(("in", relation, child, methods, None, source, None, None))
        for edge in getattr(entry, "trained_on", []):
            fact = ("out", words["trained-on"], edge.dataset, None, edge.stage, edge.source)
            facts.add((*fact, None, edge.note))
        for trainee in self.of(*TRAINABLE):
            for edge in trainee.trained_on:
                if edge.dataset == entity_id:
                    fact = (
                        "in",
                        words["trained-on"],
                        trainee.id,
                        None,
                        edge.stage,
                        edge.source,
                        None,
                        None,
                    )
                    facts.add(fact)
        stated = {(prop, value) for direction, prop, value, *_ in facts if direction == "out"}
        computed = defaultdict(lambda: (set(), set(), set(), set()))
        for member in self.members.get(entity_id, []):
            edges = [(r, p, m, None, s) for r, p, m, s in self.up[member] if r != "member-of"]
            edges += [
                (words["trained-on"], e.dataset, None, e.stage, e.source)
                for e in self.entries[member].trained_on
            ]
            for prop, value, methods, stage, source in edges:
                if (prop, value) not in stated:
                    found = computed[(prop, value)]
                    found[0].update((methods or "").split(", "))
                    found[1].add(stage or "")
                    found[2].add(source)
                    found[3].add(member)
        for (prop, value), (methods, stages, sources, vias) in computed.items():
            row = (_join(methods - {""}), _join(stages - {""}), _join(sources), _join(vias))
            facts.add(("members", prop, value, *row, None))
        return sorted(facts, key=str)


def same_rows(report_rows: list[dict], oracle_rows: list[dict]) -> bool:
    """Equal as multisets of rows (order is tested separately)."""

    def key(row):
        return sorted((k, str(v)) for k, v in row.items())

    return sorted(map(key, report_rows)) == sorted(map(key, oracle_rows))
