"""Name matching: how users' spellings meet ids, names, aliases and Hugging Face repo ids.

A name is tried in tiers, each only when the one before found nothing of the kinds a report
takes: the normalised key (case, Unicode compatibility forms, dashes and separators folded;
Hugging Face URLs reduced to their repo id), the compact key (separators dropped: ``llama3-8b``
is ``Llama 3 8B``), the key without a Hugging Face or version suffix (``-hf``, ``-8k``,
``-v0.1``) or an organisation's ``AI``/``Inc.``, the words in any order, and last one typing
slip with the same numbers. Where several entities of different kinds match, the first kind of
``PRECEDENCE`` wins: a publication never wins over a model, family, dataset or organisation.
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

KINDS = ("family", "model", "dataset", "organisation", "licence", "publication")
# Kinds that share a name: the earlier group wins (a family and a model never share one).
PRECEDENCE = {"family": 0, "model": 0, "dataset": 1, "organisation": 2, "licence": 3}
LAST = 4  # publications
WORDS = {"family": "model family"}  # how a kind is said; the others as they are written

_SEPARATORS = re.compile(r"[\s_\-]+")
_DIGITS_UNDERSCORE = re.compile(r"(?<=\d)_(?=\d)")
_DASHES = re.compile(r"[\u2010-\u2015\u2212\u2043\ufe58\ufe63\uff0d]")
_HUB = re.compile(
    r"^(?:https?://)?(?:www\.)?(?:huggingface\.co|hf\.co)/(?:(?:datasets|models)/)?"
    r"([^/\s]+/[^/\s]+?)(?:/(?:tree|blob|resolve)/.*)?/?$",
    re.IGNORECASE,
)
_SUFFIXES = re.compile(
    r"-(?:hf|instruct|\d+k|v\d+(?:\.\d+)*|ai|inc|llc|ltd|labs?|research|team)$", re.IGNORECASE
)


def normalise(name: str) -> str:
    """Fold case, Unicode compatibility forms and dashes; runs of spaces, hyphens and
    underscores become one hyphen; a Hugging Face URL becomes its repo id.

    >>> normalise("Dolly-v2-12B") == normalise("dolly v2 12b")
    True
    >>> normalise("  The  Pile ")
    'the-pile'
    >>> normalise("Ｌｌａｍａ\u2011２ 7B"), normalise("https://hf.co/EleutherAI/pythia-1b/")
    ('llama-2-7b', 'eleutherai/pythia-1b')
    >>> normalise("internlm2-1_8b"), normalise("Mixtral 8×7B")
    ('internlm2-1.8b', 'mixtral-8x7b')
    """
    if name.isascii():  # most names, a million Hub repos: NFKC, dashes and × change nothing
        text = name.strip()
    else:
        text = unicodedata.normalize("NFKC", name).strip()
        text = _DASHES.sub("-", text).replace("\u00d7", "x")
    if "_" in text:
        text = _DIGITS_UNDERSCORE.sub(".", text)  # internlm2-1_8b: the Hub writes 1.8 as 1_8
    if hub := _HUB.match(text):
        text = hub.group(1)
    return _SEPARATORS.sub("-", text.casefold()).strip("-")


def compact(key: str) -> str:
    """A normalised key without separators: ``llama-3-8b`` and ``llama3-8b`` meet."""
    return key.replace("-", "")


def shortened(key: str) -> list[str]:
    """The key without one, then two, trailing Hugging Face, version, ``instruct`` or company
    suffixes.

    >>> shortened("phi-3-mini-4k-instruct"), shortened("mistral-ai"), shortened("pythia")
    (['phi-3-mini-4k', 'phi-3-mini'], ['mistral'], [])
    """
    forms = []
    for _ in range(2):
        short = _SUFFIXES.sub("", forms[-1] if forms else key)
        if not short or short == (forms[-1] if forms else key):
            break
        forms.append(short)
    return forms


def tokens(key: str) -> str:
    """The key's words in a fixed order: ``Llama 2-Chat 70B`` meets ``llama-2-70b-chat``."""
    return "-".join(sorted(key.split("-")))


@dataclass(frozen=True)
class Label:
    entity: str
    kind: str
    text: str


