"""Cross-record checks: rules no single entry can break on its own."""

from collections.abc import Iterator

from slmgraph import scancode
from slmgraph.catalog import Catalog, Problem
from slmgraph.names import LAST, PRECEDENCE, normalise
from slmgraph.vocab import hub_key

TRAINABLE = ("model", "family")

# (field, sub-field or None, the entry types a reference may name), for every reference field.
REFERENCES = (
    ("organisation", None, ("organisation",)),
    ("family", None, ("family",)),
    ("publications", None, ("publication",)),
    ("unit_of", None, ("organisation",)),
    ("derived_from", "parent", TRAINABLE),
    ("derived_from", "dataset", ("dataset",)),
    ("trained_on", "dataset", ("dataset",)),
    ("reproduces", "model", TRAINABLE),
    ("generated_by", "model", TRAINABLE),
)


def cross_record_problems(catalog: Catalog) -> list[Problem]:
    rules = (
        dangling_references,
        self_derivations,
        stated_parts,
        lineage_cycles,
        unknown_licences,
        scancode_keys,
        name_clashes,
        hub_repo_clashes,
        seed_map_targets,
    )
    return [problem for rule in rules for problem in rule(catalog)]


def references(entry) -> Iterator[tuple[tuple, str, tuple[str, ...]]]:
    """Every (location, target id, allowed target types) an entry refers to."""
    for name, sub, allowed in REFERENCES:
        value = getattr(entry, name, None)
        if value is None:
            continue
        if isinstance(value, str):
            yield (name,), value, allowed
            continue
        for index, item in enumerate(value):
            if sub is None:
                yield (name, index), item, allowed
            elif hasattr(item, sub):
                yield (name, index, sub), getattr(item, sub), allowed


def dangling_references(catalog: Catalog) -> Iterator[Problem]:
    for record in catalog.records.values():
        for loc, target, allowed in references(record.entry):
            line = record.line(*loc)
            if target in catalog.unreadable:
                continue
            if target not in catalog:
                yield Problem(
                    record.path,
                    line,
                    f"'{target}' refers to no entry",
                    f"create data/…/{target}.yaml or use an existing id",
                )
            elif catalog[target].type not in allowed:
                wanted = " or ".join(allowed)
                yield Problem(
                    record.path,
                    line,
                    f"'{target}' is {_a(catalog[target].type)}, not {_a(wanted)}",
                    f"refer to {_a(wanted)} here",
                )


def _a(noun: str) -> str:
    return f"{'an' if noun[0] in 'aeiou' else 'a'} {noun}"


def self_derivations(catalog: Catalog) -> Iterator[Problem]:
    for entry_id, record in catalog.records.items():
        for loc, target, _ in references(record.entry):
            if target != entry_id:
                continue
            if loc[0] in ("derived_from", "reproduces"):
                yield Problem(
                    record.path,
                    record.line(*loc),
                    f"'{entry_id}' derives from itself",
                    "name the parent it was derived from, or drop the edge",
                )
            elif loc[0] == "unit_of":
                yield Problem(
                    record.path,
                    record.line(*loc),
                    f"'{entry_id}' is a unit of itself",
                    "name the organisation it is part of, or drop it",
                )


def stated_parts(catalog: Catalog) -> Iterator[Problem]:
    """A training edge's `parts` name the dataset's own parts, every one of them, and edges of
    one entry to one dataset agree on them and take its text, not its prompts alone; a
    derivation holding every part of its base takes its text too, from a base that has parts."""
    for record in catalog.records.values():
        yield from _whole_derivations(catalog, record)
        said: dict[str, object] = {}
        for index, edge in enumerate(getattr(record.entry, "trained_on", [])):
            if edge.parts is None or edge.dataset not in catalog:
                continue
            line = record.line("trained_on", index, "parts")
            if edge.reuses == "prompts":
                yield _prompts_with_parts(record, line, edge.dataset, "trained on")
                continue
            if said.setdefault(edge.dataset, edge.parts) != edge.parts:
                yield Problem(
                    record.path,
                    line,
                    f"edges to '{edge.dataset}' name different parts",
                    f"give every edge to '{edge.dataset}' the same `parts`",
                )
            components = [base.dataset for base in catalog[edge.dataset].derived_from]
            if edge.parts == "whole":
                if not components:
                    yield _without_parts(record, line, edge.dataset)
                continue
            yield from _partition(record, index, edge, components)


