"""Licence audit along lineage: which licence terms bind a model, along which path, how firmly.

The audit reads the catalogue's lineage, licences and terms once, states the terms of each
model's own licence, and walks up from the model along the routes of ``audit_rules``, applying
its rules to every licence it meets. A licensor is not bound by its own licence: no finding is
made upstream where the model and the entity under the licence share an organisation.
"""

from collections import Counter, deque
from collections.abc import Iterable, Iterator
from dataclasses import replace
from weakref import WeakKeyDictionary

from slmgraph.audit_input import Entity, Hop, Licence, Term, read_edges_and_entities, read_licences
from slmgraph.audit_rules import (
    DATA,
    DATA_RELATIONS,
    DRIFT,
    GENERATED,
    OUTPUTS_BAN,
    OWN,
    OWN_LICENCE,
    RESTRICTIVE,
    ROUTE,
    ROUTES,
    RULE_BY_FACT,
    RULE_IDS,
    TERMS_OF_SERVICE,
    TRAINING,
    UNKNOWN,
    WEIGHTS,
    certainty_of,
    next_route,
    note_of,
    own_rule,
)
from slmgraph.graph import Graph
from slmgraph.queries import Rows, RowStream


def _starts_with(names: tuple[str, ...], prefix: str) -> bool:
    fold = str.maketrans("-_", "  ")
    wanted = prefix.lower().translate(fold)
    return any(name.lower().translate(fold).startswith(wanted) for name in names)


