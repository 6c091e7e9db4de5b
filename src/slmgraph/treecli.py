"""``slmgraph tree NAME``: the lineage picture of an entity page, for a report or a paper."""

import sys
from pathlib import Path

import click

from slmgraph.options import DATA, STORE
from slmgraph.reportcli import open_for_report

TREE_FORMATS = ("svg", "dot", "mermaid")


@click.command()
@DATA
@STORE
@click.argument("name")
@click.option(
    "--format", "fmt", type=click.Choice(TREE_FORMATS), default="svg", show_default=True,
    help="SVG, Graphviz DOT or Mermaid text.",
)  # fmt: skip
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write to this file instead of standard output.",
)
@click.option("--curated-only", is_flag=True, help="Leave out claims imported from the Hub.")
def tree(data_dir, store_dir, name, fmt, out, curated_only):
    """Draw NAME's ancestors and descendants: the picture of its page, in the same layout."""
    from slmgraph import files, lineage_picture, lineage_svg, lineage_text, reports
    from slmgraph.vocab import entity_iri

    if out is not None and not out.parent.is_dir():
        raise click.BadParameter(f"directory {out.parent} does not exist", param_hint="--out")
    graph = open_for_report(data_dir, store_dir, curated_only)
    entity = graph.resolve(name, *reports.TRAINABLE)
    for reading in graph.readings:
        click.echo(f"note: {reading}", err=True)
    ancestors = reports.ancestors(graph, entity)
    below = reports.children_of(graph, entity)
    label = _name(graph, entity, ancestors, below(entity))
    pic = lineage_picture.picture(entity, label, ancestors, below)
    if fmt == "svg":
        text = lineage_svg.render(pic, href=entity_iri)
    else:
        text = getattr(lineage_text, fmt)(pic, entity_iri)
    if out is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        with files.whole(out) as file:
            file.write(text.encode("utf-8"))


def _name(graph, entity: str, ancestors, children) -> str:
    """The entity's name, from its own report rows when it has lineage."""
    from slmgraph import entity_facts

    for row in ancestors:
        if row["id"] == entity:
            return row["name"]
    for row in children:
        if row["parent"] == entity:
            return row["parent_name"]
    facts = entity_facts.show(graph, entity)
    return next((f["value"] for f in facts if f["property"] == "rdfs:label"), entity)
