"""Read the YAML entries into a validated catalogue, collecting every problem with file and line."""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import ValidationError

from slmgraph.bulk import collector_paused
from slmgraph.problems import CatalogError, Problem
from slmgraph.schema import ENTRY, SEED_MAP, AnyEntry, SeedMap

PLACEHOLDERS = {"", "unknown", "none", "n/a", "na", "tbd", "?", "-", "null"}
# Limits that keep a hostile or broken file from exhausting memory or the stack.
MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 32
MAX_ALIASES = 64
Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Record:
    """A validated entry with the file it came from and the line of each field."""

    entry: AnyEntry
    path: Path
    lines: dict[Loc, int] = field(repr=False)

    def line(self, *loc: str | int) -> int:
        """The line of the deepest known part of ``loc`` (the entry's first line at worst)."""
        for end in range(len(loc), 0, -1):
            if loc[:end] in self.lines:
                return self.lines[loc[:end]]
        return self.lines.get((), 1)


@dataclass(frozen=True)
class Catalog:
    records: dict[str, Record]
    seed_maps: dict[str, tuple[SeedMap, Path, dict[Loc, int]]]
    unreadable: frozenset[str] = frozenset()  # ids of files that failed to load

    def __getitem__(self, entry_id: str) -> AnyEntry:
        return self.records[entry_id].entry

    def __contains__(self, entry_id: str) -> bool:
        return entry_id in self.records

    def entries(self, *types: str) -> Iterator[AnyEntry]:
        """Entries in id order, optionally only of the given types."""
        for entry_id in sorted(self.records):
            entry = self.records[entry_id].entry
            if not types or entry.type in types:
                yield entry


class _Loader(yaml.SafeLoader):
    """Safe YAML that keeps dates as written ('2023-04' and '2023-04-12' alike stay strings),
    and refuses nesting deeper than MAX_DEPTH and more than MAX_ALIASES aliases."""

    depth = 0
    aliases = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                raise _limit(self.peek_event(), f"more than {MAX_ALIASES} aliases")
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise _limit(self.peek_event(), f"nested more than {MAX_DEPTH} levels deep")
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _limit(event, what: str) -> yaml.YAMLError:
    return yaml.composer.ComposerError(None, None, what, event.start_mark)


_Loader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


_FastLoader = None
if yaml.__with_libyaml__:

    class _FastLoader(yaml.cyaml.CParser, yaml.constructor.SafeConstructor, yaml.resolver.Resolver):
        """libyaml composes the nodes (nearly all of the time); the constructor is _Loader's."""

        yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers

        def __init__(self, text: str):
            yaml.cyaml.CParser.__init__(self, text)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)


def _compose(text: str) -> tuple[object, object]:
    """The document's node tree and data, in pure Python."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        return node, loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()


_STR, _SEQ, _MAP = (f"tag:yaml.org,2002:{kind}" for kind in ("str", "seq", "map"))
_SCALARS = {f"tag:yaml.org,2002:{kind}" for kind in ("null", "bool", "int", "float")}


class _NotPlain(Exception):
    """The tree has what the plain walk leaves to the full constructor and composer."""


def _plain(node, loader, depth: int, seen: set[int]) -> object:
    """The data of a tree made of string-keyed mappings, lists and plain scalars, built in one
    walk (entries are nothing else). Raises _NotPlain at an alias or nesting past MAX_DEPTH
    (libyaml composes without those limits) and at any other tag or key."""
    if depth > MAX_DEPTH or id(node) in seen:
        raise _NotPlain
    seen.add(id(node))
    tag = node.tag
    if tag == _STR and isinstance(node, yaml.ScalarNode):
        return node.value
    if tag == _MAP:
        data = {}
        for key, value in node.value:
            if key.tag != _STR or not isinstance(key, yaml.ScalarNode) or id(key) in seen:
                raise _NotPlain
            if depth + 1 > MAX_DEPTH:
                raise _NotPlain
            seen.add(id(key))
            data[key.value] = _plain(value, loader, depth + 1, seen)
        return data
    if tag == _SEQ:
        return [_plain(item, loader, depth + 1, seen) for item in node.value]
    if tag in _SCALARS and isinstance(node, yaml.ScalarNode):
        return loader.construct_object(node)
    raise _NotPlain


def _text(path: Path) -> tuple[str | None, Problem | None]:
    """The file's text, or the problem that stops it being read."""
    try:
        if path.is_dir():
            return None, Problem(path, 1, "is a directory", "entries are files; rename it")
        if (size := path.stat().st_size) > MAX_FILE_BYTES:
            return None, Problem(
                path,
                1,
                f"file is {size:,} bytes, more than {MAX_FILE_BYTES:,}",
                "one entry per file; split it or remove what does not belong",
            )
        data = path.read_bytes()
    except OSError as error:
        return None, Problem(path, 1, f"cannot read: {error.strerror}", "fix or remove the file")
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return None, Problem(path, line, "not UTF-8 text", "save the file as UTF-8")


