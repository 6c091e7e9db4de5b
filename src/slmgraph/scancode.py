"""The ScanCode LicenseDB index that the `license-expression` package ships, keyed by licence key.

Licence entries name their key in it, so their ids and categories come from a maintained source.
"""

import json
from functools import cache
from importlib.resources import files


@cache
def index() -> dict[str, dict]:
    data = files("license_expression") / "data" / "scancode-licensedb-index.json"
    return {item["license_key"]: item for item in json.loads(data.read_text(encoding="utf-8"))}


def spdx_ids(key: str) -> set[str]:
    """Every SPDX id (or ScanCode LicenseRef) the index gives for ``key``."""
    item = index()[key]
    return {item["spdx_license_key"], *item.get("other_spdx_license_keys", [])} - {None}
