"""HTML pages: the home page (SPARQL editor, canned queries, search), search results, and the
page of every entity IRI, which also answers Turtle or JSON-LD by ``Accept``."""

import json

import jinja2
import markupsafe
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from slmgraph import lineage_picture, lineage_svg, names
from slmgraph.server import assets, canned, negotiation, protocol, web
from slmgraph.server.state import ServerState
from slmgraph.vocab import BASE, compact, entity_iri

# Properties kept for machines (name resolution), not for readers of a page.
_HIDDEN = {"slm:lookupKey", "dcterms:identifier"}
_DESCRIPTION = "schema:description"  # said under the name, not among the facts

_templates = jinja2.Environment(
    loader=jinja2.FileSystemLoader(assets.TEMPLATES),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
)
# JSON inside a <script> element: "<" escaped so no string in it can end the element.
_templates.filters["script_json"] = lambda text: markupsafe.Markup(text.replace("<", "\\u003c"))
_templates.filters["plural"] = lambda word, count: (
    word if count == 1 else word[:-1] + "ies" if word.endswith("y") else word + "s"
)


def _html(request: Request, template: str, status: int = 200, tag: str | None = None, **values):
    state: ServerState = request.app.state.server
    body = _templates.get_template(template).render(request=request, **values)
    response = HTMLResponse(body, status)
    if tag is not None:
        return web.cached(response, tag, state.config.max_age)
    response.headers["Cache-Control"] = "no-store"
    return response


async def entity_index(state: ServerState) -> dict[str, dict]:
    """Every curated entity by id: name, class and aliases (one query per build)."""
    rows = await state.per_build("index")
    return {row["id"]: row for row in rows}


async def entity_row(state: ServerState, entity_id: str) -> dict | None:
    """An entity's row of the index, a Hub model or dataset's looked up on its own."""
    index = await entity_index(state)
    if entity_id in index:
        return index[entity_id]
    return await state.run("hub_entity", entity=entity_id)


_MOST_FOUND = 50  # search hits answered as JSON


async def home(request: Request) -> Response:
    state: ServerState = request.app.state.server
    canned_queries = canned.listing()
    tag = web.etag(state.build(), "home", str(assets.vendor_dir()))
    if web.not_modified(request, tag):
        return web.not_modified_response(tag, state.config.max_age)
    index = await entity_index(state)
    graphs = await state.per_build("report_graphs")  # the editor asks what reports read
    kinds: dict[str, int] = {}
    for row in index.values():
        kinds[row["class"]] = kinds.get(row["class"], 0) + 1
    return _html(
        request,
        "home.html",
        tag=tag,
        canned=canned_queries,
        canned_json=json.dumps(canned_queries),
        base=BASE,
        graphs=graphs,
        vendor=assets.vendor_dir() is not None,
        kinds=sorted(kinds.items()),
    )


def _matches(index: dict[str, dict], text: str) -> list[dict]:
    """Entities whose id, name or an alias contains ``text`` (any case); best matches first."""
    needle = text.strip().lower()
    if not needle:
        return []
    found = []
    for row in index.values():
        words = [row["id"], row["name"], *filter(None, row.get("aliases", "").split("|"))]
        lowered = [word.lower() for word in words]
        if any(needle in word for word in lowered):
            exact = needle in lowered
            prefix = any(word.startswith(needle) for word in lowered)
            found.append((not exact, not prefix, row["name"].lower(), row))
    return [entry[-1] for entry in sorted(found, key=lambda e: e[:3])]


async def search(request: Request) -> Response:
    state: ServerState = request.app.state.server
    text = request.query_params.get("q", "")
    index = await entity_index(state)
    found = _matches(index, text)
    if text.strip() and len(found) < _MOST_FOUND:  # then imported Hub repos holding the text
        found += await state.run("hub_search", text=text.strip(), most=_MOST_FOUND - len(found))
    suggestions = [] if found or not text else names.close_matches(text, list(index))
    as_json = request.query_params.get("format") == "json" or negotiation.choose(
        request.headers.get("accept"), ("text/html", "application/json")
    ) == ("application/json")
    if as_json:
        hits = [
            {"id": r["id"], "name": r["name"], "class": r["class"], "href": f"/id/{r['id']}"}
            for r in found[:_MOST_FOUND]
        ]
        return JSONResponse(hits, headers={"Cache-Control": "no-store"})
    return _html(request, "search.html", text=text, found=found, suggestions=suggestions)


async def entity(request: Request) -> Response:
    return await _entity(request, request.path_params["entity"])


