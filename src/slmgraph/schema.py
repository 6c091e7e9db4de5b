"""The entry schema: every field, type, enum and description, defined once.

JSON Schema (``data/schema.json``) and the field reference (``data/README.md``) are generated
from it.
"""

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PositiveInt,
    StrictBool,
    StringConstraints,
    TypeAdapter,
)

from slmgraph.vocab import LICENCE_FACTS, LINEAGE, STAGES

ID_PATTERN = r"^[a-z0-9]+([.-][a-z0-9]+)*$"
SEED_IDS = (
    "awesome-slm",
    "gpt-alternatives",
    "affordable-llms",
    "awesome-mlvu",
    "pretraining-resources",
)
METHODS = (
    "SFT",
    "instruction-tuning",
    "chat-tuning",
    "RLHF",
    "RLAIF",
    "PPO",
    "DPO",
    "ORPO",
    "KTO",
    "SimPO",
    "SPPO",
    "TPO",
    "C-RLFT",
    "GRPO",
    "REINFORCE",
    "RLOO",
    "RLVR",
    "rejection-sampling",
    "LoRA",
    "QLoRA",
    "adapter-tuning",
    "prefix-tuning",
    "P-tuning",
    "GPTQ",
    "AWQ",
    "GGML",
    "GGUF",
    "int8",
    "int4",
    "fp8",
    "QAT",
    "SpinQuant",
    "knowledge-distillation",
    "structured-pruning",
    "SparseGPT",
    "Wanda",
    "SLERP",
    "TIES",
    "DARE",
    "linear-merge",
    "upcycling",
    "long-context-extension",
    "domain-adaptation",
)
ARCHITECTURES = (
    "decoder-only",
    "encoder-only",
    "encoder-decoder",
    "mixture-of-experts",
    "state-space",
    "hybrid",
)

_SIZE = re.compile(r"^(?:(?P<experts>[1-9]\d*)x)?(?P<number>\d+(?:\.\d+)?)(?P<unit>[KMBT])$")
_UNITS = {"K": 10**3, "M": 10**6, "B": 10**9, "T": 10**12}
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def parse_size(text: str) -> tuple[int | None, int | None]:
    """Parse a parameter count into (count, experts); a mixture of experts has no plain count.

    >>> parse_size("1.3B")
    (1300000000, None)
    >>> parse_size("125M")
    (125000000, None)
    >>> parse_size("8x7B")
    (None, 8)
    """
    match = _SIZE.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a size; write it like '1.3B', '125M' or '8x7B'")
    if match["experts"]:
        return None, int(match["experts"])
    return int(Decimal(match["number"]) * _UNITS[match["unit"]]), None


def check_size(value: object) -> str:
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(text, str):
        raise ValueError("a size is a string like '1.3B', '125M' or '8x7B'")
    parse_size(text)
    return text


