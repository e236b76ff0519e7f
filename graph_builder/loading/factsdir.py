"""The facts folder on disk: which files the loader reads, and reading them safely.

:class:`FactsDir` lists the files of a facts folder (``vocab/roles.yaml``,
``entities/*.yaml``, ``sources/*.yaml``) and reads them, and the articles'
texts under ``texts/``, for :func:`graph_builder.loading.facts.load_facts` and
:func:`graph_builder.building.cache.load_facts_cached` alike. A file is read only
when:

* it lies inside the facts folder once every symbolic link is followed (a
  link inside the folder to a file inside it is fine; one that leads out of it,
  to ``/etc/passwd`` say, is refused);
* it is a regular file: a FIFO, a device (``/dev/zero``), a socket or a folder
  named ``x.yaml`` is refused by its type before it is opened, and again by
  the type of what was opened (``O_NONBLOCK``, so opening a FIFO never waits;
  ``O_NOFOLLOW``), which must be the file that was checked;
* it is within its size limit (:data:`YAML_MAX_BYTES` for a YAML file,
  :data:`TEXT_MAX_BYTES` for a text), counted while reading, not trusted from
  the file's size: at most the limit and one byte more are ever read.

Every refusal and every error of the operating system (a file deleted after
the listing, permission denied, a link loop) is a located
:class:`~graph_builder.errors.Problem` of the field ``file``. Each file is read
once per load: a second read of the same path returns the same bytes (the
parse cache hashes exactly what was parsed).

The listing also reports YAML files the loader does not read: a ``.yaml``
file anywhere else under the folder (its root, ``source/``, ``entities/more/``,
``texts/``, ``vocab/`` other than ``roles.yaml``) is a warning, and a YAML
file whose suffix is not a lower-case ``.yaml`` (``.yml``, ``.YAML``) is an
error wherever it is, since it was meant to be read.
"""

from __future__ import annotations

import difflib
import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from graph_builder.errors import FactsError, Problem

YAML_MAX_BYTES = 2 * 1024 * 1024
TEXT_MAX_BYTES = 2 * 1024 * 1024
# The folders the loader reads YAML files from (roles: only vocab/roles.yaml).
READ_FOLDERS = ("entities", "sources")
ROLES_FILE = ("vocab", "roles.yaml")
NOT_READ = "not read: facts files go in entities/, sources/ or vocab/roles.yaml"
WRONG_SUFFIX = "facts files end in .yaml (lower case); rename it (it would be ignored)"

_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISLNK, "a symbolic link"))
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
_CHUNK = 1 << 16


def file_kind(mode: int) -> str:
    """What a file of this mode is, in words ('a FIFO', 'a folder', 'a regular file' ...)."""
    return next((name for test, name in _KINDS if test(mode)), "a regular file" if stat.S_ISREG(mode)
                else "a special file")


def _problem(path: Path | str, message: str, line: int = 0, fld: str = "file") -> Problem:
    return Problem(str(path), line, fld, message)


def _fail(path: Path | str, message: str, line: int = 0) -> FactsError:
    return FactsError([_problem(path, message, line)])


def _os_message(exc: OSError) -> str:
    """An error of the operating system met while reading a file, in words."""
    if exc.errno == errno.ELOOP:  # O_NOFOLLOW: the checked file was replaced by a link since
        return "became a symbolic link while it was read; run the command again"
    if exc.errno == errno.ENOENT:
        return "cannot read: the file is gone (deleted or renamed while the facts were read)"
    return f"cannot read: {exc.strerror}"


def too_big(path: Path | str, size: int | None, limit: int) -> FactsError:
    """The problem of a file over its limit (``size`` None: more than the limit was read)."""
    what = f"{size} bytes" if size is not None else f"more than {limit} bytes"
    return _fail(path, f"the file is {what}; the limit is {limit}; split it", 1)


@dataclass
class Listing:
    """The facts files of a folder, in the order they are loaded, and what the listing found wrong."""

    roles: Path | None = None
    entities: list[Path] = field(default_factory=list)
    sources: list[Path] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