class UnknownName(LookupError):
    """A name that matches nothing, with the closest known names."""

    def __init__(self, name: str, suggestions: list[str], what="name", known=()):
        self.name = name
        self.suggestions = suggestions
        hint = f"; did you mean: {', '.join(suggestions)}?" if suggestions else ""
        listing = f" (known: {', '.join(known)})" if known else ""
        super().__init__(f"unknown {what} '{name}'{hint}{listing}")


class AmbiguousName(UnknownName):
    """A name several entities answer to, equally well."""

    def __init__(self, name: str, entities: list[str]):
        self.name = name
        self.suggestions = entities
        LookupError.__init__(
            self, f"'{name}' names several entities: {', '.join(entities)}; give one of these ids"
        )


class WrongKind(LookupError):
    """A name of an entity that the report does not take, with one it may have meant."""


@dataclass(frozen=True)
class Match:
    entity: str
    kind: str
    how: str  # exact, compact, shortened, tokens or close


def _tiers(labels: list[Label]):
    """For each tier, a function from the user's key and a filter to the labels it matches."""
    by = {"exact": {}, "compact": {}, "once": {}, "twice": {}, "tokens": {}}
    for label in labels:
        key = normalise(label.text)
        by["exact"].setdefault(key, []).append(label)
        by["compact"].setdefault(compact(key), []).append(label)
        by["tokens"].setdefault(tokens(key), []).append(label)
        for step, short in zip(("once", "twice"), shortened(key), strict=False):
            for form in {short, compact(short)}:
                by[step].setdefault(form, []).append(label)

    def without_suffix(key: str, keep) -> list[Label]:
        """The user's key, or it shortened, against the labels shortened once, then twice."""
        for probe in [key, compact(key), *shortened(key)]:
            kept = [by["exact"], by["compact"]] if probe != key else []
            for index in (by["once"], by["twice"], *kept):
                if found := [label for label in index.get(probe, []) if keep(label)]:
                    return found
        return []

    def plain(index: str, form):
        return lambda key, keep: [label for label in by[index].get(form(key), []) if keep(label)]

    return [
        ("exact", plain("exact", str)),
        ("compact", plain("compact", compact)),
        ("shortened", without_suffix),
        ("tokens", plain("tokens", tokens)),
    ]


def _digits(text: str) -> list[str]:
    return re.findall(r"\d+", text)


def slips(a: str, b: str, most: int) -> int:
    """Typing slips between two strings (a letter added, dropped, changed, or two swapped),
    counted up to ``most + 1``.

    >>> slips("pythya", "pythia", 2), slips("instrcut", "instruct", 2), slips("ab", "xyz", 1)
    (1, 1, 2)
    """
    if abs(len(a) - len(b)) > most:
        return most + 1
    before, row = None, list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            cost = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + (x != y))
            if i > 1 and j > 1 and x == b[j - 2] and a[i - 2] == y:
                cost = min(cost, before[j - 2] + 1)
            current.append(cost)
        before, row = row, current
        if min(row) > most:
            return most + 1
    return row[-1]


def _close(key: str, candidates: list[tuple[str, Label]]) -> list[Label]:
    """The labels fewest typing slips away (one, or two in a long name), if they are all of one
    entity: numbers must match, as a different number is another model, not a slip.
    ``candidates`` pairs each label with its compact key."""
    wanted = compact(key)
    if len(wanted) < 5:
        return []
    most = 2 if len(wanted) >= 12 else 1
    near: dict[int, list[Label]] = {}
    for candidate, label in candidates:
        if _digits(candidate) == _digits(wanted):
            distance = slips(wanted, candidate, most)
            if distance <= most:
                near.setdefault(distance, []).append(label)
    found = near[min(near)] if near else []
    return found if len({label.entity for label in found}) == 1 else []


def _pick(found: list[Label]) -> list[Label]:
    """The labels of the winning kind group, one per entity; between a family and models that
    match alike, the family (which covers its members)."""
    rank = min(PRECEDENCE.get(label.kind, LAST) for label in found)
    chosen = {}
    for label in found:
        if PRECEDENCE.get(label.kind, LAST) == rank:
            chosen.setdefault(label.entity, label)
    families = [label for label in chosen.values() if label.kind == "family"]
    return families if len(families) == 1 else list(chosen.values())