def check_date(value: str) -> str:
    """Accept YYYY, YYYY-MM or YYYY-MM-DD naming a real day, month or year.

    >>> check_date("2023-02")
    '2023-02'
    """
    if not _DATE.match(value):
        raise ValueError(f"{value!r} is not a date; write YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = ([int(p) for p in value.split("-")] + [1, 1])[:3]
    date(year, month, day)  # raises ValueError for month 13 or 30 February
    return value


def check_distinct(values: list[str]) -> list[str]:
    """A list that names nothing twice (a source cited twice is a slip when editing)."""
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{value} is listed twice; remove the repeat")
        seen.add(value)
    return values


def _listify(value: object) -> object:
    return [value] if isinstance(value, str) else value


Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
Ids = Annotated[list[Id], BeforeValidator(_listify)]
Text = Annotated[str, StringConstraints(min_length=1)]
Url = Annotated[str, StringConstraints(pattern=r"^https?://\S+$")]
Size = Annotated[str, BeforeValidator(check_size)]
ReleaseDate = Annotated[str, AfterValidator(check_date)]
Method = Literal[METHODS]  # type: ignore[valid-type]
Relation = Literal[tuple(LINEAGE)]  # type: ignore[valid-type]
Stage = Literal[tuple(STAGES)]  # type: ignore[valid-type]
SeedId = Literal[SEED_IDS]  # type: ignore[valid-type]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


RepoId = Annotated[str, StringConstraints(pattern=r"^[\w.-]+/[\w.-]+$")]


class Links(Strict):
    paper: Url | None = Field(None, description="URL of the paper (arXiv abstract page preferred)")
    code: Url | None = Field(None, description="URL of the official code repository")
    huggingface: RepoId | None = Field(None, description="Hugging Face repository id, `org/name`")
    huggingface_aliases: list[RepoId] = Field(
        [],
        description="other ids of the same Hugging Face repository (a renamed one redirects); "
        "Hub models that name them as base model hang under this entry too",
    )
    homepage: Url | None = Field(None, description="official web page")
    wikidata: Annotated[str, StringConstraints(pattern=r"^Q[1-9]\d*$")] | None = Field(
        None, description="Wikidata item id, `Q…`"
    )


class Correction(Strict):
    seed: SeedId = Field(description="the seed document that is wrong")
    field: Text = Field(description="which fact")
    says: Text = Field(description="what the seed document says")
    truth: Text = Field(description="what is true")
    source: Url = Field(description="primary source for the truth")


class Edge(Strict):
    source: Url = Field(description="primary source (paper, model card, repository) for this edge")
    note: Text | None = Field(None, description="free text")


class Lineage(Edge):
    parent: Id = Field(description="id of the model or family this one derives from")
    relation: Relation = Field(description="how it derives: " + ", ".join(LINEAGE))
    method: Annotated[list[Method], BeforeValidator(_listify)] = Field(
        default_factory=list, description="training method(s): " + ", ".join(METHODS)
    )
    hardware: Text | None = Field(None, description="hardware used, as the source says")
    cost: Text | None = Field(None, description="cost, as the source says")


class Parts(Strict):
    used: Annotated[list[Id], AfterValidator(check_distinct)] = Field(
        default_factory=list, description="ids of the dataset's parts that were used"
    )
    left_out: Annotated[list[Id], AfterValidator(check_distinct)] = Field(
        default_factory=list, description="ids of the dataset's parts that were left out"
    )
    unknown: Annotated[list[Id], AfterValidator(check_distinct)] = Field(
        default_factory=list,
        description="ids of the dataset's parts whose use the source leaves open (a part taken"
        " down before the copy used was made, say)",
    )


class Training(Edge):
    dataset: Id = Field(description="id of the dataset")
    stage: Stage = Field(description="training stage: " + ", ".join(STAGES))
    parts: Literal["whole"] | Parts | None = Field(
        None,
        description="which of the dataset's parts (the datasets its `derived_from` names) were"
        " used, where the source says: `whole` for all of them, else `used`, `left_out` and"
        " `unknown`, which between them name every one",
    )
    reuses: Literal["prompts"] | None = Field(
        None,
        description="`prompts`: only the dataset's prompts were trained on, with responses the"
        " model wrote itself or that were written anew (as in reinforcement learning); its"
        " generators' responses are not in the model",
    )


class Reproduction(Edge):
    model: Id = Field(description="id of the model independently re-implemented (not lineage)")


class DatasetDerivation(Edge):
    dataset: Id = Field(description="id of the dataset this one is derived from")
    reuses: Literal["prompts"] | None = Field(
        None,
        description="`prompts`: only the prompts of that dataset were taken, and the responses"
        " written anew (its generators' responses are not in this one)",
    )
    parts: Literal["whole"] | None = Field(
        None,
        description="`whole`: some of every part of that dataset (each dataset its `derived_from`"
        " names) is in this one, where the source says so (a deduplicated copy, say)",
    )


class Generation(Edge):
    model: Id = Field(description="id of the model that generated (part of) this dataset")
    wrote: Literal["responses"] | None = Field(
        None,
        description="`responses`: the model wrote only responses (answers, completions or"
        " ratings), not the prompts, so a dataset reusing the prompts holds none of its text",
    )


class Entry(Strict):
    id: Id = Field(description="lowercase slug, equal to the file name without `.yaml`")
    name: Text = Field(description="display name as the official source writes it")
    aliases: list[Text] = Field(default_factory=list, description="other names people type")
    description: Text | None = Field(None, description="one or two factual sentences")
    links: Links | None = Field(None, description="paper, code, huggingface, homepage, wikidata")
    seeds: list[SeedId] = Field(
        default_factory=list, description="seed documents that list this entity"
    )
    sources: Annotated[list[Url], AfterValidator(check_distinct)] = Field(
        min_length=1, description="primary sources backing the entry"
    )
    corrections: list[Correction] = Field(
        default_factory=list, description="where a seed document is wrong: says, truth, source"
    )


class Architecture(Strict):
    type: Literal[ARCHITECTURES] | None = Field(  # type: ignore[valid-type]
        None, description="one of: " + ", ".join(ARCHITECTURES)
    )
    layers: PositiveInt | None = None
    hidden_size: PositiveInt | None = None
    attention_heads: PositiveInt | None = None
    kv_heads: PositiveInt | None = None
    vocab_size: PositiveInt | None = None
    positional_encoding: Text | None = Field(None, description="e.g. RoPE, ALiBi, learned")
    attention: Text | None = Field(None, description="e.g. grouped-query, sliding-window")


class Released(Entry):
    """What models, families and datasets share: who made them, when, under which terms."""

    organisation: Ids = Field(default_factory=list, description="organisation id(s) (developed by)")
    released: ReleaseDate | None = Field(
        None,
        description="first release (for a model never released, its announcement): YYYY, "
        "YYYY-MM or YYYY-MM-DD",
    )
    licence: Text | None = Field(None, description="SPDX id or LicenseRef-… of a licence entry")
    publications: list[Id] = Field(default_factory=list, description="ids of publications")


class Trained(Released):
    architecture: Architecture | None = None
    context_length: PositiveInt | None = Field(None, description="context window in tokens")
    derived_from: list[Lineage] = Field(default_factory=list, description="typed lineage edges")
    trained_on: list[Training] = Field(default_factory=list, description="training data edges")
    reproduces: list[Reproduction] = Field(
        default_factory=list, description="independent re-implementations (not lineage)"
    )


class Model(Trained):
    type: Literal["model"] = Field(description="entry type")
    family: Id | None = Field(None, description="id of the family this model is a variant of")
    parameters: Size | None = Field(None, description="parameter count: '1.3B', '125M', '8x7B'")
    active_parameters: Size | None = Field(None, description="active parameters per token (MoE)")
    open_weights: StrictBool | None = Field(
        None, description="false when the weights were not published (API-only, or never released)"
    )


class Family(Trained):
    type: Literal["family"] = Field(description="entry type")


class Dataset(Released):
    type: Literal["dataset"] = Field(description="entry type")
    size: Text | None = Field(None, description="free text: '825 GiB', '52K examples'")
    derived_from: list[DatasetDerivation] = Field(
        default_factory=list, description="datasets this one was built from"
    )
    generated_by: list[Generation] = Field(
        default_factory=list, description="models that generated it (synthetic data)"
    )


class Organisation(Entry):
    type: Literal["organisation"] = Field(description="entry type")
    unit_of: Ids = Field(
        default_factory=list,
        description="organisation id(s) this one is a unit of (a lab, division or group); "
        "reports on those include what this one developed",
    )


class Publication(Entry):
    type: Literal["publication"] = Field(description="entry type")
    released: ReleaseDate | None = None


FACT_MEANINGS = {
    "non-commercial": "commercial use is not allowed",
    "research-only": "use is allowed for research only",
    "no-redistribution": "the weights (or derivatives) may not be redistributed",
    "share-alike": "derivatives must be shared under the same terms",
    "use-restrictions": "use restrictions that every derivative's licence must pass on",
    "naming": "a derivative's name must begin with `value`",
    "display": "a product or service built on it must display `value`, where the clause says",
    "user-threshold": "more than `value` monthly active users need a separate licence",
    "outputs-ban": "outputs may not be used to develop or improve other models",
    "outputs-derivatives": "models trained on its outputs count as its derivatives",
}
assert set(FACT_MEANINGS) == set(LICENCE_FACTS)


class Term(Strict):
    """One fact of a licence, with the clause of the licence text it comes from."""

    fact: Literal[tuple(LICENCE_FACTS)] = Field(  # type: ignore[valid-type]
        description="; ".join(f"`{k}`: {v}" for k, v in FACT_MEANINGS.items())
    )
    clause: Text = Field(description="section number as the licence text numbers it: '1.b.v'")
    url: Url | None = Field(None, description="where the clause can be read, if not at `text`")
    value: Text | PositiveInt | None = Field(
        None,
        description="the name prefix (naming), the words to show (display) "
        "or the user count (user-threshold)",
    )
    outputs: StrictBool = Field(
        False, description="the clause also reaches models trained on the model's outputs"
    )


class Licence(Entry):
    type: Literal["licence"] = Field(description="entry type")
    spdx: Annotated[str, StringConstraints(pattern=r"^(LicenseRef-)?[A-Za-z0-9.+-]+$")] = Field(
        description="the id models use: an SPDX id or LicenseRef-…"
    )
    scancode: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9.+_-]*$")] | None = Field(
        None, description="key in the ScanCode LicenseDB, when it has this licence"
    )
    kind: Literal["licence", "terms"] = Field(
        "licence", description="`licence`, or `terms` of service (a contract with the provider)"
    )
    text: Url | None = Field(
        None,
        description="URL of the licence text the clauses cite; without it the licence counts as "
        "not read, and the audit reports what it reaches as unknown",
    )
    terms: list[Term] = Field(
        default_factory=list, description="what the licence requires, each fact with its clause"
    )


ENTRY_TYPES = (Model, Family, Dataset, Organisation, Publication, Licence)
AnyEntry = Annotated[
    Model | Family | Dataset | Organisation | Publication | Licence, Field(discriminator="type")
]
ENTRY = TypeAdapter(AnyEntry)


class SeedMap(Strict):
    """Every name a seed document writes, mapped to an entry id or marked out of scope."""

    seed: SeedId
    file: Text = Field(description="file name of the seed document")
    title: Text | None = None
    names: dict[str, Id | dict[Literal["out_of_scope"], Text]]


SEED_MAP = TypeAdapter(SeedMap)
