"""HTTP done right: validators, caching, CORS, gzip, size limits, row cap, access log."""

import gzip
import http.client
import itertools
import time

import httpx
from hypothesis import given
from hypothesis import strategies as st

from slmgraph import store
from slmgraph.server.web import whole_lines
from tests.server.conftest import MAX_REQUEST_BYTES, ROW_CAP

ALL = "SELECT * WHERE { ?s ?p ?o }"


def test_etag_comes_from_the_build_and_304_on_if_none_match(server, valid_store, http):
    first = http.get("/sparql", params={"query": ALL, "format": "json"})
    tag = first.headers["etag"]
    assert store.current_build(valid_store) in tag
    assert "max-age" in first.headers["cache-control"]
    again = http.get(
        "/sparql", params={"query": ALL, "format": "json"}, headers={"If-None-Match": tag}
    )
    assert again.status_code == 304 and again.content == b""
    other = http.get(
        "/sparql", params={"query": ALL, "format": "xml"}, headers={"If-None-Match": tag}
    )
    assert other.status_code == 200


def test_errors_are_not_cached(http):
    response = http.get("/sparql", params={"query": "SELECT"})
    assert response.status_code == 400 and response.headers["cache-control"] == "no-store"


def test_cors_is_off_by_default(http):
    response = http.get(
        "/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://elsewhere.example"}
    )
    assert "access-control-allow-origin" not in response.headers


def test_large_results_are_gzipped(server):
    with httpx.Client(base_url=server.url, headers={"Accept-Encoding": "gzip"}) as client:
        response = client.get("/store?default", headers={"Accept": "application/n-triples"})
    assert response.headers["content-encoding"] == "gzip"
    assert b"alpaca-7b" in response.content  # httpx decompressed it
    raw = httpx.get(
        server.url + "/store?default",
        headers={"Accept": "application/n-triples", "Accept-Encoding": "identity"},
    )
    assert "content-encoding" not in raw.headers
    assert len(gzip.compress(raw.content)) < len(raw.content)


def test_row_cap_is_announced_never_silent(http):
    response = http.get("/sparql", params={"query": ALL})
    document = response.json()
    assert len(document["results"]["bindings"]) == ROW_CAP
    assert response.headers["x-sparql-truncated"] == "true"
    assert response.headers["x-sparql-row-limit"] == str(ROW_CAP)
    assert document["truncated"]["rows"] == ROW_CAP
    small = http.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 3"})
    assert "x-sparql-truncated" not in small.headers and "truncated" not in small.json()


def test_construct_row_cap_is_announced(http):
    response = http.get(
        "/sparql",
        params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
        headers={"Accept": "application/n-triples"},
    )
    assert response.headers["x-sparql-truncated"] == "true"
    lines = [line for line in response.text.splitlines() if line and not line.startswith("#")]
    assert len(lines) == ROW_CAP


def test_oversized_request_gets_413(http):
    body = "ASK {}" + " " * MAX_REQUEST_BYTES
    response = http.post(
        "/sparql", content=body, headers={"Content-Type": "application/sparql-query"}
    )
    assert response.status_code == 413


def test_oversized_streamed_body_gets_413(http):
    def chunks():  # no Content-Length: the limit is enforced while reading
        for _ in range(MAX_REQUEST_BYTES // 1024 + 2):
            yield b" " * 1024

    response = http.post(
        "/sparql", content=chunks(), headers={"Content-Type": "application/sparql-query"}
    )
    assert response.status_code == 413


def test_access_log_has_a_line_per_request(server, http):
    http.get("/sparql", params={"query": "ASK { ?logged ?p ?o }"})

    def logged() -> bool:
        lines = [line for line in server.log_text().splitlines() if "slmgraph.access" in line]
        return any(
            "GET /sparql?query=ASK" in line and "logged" in line and " 200 " in line
            for line in lines
        )

    for _ in range(50):  # the line is written once the answer has gone out
        if logged():
            break
        time.sleep(0.1)
    assert logged()


def test_overlong_url_gets_414(server):
    port = int(server.url.rsplit(":", 1)[1])
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    padding = "%20" * (MAX_REQUEST_BYTES // 3 + 100)
    connection.request("GET", "/sparql?query=ASK%20%7B%7D" + padding)
    response = connection.getresponse()
    assert response.status == 414 and b"POST" in response.read()
    connection.close()


def test_head_gives_headers_without_a_body(http):
    response = http.head("/sparql", params={"query": "ASK {}"})
    assert response.status_code == 200 and response.content == b""
    assert response.headers["etag"]


LINE = st.text(st.characters(exclude_characters="\n"), max_size=40).map(lambda t: t + "\n")


@given(st.lists(LINE))
def test_access_lines_are_written_whole_in_writes_a_pipe_keeps_whole(lines):
    chunks = whole_lines(lines, 64)
    assert "".join(chunks) == "".join(lines)
    assert all(chunk.endswith("\n") for chunk in chunks)  # no line split between two writes
    sizes = [len(chunk.encode(errors="backslashreplace")) for chunk in chunks]
    for chunk, size in zip(chunks, sizes, strict=True):
        assert size <= 64 or chunk.count("\n") == 1  # a longer line goes alone
    # as few writes as fit: no two neighbours would have fitted in one
    assert all(a + b > 64 for a, b in itertools.pairwise(sizes))
