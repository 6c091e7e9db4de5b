"""The application factory: routes, middleware and the worker pool's lifetime, over one store."""

import contextlib

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from slmgraph.server import assets, canned, describe, pages, protocol, web
from slmgraph.server.config import ServerConfig
from slmgraph.server.pool import JobFailed, Unavailable
from slmgraph.server.repeats import Repeats
from slmgraph.server.state import ServerState

ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"]


class CachedStatic(StaticFiles):
    """Static files with a Cache-Control header (they change only with the installed package)."""

    async def get_response(self, path, scope):
        response = await super().get_response(path, scope)
        response.headers.setdefault("Cache-Control", "public, max-age=3600")
        return response


async def _unavailable(request: Request, problem: Unavailable):
    return web.error(503, str(problem), {"Retry-After": "5"})


async def _failed(request: Request, problem: JobFailed):
    return web.error(problem.status, str(problem))


def create_app(config: ServerConfig) -> Repeats:
    """An ASGI app serving ``config.store_dir``; its workers start with the app's lifespan.

    Repeated queries are answered by the outermost layer, in the form the whole app sent them.
    """
    state = ServerState(config)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        await state.start()
        try:
            yield
        finally:
            await state.close()

    routes = [
        Route("/", pages.home),
        Route("/search", pages.search),
        Route("/canned/{name}", canned.bind),
        Route("/sparql", protocol.endpoint, methods=ALL_METHODS),
        Route("/sparql/", protocol.endpoint, methods=ALL_METHODS),
        Route("/store", protocol.store_route, methods=ALL_METHODS),
        Route("/void", describe.void),
        Route("/.well-known/void", describe.void),
        Route("/id/{entity}", pages.entity),
        Route("/id/{entity}/{rest:path}", pages.edge),
        Route("/hub/{entity:path}", pages.hub),
        Route("/seed/{rest:path}", pages.resource),
        Route("/ontology", protocol.ontology_route),
        Route("/lineage/{entity:path}.svg", pages.lineage),  # a Hub id has a slash
        Mount("/static", CachedStatic(directory=assets.STATIC), name="static"),
    ]
    vendor = assets.vendor_dirs()
    if vendor:
        files = CachedStatic(directory=vendor[0])
        files.all_directories = vendor  # each npm library's files, wherever they are
        routes.append(Mount("/vendor", files, name="vendor"))
    middleware = [
        Middleware(web.AccessLog) if config.access_log else None,
        Middleware(web.SizeLimit, max_bytes=config.max_request_bytes),
        Middleware(
            CORSMiddleware,
            allow_origins=["*"],
            allow_methods=["GET", "HEAD", "POST"],
            allow_headers=["Accept", "Content-Type", "If-None-Match"],
            expose_headers=["ETag", "X-SPARQL-Row-Limit", "X-SPARQL-Truncated"],
        )
        if config.cors
        else None,
        Middleware(GZipMiddleware, minimum_size=web.GZIP_FROM),
    ]
    app = Starlette(
        routes=routes,
        middleware=[m for m in middleware if m is not None],
        exception_handlers={Unavailable: _unavailable, JobFailed: _failed},
        lifespan=lifespan,
    )
    app.state.server = state
    return Repeats(app, state, config.max_request_bytes, config.access_log)
