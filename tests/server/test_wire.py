"""Responses whose writes are gathered still arrive whole: on kept-alive connections, before a
close, for HEAD and for large bodies, and kept answers among others. Raw sockets, so nothing
smooths over a missing byte."""

import socket
import time
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


def _post(query: str, *headers: str, body_later: bool = False) -> tuple[bytes, bytes]:
    """A form POST of ``query``: its head and body (sent apart when ``body_later``)."""
    body = f"query={quote(query)}".encode()
    lines = ["POST /sparql HTTP/1.1", "Host: 127.0.0.1", *headers]
    lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode(), body


def _without_date(answer: tuple[bytes, dict[str, str], bytes]) -> tuple:
    status, headers, body = answer
    return status, {k: v for k, v in headers.items() if k != "date"}, body


def test_a_kept_answer_is_the_first_answer_byte_for_byte(server):
    """A repeat is sent from what was kept, for a GET or a POST, in one piece or not."""
    query = "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY ?p"
    with _connect(server) as sock, sock.makefile("rb") as stream:
        head, body = _post(query)
        answers = []
        for apart in (False, True, False):
            if apart:  # the body after the head, in a packet of its own
                sock.sendall(head)
                time.sleep(0.05)
                sock.sendall(body)
            else:
                sock.sendall(head + body)
            answers.append(_without_date(_response(stream)))
        sock.sendall(_request("GET", query, "Accept: application/sparql-results+json"))
        first_get = _without_date(_response(stream))
        sock.sendall(_request("GET", query, "Accept: application/sparql-results+json"))
        answers.append(_without_date(_response(stream)))
    assert answers[0][0].startswith(b"HTTP/1.1 200") and b'"bindings"' in answers[0][2]
    assert answers[0] == answers[1] == answers[2]
    assert answers[3] == first_get and answers[3][2] == answers[0][2]


def test_kept_answers_among_others_sent_together_keep_their_order(server):
    kept = _post(ASK)
    with _connect(server) as sock, sock.makefile("rb") as stream:
        sock.sendall(b"".join(kept))
        first = _without_date(_response(stream))
        fresh = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o . ?s a ?class }"
        sock.sendall(b"".join([*kept, _request("GET", fresh), *kept, _request("GET", ALL)]))
        answers = [_response(stream) for _ in range(4)]
    assert _without_date(answers[0]) == first == _without_date(answers[2])
    assert b'"n"' in answers[1][2] and b'"n"' not in answers[3][2]
    assert b'"bindings"' in answers[3][2]


def test_a_kept_answer_then_a_requested_close(server):
    kept = _post(ASK)
    with _connect(server) as sock, sock.makefile("rb") as stream:
        sock.sendall(b"".join(kept))
        _response(stream)
        sock.sendall(b"".join(_post(ASK, "Connection: close")))
        status, headers, body = _response(stream)
        assert status.startswith(b"HTTP/1.1 200") and b'"boolean"' in body
        assert headers["connection"] == "close"
        assert stream.read() == b""  # and the server closed the connection


def test_a_body_sent_after_100_continue_is_answered(server):
    head, body = _post(ASK, "Expect: 100-continue")
    with _connect(server) as sock, sock.makefile("rb") as stream:
        for _ in range(2):  # the second time the answer is kept
            sock.sendall(head)
            assert stream.readline().startswith(b"HTTP/1.1 100")
            assert stream.readline() == b"\r\n"
            sock.sendall(body)
            status, _, answer = _response(stream)
            assert status.startswith(b"HTTP/1.1 200") and b'"boolean"' in answer


def test_the_same_bytes_again_get_the_same_answer_on_any_connection(server):
    """A request byte for byte like one answered from the kept answers is answered again
    without being parsed, on a new connection too, and closes the connection as it asks."""
    head, body = _post(ASK + " # again", "Connection: close")
    answers = []
    for _ in range(4):  # the app, the kept answer, then the same bytes twice
        with _connect(server) as sock, sock.makefile("rb") as stream:
            sock.sendall(head + body)
            answers.append(_without_date(_response(stream)))
            assert stream.read() == b""  # and the server closed the connection
    assert answers[0][0].startswith(b"HTTP/1.1 200") and b'"boolean"' in answers[0][2]
    assert answers[0][1]["connection"] == "close"
    assert answers[1] == answers[0] and answers[2] == answers[0] and answers[3] == answers[0]


def test_the_same_bytes_split_or_followed_by_more_are_read_as_requests(server):
    """Bytes seen before as one whole request, but here in two parts, or with a second
    request after them in the same packet, are parsed as usual."""
    head, body = _post(ASK + " # split")
    with _connect(server) as sock, sock.makefile("rb") as stream:
        for _ in range(3):
            sock.sendall(head + body)
            first = _without_date(_response(stream))
        sock.sendall(head)
        time.sleep(0.05)
        sock.sendall(body)
        assert _without_date(_response(stream)) == first
        sock.sendall(head + body + _request("GET", ALL))
        assert _without_date(_response(stream)) == first
        assert b'"bindings"' in _response(stream)[2]
