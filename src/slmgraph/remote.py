"""A SPARQL 1.1 endpoint the reports can read instead of the embedded store.

``Endpoint.run`` answers a canned query as ``queries.run`` does on the embedded store (the same
Rows, bools or triples), for any engine that speaks the SPARQL 1.1 Protocol. The graphs are
named in the request (``default-graph-uri``), as no engine's default graph can be trusted to be
ours (Oxigraph's server keeps it apart from the named graphs, Virtuoso's is every graph it has).
Answers are read a page at a time: Virtuoso cuts every answer at 10,000 rows without a word.
"""

import base64
import hashlib
import itertools
import json
import netrc
import os
import secrets
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from pyoxigraph import DefaultGraph, RdfFormat, parse

from slmgraph import queries, sparqltext
from slmgraph.paths import queries_dir
from slmgraph.queries import Query, Rows, literal_value
from slmgraph.vocab import CURATED_GRAPH, HUB_GRAPH, PREFIXES

PAGE_ROWS = 10_000  # Virtuoso's default cap (ResultSetMaxRows): a page never exceeds it
USER, PASSWORD = "SLMGRAPH_USER", "SLMGRAPH_PASSWORD"
_JSON = "application/sparql-results+json"
_TRIPLES = "application/n-triples, text/turtle;q=0.9"


class EndpointProblem(Exception):
    """A remote store that cannot be reached, refuses a request or answers with an error."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status  # the HTTP status it answered with, if it answered


def credentials(url: str) -> tuple[str, str] | None:
    """The user and password for ``url``: $SLMGRAPH_USER and $SLMGRAPH_PASSWORD, else the
    host's entry in the netrc file ($NETRC, else ~/.netrc); never the command line."""
    if os.environ.get(USER):
        return os.environ[USER], os.environ.get(PASSWORD, "")
    path = Path(os.environ.get("NETRC") or Path.home() / ".netrc")
    if not path.is_file():
        return None
    try:
        found = netrc.netrc(str(path)).authenticators(urllib.parse.urlsplit(url).hostname or "")
    except (netrc.NetrcParseError, OSError) as error:
        raise EndpointProblem(f"{path}: cannot be read ({error}); fix or remove it") from None
    return (found[0], found[2] or "") if found else None


class Client:
    """HTTP requests with the credentials for one store, sent before the store asks for them:
    a store that challenges only after reading a large body (Virtuoso resets the connection
    instead) is asked first with a request that has none."""

    def __init__(self, url: str):
        self.found = credentials(url)
        self.asked = False  # whether a request without a body went first
        self.challenge: dict[str, str] | None = None
        self.count = 0
        self.http = urllib.request.build_opener()

    def send(self, url: str, method: str, data: bytes | None = None, headers=None):
        """One request; a store that cannot be reached or answers with an error is said in one
        line naming the URL and what to do."""
        if data is not None and not self.asked:
            self._ask_first(url)
        try:
            return self._send(url, method, data, headers)
        except _Challenged:
            return self._send(url, method, data, headers)

    def _ask_first(self, url: str) -> None:
        """A request without a body, for the store's challenge (or its refusal, said before a
        large body is sent to a store that would reset the connection instead)."""
        self.asked = True
        for _ in range(2):  # the second time with the credentials, when the store asked
            try:
                self._send(url, "GET")
            except _Challenged:
                continue
            except EndpointProblem as problem:
                if problem.status in (401, 403) or problem.status is None:
                    raise
            return

    def _send(self, url: str, method: str, data: bytes | None = None, headers=None):
        headers = dict(headers or {})
        if self.found and self.challenge is not None:
            headers["Authorization"] = self._authorization(url, method)
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with self.http.open(request, timeout=600) as response:
                return response.headers, response.read()
        except urllib.error.HTTPError as error:
            asked = error.headers.get("WWW-Authenticate", "")
            if error.code == 401 and self.found and asked and "Authorization" not in headers:
                self.challenge = _parse_challenge(asked)
                raise _Challenged from None
            raise EndpointProblem(_refusal(url, error), error.code) from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise EndpointProblem(
                f"cannot reach {url} ({reason}); check the URL and that the store is running"
            ) from None

    def _authorization(self, url: str, method: str) -> str:
        user, password = self.found
        assert self.challenge is not None
        if self.challenge["scheme"] == "basic":
            return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        self.count += 1
        realm, nonce = self.challenge.get("realm", ""), self.challenge.get("nonce", "")
        parts = urllib.parse.urlsplit(url)
        uri = parts.path + (f"?{parts.query}" if parts.query else "")
        nc, cnonce = f"{self.count:08x}", secrets.token_hex(8)
        ha1 = _md5(f"{user}:{realm}:{password}")
        ha2 = _md5(f"{method}:{uri}")
        answer = _md5(f"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}")
        fields = {"username": user, "realm": realm, "nonce": nonce, "uri": uri}
        fields |= {"response": answer, "cnonce": cnonce}
        if "opaque" in self.challenge:
            fields["opaque"] = self.challenge["opaque"]
        quoted = ", ".join(f'{key}="{value}"' for key, value in fields.items())
        return f"Digest {quoted}, qop=auth, nc={nc}, algorithm=MD5"


