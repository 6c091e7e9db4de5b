"""The Hub API path through the real client code (``huggingface_hub``), against recorded Hub
answers served on 127.0.0.1 with HF_ENDPOINT pointing there: listing, walking, retries on 429
and 5xx, and resuming after the Hub gave up."""

import json

import pytest
from click.testing import CliRunner

from slmgraph import hubapi
from slmgraph.cli import main
from tests.conftest import VALID
from tests.hubserver import HubStandIn


@pytest.fixture
def hub(monkeypatch):
    stand_in = HubStandIn()
    monkeypatch.setenv("HF_ENDPOINT", stand_in.url)
    monkeypatch.setenv("HF_TOKEN", "hf_test_token")
    yield stand_in
    stand_in.close()


def fetcher(tmp_path, **options) -> hubapi.Fetcher:
    return hubapi.Fetcher(tmp_path / "cache.jsonl", delay=0.01, **options)


def test_listing_an_author_follows_every_page(hub, tmp_path):
    found = [r["id"] for r in fetcher(tmp_path).listing(author="someone")]
    assert found == ["someone/pythia-70m-sft", "someone/pythia-70m-sft-lora", "someone/merged-1b"]
    cached = [
        json.loads(line)["id"] for line in (tmp_path / "cache.jsonl").read_text().splitlines()
    ]
    assert cached == found


def test_rate_limits_and_server_errors_are_retried(hub, tmp_path):
    hub.failures["/api/models"] = [429]  # the client's own back-off waits a second for this
    hub.failures["/api/models/someone/pythia-70m-sft"] = [429, 503, 502]
    walker = fetcher(tmp_path)
    assert len(list(walker.listing(author="someone"))) == 3
    walker.records.clear()
    assert walker.model("someone/pythia-70m-sft")["id"] == "someone/pythia-70m-sft"
    assert hub.hits["/api/models/someone/pythia-70m-sft"] == 4


def test_a_hub_that_keeps_failing_loses_nothing_already_fetched(hub, tmp_path):
    hub.failures["/api/models/other/pythia-70m-chat"] = [500] * 10
    first = fetcher(tmp_path, tries=2)
    with pytest.raises(hubapi.HubUnavailable, match="kept in"):
        first.walk("someone/merged-1b", depth=2)
    kept = set(hubapi.Fetcher.read(tmp_path / "cache.jsonl"))
    assert "someone/merged-1b" in kept
    hub.failures.clear()
    before = dict(hub.hits)
    fetcher(tmp_path).walk("someone/merged-1b", depth=2)
    assert hub.hits["/api/models/someone/merged-1b"] == before["/api/models/someone/merged-1b"]
    assert {"other/pythia-70m-chat", "EleutherAI/pythia-70m"} <= set(
        hubapi.Fetcher.read(tmp_path / "cache.jsonl")
    )


def test_walk_fetches_ancestors_and_descendants_to_the_depth(hub, tmp_path):
    walker = fetcher(tmp_path)
    walker.walk("someone/pythia-70m-sft", depth=1)
    assert set(walker.records) == {
        "someone/pythia-70m-sft",
        "EleutherAI/pythia-70m",
        "someone/pythia-70m-sft-lora",
        "other/pythia-70m-sft-GGUF",
        "someone/merged-1b",
    }


def test_the_token_is_sent(hub, tmp_path, monkeypatch):
    seen = []
    original = hub.answer

    def spy(request):
        seen.append(request.headers.get("Authorization"))
        original(request)

    monkeypatch.setattr(hub, "answer", spy)
    list(fetcher(tmp_path).listing(author="other"))
    assert seen and all(header == "Bearer hf_test_token" for header in seen)


def test_import_from_the_api_hangs_hub_models_under_curated_ones(hub, tmp_path):
    store = tmp_path / "store"
    run = CliRunner().invoke(
        main, ["import", "hf", "--author", "someone", "--data", str(VALID), "--store", str(store)]
    )
    assert run.exit_code == 0, run.output
    assert "imported 3 models" in run.output
    again = CliRunner().invoke(
        main, ["import", "hf", "--author", "other", "--data", str(VALID), "--store", str(store)]
    )
    assert again.exit_code == 0, again.output
    assert "imported 5 models" in again.output  # API imports add up
    found = CliRunner().invoke(
        main,
        [
            "descendants",
            "pythia-70m",
            "--data",
            str(VALID),
            "--store",
            str(store),
            "--format",
            "json",
        ],
    )
    rows = {
        (r["id"], r["relation"], r["parent"], r["provenance"]) for r in json.loads(found.output)
    }
    assert {
        ("someone/pythia-70m-sft", "trained-from", "pythia-70m", "hub"),
        ("someone/pythia-70m-sft-lora", "adapter", "someone/pythia-70m-sft", "hub"),
        ("other/pythia-70m-chat", "trained-from", "pythia-70m", "hub"),
        ("someone/merged-1b", "merged", "other/pythia-70m-chat", "hub"),
    } <= rows
    curated = CliRunner().invoke(
        main,
        [
            "descendants",
            "pythia-70m",
            "--curated-only",
            "--data",
            str(VALID),
            "--store",
            str(store),
        ],
    )
    assert curated.exit_code == 0 and "someone/" not in curated.output


def test_a_hub_that_keeps_failing_is_one_line_and_exit_1(hub, tmp_path, monkeypatch):
    hub.failures["/api/models/a/b"] = [503] * 10
    monkeypatch.setattr(hubapi.Fetcher.__init__, "__defaults__", (3, 0.01))
    run = CliRunner().invoke(
        main, ["import", "hf", "--model", "a/b", "--data", str(VALID), "--store", str(tmp_path)]
    )
    assert run.exit_code == 1
    assert "answered 503, 3 times" in run.output and "Traceback" not in run.output


def test_a_model_the_hub_does_not_have_is_one_line_and_exit_2(hub, tmp_path):
    run = CliRunner().invoke(
        main,
        ["import", "hf", "--model", "a/missing", "--data", str(VALID), "--store", str(tmp_path)],
    )
    assert run.exit_code == 2 and "Traceback" not in run.output
    assert f"the Hub at {hub.url} has no model a/missing; check the repo id" in run.output


def test_a_refused_token_is_one_line_and_exit_1_without_retrying(hub, tmp_path):
    hub.failures["/api/models"] = [401] * 10
    run = CliRunner().invoke(
        main,
        ["import", "hf", "--author", "someone", "--data", str(VALID), "--store", str(tmp_path)],
    )
    assert run.exit_code == 1 and "Traceback" not in run.output
    assert "answered 401; check HF_TOKEN" in run.output
    assert hub.hits["/api/models"] == 1  # asking again would change nothing
