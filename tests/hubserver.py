"""A stand-in for the Hugging Face Hub API on 127.0.0.1, answering from recorded model records
(``tests/data/hub/models.json``) as the Hub does: ``/api/models`` with ``author`` or
``filter=base_model:<repo>``, paginated by ``Link`` headers, and ``/api/models/<repo>``.

``failures`` makes given paths answer an error status a given number of times first, as a
rate-limited or failing Hub would; ``hits`` counts the requests per path.
"""

import json
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

RECORDED = Path(__file__).parent / "data" / "hub" / "models.json"
PAGE = 2  # models per page, small so that pagination is exercised


class HubStandIn:
    def __init__(self, models: list[dict] | None = None):
        self.models = models or json.loads(RECORDED.read_text())
        self.failures: dict[str, list[int]] = {}  # path -> statuses to answer first, in order
        self.hits: Counter = Counter()
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (the http.server API)
                stand_in.answer(self)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def answer(self, request: BaseHTTPRequestHandler) -> None:
        url = urlparse(request.path)
        self.hits[url.path] += 1
        pending = self.failures.get(url.path)
        if pending:
            status = pending.pop(0)
            return self._send(request, status, {"error": "try again later"})
        if url.path.startswith("/api/models/"):
            repo = url.path.removeprefix("/api/models/")
            found = [m for m in self.models if m["id"] == repo]
            if not found:
                return self._send(
                    request,
                    404,
                    {"error": "Repository not found"},
                    {"X-Error-Code": "RepoNotFound"},
                )
            return self._send(request, 200, found[0])
        if url.path == "/api/models":
            query = parse_qs(url.query)
            chosen = self.models
            if "author" in query:
                chosen = [m for m in chosen if m["author"] == query["author"][0]]
            for wanted in query.get("filter", []):
                chosen = [m for m in chosen if wanted in m["tags"]]
            start = int(query.get("cursor", ["0"])[0])
            headers = {}
            if start + PAGE < len(chosen):
                rest = {k: v for k, v in query.items() if k != "cursor"}
                pairs = "&".join(f"{k}={v}" for k, vs in rest.items() for v in vs)
                headers["Link"] = (
                    f'<{self.url}/api/models?{pairs}&cursor={start + PAGE}>; rel="next"'
                )
            return self._send(request, 200, chosen[start : start + PAGE], headers)
        self._send(request, 404, {"error": "not found"})

    @staticmethod
    def _send(request, status: int, body, headers: dict | None = None) -> None:
        data = json.dumps(body).encode()
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            request.send_header(key, value)
        request.end_headers()
        request.wfile.write(data)
