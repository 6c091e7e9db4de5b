"""Hugging Face Hub model metadata to claims: what each card and the Hub's tags declare, and
what the import refuses or doubts.

A record is one model as the Hub lists it (``id``, ``author``, ``createdAt``, ``sha``, ``tags``,
``cardData`` or the raw ``card`` with its YAML header, ``baseModels``). Nothing is claimed more
precisely than the source says: the Hub's ``finetune`` also covers continued pre-training,
distillation and pruning, so it becomes ``trained-from``; a base model with no relation becomes
``based-on``.
"""

import json
import re
import reprlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import orjson
import yaml

from slmgraph.vocab import HUB_DATASET, hub_key

REPO = re.compile(r"^\w[\w.-]*/\w[\w.-]*$")
DATASET = re.compile(r"^(?:\w[\w.-]*/)?\w[\w.-]*$")  # a canonical dataset has no owner
# A card may name its base model by the link to its page rather than by its id
_PAGE = re.compile(r"^https?://(?:www\.)?huggingface\.co/(?:datasets/)?(\w[\w.-]*/\w[\w.-]*)/?$")
_SHA = re.compile(r"^[0-9a-f]{7,64}$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")
# The Hub's relation (tags base_model:<relation>:<parent>) -> the relation word claimed.
RELATIONS = {
    "finetune": "trained-from",
    "adapter": "adapter",
    "quantized": "quantized",
    "merge": "merged",
}
UNSTATED = "based-on"
HUB_FLOOR = "2022-03-02"  # the Hub dates every older model to this day


@dataclass
class Parent:
    repo: str
    relation: str  # a word of RELATIONS' values, or UNSTATED
    relation_from: str | None  # "card" (its base_model_relation), "hub" (its tags), None
    declared_in: str  # "card" (cardData.base_model) or "hub" (tags, baseModels)


@dataclass
class HubModel:
    repo: str
    author: str | None = None
    created: str | None = None  # ISO 8601 as the Hub gives it
    sha: str | None = None
    parents: list[Parent] = field(default_factory=list)
    datasets: list[str] = field(default_factory=list)
    on_card: set[str] = field(default_factory=set)  # the datasets the card itself lists
    licence: str | None = None  # the Hub's licence id, or license_name when "other"
    papers: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Doubt:
    """Something the import refused (not imported) or doubted (imported, listed)."""

    kind: str
    repo: str
    detail: str
    refused: bool


class BulkFileProblem(ValueError):
    """A bulk file that cannot be read, said in one line."""


def read_records(path: Path) -> Iterator[dict]:
    """The records of a bulk file: JSON Lines, or Parquet read a row group at a time."""
    if path.suffix == ".parquet":
        import pyarrow
        import pyarrow.parquet as parquet

        try:
            for batch in parquet.ParquetFile(path).iter_batches(batch_size=10_000):
                yield from batch.to_pylist()
        except (pyarrow.ArrowException, OSError) as error:
            raise BulkFileProblem(f"{path}: not a readable Parquet file ({error})") from None
        return
    if path.suffix not in (".jsonl", ".json", ".ndjson"):
        raise BulkFileProblem(f"{path}: give a .jsonl or .parquet file of Hub model records")
    try:
        with path.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, start=1):
                if number == 1 and line.lstrip().startswith("["):
                    raise BulkFileProblem(
                        f"{path}: a JSON array, not one record a line; make it JSON Lines "
                        f"(for example jq -c '.[]' {path.name} > records.jsonl)"
                    )
                if line.strip():
                    yield _record(line, number)
    except UnicodeDecodeError:
        raise BulkFileProblem(f"{path}: not UTF-8 text; give JSON Lines or Parquet") from None


