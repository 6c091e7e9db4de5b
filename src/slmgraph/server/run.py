"""Run the app under uvicorn, in one or more front processes sharing the port.

Each front answers small queries itself and has its own worker lanes and caches: a Python
process answers on one core, so a front a core is what uses them all. With more than one,
uvicorn's supervisor starts them afresh, hands them the listening socket and replaces a front
that dies; each reads its settings from the environment, as a new process can.
"""

import logging
import os
import sys

from slmgraph.server.app import create_app
from slmgraph.server.config import ServerConfig

SETTINGS = "SLMGRAPH_SERVER_SETTINGS"


def front():
    """The app of one front process (uvicorn's factory), with the server's log on stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(message)s"))
    logger = logging.getLogger("slmgraph.server")  # the access log writes to stderr itself
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return create_app(ServerConfig.from_json(os.environ[SETTINGS]))


def serve(config: ServerConfig, host: str, port: int) -> None:
    import uvicorn

    from slmgraph.server.wire import HttpProtocol

    os.environ[SETTINGS] = config.to_json()
    uvicorn.run(
        f"{__name__}:front",
        factory=True,
        workers=config.fronts,
        host=host,
        port=port,
        http=HttpProtocol,  # one write per response
        access_log=False,  # our own access log adds bytes and time taken
        log_level="info",
        server_header=False,
        timeout_graceful_shutdown=5,
    )
