"""An oracle for every report: the same answers computed straight from the catalogue records.

Plain graph walks over dicts, no SPARQL and no code shared with the reports, so that a wrong
query or a wrong post-processing step shows up as a difference. The semantics it encodes are
the README's: a family means itself and its members; a model's family states what holds for
every member; a lineage edge to a family leads to the family's own statements only.
"""

from tests.oracle.audit import Audit
from tests.oracle.catalogue import Catalogue
from tests.oracle.records import Records, hub_name
from tests.oracle.reports import Reports

__all__ = ["Oracle", "hub_name", "same_rows"]


class Oracle(Records, Reports, Audit, Catalogue):
    """Every report, computed from the catalogue's records (and the Hub's, once added)."""


def same_rows(report_rows: list[dict], oracle_rows: list[dict]) -> bool:
    """Equal as multisets of rows (order is tested separately)."""

    def key(row):
        return sorted((k, str(v)) for k, v in row.items())

    return sorted(map(key, report_rows)) == sorted(map(key, oracle_rows))
