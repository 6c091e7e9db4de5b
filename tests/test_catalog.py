import re
import shutil
from pathlib import Path

import pytest
import yaml

from slmgraph import catalog, paths
from tests.conftest import INVALID, VALID

INVALID_CASES = sorted(INVALID.glob("*.yaml"))


def test_valid_catalogue_has_no_problems():
    loaded, problems = catalog.check(VALID)
    assert problems == []
    assert loaded["dolly-v2-12b"].derived_from[0].parent == "pythia-12b"
    assert loaded["pythia"].released == "2023-02"  # dates stay strings, as written


def _directive(text: str, key: str) -> str:
    return re.search(rf"^# {key}: (.+)$", text, re.M).group(1).strip()


@pytest.mark.parametrize("case", INVALID_CASES, ids=[p.stem for p in INVALID_CASES])
def test_each_invalid_fixture_fails_for_its_own_rule(case: Path, catalogue_copy: Path):
    text = case.read_text()
    target = catalogue_copy / _directive(text, "copy-as")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(case, target)
    reported_in = re.search(r"^# reported-in: (\S+)", text, re.M)
    if reported_in:  # the rule names another file of the catalogue; find its marked line there
        target = catalogue_copy / reported_in.group(1)
        text = target.read_text()
        marker = re.search(r"^# error-key: (.+)$", case.read_text(), re.M).group(1).strip('"')
        error_line = next(n for n, line in enumerate(text.splitlines(), 1) if line == marker)
    else:
        error_line = next(n for n, line in enumerate(text.splitlines(), 1) if "# error" in line)

    _, problems = catalog.check(catalogue_copy)

    assert problems, f"{case.name} was accepted"
    expected = _directive(case.read_text(), "expect")
    assert all(p.path == target for p in problems), [str(p) for p in problems]
    assert any(expected in p.message for p in problems), [str(p) for p in problems]
    assert [p.line for p in problems] == [error_line], [str(p) for p in problems]
    assert all(p.fix for p in problems)


MIXTURE = """id: mixture
type: dataset
name: Mixture
derived_from:
  - dataset: sharegpt
    source: https://example.org/
  - dataset: alpaca-52k
    source: https://example.org/
sources:
  - https://example.org/
"""


@pytest.mark.parametrize(
    "parts, expected, fix",
    [
        ("{used: [sharegpt, alpaca-52k], left_out: [the-pile]}", "not a part of", "name only"),
        ("{used: [sharegpt, alpaca-52k], left_out: [sharegpt]}", "both used and left", "one of"),
        ("{left_out: [sharegpt]}", "leave 'alpaca-52k' unsaid", "add each"),
        (
            "{used: [sharegpt], unknown: [alpaca-52k, sharegpt]}",
            "both used and of unknown",
            "one of",
        ),
        ("{used: [sharegpt, alpaca-52k]}", "every part of 'mixture' is used", "parts: whole"),
    ],
)
def test_parts_name_every_part_of_the_dataset_once(catalogue_copy, parts, expected, fix):
    (catalogue_copy / "datasets" / "mixture.yaml").write_text(MIXTURE)
    reader = catalogue_copy / "models" / "reader.yaml"
    reader.write_text(
        "id: reader\ntype: model\nname: Reader\ntrained_on:\n  - dataset: mixture\n"
        f"    stage: sft\n    parts: {parts}\n    source: https://example.org/\n"
        "sources:\n  - https://example.org/\n"
    )
    _, problems = catalog.check(catalogue_copy)
    assert [(p.path, p.line) for p in problems] == [(reader, 7)], [str(p) for p in problems]
    assert expected in problems[0].message and fix in problems[0].fix


@pytest.mark.parametrize(
    "parts", ["{used: [sharegpt], unknown: [alpaca-52k]}", "{unknown: [sharegpt, alpaca-52k]}"]
)
def test_parts_of_unknown_use_complete_the_parts(catalogue_copy, parts):
    (catalogue_copy / "datasets" / "mixture.yaml").write_text(MIXTURE)
    (catalogue_copy / "models" / "reader.yaml").write_text(
        "id: reader\ntype: model\nname: Reader\ntrained_on:\n  - dataset: mixture\n"
        f"    stage: sft\n    parts: {parts}\n    source: https://example.org/\n"
        "sources:\n  - https://example.org/\n"
    )
    _, problems = catalog.check(catalogue_copy)
    assert [str(p) for p in problems] == []


