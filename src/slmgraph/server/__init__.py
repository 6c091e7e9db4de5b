"""The SPARQL endpoint and web UI (``slmgraph serve``).

Modules, one job each: ``config`` (settings), ``worker`` and ``pool`` (queries run in killable
processes), ``negotiation`` and ``results`` (media types and serialisation), ``guard`` (what a
public endpoint refuses), ``protocol`` (SPARQL 1.1 Protocol and Graph Store reads), ``describe``
(service description and VoID), ``pages`` (HTML; pictures from ``slmgraph.lineage_svg``),
``web`` (HTTP plumbing), ``app`` (the factory that ties them together).

Kept free of imports: the query workers load only what they use.
"""
