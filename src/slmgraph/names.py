"""Name matching: how users' spellings meet ids, names and aliases."""

import re
from collections.abc import Iterable

_SEPARATORS = re.compile(r"[\s_\-]+")


def normalise(name: str) -> str:
    """Fold case and treat runs of spaces, hyphens and underscores alike.

    >>> normalise("Dolly-v2-12B") == normalise("dolly v2 12b")
    True
    >>> normalise("  The  Pile ")
    'the-pile'
    """
    return _SEPARATORS.sub("-", name.strip().lower()).strip("-")


class UnknownName(LookupError):
    """A name that matches nothing, with the closest known names."""

    def __init__(self, name: str, suggestions: list[str], what="name", known=()):
        self.name = name
        self.suggestions = suggestions
        hint = f"; did you mean: {', '.join(suggestions)}?" if suggestions else ""
        listing = f" (known: {', '.join(known)})" if known and not suggestions else ""
        super().__init__(f"unknown {what} '{name}'{hint}{listing}")


def resolve(name: str, labels: Iterable[tuple[str, str]]) -> str:
    """The id whose id, name or alias matches ``name``; ``labels`` is (id, label) pairs.

    >>> resolve("LLaMA", [("llama", "LLaMA"), ("llama-2", "Llama 2")])
    'llama'
    >>> resolve("lama 2", [("llama", "LLaMA"), ("llama-2", "Llama 2")])
    Traceback (most recent call last):
    ...
    slmgraph.names.UnknownName: unknown name 'lama 2'; did you mean: Llama 2, LLaMA?
    """
    wanted = normalise(name)
    index: dict[str, str] = {}
    for entity_id, label in labels:
        index.setdefault(normalise(entity_id), label)
        index.setdefault(normalise(label), label)
        if normalise(label) == wanted or normalise(entity_id) == wanted:
            return entity_id
    suggestions = dict.fromkeys(index[key] for key in close_matches(wanted, list(index)))
    raise UnknownName(name, list(suggestions))


def close_matches(name: str, candidates: list[str]) -> list[str]:
    """Up to five candidates that look like ``name``, closest first."""
    import difflib  # only on the error path

    return difflib.get_close_matches(normalise(name), candidates, n=5, cutoff=0.6)