def test_edges_to_one_dataset_name_the_same_parts(catalogue_copy):
    (catalogue_copy / "datasets" / "mixture.yaml").write_text(MIXTURE)
    reader = catalogue_copy / "models" / "reader.yaml"
    edge = "  - dataset: mixture\n    stage: {}\n    parts: {}\n    source: https://example.org/\n"
    reader.write_text(
        "id: reader\ntype: model\nname: Reader\ntrained_on:\n"
        + edge.format("sft", "whole")
        + edge.format("preference", "{used: [sharegpt], left_out: [alpaca-52k]}")
        + "sources:\n  - https://example.org/\n"
    )
    _, problems = catalog.check(catalogue_copy)
    assert [p.message for p in problems] == ["edges to 'mixture' name different parts"]
    assert problems[0].line == 11


def test_a_training_edge_on_prompts_alone_names_no_parts(catalogue_copy):
    (catalogue_copy / "datasets" / "mixture.yaml").write_text(MIXTURE)
    reader = catalogue_copy / "models" / "reader.yaml"
    reader.write_text(
        "id: reader\ntype: model\nname: Reader\ntrained_on:\n  - dataset: mixture\n"
        "    stage: rl\n    reuses: prompts\n    parts: whole\n    source: https://example.org/\n"
        "sources:\n  - https://example.org/\n"
    )
    _, problems = catalog.check(catalogue_copy)
    assert [(p.path, p.line) for p in problems] == [(reader, 8)], [str(p) for p in problems]
    assert "only the prompts of 'mixture' were trained on" in problems[0].message
    assert "remove `parts`" in problems[0].fix


@pytest.mark.parametrize(
    "base, reuses, expected",
    [
        ("mixture", "prompts", "only the prompts of 'mixture' were taken"),
        ("sharegpt", None, "'sharegpt' has no parts"),
    ],
)
def test_a_derivation_holds_every_part_only_of_a_base_with_parts(
    catalogue_copy, base, reuses, expected
):
    (catalogue_copy / "datasets" / "mixture.yaml").write_text(MIXTURE)
    copy = catalogue_copy / "datasets" / "copy.yaml"
    copy.write_text(
        f"id: copy\ntype: dataset\nname: Copy\nderived_from:\n  - dataset: {base}\n"
        + (f"    reuses: {reuses}\n" if reuses else "")
        + "    parts: whole\n    source: https://example.org/\nsources:\n  - https://example.org/\n"
    )
    _, problems = catalog.check(catalogue_copy)
    line = 7 if reuses else 6
    assert [(p.path, p.line) for p in problems] == [(copy, line)], [str(p) for p in problems]
    assert expected in problems[0].message and problems[0].fix


def test_every_problem_is_reported_not_just_the_first(catalogue_copy: Path):
    for case in ("unknown-field", "bad-size", "dangling-reference", "unknown-licence"):
        text = (INVALID / f"{case}.yaml").read_text()
        shutil.copy(INVALID / f"{case}.yaml", catalogue_copy / _directive(text, "copy-as"))
    with pytest.raises(catalog.CatalogError) as error:
        catalog.load(catalogue_copy)
    assert len(error.value.problems) == 4
    assert "unknown licence 'Apache 2'" in str(error.value)


def test_problem_names_file_line_and_fix(catalogue_copy: Path):
    (catalogue_copy / "models" / "pythia-70m.yaml").write_text(
        "id: pythia-70m\ntype: model\nname: Pythia-70M\nparameters: 70 million\n"
        "sources:\n  - https://huggingface.co/EleutherAI/pythia-70m\n"
    )
    _, problems = catalog.check(catalogue_copy)
    assert [str(p).splitlines()[0] for p in problems] == [
        f"{catalogue_copy}/models/pythia-70m.yaml:4: parameters: Value error, '70 million' is not "
        "a size; write it like '1.3B', '125M' or '8x7B' (got '70 million')"
    ]
    assert "fix:" in str(problems[0])