class Audit:
    """The catalogue's lineage, licences and terms, read once, and the rules applied to them."""

    def __init__(self, graph: Graph, models: list[str] | None = None, sources: bool = True):
        """Everything, or (for ``models``) only what lies above those models; without
        ``sources``, the paths found carry no citations."""
        self.licences, spdx = read_licences(graph)
        self.up, self.entities, models_found = read_edges_and_entities(graph, models, spdx, sources)
        for entity in list(self.entities.values()):  # a family's licence holds for its members
            family = self.entities.get(entity.family or "")
            if entity.licence is None and family is not None:
                self.entities[entity.id] = replace(entity, licence=family.licence)
        self.models = sorted(models_found)
        self.members: dict[str, list[str]] = {}
        for entity in self.entities.values():
            if entity.family:
                self.members.setdefault(entity.family, []).append(entity.id)
        self._walked: tuple[str | None, dict] = (None, {})
        # (dataset, state it is trained on in) -> generator -> path
        self._onward: dict[tuple[str, str], dict[str, list[Hop]]] = {}

    # --- walking -----------------------------------------------------------------------------

    def walk(self, model: str) -> dict[tuple[str, str], list[Hop]]:
        """The shortest path from ``model`` to every (entity, route) it reaches. The last walk
        is kept, for the rules asking again about the model audited; only that one, since a
        million walks kept would not fit in memory."""
        if self._walked[0] != model:
            self._walked = (model, self._breadth_first(model))
        return self._walked[1]

    def _breadth_first(self, start: str, state: str = OWN) -> dict[tuple[str, str], list[Hop]]:
        paths: dict[tuple[str, str], list[Hop]] = {(start, state): []}
        queue = deque([(start, state)])
        while queue:
            node, route = queue.popleft()
            for hop in self.up.get(node, []):
                step = next_route(route, hop.relation)
                if step is not None and (hop.parent, step) not in paths:
                    paths[(hop.parent, step)] = [*paths[(node, route)], hop]
                    queue.append((hop.parent, step))
        return paths

    def _generators(self, dataset: str, taken: str) -> dict[str, list[Hop]]:
        """The shortest path from a dataset trained on, its text or (``taken`` PROMPTS) its
        prompts alone, to each model that wrote text of it that reached the trainee, or text it
        was built from (kept: a dataset is trained on by many models)."""
        found = self._onward.get((dataset, taken))
        if found is None:
            walked = self._breadth_first(dataset, taken).items()
            found = {node: path for (node, state), path in walked if state == GENERATED}
            self._onward[(dataset, taken)] = found
        return found

    def _bound_path(self, model: str, holder: str, spdx: str) -> list[Hop] | None:
        """The shortest path by which text ``holder`` wrote reaches ``model`` through a model
        trained on it by someone a ban on using its outputs binds: not the licensor itself
        (sharing an organisation with ``holder``), nor a model whose weights come from under
        ``spdx``. None: every model trained on that text was free to be."""
        best, licensors = None, self.organisations(holder)
        for (node, state), path in self.walk(model).items():
            if state not in (OWN, WEIGHTS) or self.organisations(node) & licensors:
                continue
            if self._within(node, spdx):
                continue
            for hop in self.up.get(node, []):
                if hop.relation not in TRAINING:
                    continue
                onward = self._generators(hop.parent, TRAINING[hop.relation]).get(holder)
                if onward is not None and (best is None or len(path) + 1 + len(onward) < len(best)):
                    best = [*path, hop, *onward]
        return best

    def organisations(self, entity_id: str) -> frozenset[str]:
        entity = self.entities.get(entity_id)
        if entity is None:
            return frozenset()
        family = self.organisations(entity.family) if entity.family else frozenset()
        return entity.organisations | family

    def licence_of(self, entity_id: str) -> Licence | None:
        """The licence as far as anyone can read it: None when unrecorded or a placeholder."""
        entity = self.entities.get(entity_id)
        licence = self.licences.get(entity.licence) if entity and entity.licence else None
        return licence if licence is not None and licence.text else None

    # --- the rules ----------------------------------------------------------------------------

    def findings(self, model: str) -> list[dict]:
        me = self.entities[model]
        found = self._own(me)
        mine = self.licence_of(model)
        walked = self.walk(model)
        for (holder, state), path in walked.items():
            if state == OWN or self.organisations(holder) & self.organisations(model):
                continue
            if any((member, state) in walked for member in self.members.get(holder, [])):
                continue  # a family reached through its member: the member says it already
            route = ROUTE.get(state, state)
            if route != state and (holder, route) in walked:
                continue  # its prompts reached the model, and its whole text too: said there
            licence = self.licence_of(holder)
            if licence is None:
                if route != DATA:  # most datasets record no licence; weights and generators do
                    found.append(
                        self._finding(me, UNKNOWN, "informational", None, None, holder, route, path)
                    )
                continue
            broken: dict[str, list[Term]] = {}  # one finding a rule, citing each clause
            for term in licence.terms:
                rule = self._rule(term, licence, route, me, mine, holder)
                if rule is not None:
                    broken.setdefault(rule, []).append(term)
            for rule in [r for r in (OUTPUTS_BAN, TERMS_OF_SERVICE) if r in broken]:
                terms = broken.pop(rule)  # binds the model trained on the outputs: see _bound_path
                if (bound := self._bound_path(model, holder, licence.spdx)) is not None:
                    found += self._broken(me, licence, {rule: terms}, holder, route, bound)
            found += self._broken(me, licence, broken, holder, route, path)
        found += self._drift(me, mine)
        return found

    def _own(self, me: Entity) -> list[dict]:
        """The terms of the model's own licence (its family's, when it has none), which bind
        whoever uses it; a licence not recorded, or recorded without its text, is unknown."""
        licence = self.licence_of(me.id)
        if licence is None:
            return [self._finding(me, UNKNOWN, "informational", None, None, me.id, OWN_LICENCE, [])]
        stated: dict[str, list[Term]] = {}
        for term in licence.terms:
            rule = own_rule(term.fact, licence.terms_of_service)
            if rule is not None:
                stated.setdefault(rule, []).append(term)
        return self._broken(me, licence, stated, me.id, OWN_LICENCE, [])

    def _broken(self, me, licence, broken: dict[str, list[Term]], holder, route, path) -> list:
        """A finding for each rule, citing each of its terms' clauses."""
        return [
            self._finding(
                me,
                rule,
                certainty_of(rule, licence.terms_of_service, route),
                licence,
                _merged(terms, terms[0].value),
                holder,
                route,
                path,
            )
            for rule, terms in broken.items()
        ]

    def _rule(
        self, term: Term, licence: Licence, route: str, me: Entity, mine, holder
    ) -> str | None:
        """The rule ``term`` breaks for model ``me`` when it reaches it along ``route``."""
        rule = RULE_BY_FACT.get(term.fact)
        reaches_outputs = term.outputs or "outputs-derivatives" in licence.facts()
        if rule is None or not (route in rule.routes or route == GENERATED and reaches_outputs):
            return None
        if rule.id == "no-redistribution" and me.open_weights is False:
            return None
        if rule.id == "share-alike" and me.licence == licence.spdx:
            return None
        if rule.id == "clause-elimination" and (mine is None or "use-restrictions" in mine.facts()):
            return None
        if rule.id == "naming" and _starts_with(me.names, str(term.value)):
            return None
        if rule.id == OUTPUTS_BAN:
            if self._within(me.id, licence.spdx):  # the licence's own lineage may use them
                return None
            return TERMS_OF_SERVICE if licence.terms_of_service else rule.id
        return rule.id

    def _within(self, model: str, spdx: str) -> bool:
        """Whether the model is, or derives its weights from, an entity under ``spdx``. Not
        through distillation: a student took its teacher's outputs, which is what an outputs
        clause is about, not its weights."""
        seen, todo = {model}, [model]
        while todo:
            node = todo.pop()
            if node in self.entities and self.entities[node].licence == spdx:
                return True
            for hop in self.up.get(node, []):
                weights = hop.relation not in DATA_RELATIONS and hop.relation != "distilled"
                if weights and hop.parent not in seen:
                    seen.add(hop.parent)
                    todo.append(hop.parent)
        return False

    def _drift(self, me: Entity, mine: Licence | None) -> list[dict]:
        """A licence more permissive than a direct parent's: facts of the parent's it drops."""
        if mine is None:
            return []
        parents: dict[str, list[Hop]] = {}  # each direct parent by its shortest path
        for (node, route), path in self.walk(me.id).items():
            for hop in self.up.get(node, []) if route == OWN else []:
                if next_route(OWN, hop.relation) == WEIGHTS:
                    parents.setdefault(hop.parent, [*path, hop])
        return [
            row
            for parent, path in parents.items()
            # a family whose member is a parent too: the member says it already
            if not any(member in parents for member in self.members.get(parent, []))
            for row in self._drifted(me, mine, parent, path)
        ]

    def _drifted(self, me: Entity, mine: Licence, parent: str, path: list[Hop]) -> list[dict]:
        theirs = self.licence_of(parent)
        if theirs is None or theirs.terms_of_service or theirs.spdx == mine.spdx:
            return []
        if self.organisations(parent) & self.organisations(me.id):
            return []
        dropped = [t for t in theirs.terms if t.fact in RESTRICTIVE - mine.facts()]
        if not dropped:
            return []
        term = _merged(dropped, ", ".join(dict.fromkeys(t.fact for t in dropped)))
        return [self._finding(me, DRIFT, "firm", theirs, term, parent, WEIGHTS, path)]

    def _finding(self, me, rule, certainty, licence, term, holder, route, path) -> dict:
        value = term.value if term else None
        note = note_of(rule, route)
        return {
            "id": me.id,
            "name": me.name,
            "rule": rule,
            "certainty": certainty,
            "licence": licence.spdx if licence else (self.entities[holder].licence or None),
            "clause": term.clause if term else None,
            "clause_url": term.url if term else None,
            "holder": holder,
            "holder_name": self.entities[holder].name,
            "route": route,
            "model_licence": me.licence,
            "note": note.format(value=value),
            "path": [hop.json() for hop in path],
        }


