"""Check a built graph: SHACL shapes, and ``checks/*-violation.rq`` queries returning nothing."""

from pathlib import Path

from pyoxigraph import DefaultGraph, RdfFormat, Store, serialize

from slmgraph import queries


def violations(store: Store, checks_dir: Path) -> list[str]:
    """One line per row any violation query returns."""
    found = []
    for query in queries.discover(checks_dir).values():
        for row in queries.run(store, query):
            details = ", ".join(f"{k}={v}" for k, v in sorted(row.items()))
            found.append(f"{query.name}: {query.title}: {details}")
    return found


def shacl(store: Store, shapes_path: Path, ontology_dir: Path) -> list[str]:
    """SHACL violations as readable lines."""
    import pyshacl
    import rdflib

    data = rdflib.Graph()
    triples = (q.triple for q in store.quads_for_pattern(None, None, None, DefaultGraph()))
    data.parse(data=serialize(triples, format=RdfFormat.N_TRIPLES), format="nt")
    data.parse(ontology_dir / "slm.ttl")  # class memberships such as slm:TrainingStage live there
    shapes = rdflib.Graph().parse(shapes_path)
    conforms, report, _ = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", advanced=True
    )
    if conforms:
        return []
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    lines = []
    for result in report.subjects(rdflib.RDF.type, sh.ValidationResult):
        focus = report.value(result, sh.focusNode)
        path = report.value(result, sh.resultPath)
        message = report.value(result, sh.resultMessage)
        lines.append(f"shacl: {focus} {path}: {message}")
    return sorted(lines)


def validate(store: Store, ontology_dir: Path, queries_dir: Path) -> list[str]:
    return shacl(store, ontology_dir / "shapes.ttl", ontology_dir) + violations(
        store, queries_dir / "checks"
    )
