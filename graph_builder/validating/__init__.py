"""Stage 4, validate: SHACL (pySHACL as the reference, a fast engine with the same results, the
reach of shapes for revalidating an edit) and OWL consistency (HermiT)."""