def _record(line: str, number: int) -> dict:
    """One line of JSON Lines, read by orjson (twice the standard library's speed), or
    by the standard library where it is more lenient (NaN, integers past 64 bits)."""
    try:
        record = orjson.loads(line)
    except orjson.JSONDecodeError:
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            return {"_unreadable": f"line {number}: {error.msg}"}
        except RecursionError:
            return {"_unreadable": f"line {number}: nested too deep to read"}
    if not isinstance(record, dict):
        return {"_unreadable": f"line {number}: a JSON {type(record).__name__}, not an object"}
    return record


# libyaml's loader where PyYAML was built with it: ten times the pure-Python one's speed
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def card_header(text: str) -> dict:
    """The YAML header of a model card's text; ValueError when it cannot be read."""
    if not text.startswith("---"):
        return {}
    end = text.find("\n---", 3)
    if end < 0:
        raise ValueError("the YAML header is not closed by ---")
    try:
        header = yaml.load(text[3:end], Loader=_YAML_LOADER)
    except yaml.YAMLError as error:
        raise ValueError(f"unparseable card YAML: {str(error).splitlines()[0]}") from None
    return header if isinstance(header, dict) else {}


def _items(value) -> list:
    """A list of what a card's field names, of whatever kind: one value or a list of them."""
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _listed(value) -> list[str]:
    """The strings among what a card's field names (a number or a mapping names nothing)."""
    return [item for item in _items(value) if isinstance(item, str)]


def _text(value) -> str | None:
    return value if isinstance(value, str) and value else None


def _named(values: Iterable, pattern: re.Pattern, what: str, model: str, doubts) -> list:
    """The repo ids among what a card or tag names as ``what`` (base model or dataset)."""
    named = []
    for value in values:
        if isinstance(value, str) and pattern.match(value):
            named.append(value)
        elif mended := _mended(value, pattern, what, model, doubts):
            named.append(mended)
    return named


def _mended(value, pattern: re.Pattern, what: str, model: str, doubts) -> str | None:
    """A name that is no repo id as written, with spaces around it and a link to its Hub page
    taken away; None, refused and listed, when it is still none (a local path, a blank, a
    card's number or mapping)."""
    text = value.strip() if isinstance(value, str) else ""
    if page := _PAGE.match(text):
        text = page[1]
    if pattern.match(text):
        return text
    detail = f"names {_SHORT.repr(value)} as a {what}, which is no Hub repo id"
    doubts.append(Doubt(f"invalid {what}", model, detail, refused=True))
    return None


# A card's value as a doubt shows it: cut short, for a card's YAML aliases can make a list whose
# full text would not fit in memory
_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxlist, _SHORT.maxdict, _SHORT.maxstring = 2, 4, 4, 80


def to_model(record: dict, doubts: list[Doubt]) -> HubModel | None:
    """One record as a HubModel; what cannot be read goes to ``doubts``."""
    repo = record.get("id") or record.get("modelId")
    if not isinstance(repo, str) or not REPO.match(repo):
        detail = record.get("_unreadable") or f"no valid repo id ({repo!r})"
        doubts.append(Doubt("unreadable record", str(repo), detail, refused=True))
        return None
    card = _card(record, repo, doubts)
    sha = _text(record.get("sha"))
    created = _iso(record.get("createdAt"))
    if created is not None and not _DAY.match(created):
        doubts.append(Doubt("invalid date", repo, f"createdAt {created!r} is no date", False))
        created = None
    model = HubModel(
        repo, _text(record.get("author")), created, sha if _SHA.match(sha or "") else None
    )
    tagged: dict[str, list[str]] = {}  # "dataset:x" -> tagged["dataset"] == ["x"], in one pass
    for tag in _listed(record.get("tags")):
        kind, colon, value = tag.partition(":")
        if colon:
            tagged.setdefault(kind, []).append(value)
    _parents(model, card, tagged.get("base_model", []), record.get("baseModels"), doubts)
    on_card = _named(_items(card.get("datasets")), DATASET, "dataset", repo, doubts)
    tags = _named(tagged.get("dataset", ()), DATASET, "dataset", repo, doubts)
    model.on_card = set(on_card)
    model.datasets = sorted(model.on_card.union(tags))
    licences = _listed(card.get("license")) or tagged.get("license")
    if licences:
        other = licences[0] == "other"
        model.licence = _text(card.get("license_name")) if other else _text(licences[0])
    model.papers = sorted(set(tagged.get("arxiv", ())))
    return model


