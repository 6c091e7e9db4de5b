"""Run the app under uvicorn, with the access log on stderr."""

import logging
import sys

from slmgraph.server.app import create_app
from slmgraph.server.config import ServerConfig


def serve(config: ServerConfig, host: str, port: int) -> None:
    import uvicorn

    from slmgraph.server.wire import HttpProtocol

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(message)s"))
    logger = logging.getLogger("slmgraph.server")  # the access log writes to stderr itself
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    # One event loop is enough: queries run in the worker processes, not in this one.
    uvicorn.run(
        create_app(config),
        host=host,
        port=port,
        http=HttpProtocol,  # one write per response
        access_log=False,  # our own access log adds bytes and time taken
        log_level="info",
        server_header=False,
        timeout_graceful_shutdown=5,
    )
