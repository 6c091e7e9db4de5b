"""Import Hub metadata into the store: records to checked claims, claims to triples in the Hub
graph, and a new build holding them beside the curated graph."""

import json
import multiprocessing
import tempfile
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path

from slmgraph import hub, hubrdf, store
from slmgraph.bulk import collector_paused
from slmgraph.graph import Graph
from slmgraph.vocab import entity_iri, hub_key


def links(graph: Graph) -> tuple[dict[str, str], dict[str, str]]:
    """Hub repo id -> curated entity IRI (datasets as ``datasets/<repo>``), and SPDX id in
    lowercase -> licence IRI."""
    repos, licences = {}, {}
    for row in graph.select("hub-links"):
        if row.get("spdx"):
            licences[row["spdx"].lower()] = entity_iri(row["entity"])
        else:
            repos[hub_key(row["repo"], row["class"] == "dataset")] = entity_iri(row["entity"])
    return repos, licences


def _write(models: list[hub.HubModel], scratch: Path, *settings) -> dict:
    """Write the models' claims to ``scratch/hub.nt``, and their lineage edges, names and other
    facts for the lineage index beside it (``settings``: a Writer's links, licences, origin
    and day); the import's summary so far."""
    with (
        (scratch / "hub.nt").open("w", encoding="utf-8") as out,
        (scratch / "edges.tsv").open("w", encoding="utf-8") as edges,
        (scratch / "names.tsv").open("w", encoding="utf-8") as names,
        (scratch / "facts.tsv").open("w", encoding="utf-8") as facts,
    ):
        writer = hubrdf.Writer(out, edges, names, facts, *settings)
        writer.models(models, {m.repo for m in models})
    return {
        "stamp": f"{writer.origin}@{writer.fetched}#{writer.triples}",
        "source": writer.origin,
        "fetched": writer.fetched,
        "models": len(models),
        "claims": sum(len(m.parents) + len(m.datasets) for m in models),
        "triples": writer.triples,
    }


def _claims(records: Iterable[dict], settings: tuple, say) -> tuple[dict, list[hub.Doubt]]:
    """Read and check the records and write their claims (``settings``: the scratch directory
    and a Writer's links, licences, origin and day); the summary and every doubt."""
    scratch, repos, *rest = settings
    doubts: list[hub.Doubt] = []
    with collector_paused():  # a million models are a million objects and no cycles
        models = [m for m in (hub.to_model(r, doubts) for r in records) if m is not None]
        models = hub.distinct(models, doubts)
        say(f"checking {len(models):,} models")
        spelled = hub.respelled(models, repos)
        repos = {spelled[repo]: entity for repo, entity in repos.items()}
        for model in models:  # a curated entry named by two of its repos: named once
            hub.one_per_entity(model, lambda key: repos.get(key, key))
        models, checked = hub.checked(models, set(repos))
        say("writing their claims")
        return _write(models, scratch, repos, *rest), doubts + checked


def _in_child(work, *args):
    """``work(*args)`` in a forked process, so that the memory its million objects took goes
    back to the system before the bulk load needs it (a Python heap, once grown, stays)."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return work(*args)  # no fork here: in this process, with its memory
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)

    def run() -> None:
        try:
            send.send((True, work(*args)))
        except BaseException as error:  # the parent raises it as its own
            send.send((False, error))

    child = context.Process(target=run)
    child.start()
    send.close()
    try:
        ok, result = receive.recv()
    except EOFError:  # killed before it could answer
        raise RuntimeError(f"the import's reading process ended ({child.exitcode})") from None
    finally:
        child.join()
    if not ok:
        raise result
    return result


def import_records(
    records: Iterable[dict],
    origin: str,
    data_dir: Path,
    ontology_dir: Path,
    store_dir: Path,
    fetched: str | None = None,
    say: Callable[[str], None] = lambda step: None,
) -> dict:
    """Import ``records`` as the store's Hub graph; returns the import's summary, with every
    claim refused or doubted listed. ``say`` is told each step as it starts."""
    # from the curated build alone: the Hub graph in use, replaced, may be another version's
    graph = Graph(store.open_curated(data_dir, ontology_dir, store_dir), curated_only=True)
    repos, licences = links(graph)
    fetched = fetched or date.today().isoformat()
    with tempfile.TemporaryDirectory(dir=store_dir) as scratch:
        settings = (Path(scratch), repos, licences, origin, fetched)
        summary, doubts = _in_child(_claims, records, settings, say)
        summary["links"] = sorted(repos.items())  # what a curated rebuild compares with
        summary["refused"] = sum(d.refused for d in doubts)
        summary["doubted"] = sum(not d.refused for d in doubts)
        store.import_hub(data_dir, ontology_dir, store_dir, Path(scratch), summary, say)
    problems = store_dir / "hub-problems.json"
    problems.write_text(
        json.dumps([d.__dict__ for d in doubts], indent=1, ensure_ascii=False), encoding="utf-8"
    )
    return summary | {"problems": str(problems), "doubts": doubts}