def _merged(terms: list[Term], value) -> Term:
    """Several terms as one: their clauses in the licence's order, the first one's text."""
    clauses = "; ".join(dict.fromkeys(term.clause for term in terms))
    return Term(terms[0].fact, clauses, terms[0].url, value, False)


COLUMNS = [  # a table keeps the first ones when it must drop some: the holder tells two
    "id",  # findings of one rule apart, where their licence may be the same
    "rule",
    "certainty",
    "holder",
    "route",
    "licence",
    "clause",
    "path",
    "name",
    "holder_name",
    "model_licence",
    "note",
    "clause_url",
]


_READ: WeakKeyDictionary = WeakKeyDictionary()  # each graph's whole audit


def findings(graph: Graph, models: list[str] | None = None, sources: bool = True) -> Iterator[dict]:
    """Every finding for the models among ``models`` (all when None), as they are found;
    without ``sources`` their paths may carry no citations (for counting them)."""
    audit, chosen = _read(graph, models, sources)
    return (row for model in chosen for row in audit.findings(model))


def licence_audit(graph: Graph, models: list[str] | None = None) -> Rows | RowStream:
    """Every finding for the models among ``models`` (all when None), by the model's name
    and id, then its own licence's before the others, then rule, holder and route: a model's
    findings sorted, a model at a time, so that the whole catalogue's are written as they are
    found (a million Hub models' findings, held at once to be sorted, took 2.5 GB)."""
    audit, audited = _read(graph, models, True)
    found = _by_model(audit, audited)
    if models is None:
        return RowStream(COLUMNS, found)
    rows = Rows(COLUMNS, found)
    if not rows:  # said only where a table would otherwise stand empty
        rows.empty = "\n".join(_nothing_found(audit, audited))
    return rows


