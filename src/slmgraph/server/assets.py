"""Where the front-end files are: ours (``static/``) and the npm libraries' (never committed).

The libraries are YASGUI (the SPARQL editor), cytoscape.js and cytoscape-dagre (the interactive
lineage diagram), pinned by ``web/package-lock.json``. An installed wheel carries their files
under ``static/vendor/`` (copied by ``hatch_build.py``); a source checkout serves them from
``web/node_modules`` after ``npm ci --prefix web``. All are served flat under ``/vendor/``.
"""

import os
from pathlib import Path

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
TEMPLATES = HERE / "templates"
NODE_MODULES = HERE.parents[2] / "web" / "node_modules"
# Each library's folder under node_modules, and the files of it the pages load.
LIBRARIES = {
    "@zazuko/yasgui/build": ("yasgui.min.js", "yasgui.min.css"),
    "cytoscape/dist": ("cytoscape.min.js",),
    "cytoscape-dagre/dist": ("cytoscape-dagre.min.js",),
}
YASGUI_FILES = LIBRARIES["@zazuko/yasgui/build"]


def _complete(folder: Path, files) -> bool:
    return all((folder / name).is_file() for name in files)


def vendor_dir() -> Path | None:
    """The directory holding YASGUI's built files, or None when they are missing.

    ``$SLMGRAPH_YASGUI_DIR`` names another directory (and only that one) to look in.
    """
    explicit = os.environ.get("SLMGRAPH_YASGUI_DIR")
    source = NODE_MODULES / "@zazuko/yasgui/build"
    candidates = [Path(explicit)] if explicit else [STATIC / "vendor", source]
    for candidate in candidates:
        if _complete(candidate, YASGUI_FILES):
            return candidate
    return None


def vendor_dirs() -> list[Path]:
    """Every directory ``/vendor/`` serves from, YASGUI's first (empty when it is missing)."""
    yasgui = vendor_dir()
    if yasgui is None:
        return []
    others = [STATIC / "vendor"] + [NODE_MODULES / folder for folder in LIBRARIES]
    return [yasgui] + [d for d in others if d != yasgui and d.is_dir()]


def has(*names: str) -> bool:
    """Whether ``/vendor/`` serves every one of these files."""
    folders = vendor_dirs()
    return all(any((folder / name).is_file() for folder in folders) for name in names)
