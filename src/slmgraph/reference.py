"""Artefacts generated from the entry schema: JSON Schema and the field reference."""

import json
from pathlib import Path

from slmgraph import schema

HEADER = """# Curated entries

One YAML file per entity, the file name equal to the entry's `id`. Run `slmgraph check` after an
edit: it lists every problem with file, line and fix; `slmgraph lint --fix` rewrites files in
canonical form.

## Adding an entry
1. Pick the folder by type (`models/`, `families/`, `datasets/`, `organisations/`, `publications/`,
   `licences/`) and a lowercase id (`pythia-1.4b`, `llama-2-7b-chat`), unique across all types.
2. Write the fields below; refer to other entries by id only. Absent means unknown: never
   write `unknown`, `''` or `none`.
3. Cite a primary source (paper, official model card or repository) in `sources` and on every edge
   (`derived_from`, `trained_on`, `reproduces`, `generated_by`).
4. Where a seed document is wrong, add a `corrections` item: what it says, what is true, the source.
5. Add the name as a seed writes it to `seeds/<seed>.yaml` when the entity comes from a seed.
6. `slmgraph lint --fix && slmgraph check && pytest tests/test_data.py`.

This reference is generated from `src/slmgraph/schema.py` by `slmgraph schema`; do not edit it
by hand.
"""


def json_schema() -> dict:
    generated = schema.ENTRY.json_schema()
    generated["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    generated["title"] = "slmgraph entry"
    return generated


SECTIONS = (
    ("type: model", schema.Model),
    ("type: family", schema.Family),
    ("type: dataset", schema.Dataset),
    ("type: organisation", schema.Organisation),
    ("type: publication", schema.Publication),
    ("type: licence", schema.Licence),
    ("lineage edge (`derived_from` of a model or family)", schema.Lineage),
    ("training edge (`trained_on`)", schema.Training),
    ("dataset edge (`derived_from` of a dataset)", schema.DatasetDerivation),
    ("synthetic-data edge (`generated_by`)", schema.Generation),
    ("reproduction (`reproduces`)", schema.Reproduction),
    ("`links`", schema.Links),
    ("`architecture`", schema.Architecture),
    ("`corrections` item", schema.Correction),
    ("seed name map (`seeds/<seed>.yaml`)", schema.SeedMap),
)


def field_reference() -> str:
    lines = [HEADER]
    for title, model in SECTIONS:
        lines += [f"\n## {title}\n", "| field | required | description |", "| --- | --- | --- |"]
        for name, info in model.model_fields.items():
            required = "yes" if info.is_required() else ""
            description = (info.description or "").replace("|", "\\|")
            lines.append(f"| `{name}` | {required} | {description} |")
    return "\n".join(lines) + "\n"


def write(data_dir: Path) -> list[Path]:
    """Write the generated artefacts into ``data_dir``; return their paths."""
    schema_path, readme_path = data_dir / "schema.json", data_dir / "README.md"
    schema_path.write_text(json.dumps(json_schema(), indent=2) + "\n", encoding="utf-8")
    readme_path.write_text(field_reference(), encoding="utf-8")
    return [schema_path, readme_path]