def _nothing_found(audit: Audit, models: list[str]) -> Iterator[str]:
    """What a table of no findings says instead: that no term binds the models, and each
    model's own licence, so that the empty table is not read as a licence left unread."""
    yield "no findings: neither its own licence nor any upstream states a term that binds " + (
        models[0] if len(models) == 1 else "these models"
    )
    for model in models:  # a licence unrecorded or unread would be a finding of its own
        spdx = audit.entities[model].licence
        yield f"{model}: its own licence, {spdx}, states no term the rules act on"


def _read(graph: Graph, models: list[str] | None, sources: bool) -> tuple[Audit, list[str]]:
    """The audit that answers for ``models`` (all when None) and the models it audits: the
    whole graph's read once (a build never changes; one read without sources is not kept),
    else only what lies above those models."""
    if models is not None:
        audit = Audit(graph, models, sources)
        return audit, [m for m in audit.models if m in models]
    audit = _READ.get(graph)
    if audit is None:
        audit = _READ.setdefault(graph, Audit(graph)) if sources else Audit(graph, None, False)
    return audit, audit.models


def _by_model(audit: Audit, models: list[str]) -> Iterator[dict]:
    for model in sorted(models, key=lambda m: (audit.entities[m].name, m)):
        yield from sorted(audit.findings(model), key=_within_model)


def _within_model(row: dict) -> tuple:
    """The model's own licence's terms first, then those from upstream, each by rule."""
    return row["route"] != OWN_LICENCE, RULE_IDS.index(row["rule"]), row["holder"], row["route"]


def summary(found: Iterable[dict]) -> Rows:
    """Findings and models counted by rule, certainty and route, from findings that come a
    model at a time (as ``findings`` gives them): a model is counted where its id changes,
    with no set of the hundreds of thousands seen."""
    counts: Counter[tuple[str, str, str]] = Counter()
    models: Counter[tuple[str, str, str]] = Counter()
    last: dict[tuple[str, str, str], str] = {}
    for row in found:
        key = (row["rule"], row["certainty"], row["route"])
        counts[key] += 1
        if last.get(key) != row["id"]:
            models[key] += 1
            last[key] = row["id"]
    keys = sorted(counts, key=lambda key: (RULE_IDS.index(key[0]), key[1], ROUTES.index(key[2])))
    rows = [
        {"rule": key[0], "certainty": key[1], "route": key[2], "findings": n, "models": models[key]}
        for key, n in ((key, counts[key]) for key in keys)
    ]
    return Rows(["rule", "certainty", "route", "findings", "models"], rows)
