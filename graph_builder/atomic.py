"""Write files and folders atomically, and clean up what a killed run left: the one atomic-file helper.

:func:`write_atomic` writes a file through a private temporary file and a
rename; :func:`swap_in` puts a finished folder in place of another in one
step (Linux ``renameat2(RENAME_EXCHANGE)``, else two renames). Every
temporary file or folder is named ``.NAME.ROLE-PID-RANDOM`` beside its target
``NAME`` (``ROLE``: ``staging``, ``old`` or ``tmp``) and locked (``flock``)
while in use (:func:`private_folder`, :func:`private_file`); :func:`sweep`
removes those a killed run left, never one whose process runs or whose lock
is held. :func:`describe_os_error` says a failed write in plain words.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import fcntl
import os
import re
import shutil
import stat
import tempfile
import time
from pathlib import Path
from typing import Iterator, Sequence

from graph_builder.errors import InputError


class PublishError(InputError):
    """An output is refused or could not be written; what was there before is untouched."""


_RENAME_EXCHANGE = 2

_AT_FDCWD = -100

_REASONS = {
    errno.ENOSPC: "no space left on the device (the disk is full)",
    errno.EDQUOT: "the disk quota is used up",
    errno.EFBIG: "the file is too large for the file system or the file-size limit",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ENOTDIR: "it or a folder on its path is a file, not a folder",
    errno.EEXIST: "a file stands where a folder belongs",
    errno.EISDIR: "a folder stands where a file belongs",
}


def describe_os_error(exc: OSError) -> str:
    """A failed write in plain words (a full disk, a read-only file system, ...)."""
    code = exc.errno
    if code is None:  # Oxigraph's errors carry the reason in their text only
        code = next((c for c in _REASONS if os.strerror(c) in str(exc)), None)
    if code in _REASONS:
        return _REASONS[code]
    return exc.strerror or str(exc)


_RANDOM = "[a-z0-9_]{8}"  # the random part of tempfile's names

_LEGACY_AGE = 3600.0  # seconds: a leftover named without a pid (older versions) untouched this long is stale


def _prefix(target: Path, role: str) -> str:
    return f".{target.name}.{role}-{os.getpid()}-"


@contextlib.contextmanager
def private_folder(target: Path, role: str = "staging") -> Iterator[Path]:
    """A new folder beside ``target``, named by the rule, locked while in use, removed with its content at the end."""
    path = Path(tempfile.mkdtemp(prefix=_prefix(target, role), dir=target.parent))
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
        os.close(fd)


def private_file(target: Path) -> tuple[int, Path]:
    """A new file beside ``target``, named by the rule and locked: its descriptor (the caller closes it) and path."""
    fd, name = tempfile.mkstemp(prefix=_prefix(target, "tmp"), dir=target.parent)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return fd, Path(name)


def _leftover(name: str | None) -> re.Pattern[str]:
    target = ".+" if name is None else re.escape(name)
    return re.compile(rf"\.{target}\.(?:(?:staging|old|tmp)-(?P<pid>[0-9]+)-{_RANDOM}"
                      rf"|(?:staging|old)-{_RANDOM}|{_RANDOM}\.(?:tmp|old))")


def sweep(folder: Path, name: str | None = None) -> list[Path]:
    """Remove what killed runs left in ``folder``: the temporary files and folders of target ``name`` (or any).

    Only entries named by the rule are candidates, and only those whose
    process is gone and whose lock nobody holds are removed (a name without a
    pid, from older versions: when untouched for an hour and not locked).
    Returns what was removed.
    """
    pattern = _leftover(name)
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    removed = []
    for entry in names:
        match = pattern.fullmatch(entry)
        if match is not None and _remove_if_stale(folder / entry, match["pid"]):
            removed.append(folder / entry)
    return removed


def _running(pid: int) -> bool:
    if pid <= 0:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process
        return True
    return True


def _remove_if_stale(path: Path, pid: str | None) -> bool:
    try:
        info = os.lstat(path)
    except OSError:
        return False
    if stat.S_ISLNK(info.st_mode) or (pid is not None and _running(int(pid))):
        return False
    if pid is None and time.time() - info.st_mtime < _LEGACY_AGE:
        return False
    is_dir = stat.S_ISDIR(info.st_mode)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | (os.O_DIRECTORY if is_dir else 0))
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # held by a run still using it: BlockingIOError
        if is_dir:
            shutil.rmtree(path, ignore_errors=True)
        else:
            os.unlink(path)
    except OSError:
        return False
    finally:
        os.close(fd)
    return not os.path.lexists(path)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths; False when the system cannot (then the caller falls back)."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def swap_in(staging: Path, out_dir: Path) -> None:
    """Put the folder ``staging`` at ``out_dir``; afterwards ``staging`` holds the previous one (or nothing)."""
    for _attempt in range(5):
        if out_dir.exists():
            if _exchange(staging, out_dir):
                return
            # no atomic exchange here: move the old folder aside, then the new one in
            aside = Path(tempfile.mkdtemp(prefix=_prefix(out_dir, "old"), dir=out_dir.parent))
            os.rmdir(aside)
            os.rename(out_dir, aside)
            os.rename(staging, out_dir)
            os.rename(aside, staging)
            return
        try:
            os.rename(staging, out_dir)
            return
        except OSError as exc:  # another build created out_dir in between: exchange instead
            if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                raise
    raise PublishError(f"{out_dir}: error: output: could not publish the build (the folder keeps changing)")


def write_synced(path: Path, data: bytes | Sequence[bytes | memoryview]) -> None:
    """Write a new file ``path`` (``data``: its bytes, or its parts in order) and flush it to disk."""
    with open(path, "wb") as fh:
        for part in [data] if isinstance(data, bytes) else data:
            fh.write(part)
        fh.flush()
        os.fsync(fh.fileno())


def write_atomic(path: Path, text: str | bytes, *, durable: bool = True) -> None:
    """Write ``path`` through a private temporary file in the same folder, then rename: the one atomic writer.

    Readers see the old file or the new one, never a half-written file. The
    temporary file follows this module's rule (``.NAME.tmp-PID-*``, locked
    while written). ``durable`` (outputs): the leftovers a killed run left
    beside ``path`` are removed first, and the file and its folder are synced
    to disk; without it (cache entries, whose folder is swept when opened) an
    entry may read empty or cut after a crash, which its reader takes as a
    miss. A failed write raises ``OSError`` and leaves ``path`` as it was.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode("utf-8") if isinstance(text, str) else text
    if durable:
        sweep(path.parent, path.name)
    fd, tmp = private_file(path)
    try:
        os.fchmod(fd, 0o666 & ~current_umask())
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)  # still locked: a sweep never takes it for a leftover
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if not durable:
        return
    try:
        fsync_dir(path.parent)
    except OSError:
        pass
