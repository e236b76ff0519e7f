"""Stage 3, build: one function per statement kind turns loaded facts into one named graph per
source (``build``); ``cache`` keeps parsed files and built graphs between builds."""
