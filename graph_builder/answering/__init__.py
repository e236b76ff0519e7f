"""Stage 6, use: named and user SPARQL queries (with their safety rules and result formats),
remote stores, name resolution, as-of reasoning, cards and timelines, checks and drawings."""