def _whole_derivations(catalog: Catalog, record) -> Iterator[Problem]:
    if record.entry.type != "dataset":
        return
    for index, edge in enumerate(record.entry.derived_from):
        if edge.parts is None or edge.dataset not in catalog:
            continue
        line = record.line("derived_from", index, "parts")
        if edge.reuses == "prompts":
            yield _prompts_with_parts(record, line, edge.dataset, "taken")
        elif not catalog[edge.dataset].derived_from:
            yield _without_parts(record, line, edge.dataset)


def _prompts_with_parts(record, line: int, dataset: str, verb: str) -> Problem:
    return Problem(
        record.path,
        line,
        f"only the prompts of '{dataset}' were {verb}, not its parts' text",
        f"remove `parts`, or `reuses` if its text was {verb}",
    )


def _without_parts(record, line: int, dataset: str) -> Problem:
    return Problem(
        record.path,
        line,
        f"'{dataset}' has no parts (its entry names no derived_from)",
        "remove `parts`, or record what the dataset is built from",
    )


# the lists of a training edge's parts, each with the words a problem uses for it
PART_LISTS = {"used": "used", "left_out": "left out", "unknown": "of unknown use"}


def _partition(record, index: int, edge, components: list[str]) -> Iterator[Problem]:
    known = ", ".join(components) or "none"
    named: dict[str, str] = {}
    for key, said in PART_LISTS.items():
        for place, part in enumerate(getattr(edge.parts, key)):
            line = record.line("trained_on", index, "parts", key, place)
            if part not in components:
                yield Problem(
                    record.path,
                    line,
                    f"'{part}' is not a part of '{edge.dataset}' (its parts: {known})",
                    f"name only the parts that '{edge.dataset}'s derived_from lists",
                )
            elif part in named:
                yield Problem(
                    record.path,
                    line,
                    f"'{part}' is both {named[part]} and {said}",
                    "keep it in one of the lists",
                )
            named.setdefault(part, said)
    line = record.line("trained_on", index, "parts")
    unsaid = [part for part in components if part not in named]
    if unsaid:
        yield Problem(
            record.path,
            line,
            f"the parts of '{edge.dataset}' leave {', '.join(map(repr, unsaid))} unsaid",
            "add each to `used`, `left_out` or `unknown`",
        )
    elif not edge.parts.left_out and not edge.parts.unknown:
        yield Problem(
            record.path,
            line,
            f"every part of '{edge.dataset}' is used",
            "write `parts: whole`",
        )


def _parents(record) -> list[tuple[str, int]]:
    """What an entry derives from, its family included (a family may not derive from its
    member), or what an organisation is a unit of, each with the line that says so."""
    return [
        (target, record.line(*loc))
        for loc, target, _ in references(record.entry)
        if loc[0] in ("derived_from", "family", "unit_of")
    ]


def lineage_cycles(catalog: Catalog) -> Iterator[Problem]:
    """Depth-first search for derivation loops (or organisations each a unit of the other),
    reported once each, naming every edge with its file and line (which edge is wrong, only
    the curator can tell)."""
    graph = {
        entry_id: [(p, line) for p, line in _parents(r) if p in catalog and p != entry_id]
        for entry_id, r in catalog.records.items()
    }
    done: set[str] = set()
    reported: set[frozenset[str]] = set()
    for start in sorted(graph):
        stack = [(start, iter(graph[start]))]
        path = [start]
        lines: list[int] = []  # lines[i]: where path[i] names path[i + 1]
        while stack:
            node, parents = stack[-1]
            parent, line = next(parents, (None, 0))
            if parent is None:
                stack.pop()
                path.pop()
                del lines[len(path) - 1 :]
                done.add(node)
            elif parent in path:
                loop = path[path.index(parent) :]
                if frozenset(loop) not in reported:
                    reported.add(frozenset(loop))
                    yield _cycle(catalog, loop, [*lines[path.index(parent) :], line])
            elif parent not in done:
                stack.append((parent, iter(graph[parent])))
                path.append(parent)
                lines.append(line)


def _cycle(catalog: Catalog, loop: list[str], lines: list[int]) -> Problem:
    turn = loop.index(min(loop))  # told from its smallest id, whichever entry the search began at
    loop, lines = loop[turn:] + loop[:turn], lines[turn:] + lines[:turn]
    edges = [
        f"{child} → {parent} at {catalog.records[child].path}:{line}"
        for child, parent, line in zip(loop, loop[1:] + loop[:1], lines, strict=True)
    ]
    if catalog[loop[0]].type == "organisation":
        kind, fix = (
            "unit cycle",
            "one of these organisations is a unit of its own unit: remove that",
        )
    else:
        kind, fix = (
            "derivation cycle",
            "one of these edges points back to a descendant: remove that one",
        )
    return Problem(
        catalog.records[loop[0]].path,
        lines[0],
        f"{kind}: {' → '.join([*loop, loop[0]])} ({'; '.join(edges)})",
        fix,
    )