def test_a_cycle_names_every_edge_with_its_file_and_line(catalogue_copy: Path):
    """pythia-12b → dolly-v2-12b closes a loop through dolly-v2-12b → pythia-12b."""
    path = catalogue_copy / "models" / "pythia-12b.yaml"
    path.write_text(
        path.read_text()
        + "derived_from:\n  - parent: dolly-v2-12b\n    relation: distilled\n"
        + "    source: https://example.org/\n"
    )
    added = len(path.read_text().splitlines()) - 2
    dolly = catalogue_copy / "models" / "dolly-v2-12b.yaml"
    dolly_line = next(
        n
        for n, line in enumerate(dolly.read_text().splitlines(), 1)
        if "parent: pythia-12b" in line
    )
    [problem] = [p for p in catalog.check(catalogue_copy)[1] if "cycle" in p.message]
    assert f"dolly-v2-12b → pythia-12b at {dolly}:{dolly_line}" in problem.message
    assert f"pythia-12b → dolly-v2-12b at {path}:{added}" in problem.message


def test_a_broken_entry_does_not_make_its_referrers_dangle(catalogue_copy: Path):
    (catalogue_copy / "families" / "llama.yaml").write_text("id: llama\n  bad: [\n")
    _, problems = catalog.check(catalogue_copy)
    assert [p.path.name for p in problems] == ["llama.yaml"]


@pytest.mark.parametrize(
    ("key", "says"),
    [
        ("llama-2-licence", "'llama-2-licence' is no key of the ScanCode LicenseDB"),
        ("mit", "ScanCode's 'mit' is SPDX MIT, not 'Apache-2.0'"),
    ],
)
def test_scancode_key_must_exist_and_agree_with_the_spdx_id(catalogue_copy: Path, key, says):
    path = catalogue_copy / "licences" / "apache-2.0.yaml"
    path.write_text(path.read_text().replace("scancode: apache-2.0", f"scancode: {key}"))
    _, problems = catalog.check(catalogue_copy)
    assert [p.message for p in problems] == [says]
    assert problems[0].line == (4 if key == "mit" else 5)  # the spdx line, or the key's


def _read_with(parse, text: str):
    """What a parser makes of a text: its data and the line of every node, or its error."""
    try:
        node, data = parse(text)
    except yaml.YAMLError as error:
        return str(error)
    lines = []
    stack = [node] if node is not None else []
    while stack:
        node = stack.pop()
        lines.append((node.tag, node.start_mark.line))
        if isinstance(node, yaml.MappingNode):
            stack.extend(part for pair in node.value for part in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return repr(data), lines


TRICKY = {
    "tab": "id: x\n\ttype: model\n",
    "no last line break": "a: 1\n? b",
    "byte-order mark inside": "na\ufeffme: x\n",
    "alias": "a: &x [1]\nb: *x\n",
    "too deep": "a: " + "[" * 40 + "]" * 40 + "\n",
    "two documents": "a: 1\n---\nb: 2\n",
    "unclosed": "a: [1, 2\nb: 3\n",
    "control character": "a: b\x07\n",
    "carriage returns": "a: 1\r\nb:\r\n  - c\r\n",
    "complex key": "? [a, b]\n: c\n",
    "tags": "a: !!binary aGk=\nb: !!str 1\nc: !foo x\n",
    "merge": "base: &b {x: 1}\nc:\n  <<: *b\n",
}


@pytest.mark.parametrize("text", TRICKY.values(), ids=TRICKY.keys())
def test_libyaml_reads_a_tricky_text_as_the_pure_python_parser_does(text: str):
    assert _read_with(catalog._parse, text) == _read_with(catalog._compose, text)


def test_libyaml_reads_every_bundled_entry_as_the_pure_python_parser_does():
    for path in sorted(paths.data_dir().rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        assert _read_with(catalog._parse, text) == _read_with(catalog._compose, text), path


def test_a_unit_cycle_is_told_apart_from_a_derivation_cycle(catalogue_copy: Path):
    orgs = catalogue_copy / "organisations"
    (orgs / "lab-a.yaml").write_text(
        "id: lab-a\ntype: organisation\nname: Lab A\nunit_of: lab-b\n"
        "sources:\n  - https://example.org/\n"
    )
    (orgs / "lab-b.yaml").write_text(
        "id: lab-b\ntype: organisation\nname: Lab B\nunit_of:\n  - meta\n  - lab-a\n"
        "sources:\n  - https://example.org/\n"
    )
    [problem] = catalog.check(catalogue_copy)[1]
    assert problem.message == (
        f"unit cycle: lab-a → lab-b → lab-a "
        f"(lab-a → lab-b at {orgs / 'lab-a.yaml'}:4; lab-b → lab-a at {orgs / 'lab-b.yaml'}:6)"
    )
    assert "unit of its own unit" in problem.fix