def _card(record: dict, repo: str, doubts: list[Doubt]) -> dict:
    """The card's metadata: ``cardData`` (a mapping, or JSON text of one in some dumps), else
    the YAML header of the raw ``card``; what cannot be read is refused and listed."""

    def refused(kind: str, detail: str) -> dict:
        doubts.append(Doubt(kind, repo, detail, refused=True))
        return {}

    card, text = record.get("cardData"), record.get("card")
    if isinstance(card, str):
        try:
            card = json.loads(card) if card.strip() else None
        except json.JSONDecodeError as error:
            return refused("unreadable card data", f"the card data is not JSON: {error.msg}")
        except RecursionError:
            return refused("unreadable card data", "the card data is nested too deep to read")
    if not card and text:
        if not isinstance(text, str):
            return refused("unreadable card data", f"the card is {type(text).__name__}, not text")
        try:
            card = card_header(text)
        except ValueError as error:
            return refused("unparseable card YAML", str(error))
    if card and not isinstance(card, dict):
        return refused("unreadable card data", f"the card data is {type(card).__name__}")
    return card or {}


def _iso(value) -> str | None:
    """The Hub's date as ISO 8601 text: JSON gives text, Parquet a datetime."""
    if isinstance(value, str) or value is None:
        return value or None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _parents(model: HubModel, card: dict, tagged: list[str], base_models, doubts) -> None:
    """Parents from the card's base_model, the Hub's ``base_model:`` tags (``tagged``: what
    follows the prefix) and its baseModels, one per repo; a value that names no repo goes to
    ``doubts``."""
    typed: dict[str, str] = {}  # parent -> the Hub's relation
    for value in tagged:
        parts = value.split(":")
        if len(parts) == 2 and parts[0] in RELATIONS:
            for repo in _named(parts[1:], REPO, "base model", model.repo, doubts):
                typed[repo] = parts[0]
    if isinstance(base_models, dict):
        relation, models = _text(base_models.get("relation")), _items(base_models.get("models"))
        named = [item.get("id") if isinstance(item, dict) else item for item in models]
        for repo in _named(named, REPO, "base model", model.repo, doubts):
            typed.setdefault(repo, relation)
    from_card = _named(_items(card.get("base_model")), REPO, "base model", model.repo, doubts)
    untyped = [value for value in tagged if ":" not in value]
    from_tags = _named(untyped, REPO, "base model", model.repo, doubts)
    stated = _text(card.get("base_model_relation"))
    for repo in dict.fromkeys([*from_card, *typed, *from_tags]):
        if repo in from_card and stated in RELATIONS:
            relation, relation_from = RELATIONS[stated], "card"
        elif typed.get(repo) in RELATIONS:
            relation, relation_from = RELATIONS[typed[repo]], "hub"
        else:
            relation, relation_from = UNSTATED, None
        declared = "card" if repo in from_card else "hub"
        model.parents.append(Parent(repo, relation, relation_from, declared))


_SAID_BY = {"card": 2, "hub": 1, None: 0}  # whose word on the relation counts most


def one_per_entity(model: HubModel, entity: Callable[[str], str]) -> None:
    """Make the parents, and the datasets, of ``model`` that name one ``entity`` twice (one
    repo in two spellings, or a curated entry's repo and an alias of it; ``entity`` is given
    a respelled repo, a dataset as ``hub_key`` writes it) one: the first name stands,
    declared on the card if either is, and a parent's relation is the one said by the card
    before the Hub's tags before none."""
    if len(model.parents) < 2 and len(model.datasets) < 2:
        return  # most models: nothing named twice
    parents: dict[str, Parent] = {}
    for parent in model.parents:
        first = parents.setdefault(entity(parent.repo), parent)
        if first is parent:
            continue
        if _SAID_BY[parent.relation_from] > _SAID_BY[first.relation_from]:
            first.relation, first.relation_from = parent.relation, parent.relation_from
        if parent.declared_in == "card":
            first.declared_in = "card"
    model.parents = list(parents.values())
    datasets: dict[str, str] = {}
    for dataset in model.datasets:
        first = datasets.setdefault(entity(hub_key(dataset, dataset=True)), dataset)
        if first != dataset and dataset in model.on_card:
            model.on_card.add(first)
    model.datasets = list(datasets.values())


