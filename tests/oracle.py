"""An oracle for every report: the same answers computed straight from the catalogue records.

Plain graph walks over dicts, no SPARQL and no code shared with the reports, so that a wrong
query or a wrong post-processing step shows up as a difference. The semantics it encodes are
the README's: a family means itself and its members; a model's family states what holds for
every member; a lineage edge to a family leads to the family's own statements only.
"""

from collections import defaultdict, deque

TRAINABLE = ("model", "family")


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
        }

    def above(self, starts) -> set[str]:
        """Every node reachable upward (lineage and membership) from the starts, themselves too."""
        seen, todo = set(starts), list(starts)
        while todo:
            for _, parent, _, _ in self.up[todo.pop()]:
                if parent not in seen:
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
        for depth, via, stage, dataset, source in sorted(candidates):
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
                "generated_by": _join(g.model for g in data.generated_by),
                "derived_from": _join(d.dataset for d in data.derived_from),
                "source": source,
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
            for builder in entry.organisation:
                for base in nearest:
                    builders.append(
                        {
                            "id": entry.id,
                            "name": entry.name,
                            "section": "builds-on",
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
                    for synthetic in self._dataset_bases(edge.dataset):
                        for made in self.entries[synthetic].generated_by:
                            if generates(made.model):
                                rows.add((model.id, synthetic, made.model, via, edge.dataset))
        return [
            {
                "id": model,
                "name": self.name(model),
                "dataset": synthetic,
                "dataset_name": self.name(synthetic),
                "generated_by": made,
                "via": via,
                "trained_on": trained,
            }
            for model, synthetic, made, via, trained in rows
        ]

    def _dataset_bases(self, dataset: str) -> set[str]:
        seen, todo = {dataset}, [dataset]
        while todo:
            for base in self.entries[todo.pop()].derived_from:
                if base.dataset not in seen:
                    seen.add(base.dataset)
                    todo.append(base.dataset)
        return seen

    def _restricted(self, entity_id: str):
        licence = getattr(self.entries[entity_id], "licence", None)
        terms = self.spdx.get(licence)
        return licence if terms is not None and terms.commercial_use is False else None

    def audit(self, wanted: str | None = None) -> list[dict]:
        scope = None if wanted is None else {wanted, *self.members.get(wanted, [])}
        rows = set()
        for model in self.of("model"):
            if scope is not None and model.id not in scope:
                continue
            reachable = self.above([model.id])
            through_bases = self.above(
                [p for node in reachable for _, p, _, _ in self._lineage_up(node)]
            )
            found = [("base model", r) for r in through_bases]
            for via in reachable:
                for edge in self.entries[via].trained_on:
                    found.append(("training data", edge.dataset))
                    for made in self.entries[edge.dataset].generated_by:
                        found.append(("synthetic data generated by", made.model))
            for path, restricted in found:
                if self._restricted(restricted):
                    rows.add((model.id, path, restricted))
        return [
            {
                "id": model,
                "name": self.name(model),
                "licence": getattr(self.entries[model], "licence", None),
                "path": path,
                "restricted": restricted,
                "restricted_name": self.name(restricted),
                "restricted_licence": self._restricted(restricted),
            }
            for model, path, restricted in rows
        ]

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

    def lineage_facts(self, entity_id: str) -> list[tuple]:
        """What ``show`` says of lineage, membership and training: (direction, property, value,
        method, source, via)."""
        words = {"trained-on": "slm:trainedOn"}
        facts = set()
        entry = self.entries[entity_id]
        for relation, parent, methods, source in self.up[entity_id]:
            facts.add(("out", relation, parent, methods, source, None))
        for relation, child, methods, source in self.down[entity_id]:
            facts.add(("in", relation, child, methods, source, None))
        for edge in getattr(entry, "trained_on", []):
            facts.add(("out", words["trained-on"], edge.dataset, None, edge.source, None))
        for trainee in self.of(*TRAINABLE):
            for edge in trainee.trained_on:
                if edge.dataset == entity_id:
                    facts.add(("in", words["trained-on"], trainee.id, None, edge.source, None))
        stated = {(prop, value) for direction, prop, value, *_ in facts if direction == "out"}
        computed = defaultdict(lambda: (set(), set(), set()))
        for member in self.members.get(entity_id, []):
            edges = [(r, p, m, s) for r, p, m, s in self.up[member] if r != "member-of"]
            edges += [
                (words["trained-on"], e.dataset, None, e.source)
                for e in self.entries[member].trained_on
            ]
            for prop, value, methods, source in edges:
                if (prop, value) not in stated:
                    found = computed[(prop, value)]
                    found[0].update((methods or "").split(", "))
                    found[1].add(source)
                    found[2].add(member)
        for (prop, value), (methods, sources, vias) in computed.items():
            facts.add(("members", prop, value, _join(methods - {""}), _join(sources), _join(vias)))
        return sorted(facts, key=str)


def same_rows(report_rows: list[dict], oracle_rows: list[dict]) -> bool:
    """Equal as multisets of rows (order is tested separately)."""

    def key(row):
        return sorted((k, str(v)) for k, v in row.items())

    return sorted(map(key, report_rows)) == sorted(map(key, oracle_rows))
