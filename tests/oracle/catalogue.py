"""The oracle's catalogue-wide reports: families, the timeline, counts, corrections and the
facts about one entity."""

from collections import defaultdict

from tests.oracle.records import TRAINABLE, join


def parts_marked(parts) -> str | None:
    """The parts a training edge names, as ``show`` marks them: ``whole``, or each part,
    marked where it was left out or its use is unknown."""
    if parts is None or parts == "whole":
        return parts
    marks = [*parts.used, *(f"{p} (left out)" for p in parts.left_out)]
    return join(marks + [f"{p} (use unknown)" for p in parts.unknown])


class Catalogue:
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
                "open_weights": getattr(entry, "open_weights", None),
                "organisations": join(self.name(o) for o in entry.organisation),
            }
            for entry in self.of(*TRAINABLE)
            if entry.released
            and (org is None or org in self.developed_within(entry.id))
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
        method, stage, source, via, parts, note), the parts a training edge names and the
        curator's note only on the facts going out."""

        def word(edge) -> str:  # a training edge that took only the prompts says so
            return "slm:trainedOnPromptsOf" if edge.reuses == "prompts" else "slm:trainedOn"

        facts = set()
        entry = self.entries[entity_id]
        lineage = getattr(entry, "derived_from", []) if entry.type != "dataset" else []
        notes = {(e.relation, e.parent, e.source): e.note for e in lineage}
        for relation, parent, methods, source in self.up[entity_id]:
            note = notes.get((relation, parent, source))
            facts.add(("out", relation, parent, methods, None, source, None, None, note))
        for relation, child, methods, source in self.down[entity_id]:
            facts.add(("in", relation, child, methods, None, source, None, None, None))
        for edge in getattr(entry, "trained_on", []):
            fact = ("out", word(edge), edge.dataset, None, edge.stage, edge.source)
            facts.add((*fact, None, parts_marked(edge.parts), edge.note))
        for trainee in self.of(*TRAINABLE):
            for edge in trainee.trained_on:
                if edge.dataset == entity_id:
                    fact = (
                        "in",
                        word(edge),
                        trainee.id,
                        None,
                        edge.stage,
                        edge.source,
                        None,
                        None,
                        None,
                    )
                    facts.add(fact)
        stated = {(prop, value) for direction, prop, value, *_ in facts if direction == "out"}
        computed = defaultdict(lambda: (set(), set(), set(), set()))
        for member in self.members.get(entity_id, []):
            edges = [(r, p, m, None, s) for r, p, m, s in self.up[member] if r != "member-of"]
            edges += [
                (word(e), e.dataset, None, e.stage, e.source)
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
            row = (join(methods - {""}), join(stages - {""}), join(sources), join(vias))
            facts.add(("members", prop, value, *row, None, None))
        return sorted(facts, key=str)