def distinct(models: list[HubModel], doubts: list[Doubt]) -> list[HubModel]:
    """One model a repo, the Hub ignoring case in repo ids: where a dump lists a repo again (two
    dumps joined, a model fetched twice), its last record stands and each earlier one is
    refused and listed."""
    last = {model.repo.lower(): place for place, model in enumerate(models)}
    if len(last) == len(models):
        return models
    kept = []
    for place, model in enumerate(models):
        latest = last[model.repo.lower()]
        if latest == place:
            kept.append(model)
        else:
            detail = f"listed again as {models[latest].repo}; the last record stands"
            doubts.append(Doubt("duplicate record", model.repo, detail, refused=True))
    return kept


def respelled(models: list[HubModel], known: Iterable[str]) -> dict[str, str]:
    """Give every parent and dataset the one spelling of its repo id: the Hub ignores case in
    repo ids, so a card may name ``EleutherAI/Pythia-1B`` for ``EleutherAI/pythia-1b``. An
    imported model's own spelling wins, then a curated link's (``known``, datasets as
    ``datasets/<repo>``), then the first one met; the links are returned respelled the same
    way."""
    spelling = {repo.lower(): repo for repo in known}
    spelling.update((model.repo.lower(), model.repo) for model in models)

    def dataset(repo: str) -> str:
        key = hub_key(repo, dataset=True)
        return spelling.setdefault(key.lower(), key).removeprefix(HUB_DATASET)

    for model in models:  # two spellings of one parent are made one by ``one_per_entity``
        for parent in model.parents:
            parent.repo = spelling.setdefault(parent.repo.lower(), parent.repo)
        model.datasets = list(dict.fromkeys(map(dataset, model.datasets)))
        model.on_card = set(map(dataset, model.on_card))
    return {repo: spelling[repo.lower()] for repo in known}


def checked(models: Iterable[HubModel], known: set[str]) -> tuple[list[HubModel], list[Doubt]]:
    """The models with the claims that hold, and every claim refused or doubted: self-loops and
    mutual claims are refused; a parent that is neither imported nor ``known`` (curated), a
    merge with one parent and a child created before its parent are doubted."""
    models = list(models)
    doubts: list[Doubt] = []
    created = {m.repo: m.created for m in models}
    claims = {(m.repo, p.repo) for m in models for p in m.parents}
    for model in models:
        kept = []
        for parent in model.parents:
            if parent.repo == model.repo:
                doubts.append(Doubt("self-loop", model.repo, "names itself as base model", True))
                continue
            if (parent.repo, model.repo) in claims:
                detail = f"{model.repo} from {parent.repo} and {parent.repo} from {model.repo}"
                doubts.append(Doubt("mutual claim", model.repo, detail, True))
                continue
            if parent.repo not in created and parent.repo not in known:
                doubts.append(Doubt("missing parent", model.repo, parent.repo, False))
            elif (created.get(parent.repo) or "") > (model.created or "~"):
                detail = f"created {model.created}, before {parent.repo} ({created[parent.repo]})"
                doubts.append(Doubt("child before parent", model.repo, detail, False))
            kept.append(parent)
        merges = [p for p in kept if p.relation == "merged"]
        if len(merges) == 1:
            detail = f"a merge of one model ({merges[0].repo})"
            doubts.append(Doubt("merge with one parent", model.repo, detail, False))
        model.parents = kept
    return models, doubts
