"""Hatchling build hook: put the web UI's npm libraries into the wheel, from npm, never from git.

``web/package-lock.json`` pins YASGUI, cytoscape.js and cytoscape-dagre; when a file is missing
from ``web/node_modules`` the hook runs ``npm ci --prefix web``. The files land in the wheel, flat,
under ``slmgraph/server/static/vendor/`` with each library's licence. An editable install fetches
them too, and the server then reads ``web/node_modules`` directly.
"""

import runpy
import shutil
import subprocess
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

# The libraries and their files, read from the module that serves them (it imports only os).
ASSETS = Path(__file__).parent / "src" / "slmgraph" / "server" / "assets.py"
LIBRARIES = runpy.run_path(str(ASSETS))["LIBRARIES"]
TARGET = "slmgraph/server/static/vendor"


class WebAssets(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict) -> None:
        if self.target_name != "wheel":
            return
        modules = Path(self.root) / "web" / "node_modules"
        wanted = {modules / folder / name for folder, names in LIBRARIES.items() for name in names}
        if not all(path.is_file() for path in wanted):
            npm = shutil.which("npm")
            if npm is None:
                self.app.display_warning(
                    "npm not found: no YASGUI or cytoscape files, and the web UI will say so"
                )
                return
            subprocess.run(
                [npm, "ci", "--prefix", str(modules.parent), "--no-audit", "--no-fund"], check=True
            )
        if version == "editable":
            return
        for path in sorted(wanted):
            build_data["force_include"][str(path)] = f"{TARGET}/{path.name}"
        for folder in LIBRARIES:
            package = (modules / folder).parent
            licence = package / "LICENSE"
            if licence.is_file():
                build_data["force_include"][str(licence)] = f"{TARGET}/LICENSE.{package.name}"
