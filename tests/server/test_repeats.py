"""A repeated query answered by the outermost layer gets exactly what the full stack would send,
in the form each client asked for (gzip or not, cross-origin or not), and is still logged."""

import time

import httpx
import pytest

from tests.server.conftest import running_server

LINEAGE = "SELECT ?c ?p WHERE { ?c <https://w3id.org/slmgraph/ontology#fineTunedFrom> ?p }"
ALL = "SELECT * WHERE { ?s ?p ?o }"  # cut at the row cap: a body gzip would compress
SENT_FRESH = {"date"}  # uvicorn stamps every response


def _same(first: httpx.Response, again: httpx.Response) -> None:
    assert again.status_code == first.status_code == 200
    assert again.content == first.content
    strip = {k: v for k, v in first.headers.items() if k not in SENT_FRESH}
    assert {k: v for k, v in again.headers.items() if k not in SENT_FRESH} == strip


@pytest.mark.parametrize(
    "request_args",
    [
        {"method": "GET", "params": {"query": LINEAGE + " # get"}},
        {"method": "POST", "data": {"query": LINEAGE + " # form"}},
        {
            "method": "POST",
            "content": LINEAGE + " # direct",
            "headers": {"Content-Type": "application/sparql-query"},
        },
        {"method": "GET", "params": {"query": ALL, "format": "xml"}},
        {  # small enough that gzip leaves it alone
            "method": "GET",
            "params": {"query": "ASK { ?s ?p ?o }"},
            "headers": {"Accept-Encoding": "gzip"},
        },
    ],
)
def test_a_repeat_gets_the_same_body_and_headers(http, request_args):
    args = dict(request_args)
    args["headers"] = {"Accept-Encoding": "identity", **args.get("headers", {})}
    first = http.request(url="/sparql", **args)
    again = http.request(url="/sparql", **args)
    _same(first, again)
    assert "etag" in again.headers


def test_a_repeat_in_another_format_is_not_the_cached_one(http):
    as_json = http.get("/sparql", params={"query": LINEAGE})
    as_csv = http.get("/sparql", params={"query": LINEAGE}, headers={"Accept": "text/csv"})
    assert as_json.headers["content-type"].startswith("application/sparql-results+json")
    assert as_csv.headers["content-type"].startswith("text/csv")


def test_update_parameters_beside_a_cached_query_are_still_refused(http):
    assert http.post("/sparql", data={"query": LINEAGE}).status_code == 200
    refused = http.post("/sparql", data={"query": LINEAGE, "using-graph-uri": "http://e/g"})
    assert refused.status_code == 403 and "read-only" in refused.text


def test_a_conditional_repeat_gets_304(http):
    tag = http.get("/sparql", params={"query": LINEAGE}).headers["etag"]
    again = http.get("/sparql", params={"query": LINEAGE}, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""


def test_a_client_taking_gzip_gets_a_big_repeat_compressed(server):
    with httpx.Client(base_url=server.url, headers={"Accept-Encoding": "gzip"}) as client:
        answers = [client.get("/sparql", params={"query": ALL}) for _ in range(2)]
    for answer in answers:
        assert answer.headers["content-encoding"] == "gzip"
    assert answers[0].content == answers[1].content  # httpx decompressed both


def test_a_cross_origin_repeat_keeps_its_cors_headers(valid_store, tmp_path):
    origin = {"Origin": "https://elsewhere.example"}
    log = tmp_path / "server.log"
    with running_server(valid_store, log, "--cors") as server, server.client() as client:
        answers = [client.get("/sparql", params={"query": LINEAGE}, headers=origin)]
        answers.append(client.get("/sparql", params={"query": LINEAGE}, headers=origin))
    for answer in answers:
        assert answer.headers["access-control-allow-origin"] == "*"
    _same(*answers)


def test_each_repeat_is_in_the_encoding_its_client_takes(server):
    query = ALL + " # encodings"
    forms = ["identity", "gzip", "identity", "gzip, deflate", "identity"]
    with httpx.Client(base_url=server.url) as client:
        answers = [
            client.get("/sparql", params={"query": query}, headers={"Accept-Encoding": form})
            for form in forms
        ]
    for form, answer in zip(forms, answers, strict=True):
        assert answer.headers.get("content-encoding") == ("gzip" if "gzip" in form else None)
        assert "Accept-Encoding" in answer.headers["vary"]
        assert answer.content == answers[0].content  # httpx decompressed the gzipped ones
    _same(answers[0], answers[2])
    _same(answers[1], answers[3])


def test_a_repeat_is_cross_origin_only_when_its_request_is(valid_store, tmp_path):
    origin = {"Origin": "https://elsewhere.example"}
    query = {"query": LINEAGE + " # origins"}
    log = tmp_path / "server.log"
    with running_server(valid_store, log, "--cors") as server, server.client() as client:
        plain = [client.get("/sparql", params=query) for _ in range(2)]
        crossing = [client.get("/sparql", params=query, headers=origin) for _ in range(2)]
        plain.append(client.get("/sparql", params=query))
    for answer in plain:
        assert "access-control-allow-origin" not in answer.headers
        assert answer.headers["vary"] == "Accept, Origin"
    for answer in crossing:
        assert answer.headers["access-control-allow-origin"] == "*"
        assert "ETag" in answer.headers["access-control-expose-headers"]
    _same(*plain[:2])
    _same(*crossing)


def test_every_repeat_is_logged(server, http):
    query = "ASK { ?counted ?p ?o }"
    for _ in range(5):
        assert http.get("/sparql", params={"query": query}).status_code == 200

    def logged() -> list[str]:
        return [
            line
            for line in server.log_text().splitlines()
            if "slmgraph.access" in line and "counted" in line
        ]

    for _ in range(50):  # each line is written once its answer has gone out
        if len(logged()) == 5:
            break
        time.sleep(0.1)
    lines = logged()
    assert len(lines) == 5
    assert all('"GET /sparql?query=ASK' in line and " 200 " in line for line in lines)


def test_head_and_conditional_requests_after_repeats(http):
    query = {"query": LINEAGE + " # head"}
    answers = [http.get("/sparql", params=query) for _ in range(2)]
    head = http.head("/sparql", params=query)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == answers[1].headers["etag"]
    tag = {"If-None-Match": answers[1].headers["etag"]}
    assert http.get("/sparql", params=query, headers=tag).status_code == 304
    assert http.post("/sparql", data=query, headers=tag).status_code == 200  # POST: no 304
