"""The project's exceptions and the located problem they carry."""

from __future__ import annotations

import os
from dataclasses import dataclass

from graph_builder.textsafe import terminal_text


def display_path(path: str) -> str:
    """``path`` relative to the working directory when it lies below it."""
    if not os.path.isabs(path):
        return path
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in a curated file: where it is, which field, what is wrong."""

    file: str
    line: int
    field: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        """``file:line: severity: field: message`` on one line, user text shown as
        :func:`~graph_builder.textsafe.terminal_text` (a line break as ``\\n``)."""
        file = display_path(self.file)
        where = f"{file}:{self.line}" if self.line else file
        return terminal_text(f"{where}: {self.severity}: {self.field}: {self.message}")


class CustomsKGError(Exception):
    """Base class of every error the project reports to a user."""

    exit_code = 2


class UsageError(CustomsKGError):
    """The command line or an argument is wrong."""


class FactsError(CustomsKGError):
    """Curated facts cannot be read or are inconsistent; carries the problems."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class InputError(CustomsKGError):
    """An input file (RDF, query) cannot be read or is refused."""


class QueryError(CustomsKGError):
    """A query is unknown, malformed, refused or failed."""
