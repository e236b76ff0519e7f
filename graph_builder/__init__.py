"""customs-kg: a knowledge graph of customs enforcement bodies and their relationships.

Pipeline stages, one module each: :mod:`facts` (load curated YAML) →
:mod:`build` (map to RDF) → :mod:`validate` (SHACL) / :mod:`reasoning`
(OWL consistency) → :mod:`serialize` (deterministic Turtle/TriG) →
:mod:`query` (named SPARQL). :mod:`pipeline` ties them together and
:mod:`cli` is the command line.
"""

__version__ = "0.1.0"