async def _entity(request: Request, entity_id: str) -> Response:
    state: ServerState = request.app.state.server
    accept, fmt = request.headers.get("accept"), request.query_params.get("format")
    row = await entity_row(state, entity_id)
    if row is None:
        index = await entity_index(state)
        suggestions = names.close_matches(entity_id, list(index))
        message = f"No entity has the id '{entity_id}'."
        return _html(request, "missing.html", 404, message=message, suggestions=suggestions)
    html = fmt in (None, "html") and negotiation.prefers_html(accept)
    if not html:
        tag = web.etag(state.build(), "describe", entity_id, accept or "", fmt or "")
        if web.not_modified(request, tag):
            return web.not_modified_response(tag, state.config.max_age)
        return await protocol.answer(
            request, tag, "describe", iri=entity_iri(entity_id), accept=accept, fmt=fmt
        )
    tag = web.etag(state.build(), "page", entity_id)
    if web.not_modified(request, tag):
        return web.not_modified_response(tag, state.config.max_age)
    model = row["class"] == "model"
    found = await state.run("entity", entity=entity_id, name=row["name"], audit=model)
    pic = found["picture"]
    facts = [f for f in found["facts"] if f["direction"] == "out" and f["property"] not in _HIDDEN]
    incoming = [fact for fact in found["facts"] if fact["direction"] == "in"]
    from_members = [fact for fact in found["facts"] if fact["direction"] == "members"]
    citations = sorted(
        {f["value"] for f in facts if f["property"] == "dcterms:source"}
        | {f["source"] for f in found["facts"] if f.get("source")}
    )
    return _html(
        request,
        "entity.html",
        tag=tag,
        entity=row,
        iri=entity_iri(entity_id),
        description=next((f["value"] for f in facts if f["property"] == _DESCRIPTION), None),
        facts=[f for f in facts if f["property"] not in ("dcterms:source", _DESCRIPTION)],
        incoming=incoming,
        from_members=from_members,
        citations=citations,
        svg=lineage_svg.render(pic),
        diagram_json=json.dumps(
            lineage_picture.cytoscape(
                pic, lambda node: f"/id/{node}", lambda parent: f"/id/{parent}#referred-to-by"
            )
        ),
        interactive=assets.has("cytoscape.min.js", "cytoscape-dagre.min.js"),
        index=await entity_index(state),
        incoming_count=found["incoming"],
        has_lineage=found["has_lineage"],
        audit=found["audit"],
        audit_empty=found["audit_empty"].splitlines(),
    )


async def hub(request: Request) -> Response:
    """An imported Hub model or dataset at the path of its own IRI (``/hub/owner/name``, as
    links to the graph's IRIs lead here), the same as at ``/id/owner/name``; a claim's node,
    under its model's IRI, as any other resource."""
    entity = request.path_params["entity"]
    if "/claim/" in entity:  # a repo id has one slash: this is past the model's own IRI
        return await resource(request)
    return await _entity(request, entity)


async def edge(request: Request) -> Response:
    """A node under an entity's IRI (a qualified edge): RDF by ``Accept``; a browser goes to the
    entity's page. An imported Hub model's id has a slash (``owner/name``): its page."""
    state: ServerState = request.app.state.server
    owner, rest = request.path_params["entity"], request.path_params["rest"]
    if "/" not in rest and await entity_row(state, f"{owner}/{rest}") is not None:
        return await _entity(request, f"{owner}/{rest}")
    accept, fmt = request.headers.get("accept"), request.query_params.get("format")
    if fmt in (None, "html") and negotiation.prefers_html(accept):
        return RedirectResponse(f"/id/{request.path_params['entity']}", 303)
    return await resource(request)


async def resource(request: Request) -> Response:
    """Any other IRI the graph mints under its base (seed documents): RDF, or a plain page."""
    state: ServerState = request.app.state.server
    iri = BASE + request.url.path.removeprefix("/")
    accept, fmt = request.headers.get("accept"), request.query_params.get("format")
    html = fmt in (None, "html") and negotiation.prefers_html(accept)
    tag = web.etag(state.build(), "resource", iri, "html" if html else (accept or ""), fmt or "")
    if web.not_modified(request, tag):
        return web.not_modified_response(tag, state.config.max_age)
    if not html:
        return await protocol.answer(request, tag, "describe", iri=iri, accept=accept, fmt=fmt)
    found = await state.run("statements", iri=iri)
    if not found:
        return _html(request, "missing.html", 404, message=f"Nothing is known about {iri}.")
    rows = [(_local(s), compact(p), o, _local(o) if is_iri else None) for s, p, o, is_iri in found]
    return _html(request, "resource.html", tag=tag, iri=iri, rows=rows)


def _local(iri: str) -> str:
    """The path this server answers an IRI of the graph at (other IRIs are left as they are)."""
    return "/" + iri.removeprefix(BASE) if iri.startswith(BASE) else iri


async def lineage(request: Request) -> Response:
    """The lineage diagram alone, as an SVG image."""
    state: ServerState = request.app.state.server
    entity_id = request.path_params["entity"]
    row = await entity_row(state, entity_id)
    if row is None:
        return web.error(404, f"no entity has the id '{entity_id}'")
    tag = web.etag(state.build(), "svg", entity_id)
    if web.not_modified(request, tag):
        return web.not_modified_response(tag, state.config.max_age)
    found = await state.run("entity", entity=entity_id, name=row["name"])
    response = Response(lineage_svg.render(found["picture"]), media_type="image/svg+xml")
    return web.cached(response, tag, state.config.max_age)