class Index:
    """Labels indexed once for every tier, so that many names resolve fast."""

    def __init__(self, labels: Iterable[Label]):
        self.labels = list(labels)
        self.tiers = _tiers(self.labels)
        self.compact = [(compact(normalise(label.text)), label) for label in self.labels]

    def find(self, name: str, kinds: tuple[str, ...] = ()) -> Match:
        """The entity ``name`` means, of one of ``kinds`` (any when empty)."""
        key = normalise(name)
        for publications in (False, True):  # a publication only when nothing else matches

            def keep(label: Label, publications=publications) -> bool:
                wanted = not kinds or label.kind in kinds
                return wanted and (label.kind == "publication") == publications

            for how, lookup in self.tiers:
                if found := lookup(key, keep):
                    return _one(name, how, _pick(found))
            if found := _close(key, [pair for pair in self.compact if keep(pair[1])]):
                return _one(name, "close", _pick(found))
        allowed = [label for label in self.labels if not kinds or label.kind in kinds]
        if kinds:  # of another kind, perhaps
            for _, lookup in self.tiers:
                if other := lookup(key, lambda label: True):
                    raise WrongKind(_wrong_kind(name, _pick(other)[0], allowed))
        raise UnknownName(name, suggestions(name, allowed))


def find(name: str, labels: Iterable[Label], kinds: tuple[str, ...] = ()) -> Match:
    """The entity ``name`` means among ``labels``, of one of ``kinds`` (any when empty).

    >>> labels = [Label("mistral-7b", "model", "Mistral"), Label("mistral-ai", "organisation",
    ...     "Mistral AI"), Label("pythia", "family", "Pythia")]
    >>> find("mistral", labels, ("organisation",)).entity, find("Mistral", labels).entity
    ('mistral-ai', 'mistral-7b')
    >>> find("Pythya", labels)
    Match(entity='pythia', kind='family', how='close')
    """
    return Index(labels).find(name, kinds)


def _one(name: str, how: str, found: list[Label]) -> Match:
    if len(found) > 1:  # several entities answer to it: name them by id, which tells them apart
        raise AmbiguousName(name, sorted(label.entity for label in found))
    return Match(found[0].entity, found[0].kind, how)


def a(kind: str) -> str:
    """A kind with its article: 'a model family', 'an organisation'."""
    word = WORDS.get(kind, kind)
    return ("an " if word[0] in "aeiou" else "a ") + word


def _wrong_kind(name: str, other: Label, allowed: list[Label]) -> str:
    message = f"'{name}' is {a(other.kind)}"
    near = suggestions(name, allowed, 1, loose=True)
    if near:
        label = next(label for label in allowed if label.text == near[0])
        return f"{message}; did you mean the {WORDS.get(label.kind, label.kind)} {label.text}?"
    kinds = sorted({label.kind for label in allowed}, key=KINDS.index)
    return f"{message}; this report takes " + " or ".join(map(a, kinds))


def suggestions(name: str, labels: list[Label], most: int = 5, loose: bool = False) -> list[str]:
    """Up to ``most`` labels that look like ``name``, closest first; ``loose`` also takes a
    label that starts with the name (``Mistral`` → ``Mistral AI``)."""
    key = normalise(name)
    texts: dict[str, str] = {}
    for label in labels:  # a display name rather than the id that folds to the same key
        norm = normalise(label.text)
        if texts.get(norm, label.entity) == label.entity:
            texts[norm] = label.text
    found = []
    if loose:  # families first, then the shortest
        starting = [label for label in labels if normalise(label.text).startswith(key + "-")]
        starting.sort(key=lambda label: (label.kind != "family", len(label.text)))
        found = [label.text for label in starting]
    found += [texts[k] for k in close_matches(key, list(texts))]
    return list(dict.fromkeys(found))[:most]


def close_matches(name: str, candidates: list[str]) -> list[str]:
    """Up to five candidates that look like ``name``, closest first."""
    import difflib  # only on the error path

    return difflib.get_close_matches(normalise(name), candidates, n=5, cutoff=0.6)