class FactsDir:
    """One facts folder: its listing and its files, read safely (see the module docstring)."""

    def __init__(self, root: Path):
        self.root = root
        self.real_root = Path(os.path.realpath(root))
        self._read: dict[Path, bytes | FactsError] = {}

    # --- reading -------------------------------------------------------------------

    def read(self, path: Path, limit: int) -> bytes:
        """The bytes of a file of the folder; raises :class:`FactsError` (field ``file``) when it is refused."""
        kept = self._read.get(path)
        if kept is None:
            try:
                kept = self._read_once(path, limit)
            except FactsError as exc:
                kept = exc
            self._read[path] = kept
        if isinstance(kept, FactsError):
            raise FactsError(kept.problems)
        return kept

    def _inside(self, path: Path) -> Path:
        """The real path of ``path``, which must lie inside the folder."""
        try:
            real = Path(os.path.realpath(path, strict=True))
        except OSError as exc:
            if os.path.islink(path) and exc.errno == errno.ENOENT:
                raise _fail(path, f"is a symbolic link to a missing file ({os.readlink(path)})") from None
            if exc.errno == errno.ELOOP:
                raise _fail(path, "is a symbolic link that loops (it leads back to itself)") from None
            raise _fail(path, _os_message(exc)) from None
        if real != self.real_root and self.real_root not in real.parents:
            how = f"is a symbolic link to {real}" if os.path.islink(path) else f"leads through a symbolic link to {real}"
            raise _fail(path, f"{how}, outside the facts folder; copy the file into the folder instead")
        return real

    def _read_once(self, path: Path, limit: int) -> bytes:
        real = self._inside(path)
        try:
            before = os.stat(real)
            if not stat.S_ISREG(before.st_mode):
                raise _fail(path, f"is {file_kind(before.st_mode)}, not a regular file")
            if before.st_size > limit:
                raise too_big(path, before.st_size, limit)
            fd = os.open(real, _OPEN_FLAGS)
        except OSError as exc:
            raise _fail(path, _os_message(exc)) from None
        try:
            return self._read_fd(path, fd, before, limit)
        except OSError as exc:
            raise _fail(path, _os_message(exc)) from None
        finally:
            os.close(fd)

    @staticmethod
    def _read_fd(path: Path, fd: int, before: os.stat_result, limit: int) -> bytes:
        now = os.fstat(fd)
        if not stat.S_ISREG(now.st_mode) or (now.st_dev, now.st_ino) != (before.st_dev, before.st_ino):
            raise _fail(path, f"was replaced while it was read (it is now {file_kind(now.st_mode)}); "
                              "run the command again")
        if now.st_size > limit:
            raise too_big(path, now.st_size, limit)
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(_CHUNK, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise too_big(path, None, limit)
        return b"".join(chunks)

    # --- listing -------------------------------------------------------------------

    def listing(self) -> Listing:
        """The files the loader reads, and every other YAML file under the folder (see the module docstring)."""
        out = Listing()
        roles = self.root.joinpath(*ROLES_FILE)
        if os.path.lexists(roles):
            out.roles = roles
        else:
            out.problems.append(_problem(roles, "missing the controlled list of roles", fld="roles"))
        read: set[Path] = {roles}
        for name in READ_FOLDERS:
            files = self._yaml_files(self.root / name, name, out)
            read.update(files)
            getattr(out, name).extend(files)
        self._strays(read, out)
        out.warnings.sort()
        return out

    def _yaml_files(self, folder: Path, what: str, out: Listing) -> list[Path]:
        """The ``*.yaml`` entries of one folder, sorted (none when it does not exist)."""
        try:
            names = sorted(entry.name for entry in os.scandir(folder))
        except FileNotFoundError:
            return []
        except OSError as exc:
            out.problems.append(_problem(folder, f"cannot read the folder: {exc.strerror}", fld=what))
            return []
        return [folder / name for name in names if name.endswith(".yaml")]

    def _strays(self, read: set[Path], out: Listing) -> None:
        """Warnings and errors for the YAML files under the folder that the loader does not read."""
        reported = {Path(p.file) for p in out.problems}

        def unreadable(exc: OSError) -> None:
            folder = Path(exc.filename) if exc.filename is not None else self.root
            if folder not in reported:
                reported.add(folder)
                out.problems.append(_problem(folder, f"cannot read the folder: {exc.strerror}", fld="folder"))

        for top, dirs, files in os.walk(self.root, onerror=unreadable):
            dirs.sort()
            for name in sorted(files):
                path = Path(top) / name
                if not _is_yaml_name(name) or path in read:
                    continue
                if name.endswith(".yaml"):
                    out.warnings.append(Problem(str(path), 0, "file", NOT_READ + self._hint(path), "warning"))
                else:
                    out.problems.append(_problem(path, WRONG_SUFFIX))

    def _hint(self, path: Path) -> str:
        """Where a stray file was perhaps meant to go: a misspelt folder, a subfolder of a read one."""
        parts = path.relative_to(self.root).parts
        if len(parts) < 2:
            return ""
        if parts[0] in READ_FOLDERS:
            return f" (subfolders of {parts[0]}/ are not read)"
        if parts[0] == ROLES_FILE[0]:
            return f" ({ROLES_FILE[0]}/ holds only {ROLES_FILE[1]})"
        near = difflib.get_close_matches(parts[0].lower(), (*READ_FOLDERS, ROLES_FILE[0]), n=1, cutoff=0.7)
        return f"; did you mean {near[0]}/?" if near else ""


def _is_yaml_name(name: str) -> bool:
    return name.lower().endswith((".yaml", ".yml"))
