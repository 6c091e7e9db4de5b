"""Where the front-end files are: ours (``static/``) and YASGUI's (built by npm, never committed).

An installed wheel carries YASGUI under ``static/vendor/`` (copied by ``hatch_build.py``); a
source checkout serves it from ``web/node_modules`` after ``npm ci --prefix web``.
"""

import os
from pathlib import Path

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
TEMPLATES = HERE / "templates"
YASGUI_FILES = ("yasgui.min.js", "yasgui.min.css")
_SOURCE_BUILD = HERE.parents[2] / "web" / "node_modules" / "@zazuko" / "yasgui" / "build"


def vendor_dir() -> Path | None:
    """The directory holding YASGUI's built files, or None when they are missing.

    ``$SLMGRAPH_YASGUI_DIR`` names another directory (and only that one) to look in.
    """
    explicit = os.environ.get("SLMGRAPH_YASGUI_DIR")
    candidates = [Path(explicit)] if explicit else [STATIC / "vendor", _SOURCE_BUILD]
    for candidate in candidates:
        if all((candidate / name).is_file() for name in YASGUI_FILES):
            return candidate
    return None
