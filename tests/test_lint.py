from slmgraph.catalog import read_yaml
from slmgraph.lint import canonical, lint
from tests.conftest import VALID


def test_canonical_orders_fields_and_keeps_values():
    text = canonical(
        {
            "sources": ["https://example.org/"],
            "name": "X",
            "type": "model",
            "id": "x",
            "derived_from": [
                {"source": "https://example.org/", "relation": "fine-tuned", "parent": "y"}
            ],
            "released": "2023-04-01",
        }
    )
    assert text.splitlines()[:4] == ["id: x", "type: model", "name: X", "released: '2023-04-01'"]
    assert "  - parent: y\n    relation: fine-tuned\n    source: https://example.org/\n" in text


def test_canonical_text_reads_back_to_the_same_data(tmp_path):
    for path in sorted(VALID.rglob("*.yaml")):
        data, _, problems = read_yaml(path)
        assert not problems
        again = tmp_path / path.name
        again.write_text(canonical(data))
        assert read_yaml(again)[0] == data, path


def test_valid_fixtures_are_canonical():
    assert lint(VALID, fix=False) == ([], [])
