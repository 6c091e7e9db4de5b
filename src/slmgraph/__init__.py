"""slmgraph: a curated, cited knowledge graph of language-model lineage."""

__version__ = "0.1.0"