class _Challenged(Exception):
    """The store asked for credentials: send the request again with them."""


def _parse_challenge(header: str) -> dict[str, str]:
    scheme, _, rest = header.partition(" ")
    fields = urllib.request.parse_keqv_list(urllib.request.parse_http_list(rest))
    return {"scheme": scheme.lower()} | fields


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def _refusal(url: str, error: urllib.error.HTTPError) -> str:
    text = error.read().decode("utf-8", "replace").strip()
    said = " ".join(text.split())[:300] if not text.startswith("<") else error.reason
    hint = (
        f"; give the credentials in ${USER} and ${PASSWORD} or the netrc file"
        if error.code in (401, 403)
        else ""
    )
    return f"{url} refused the request: HTTP {error.code} {said}{hint}"


class Endpoint:
    """A SPARQL endpoint holding a published build (see ``publish``)."""

    def __init__(self, url: str, page_rows: int = PAGE_ROWS):
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise EndpointProblem(f"'{url}' is not an http(s) URL; give the endpoint's URL")
        self.url = url
        self.page_rows = page_rows
        self.client = Client(url)
        self._lateral: bool | None = None  # whether the engine reads LATERAL, once asked

    def check(self) -> None:
        """Fail in one line when the endpoint holds no published curated graph."""
        if not self.ask(_probe("holds-anything"), [CURATED_GRAPH]):
            raise EndpointProblem(
                f"{self.url} holds no graph <{CURATED_GRAPH}>; "
                "publish the build there first (slmgraph publish --to URL)"
            )

    def run(self, query: Query | str, bindings: dict, default_graph: list | None = None):
        """A query's answer as ``queries.run`` gives it: Rows, a bool or a list of triples."""
        text = query.text if isinstance(query, Query) else query
        ordered_only = isinstance(query, Query) and query.lateral_orders_only
        drop_lateral = ordered_only and not self.reads_lateral()
        terms = {name: str(term) for name, term in bindings.items()}
        text = _with_prefixes(sparqltext.portable(text, terms, drop_lateral))
        graphs = [
            CURATED_GRAPH if isinstance(graph, DefaultGraph) else graph.value
            for graph in default_graph or [DefaultGraph()]
        ]
        form = sparqltext.query_form(text)
        if form == "ASK":
            return self.ask(text, graphs)
        if form in ("CONSTRUCT", "DESCRIBE"):
            headers, body = self._post(text, graphs, _TRIPLES)
            media = headers.get("Content-Type", "application/n-triples").split(";")[0]
            return [quad.triple for quad in parse(body, RdfFormat.from_media_type(media))]
        return self.select(text, graphs)

    def reads_lateral(self) -> bool:
        """Whether the engine reads LATERAL (a SPARQL 1.2 draft): where it does, a query keeps
        the order its LATERAL gives, and the walks that need it stay fast. An engine that does
        not refuses the probe as a bad query (Virtuoso 7: HTTP 400)."""
        if self._lateral is None:
            try:
                self._lateral = self.ask(_probe("reads-lateral"), [CURATED_GRAPH])
            except EndpointProblem as problem:
                if problem.status is None or problem.status in (401, 403):
                    raise
                self._lateral = False
        return self._lateral

    def ask(self, text: str, graphs: list[str]) -> bool:
        return bool(self._json(text, graphs)[1].get("boolean"))

    def select(self, text: str, graphs: list[str]) -> Rows:
        """Every row, a page at a time: a first page unordered (most answers fit in it), then,
        if it was full, every page again in an order fixed by all the variables."""
        size = self.page_rows
        if not sparqltext.pageable(text):
            columns, rows, cap = self._rows(text, graphs)
            if cap is not None and len(rows) >= cap:
                raise EndpointProblem(
                    f"{self.url} cut the answer at {cap} rows; add LIMIT and OFFSET to the query"
                )
            return Rows(columns, rows)
        while True:
            columns, rows, cap = self._rows(sparqltext.first_rows(text, size), graphs)
            if cap is not None and cap < size:
                size = cap  # the store caps answers below our page: page by its cap
                continue
            if len(rows) < size:
                return Rows(columns, rows)
            every: list[dict] = []
            for number in itertools.count():
                _, rows, cap = self._rows(sparqltext.page(text, columns, size, number), graphs)
                every.extend(rows)
                if len(rows) < size:
                    return Rows(columns, every)

    def _rows(self, text: str, graphs: list[str]) -> tuple[list[str], list[dict], int | None]:
        headers, answer = self._json(text, graphs)
        columns = answer.get("head", {}).get("vars", [])
        rows = [
            {name: _python(term) for name, term in binding.items()}
            for binding in answer.get("results", {}).get("bindings", [])
        ]
        return columns, rows, _cap(headers, len(rows))

    def _json(self, text: str, graphs: list[str]) -> tuple[dict, dict]:
        headers, body = self._post(text, graphs, _JSON)
        try:
            return headers, json.loads(body)
        except ValueError:
            raise EndpointProblem(f"{self.url} did not answer with SPARQL JSON results") from None

    def _post(self, text: str, graphs: list[str], accept: str):
        form = [("query", text)] + [("default-graph-uri", graph) for graph in graphs]
        form += [("named-graph-uri", graph) for graph in (CURATED_GRAPH, HUB_GRAPH)]
        headers, body = self.client.send(
            self.url,
            "POST",
            urllib.parse.urlencode(form).encode(),
            {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept},
        )
        if state := headers.get("X-SQL-State"):  # Virtuoso: a partial answer, out of time
            message = headers.get("X-SQL-Message", "")
            raise EndpointProblem(f"{self.url} gave a partial answer ({state} {message})")
        return headers, body


def _probe(name: str) -> str:
    return queries.read_query(queries_dir() / "remote" / f"{name}.rq").text


def _cap(headers, count: int) -> int | None:
    """The row count the endpoint says it cut the answer at, if it did."""
    if limit := headers.get("X-SPARQL-MaxRows"):  # Virtuoso's ResultSetMaxRows
        return int(limit) if int(limit) <= count else None
    if headers.get("X-SPARQL-Truncated"):  # slmgraph serve's --row-cap
        return count
    return None


def _python(term: dict):
    """A term of SPARQL JSON results as ``queries.python_value`` gives it."""
    if term.get("type") not in ("literal", "typed-literal"):
        return term["value"]
    datatype = term.get("datatype")
    if datatype == _DECIMAL and term["value"].lstrip("-").isdigit():
        return int(term["value"])  # Virtuoso gives a large xsd:integer back as an xsd:decimal
    return literal_value(term["value"], datatype)


_DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"


def _with_prefixes(text: str) -> str:
    """The query with our prefixes declared before its own (which win where they differ)."""
    return "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PREFIXES.items()) + text
