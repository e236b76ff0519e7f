"""The time and size limits of queries, pushes and remote answers, in one place (see README, "Limits")."""

from __future__ import annotations

import math

from graph_builder.errors import QueryError

QUERY_TIMEOUT = 60.0
"""Seconds a query may take by default, reading and checking its text included (``--timeout 0``: none);
for ``--endpoint``, the time for the whole answer to arrive."""

PUSH_TIMEOUT = 300.0
"""Seconds a graph store may take to answer a push (``push --timeout``), and to send a whole graph back."""

CONNECT_TIMEOUT = 10.0
"""Seconds to open a connection to a graph store."""

MAX_TIMEOUT = 7 * 24 * 3600.0
"""The longest ``--timeout`` taken: a week."""

MAX_ANSWER_MB = 1024
"""MiB of a remote answer read at most by default (``--max-answer``)."""

MAX_QUERY_BYTES = 16 << 20
"""Bytes of a ``.rq`` file read at most."""

MAX_NESTING = 20
"""Brackets ``{ ( [`` nested deeper than this are refused: rdflib's parser recurses
about 30 levels deep at most, and no named query nests more than 8."""


def check_timeout(timeout: float | None) -> None:
    """A :class:`QueryError` unless ``timeout`` is None or a finite number of seconds in (0, a week]."""
    if timeout is None:
        return
    if not math.isfinite(timeout) or timeout <= 0 or timeout > MAX_TIMEOUT:
        raise QueryError(f"--timeout must be a number of seconds above 0 and at most {MAX_TIMEOUT:.0f} "
                         f"(a week), or 0 for no limit; not {timeout!r}")
