"""Fetch model metadata from the Hugging Face Hub API (``huggingface_hub``, honouring HF_ENDPOINT
and HF_TOKEN) into a local JSON Lines cache, the same records a bulk file holds.

Every record fetched is appended and flushed at once, so a crash, a Ctrl-C or a Hub that keeps
failing loses nothing: the next run reads the cache and asks the Hub only for what is missing.
Rate limits (429) and server errors (5xx) are retried with exponential back-off.
"""

import json
import os
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

RETRIED = {429, 500, 502, 503, 504}


class HubUnavailable(OSError):
    """The Hub kept failing after every retry, or refused; what was fetched is kept in the
    cache."""


class HubRefused(HubUnavailable):
    """The Hub answered an error that asking again would not change (401, 403, 404)."""

    def __init__(self, message: str, not_found: bool):
        super().__init__(message)
        self.not_found = not_found  # the repo asked for is not there (or not shown to us)


class NoSuchModel(LookupError):
    """A model the Hub does not have (or does not show to this token)."""


class Fetcher:
    def __init__(self, cache: Path, tries: int = 6, delay: float = 1.0):
        from huggingface_hub import HfApi

        self.api = HfApi(endpoint=os.environ.get("HF_ENDPOINT"), token=os.environ.get("HF_TOKEN"))
        self.cache = cache
        self.tries = tries
        self.delay = delay
        self.records = self.read(cache)
        self.requests = 0

    @staticmethod
    def read(cache: Path) -> dict[str, dict]:
        """The records a cache holds, by repo id (a line cut short by a crash is skipped)."""
        records = {}
        if cache.exists():
            for line in cache.read_text(encoding="utf-8").splitlines():
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    continue
                records[record["id"]] = record
        return records

    def _keep(self, record: dict) -> dict:
        if record["id"] not in self.records:
            self.records[record["id"]] = record
            with self.cache.open("a", encoding="utf-8") as out:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
        return record

    def _retrying(self, call: Callable[[], Iterable]) -> Iterator:
        """Items of ``call()``; on 429/5xx it is called again (after a back-off) and the items
        already seen are skipped."""
        from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError

        seen = 0
        for attempt in range(self.tries):
            count = 0
            try:
                self.requests += 1
                for item in call():
                    count += 1
                    if count > seen:
                        seen = count
                        yield item
                return
            except Exception as error:
                if not isinstance(error, HfHubHTTPError) and not _transport(error):
                    raise
                response = getattr(error, "response", None)
                status = response.status_code if response is not None else None
                if isinstance(error, HfHubHTTPError) and status not in RETRIED:
                    hint = "; check HF_TOKEN" if status in (401, 403) else ""
                    not_found = status == 404 or isinstance(error, RepositoryNotFoundError)
                    raise HubRefused(self._said(f"answered {status}{hint}"), not_found) from None
                if attempt == self.tries - 1 or status is None:  # the client backed off itself
                    said = f"answered {status}" if status else f"could not be reached ({error})"
                    times = f", {attempt + 1} times" if status else ""
                    raise HubUnavailable(self._said(said + times)) from None
                time.sleep(self.delay * 2**attempt)

    def _said(self, what: str) -> str:
        return (
            f"the Hub at {self.api.endpoint} {what}; the {len(self.records)} records fetched so "
            f"far are kept in {self.cache}"
        )

    def listing(self, **search) -> Iterator[dict]:
        """Models as ``HfApi.list_models(**search)`` lists them, with card data and tags."""
        call = lambda: self.api.list_models(full=True, cardData=True, **search)  # noqa: E731
        for info in self._retrying(call):
            yield self._keep(record(info))

    def model(self, repo: str) -> dict | None:
        """One model (from the cache when it was fetched before); None when the Hub has none."""
        if repo in self.records:
            return self.records[repo]
        try:
            (info,) = self._retrying(lambda: [self.api.model_info(repo, expand=EXPANDED)])
        except HubRefused as refused:
            if refused.not_found:
                return None
            raise
        return self._keep(record(info))

    def walk(self, repo: str, depth: int) -> None:
        """A model, its ancestors and its descendants, up to ``depth`` hops each way."""
        from slmgraph.hub import to_model

        if self.model(repo) is None:
            raise NoSuchModel(f"the Hub at {self.api.endpoint} has no model {repo}")
        up, down = [repo], [repo]
        seen_up, seen_down = {repo}, {repo}
        for _ in range(depth):
            parents = []
            for name in up:
                found = self.model(name)
                model = to_model(found, []) if found else None
                if model is not None:
                    parents += [p.repo for p in model.parents if p.repo not in seen_up]
            seen_up.update(parents)
            up = parents
            children = []
            for name in down:
                for child in self.listing(filter=f"base_model:{name}"):
                    if child["id"] not in seen_down:
                        seen_down.add(child["id"])
                        children.append(child["id"])
            down = children
        for name in up:
            self.model(name)


def _transport(error: Exception) -> bool:
    """A connection that failed (httpx's TransportError, whichever httpx the client uses)."""
    return any(cls.__name__ == "TransportError" for cls in type(error).__mro__)


EXPANDED = ["author", "cardData", "createdAt", "sha", "tags"]


def record(info) -> dict:
    """A ``huggingface_hub`` ModelInfo as a bulk-file record."""
    card = info.card_data.to_dict() if getattr(info, "card_data", None) else None
    created = info.created_at.isoformat() if getattr(info, "created_at", None) else None
    return {
        "id": info.id,
        "author": info.author,
        "createdAt": created,
        "sha": info.sha,
        "tags": list(info.tags or []),
        "cardData": card,
    }