def unknown_licences(catalog: Catalog) -> Iterator[Problem]:
    known = {entry.spdx for entry in catalog.entries("licence")}
    for record in catalog.records.values():
        licence = getattr(record.entry, "licence", None)
        if licence is not None and licence not in known:
            yield Problem(
                record.path,
                record.line("licence"),
                f"unknown licence '{licence}'",
                "use an SPDX id of a data/licences/ entry, or add that licence there",
            )


def scancode_keys(catalog: Catalog) -> Iterator[Problem]:
    """A licence's ScanCode key must exist, and where ScanCode gives it an SPDX-list id, the
    entry's id must be that one."""
    for entry in catalog.entries("licence"):
        if entry.scancode is None:
            continue
        record = catalog.records[entry.id]
        if entry.scancode not in scancode.index():
            yield Problem(
                record.path,
                record.line("scancode"),
                f"'{entry.scancode}' is no key of the ScanCode LicenseDB",
                "use the key from https://scancode-licensedb.aboutcode.org/, or drop the field",
            )
            continue
        listed = {i for i in scancode.spdx_ids(entry.scancode) if not i.startswith("LicenseRef-")}
        if listed and entry.spdx not in listed:
            yield Problem(
                record.path,
                record.line("spdx"),
                f"ScanCode's '{entry.scancode}' is SPDX {' or '.join(sorted(listed))}, "
                f"not '{entry.spdx}'",
                "correct the spdx id or the scancode key",
            )


def name_clashes(catalog: Catalog) -> Iterator[Problem]:
    """A name or alias must pick out one entry among those a report could mean by it: two
    entries of the same kind group (a model and a family are one group) may not share one."""

    def claims(entry) -> Iterator[tuple]:
        group = PRECEDENCE.get(entry.type, LAST)
        labels = {normalise(entry.id): ("id",), normalise(entry.name): ("name",)}
        for index, alias in enumerate(entry.aliases):
            labels.setdefault(normalise(alias), ("aliases", index))
        for key, loc in labels.items():
            yield (group, key), key, loc

    return _clashes(
        catalog,
        claims,
        "name '{}' is also a name of '{}'",
        "make names and aliases unique: drop or qualify one of them",
    )


def hub_repo_clashes(catalog: Catalog) -> Iterator[Problem]:
    """A Hub repo id (the Hub ignores its case) is one entry's: the import hangs the models that
    name it under that entry, so two entries may not both claim it."""

    def claims(entry) -> Iterator[tuple]:
        links = getattr(entry, "links", None)
        dataset = entry.type == "dataset"
        if links and links.huggingface:
            key = hub_key(links.huggingface, dataset).lower()
            yield key, links.huggingface, ("links", "huggingface")
        for index, alias in enumerate(links.huggingface_aliases if links else []):
            yield hub_key(alias, dataset).lower(), alias, ("links", "huggingface_aliases", index)

    return _clashes(
        catalog,
        claims,
        "Hugging Face repo '{}' is also linked by '{}'",
        "link a repo from one entry only: drop it here or there",
    )


def _clashes(catalog: Catalog, claims, message: str, fix: str) -> Iterator[Problem]:
    """A problem wherever an entry claims a key (``claims(entry)`` yields key, the value as
    written and its location) that an earlier entry claimed."""
    owner: dict = {}
    for entry in catalog.entries():
        record = catalog.records[entry.id]
        for key, shown, loc in claims(entry):
            other = owner.setdefault(key, entry.id)
            if other != entry.id:
                yield Problem(record.path, record.line(*loc), message.format(shown, other), fix)


def seed_map_targets(catalog: Catalog) -> Iterator[Problem]:
    for seed_map, path, lines in catalog.seed_maps.values():
        for name, target in seed_map.names.items():
            if isinstance(target, str) and target not in catalog:
                yield Problem(
                    path,
                    lines.get(("names", name), 1),
                    f"seed name '{name}' maps to '{target}', which is no entry",
                    "map it to an existing id or mark it out_of_scope with a reason",
                )
