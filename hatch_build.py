"""Hatchling build hook: put YASGUI's built files into the wheel, from npm, never from git.

``web/package-lock.json`` pins the version; when ``web/node_modules`` is missing the hook runs
``npm ci --prefix web``. The files land in the wheel under ``slmgraph/server/static/vendor/``.
An editable install fetches them too, and the server then reads ``web/node_modules`` directly.
"""

import shutil
import subprocess
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

FILES = ("yasgui.min.js", "yasgui.min.css")
TARGET = "slmgraph/server/static/vendor"


class YasguiAssets(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict) -> None:
        if self.target_name != "wheel":
            return
        web = Path(self.root) / "web"
        built = web / "node_modules" / "@zazuko" / "yasgui" / "build"
        if not all((built / name).is_file() for name in FILES):
            npm = shutil.which("npm")
            if npm is None:
                self.app.display_warning(
                    "npm not found: no YASGUI files, and the web UI will say so"
                )
                return
            subprocess.run([npm, "ci", "--prefix", str(web), "--no-audit", "--no-fund"], check=True)
        if version == "editable":
            return
        for name in FILES:
            build_data["force_include"][str(built / name)] = f"{TARGET}/{name}"
        licence = built.parent / "LICENSE"
        if licence.is_file():
            build_data["force_include"][str(licence)] = f"{TARGET}/LICENSE"
