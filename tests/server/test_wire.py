"""Responses whose writes are gathered still arrive whole: on kept-alive connections, before a
close, for HEAD and for large bodies. Raw sockets, so nothing smooths over a missing byte."""

import socket
from urllib.parse import quote

ASK = "ASK { ?s ?p ?o }"
ALL = "SELECT * WHERE { ?s ?p ?o }"


def _connect(server) -> socket.socket:
    host, port = server.url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=30)


def _request(method: str, query: str, *headers: str) -> bytes:
    lines = [f"{method} /sparql?query={quote(query)} HTTP/1.1", "Host: 127.0.0.1", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _response(stream, method: str = "GET") -> tuple[bytes, dict[str, str], bytes]:
    """Status line, headers and body of one response, read by its Content-Length."""
    status = stream.readline()
    headers = {}
    while (line := stream.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    body = b"" if method == "HEAD" else stream.read(int(headers["content-length"]))
    return status, headers, body


def test_kept_alive_answers_arrive_whole_and_in_order(server):
    with _connect(server) as sock, sock.makefile("rb") as stream:
        for query in (ASK, ALL, ASK, ALL):
            sock.sendall(_request("GET", query))
            status, _, body = _response(stream)
            assert status.startswith(b"HTTP/1.1 200")
            assert (b'"boolean"' in body) == (query == ASK)
            assert (b'"bindings"' in body) == (query == ALL)


def test_requests_sent_together_get_their_answers_in_order(server):
    with _connect(server) as sock, sock.makefile("rb") as stream:
        sent = [("GET", ASK), ("GET", ALL), ("HEAD", ASK), ("GET", ASK)]
        sock.sendall(b"".join(_request(method, query) for method, query in sent))
        answers = [_response(stream, method) for method, _ in sent]
    assert all(status.startswith(b"HTTP/1.1 200") for status, _, _ in answers)
    assert b'"boolean"' in answers[0][2] and b'"bindings"' in answers[1][2]
    assert answers[2][2] == b"" and answers[2][1]["etag"] == answers[0][1]["etag"]
    assert answers[3][2] == answers[0][2]  # nothing stray between HEAD and the next answer


def test_everything_is_sent_before_a_requested_close(server):
    with _connect(server) as sock:
        sock.sendall(_request("GET", ALL, "Connection: close"))
        received = b""
        while chunk := sock.recv(65536):  # the server closes once it has sent everything
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    lines = head.lower().split(b"\r\n")
    length = next(int(line.split(b":")[1]) for line in lines if line.startswith(b"content-length"))
    assert len(body) == length and body.rstrip().endswith(b"}")
