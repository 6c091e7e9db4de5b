"""Canonical formatting of entry files, so that a diff shows one line per fact."""

import re
from pathlib import Path

import yaml

from slmgraph.catalog import entry_files, read_yaml, seed_map_files
from slmgraph.problems import Problem

# Field order in a canonical file; fields of nested edges keep this order too.
ORDER = [
    "id",
    "seed",
    "file",
    "title",
    "type",
    "name",
    "aliases",
    "description",
    "organisation",
    "family",
    "parameters",
    "active_parameters",
    "released",
    "licence",
    "spdx",
    "scancode",
    "kind",
    "text",
    "terms",
    "fact",
    "clause",
    "url",
    "value",
    "outputs",
    "open_weights",
    "size",
    "architecture",
    "context_length",
    "publications",
    "links",
    "parent",
    "dataset",
    "model",
    "relation",
    "stage",
    "reuses",
    "wrote",
    "parts",
    "used",
    "left_out",
    "unknown",
    "method",
    "note",
    "hardware",
    "cost",
    "derived_from",
    "reproduces",
    "trained_on",
    "generated_by",
    "names",
    "seeds",
    "sources",
    "corrections",
    "says",
    "field",
    "truth",
    "source",
]
_RANK = {key: rank for rank, key in enumerate(ORDER)}


def _ordered(value):
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: (_RANK.get(k, len(ORDER)), str(k)))
        return {key: _ordered(value[key]) for key in keys}
    if isinstance(value, list):
        return [_ordered(item) for item in value]
    return value


class _Dumper(yaml.SafeDumper):
    """Indents lists under their key, as people write them."""

    def increase_indent(self, flow: bool = False, indentless: bool = False):
        return super().increase_indent(flow, False)


def _keep_mapping_order(dumper: yaml.SafeDumper, data: dict):
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items())


_Dumper.add_representer(dict, _keep_mapping_order)


def canonical(data: object) -> str:
    """The canonical text of a parsed entry.

    >>> print(canonical({"name": "Pythia", "id": "pythia", "type": "family"}), end="")
    id: pythia
    type: family
    name: Pythia
    """
    return yaml.dump(
        _ordered(data),
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        width=100,
        default_flow_style=False,
    )


def _comment_lines(text: str) -> list[int]:
    """Lines holding a YAML comment: a '#' after a space or at a line's start, in no scalar."""
    loader = yaml.SafeLoader(text)
    try:
        spans = []
        while loader.check_token():
            token = loader.get_token()
            if isinstance(token, yaml.ScalarToken):
                spans.append((token.start_mark.index, token.end_mark.index))
    finally:
        loader.dispose()
    lines = []
    for match in re.finditer(r"(?:^|(?<=\s))#", text, re.M):
        if not any(start <= match.start() < end for start, end in spans):
            lines.append(text.count("\n", 0, match.start()) + 1)
    return lines


def lint(data_dir: Path, fix: bool) -> tuple[list[Path], list[Problem]]:
    """Files not in canonical form (rewritten when ``fix``), and the problems that stop a file
    being checked or rewritten: it does not parse, it is empty, or (with ``fix``) it has
    comments that rewriting would lose."""
    changed, problems = [], []
    for path in entry_files(data_dir) + seed_map_files(data_dir):
        data, _, found = read_yaml(path)
        if found:
            problems += found
            continue
        if data is None:
            problems.append(Problem(path, 1, "empty file", "write the entry or delete the file"))
            continue
        text = canonical(data)
        current = path.read_text(encoding="utf-8")
        if current == text:
            continue
        if fix and "#" in current and (commented := _comment_lines(current)):
            problems.append(
                Problem(
                    path,
                    commented[0],
                    "has comments, which a rewrite would drop",
                    "move what the comment says into a field (note, description), then lint --fix",
                )
            )
            continue
        changed.append(path)
        if fix:
            path.write_text(text, encoding="utf-8")
    return changed, problems
