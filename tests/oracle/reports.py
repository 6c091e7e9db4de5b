"""The oracle's lineage reports: descendants, ancestors, datasets, organisations and synthetic
data, by plain walks over the records."""

from collections import deque

from tests.oracle.records import TRAINABLE, join


class Reports:
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
            (dist[via], via, edge.stage, edge.dataset, edge.source, edge.parts, edge.reuses)
            for via in trainees
            for edge in self.entries[via].trained_on
        ]
        nearest = {}  # the nearest trainee, a model before a family as near
        for depth, via, stage, dataset, source, parts, reuses in sorted(
            candidates,
            key=lambda c: (c[0], self.entries[c[1]].type == "family", c[1], c[2] or "", *c[3:5]),
        ):
            if (dataset, stage) in nearest:
                continue
            marks = {part: " (left out)" for part in getattr(parts, "left_out", ())}
            marks |= {part: " (use unknown)" for part in getattr(parts, "unknown", ())}
            data = self.entries[dataset]
            nearest[(dataset, stage)] = {
                "id": dataset,
                "name": data.name,
                "stage": stage,
                "reuses": reuses,
                "via": via,
                "via_name": self.name(via),
                "depth": depth,
                "generated_by": join(
                    g.model + (" (responses)" if g.wrote == "responses" else "")
                    for g in data.generated_by
                ),
                "derived_from": join(
                    d.dataset
                    + (" (prompts)" if d.reuses == "prompts" else "")
                    + marks.get(d.dataset, "")
                    for d in data.derived_from
                ),
                "source": source,
                "provenance": "hub" if (via, dataset) in self.hub_training else "curated",
                "retrieved": self.hub_training.get((via, dataset)),
            }
        return list(nearest.values())

    # --- organisations -------------------------------------------------------------------

    def _developed_by(self, entity_id: str, org: str) -> bool:
        return org in self.developed_within(entity_id)

    def organisation(self, org: str) -> list[dict]:
        released = []
        for entry in self.of("model", "family", "dataset"):
            if not self._developed_by(entry.id, org):
                continue
            # the unit that developed it, where the organisation itself did not
            units = sorted(o for o in entry.organisation if o != org and org in self.within([o]))
            unit = None if org in entry.organisation else units[0]
            released.append(
                {
                    "id": entry.id,
                    "name": entry.name,
                    "section": "developed",
                    "kind": entry.type,
                    "released": entry.released,
                    "parameters": getattr(entry, "parameters", None),
                    "open_weights": getattr(entry, "open_weights", None),
                    "organisation": unit,
                    "organisation_name": self.name(unit) if unit else None,
                }
            )
        builders = []
        for entry in self.of(*TRAINABLE):
            if self._developed_by(entry.id, org) or not entry.organisation:
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
                or generator in self.developed_within(candidate)
                or (family is not None and generator in self.developed_within(family))
            )

        rows = set()
        for model in self.of("model"):
            for via in self.above([model.id]):
                for edge in self.entries[via].trained_on:
                    # a generator's text is in the dataset's whole text, and in any prompts
                    # taken (by a dataset or the training edge), unless it wrote only responses
                    for synthetic in self._dataset_bases(edge.dataset):
                        for made in self.entries[synthetic].generated_by:
                            if not generates(made.model):
                                continue
                            prompts = made.wrote != "responses"
                            if edge.reuses == "prompts" and not prompts:
                                continue  # it took only the prompts, none of which this one wrote
                            if certainty := self._carriage(via, edge, synthetic, prompts):
                                row = (model.id, synthetic, made.model, via, edge.dataset)
                                reuses = self._prompts_only(via, edge.dataset, synthetic)
                                rows.add((*row, certainty, reuses))
        return [
            {
                "id": model,
                "name": self.name(model),
                "dataset": synthetic,
                "dataset_name": self.name(synthetic),
                "generated_by": made,
                "trained_on": trained,
                "reuses": reuses,
                "certainty": certainty,
                "via": via,
            }
            for model, synthetic, made, via, trained, certainty, reuses in rows
        ]

    def trained_on(self, dataset: str) -> list[dict]:
        """Models trained, themselves or through an entity above them, on the dataset or on
        one built from it or that took its prompts, as surely as ``_carriage`` says."""
        rows = set()
        for model in self.of("model"):
            for via in self.above([model.id]):
                for edge in self.entries[via].trained_on:
                    if certainty := self._carriage(via, edge, dataset):
                        reuses = self._prompts_only(via, edge.dataset, dataset)
                        rows.add((model.id, edge.dataset, via, certainty, reuses))
        return [
            {
                "id": model,
                "name": self.name(model),
                "trained_on": trained,
                "reuses": reuses,
                "certainty": certainty,
                "via": via,
            }
            for model, trained, via, certainty, reuses in rows
        ]

    def _prompts_only(self, via: str, trained: str, text: str) -> str | None:
        """None where one of the trainee's edges to ``trained`` took its whole text and ``text``
        is reached from that through whole texts only (parts named do not count); else
        "prompts"."""
        whole = any(e.dataset == trained and not e.reuses for e in self.entries[via].trained_on)
        return None if whole and text in self._dataset_bases(trained, False) else "prompts"

    def _carriage(self, via: str, edge, text: str, prompts: bool = True) -> str | None:
        """How surely the trainee of a training edge carries the text of dataset ``text``:
        "certain", "possible" or None. The parts are those the trainee's curated edges to the
        dataset name (they agree), over a Hub claim's silence; with ``prompts`` False, text
        reached through prompts taken does not count."""
        if edge.dataset == text:
            return "certain"
        named = (e.parts for e in self.entries[via].trained_on if e.dataset == edge.dataset)
        parts = next((p for p in named if p is not None), None)
        links = self.entries[edge.dataset].derived_from
        if parts is not None:
            used = links
            if parts != "whole":
                used = [link for link in links if link.dataset in parts.used]
                links = [link for link in links if link.dataset not in parts.left_out]
            # a part used, or a part of one the trained-on dataset holds every part of (not
            # further down: that one holds only some of each of its parts' parts)
            reached = list(used)
            for link in used:
                if link.parts == "whole":
                    reached += self.entries[link.dataset].derived_from
            if any(link.dataset == text and not link.reuses for link in reached):
                return "certain"
        for link in links:
            if (prompts or not link.reuses) and text in self._dataset_bases(link.dataset, prompts):
                return "possible"
        return None

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