# What libyaml reads otherwise than the pure-Python parser: tabs and byte-order marks it may
# accept where the latter refuses them, characters the latter refuses outright, and a last line
# without a line break (libyaml ends it, which moves the line of an empty node there).
_UNLIKE = re.compile(yaml.reader.Reader.NON_PRINTABLE.pattern + "|[\t\ufeff]|[^\n]\\Z")


def _libyaml_reads_alike(text: str) -> bool:
    return _FastLoader is not None and not _UNLIKE.search(text)


def _parse(text: str) -> tuple[object, object]:
    """Parse with libyaml where it reads the text alike; a file it refuses is parsed again in
    pure Python, whose messages and lines curators are shown."""
    if _libyaml_reads_alike(text):
        try:
            loader = _FastLoader(text)
            try:
                node = loader.get_single_node()
                return node, None if node is None else _plain(node, loader, 1, set())
            finally:
                loader.dispose()
        except (yaml.YAMLError, _NotPlain):
            pass
    return _compose(text)


def read_yaml(path: Path) -> tuple[object, dict[Loc, int], list[Problem]]:
    """Parse one file into data, a map from field location to line, and any problems."""
    text, unreadable = _text(path)
    if unreadable:
        return None, {}, [unreadable]
    try:
        node, data = _parse(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        what = getattr(error, "problem", None) or str(error)
        context = getattr(error, "context_mark", None)
        if context is not None and context.line + 1 != line:
            what += f" ({getattr(error, 'context', 'starting')} on line {context.line + 1})"
        return None, {}, [Problem(path, line, f"YAML syntax: {what}", "correct the YAML syntax")]
    lines: dict[Loc, int] = {}
    problems: list[Problem] = []
    if node is not None:
        _index(node, (), lines, path, problems)
    return data, lines, problems


def _index(node, loc: Loc, lines: dict[Loc, int], path: Path, problems: list[Problem]) -> None:
    lines[loc] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen = set()
        for key, value in node.value:
            if key.value in seen:
                problems.append(
                    Problem(
                        path,
                        key.start_mark.line + 1,
                        f"duplicate key '{key.value}'",
                        "keep one of the two values",
                    )
                )
            seen.add(key.value)
            _index(value, (*loc, key.value), lines, path, problems)
            lines[(*loc, key.value)] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _index(item, (*loc, index), lines, path, problems)
    elif node.tag != "tag:yaml.org,2002:bool" and _is_placeholder(node):
        problems.append(
            Problem(
                path,
                lines[loc],
                f"placeholder value {node.value!r} at {_dotted(loc)}",
                "omit a field whose value is unknown; absent means unknown",
            )
        )


def _is_placeholder(node) -> bool:
    return node.tag == "tag:yaml.org,2002:null" or str(node.value).strip().lower() in PLACEHOLDERS


def _dotted(loc: Loc) -> str:
    return ".".join(str(part) for part in loc) or "(document)"


def _schema_problems(error: ValidationError, path: Path, lines: dict[Loc, int]) -> list[Problem]:
    record = Record(None, path, lines)  # type: ignore[arg-type]
    problems = []
    for item in error.errors():
        loc = _without_union_tag(item["loc"])
        kind = item["type"]
        if kind.startswith("union_tag"):
            loc = ("type",)
        if kind == "extra_forbidden":
            message, fix = (
                f"unknown field '{_dotted(loc)}'",
                "remove it or check its spelling in data/README.md",
            )
        elif kind == "missing":
            message, fix = f"missing required field '{_dotted(loc)}'", "add it (see data/README.md)"
        elif kind == "union_tag_invalid":
            message, fix = (
                "unknown entry type",
                f"set type to one of: {item['ctx']['expected_tags']}",
            )
        elif kind == "union_tag_not_found":
            message, fix = "missing required field 'type'", "add type: model, family, dataset, …"
        elif kind == "literal_error":
            message = f"{_dotted(loc)}: {item['input']!r} is not allowed"
            fix = f"use one of {item['ctx']['expected']}"
        else:
            message = f"{_dotted(loc)}: {item['msg']} (got {item['input']!r})"
            fix = "correct the value's type or format (see data/README.md)"
        problems.append(Problem(path, record.line(*loc), message, fix))
    return problems


def _without_union_tag(loc: Loc) -> Loc:
    """Pydantic puts the discriminator's value first in the location of a union member's error."""
    tags = {"model", "family", "dataset", "organisation", "publication", "licence"}
    return loc[1:] if loc and loc[0] in tags else loc


def load_file(path: Path) -> tuple[Record | None, list[Problem]]:
    """Validate one entry file against the schema."""
    data, lines, problems = read_yaml(path)
    if problems:
        return None, problems
    if not isinstance(data, dict):
        return None, [Problem(path, 1, "an entry is a YAML mapping", "write `key: value` lines")]
    try:
        entry = ENTRY.validate_python(data)
    except ValidationError as error:
        return None, _schema_problems(error, path, lines)
    return Record(entry, path, lines), []


def entry_files(data_dir: Path) -> list[Path]:
    return sorted(p for p in data_dir.rglob("*.yaml") if p.parent.name != "seeds")


def seed_map_files(data_dir: Path) -> list[Path]:
    return sorted((data_dir / "seeds").glob("*.yaml"))


def check(data_dir: Path) -> tuple[Catalog, list[Problem]]:
    """Load every entry and seed map, run the cross-record checks, return all problems found."""
    with collector_paused():
        return _check(data_dir)


def _check(data_dir: Path) -> tuple[Catalog, list[Problem]]:
    from slmgraph.checks import cross_record_problems

    records: dict[str, Record] = {}
    problems: list[Problem] = []
    unreadable = set()
    files = entry_files(data_dir)
    for path in files:
        record, found = load_file(path)
        problems += found
        if record is None:
            unreadable.add(path.stem)  # its own problems say why; references to it are not wrong
            continue
        entry = record.entry
        if entry.id != path.stem:
            problems.append(
                Problem(
                    path,
                    record.line("id"),
                    f"id '{entry.id}' does not match the file name",
                    f"rename the file to {entry.id}.yaml or set id: {path.stem}",
                )
            )
        if entry.id in records:
            first = records[entry.id].path
            problems.append(
                Problem(
                    path,
                    record.line("id"),
                    f"duplicate id '{entry.id}' (also in {first})",
                    "merge the two entries or give one another id",
                )
            )
            continue
        records[entry.id] = record
    seed_maps = {}
    for path in seed_map_files(data_dir):
        data, lines, found = read_yaml(path)
        problems += found
        if found:
            continue
        try:
            seed_map = SEED_MAP.validate_python(data)
        except ValidationError as error:
            problems += _schema_problems(error, path, lines)
            continue
        if seed_map.seed != path.stem:  # one map per seed, found by its file name
            problems.append(
                Problem(
                    path,
                    lines.get(("seed",), 1),
                    f"seed '{seed_map.seed}' does not match the file name",
                    f"rename the file to {seed_map.seed}.yaml or set seed: {path.stem}",
                )
            )
            continue
        seed_maps[seed_map.seed] = (seed_map, path, lines)
    if not files:
        problems.append(
            Problem(data_dir, 1, "no entry files (*.yaml) here", "point --data at the entries")
        )
    catalog = Catalog(records, seed_maps, frozenset(unreadable))
    problems += cross_record_problems(catalog)
    return catalog, problems


def load(data_dir: Path) -> Catalog:
    """The validated catalogue; raises CatalogError listing every problem."""
    catalog, problems = check(data_dir)
    if problems:
        raise CatalogError(problems)
    return catalog
