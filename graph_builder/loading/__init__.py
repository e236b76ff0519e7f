"""Stage 1–2, read and load: the guarded facts-folder reader, YAML with lines, dates, and the
statement kinds (``schema``) by which ``facts`` reads, checks and resolves every statement."""
