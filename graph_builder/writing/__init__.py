"""Stage 5, write: deterministic Turtle and TriG, atomic publishing with manifests, the export
formats and Oxigraph stores."""
