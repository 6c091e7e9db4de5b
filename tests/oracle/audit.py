"""The oracle's licence audit: distances to what a model reaches by each route, then the rules."""

from collections import defaultdict

# The facts of a model's own licence that are findings, each under the rule of its name.
OWN_FACTS = {
    "non-commercial",
    "research-only",
    "no-redistribution",
    "share-alike",
    "use-restrictions",
    "naming",
    "display",
    "user-threshold",
    "outputs-ban",
}
# The facts that forbid nothing and only remind: informational wherever they are found.
REMINDERS = {"user-threshold", "display"}


class Audit:
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

    def _own_and_weights(self, model: str) -> tuple[dict, dict]:
        """Distances to the model and its families, and to what its weights come from."""
        own = self._relax(
            {model: 0}, lambda n: [p for r, p, _, _ in self.up[n] if r == "member-of"]
        )
        weights = {}
        for node, d in own.items():
            for _, parent, _, _ in self._lineage_up(node):
                weights[parent] = min(weights.get(parent, d + 1), d + 1)
        return own, self._relax(weights, lambda n: [p for _, p, _, _ in self.up[n]])

    def _reach(self, model: str) -> dict[tuple[str, str], int]:
        """(entity, route) -> length of the shortest path from the model."""
        own, weights = self._own_and_weights(model)
        data, prompted = {}, {}  # by the training edges' text, and by their prompts alone
        for node in own.keys() | weights.keys():
            d = min(own.get(node, 10**9), weights.get(node, 10**9))
            for edge in getattr(self.entries[node], "trained_on", []):
                taken = prompted if edge.reuses == "prompts" else data
                taken[edge.dataset] = min(taken.get(edge.dataset, d + 1), d + 1)
        data, prompted, generated = self._through_data(data, prompted)
        reach = {(n, "weights"): d for n, d in weights.items()}
        reach |= {(n, "training data"): d for n, d in (prompted | data).items()}
        return reach | {(n, "generated data"): d for n, d in generated.items()}

    def _through_data(self, data: dict, prompted: dict) -> tuple[dict, dict, dict]:
        """From datasets trained on at their distances, their text or (``prompted``) their
        prompts alone: the datasets reached through their whole text, those reached by a path
        that took only prompts somewhere, and the models that wrote text reaching them (only
        prompt writers past a prompts-only step)."""

        def bases(node, reuses):
            return [b.dataset for b in self.entries[node].derived_from if b.reuses in reuses]

        data = self._relax(dict(data), lambda n: bases(n, {None}))
        prompted = dict(prompted)
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
        return data, prompted, generated

    def _bound_length(self, model: str, writer: str, spdx: str) -> int | None:
        """The shortest way text ``writer`` wrote reaches the model through a model trained on
        it that an outputs ban binds: neither the writer's organisation's nor of the licence's
        own lineage. None: no such model was trained on it."""
        own, weights = self._own_and_weights(model)
        best = None
        for trainee in own.keys() | weights.keys():
            if self._orgs(trainee) & self._orgs(writer) or self._outputs_lineage(trainee, spdx):
                continue
            d = min(own.get(trainee, 10**9), weights.get(trainee, 10**9))
            for edge in getattr(self.entries[trainee], "trained_on", []):
                start = {edge.dataset: 0}
                taken = ({}, start) if edge.reuses == "prompts" else (start, {})
                onward = self._through_data(*taken)[2].get(writer)
                if onward is not None and (best is None or d + 1 + onward < best):
                    best = d + 1 + onward
        return best

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
            case "user-threshold" | "display" if through_weights:
                return term.fact
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
            found += self._own(model)
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
                    shortest = length
                    if rule in ("outputs-ban", "terms-of-service"):  # binds who trained on them
                        shortest = self._bound_length(model.id, holder, licence.spdx)
                        if shortest is None:
                            continue
                    if licence.kind == "terms":
                        certainty = "terms-only"
                    elif rule in REMINDERS:
                        certainty = "informational"
                    else:
                        certainty = "firm" if route == "weights" else "disputed"
                    found.append(
                        (model, rule, certainty, licence.spdx, clause, holder, route, shortest)
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

    def _own(self, model) -> list[tuple]:
        """The terms of the model's licence, or its family's, which bind whoever uses it."""
        licence = self._readable_licence(model.id)
        if licence is None:
            recorded = self._licence_id(model.id)
            return [(model, "unknown", "informational", recorded, None, model.id, "own licence", 0)]
        clauses = defaultdict(list)
        for term in licence.terms:
            rule = term.fact if term.fact in OWN_FACTS else None
            if rule == "outputs-ban" and licence.kind == "terms":
                rule = "terms-of-service"
            if rule is not None and term.clause not in clauses[rule]:
                clauses[rule].append(term.clause)
        found = []
        for rule, cited in clauses.items():
            if licence.kind == "terms":
                certainty = "terms-only"
            else:
                certainty = "informational" if rule in REMINDERS else "firm"
            found.append(
                (model, rule, certainty, licence.spdx, "; ".join(cited), model.id, "own licence", 0)
            )
        return found

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
        trained = getattr(entry, "trained_on", [])
        edges = {
            "trained-on": [(e.dataset, e.source) for e in trained if e.reuses is None],
            "trained-on-prompts-of": [(e.dataset, e.source) for e in trained if e.reuses],
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
