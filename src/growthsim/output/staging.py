"""Files and folders written whole or not at all, and never over what they must not replace.

``StagedOutput`` collects a command's files in a hidden staging folder beside the destination and
moves it into place (a rename) only when the command has succeeded; on any failure, a full disk or
Ctrl-C included, the staging folder is removed and the earlier results stay as they were. While a
folder is being written it is locked: a second command writing the same folder fails at once,
clearly, instead of the two replacing each other's files. ``write_single_file`` does the same for
one file (the HTML report, a chart of the run history). What each command writes (``RUN_OUTPUT`` ...) decides what may be
replaced: never another command's results or a planner's own files.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from growthsim.i18n import _
from growthsim.scenario.diagnostics import shown_path

__all__ = [
    "COMPARE_CHARTS",
    "COMPARE_OUTPUT",
    "RUN_CHARTS",
    "RUN_OUTPUT",
    "SENSITIVITY_CHARTS",
    "SENSITIVITY_OUTPUT",
    "OutputError",
    "StagedOutput",
    "check_single_file",
    "file_sha256",
    "os_reason",
    "write_single_file",
    "write_single_file_with",
]

# What each command writes into its folder. An existing folder is replaced only when everything in it
# is what the same command writes (an earlier run of it): never another command's results, never a
# planner's own files, so that one folder per purpose stays safe to reuse.
_CHART = r"\.(png|svg)"
RUN_OUTPUT = re.compile(rf"summary\.(csv|json|xlsx)|manifest\.json|draws\.csv|(overview|outcome-[A-Za-z0-9_]+){_CHART}")
COMPARE_OUTPUT = re.compile(rf"compare\.(csv|json|xlsx)|manifest\.json|compare-overview{_CHART}")
SENSITIVITY_OUTPUT = re.compile(rf"sensitivity\.(csv|json|xlsx)|manifest\.json|tornado-[A-Za-z0-9_]+{_CHART}")
RUN_CHARTS = re.compile(rf"(overview|outcome-[A-Za-z0-9_]+){_CHART}")
COMPARE_CHARTS = re.compile(rf"compare-overview{_CHART}")
SENSITIVITY_CHARTS = re.compile(rf"tornado-[A-Za-z0-9_]+{_CHART}")
_ANY_OUTPUT = (RUN_OUTPUT, COMPARE_OUTPUT, SENSITIVITY_OUTPUT)


class OutputError(Exception):
    """The output folder cannot be used; the message says why and what to do."""


class StagedOutput:
    """A folder whose files appear together on ``commit()`` or not at all.

    The destination must not exist, or hold only files this command writes (``replaces``: an
    earlier run of it, replaced as a whole) none of which was changed since (checked against the
    earlier run's manifest): another command's results, a planner's own files or an edited
    summary are refused rather than mixed or lost. ``option`` names the option in messages.
    """

    def __init__(self, destination: str | Path, replaces: re.Pattern = RUN_OUTPUT, option: str = "--out"):
        self.destination = Path(destination)
        self.committed = False
        _check_name(self.destination)
        if self.destination.exists() and not self.destination.is_dir():
            raise OutputError(_("{destination} exists and is not a folder").format(destination=self.destination))
        self._created_parents: list[Path] = []
        parent = self.destination.parent
        missing = []
        while not parent.exists():
            missing.append(parent)
            parent = parent.parent
        self._lock: _FolderLock | None = None
        try:
            for folder in reversed(missing):
                folder.mkdir()
                self._created_parents.append(folder)
            self._lock = _FolderLock(self.destination, option)
            if self.destination.exists():  # checked under the lock: as the last writer left it
                _check_replaceable(self.destination, replaces, option)
            prefix = _hidden_prefix(self.destination, "partial")
            self.staging = Path(tempfile.mkdtemp(prefix=prefix, dir=self.destination.parent))
            umask = os.umask(0)
            os.umask(umask)
            self.staging.chmod(0o777 & ~umask)  # mkdtemp makes it private; the result is an ordinary folder
        except OSError as exc:
            self._release()
            raise OutputError(
                _("cannot create the output folder {destination}: {strerror}").format(
                    destination=self.destination, strerror=os_reason(exc)
                )
            ) from None
        except OutputError:
            self._release()
            raise

    def path(self, name: str) -> Path:
        return self.staging / name

    def write_text(self, name: str, text: str, bom: bool = False) -> None:
        with open(self.path(name), "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
            f.write(text)

    def commit(self) -> None:
        """Move the staged files into place: a rename, so readers see the old set or the new one."""
        old = None
        if self.destination.exists():
            old = self.destination.with_name(f"{_hidden_prefix(self.destination, 'old')}{os.getpid()}")
            os.rename(self.destination, old)
        try:
            os.rename(self.staging, self.destination)
        except OSError:
            if old is not None:  # put the earlier run back: the old set or the new one, never neither
                os.rename(old, self.destination)
            raise
        self.committed = True
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        self._release(keep_parents=True)

    def discard(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)
        self._release()

    def _release(self, keep_parents: bool = False) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None
        if not keep_parents:
            for folder in reversed(self._created_parents):
                with contextlib.suppress(OSError):
                    folder.rmdir()

    def __enter__(self) -> StagedOutput:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if not self.committed:
            self.discard()


class _FolderLock:
    """An advisory lock on a hidden file beside a folder being written, held until the folder is in
    place or given up: a second command writing the same folder fails at once with a message (the
    two would otherwise replace each other's files at the last moment). The lock file is removed on
    release; a lock the system releases when a process dies (flock, msvcrt) leaves no stale lock."""

    def __init__(self, destination: Path, option: str):
        self.path = destination.with_name(_hidden_prefix(destination, "lock").rstrip("-"))
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
            try:
                _lock_file(fd)
            except OSError as exc:
                os.close(fd)
                if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK, errno.EDEADLK):
                    raise OutputError(
                        _(
                            "another growthsim command is writing {folder} at this moment: wait for it to finish, "
                            "or choose another folder for {option}"
                        ).format(folder=destination, option=option)
                    ) from None
                raise
            try:  # the holder may have released (and removed) the file between our open and our lock
                current = os.path.samestat(os.fstat(fd), os.stat(self.path))
            except FileNotFoundError:
                current = False
            if current:
                self.fd = fd
                return
            os.close(fd)

    def release(self) -> None:
        with contextlib.suppress(OSError):  # Windows cannot remove an open file: it stays, unlocked
            os.unlink(self.path)
        os.close(self.fd)


def _lock_file(fd: int) -> None:
    """Lock ``fd`` without waiting; OSError (EAGAIN, EACCES) if another process holds it."""
    if sys.platform == "win32":  # a platform check, not try/except ImportError: mypy follows it
        import msvcrt

        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def os_reason(exc: OSError) -> str:
    """Why the system refused, in the planner's language for what a planner can act on (the
    system's own words, often English, otherwise)."""
    words = {
        errno.ENOSPC: _("the disk is full"),
        errno.EFBIG: _("the file is larger than this system allows"),
        errno.EACCES: _("permission denied"),
        errno.EROFS: _("the disk is read-only"),
        errno.ENAMETOOLONG: _("the name is too long"),
    }
    if getattr(errno, "EDQUOT", None) is not None:
        words[errno.EDQUOT] = _("the disk quota is used up")
    return words.get(exc.errno or 0, exc.strerror or str(exc))


def _hidden_prefix(path: Path, purpose: str) -> str:
    """The name of a hidden file or folder beside ``path`` while it is written (or replaced): short
    enough for any file system whatever the length of ``path``'s own name."""
    return f".{path.name[:64]}.{purpose}-"


def _check_name(path: Path) -> None:
    """A name longer than the file system allows, or none at all (".", "/"), refused before anything
    is run, in words: each output is a folder or file of its own, replaced whole."""
    if path.name in ("", ".", ".."):
        raise OutputError(
            _("{path} is not a name of its own: give a new folder or file name, e.g. 结果2023").format(path=path)
        )
    existing = path.parent
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    try:
        limit = os.pathconf(existing, "PC_NAME_MAX")
    except (AttributeError, OSError, ValueError):  # Windows has no pathconf: NTFS and FAT allow 255
        limit = 255
    for part in path.parts:
        if len(os.fsencode(part)) > limit:
            raise OutputError(
                _(
                    "the name {name}… is {n} bytes long: the file system allows at most {limit}; choose a shorter one"
                ).format(name=shown_path(part)[:24], n=len(os.fsencode(part)), limit=limit)
            )


def check_single_file(path: str | Path, marker: str, example: str = "report.html") -> None:
    """Raise OutputError unless ``path`` can take a file of ours: absent, or a file holding ``marker``
    in its first 4 KB (one we wrote before). Checked before a long run, so that it fails at once;
    ``example`` is the file name a folder given instead is told to add."""
    path = Path(path)
    _check_name(path)
    if path.is_dir():
        raise OutputError(
            _("{path} is a folder: give a file name, e.g. {value}").format(path=path, value=path / example)
        )
    if path.exists():
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                head = f.read(4096)
        except OSError as exc:
            raise OutputError(_("cannot read {path}: {strerror}").format(path=path, strerror=os_reason(exc))) from None
        if marker not in head:
            raise OutputError(
                _("{path} already exists and was not written by growthsim: choose another file name").format(path=path)
            )


def write_single_file(path: str | Path, text: str, marker: str) -> None:
    """Write ``text`` to ``path`` whole: into a temporary file beside it, then renamed into place, so
    that the file is the old one or the new one, never half written. Creates missing folders."""

    def write(temporary: Path) -> None:
        with open(temporary, "w", encoding="utf-8", newline="") as f:
            f.write(text)

    write_single_file_with(path, write, marker)


def write_single_file_with(
    path: str | Path, write: Callable[[Path], None], marker: str, example: str = "report.html"
) -> None:
    """As write_single_file, for a file another library writes (a chart): ``write(temporary)``
    writes it into a temporary file beside ``path``, which is then renamed into place."""
    path = Path(path)
    check_single_file(path, marker, example)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=_hidden_prefix(path, "partial"), dir=path.parent)
        os.close(handle)
    except OSError as exc:
        raise OutputError(_("cannot write {path}: {strerror}").format(path=path, strerror=os_reason(exc))) from None
    temporary = Path(name)
    try:
        write(temporary)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # mkstemp makes it private; the result is an ordinary file
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _check_replaceable(folder: Path, replaces: re.Pattern, option: str) -> None:
    names = sorted(p.name for p in folder.iterdir())
    foreign = [name for name in names if not replaces.fullmatch(name)]
    if foreign:
        listed = ", ".join(foreign[:3]) + (", ..." if len(foreign) > 3 else "")
        if all(any(kind.fullmatch(name) for kind in _ANY_OUTPUT) for name in foreign):
            raise OutputError(
                _(
                    "{folder} holds the output of another growthsim command ({listed}), which this one would replace: choose another folder for {option} (to keep a run's charts with its results, give --out and --plot the same folder)"
                ).format(folder=folder, listed=listed, option=option)
            )
        raise OutputError(
            _("{folder} already holds other files ({listed}); choose a new or empty folder for {option}").format(
                folder=folder, listed=listed, option=option
            )
        )
    manifest_path = folder / "manifest.json"
    if not names or not replaces.fullmatch("manifest.json"):
        return  # empty, or a chart folder (--plot): it has no manifest, its names say what it holds
    # a results folder is ours only as its manifest lists it: without one (deleted, or a planner's own
    # summary.csv) or with a file it does not list (a picture saved as overview.png), growthsim cannot
    # tell its files from the planner's, and replacing the folder would lose them
    try:
        recorded = json.loads(manifest_path.read_text(encoding="utf-8")).get("files")
    except (OSError, ValueError, AttributeError):
        recorded = None
    if not isinstance(recorded, dict):
        raise OutputError(
            _(
                "{folder} has no manifest.json listing its files, so growthsim cannot tell them from yours: choose "
                "another folder for {option}, or empty this one yourself"
            ).format(folder=folder, option=option)
        )
    unlisted = [name for name in names if name != "manifest.json" and name not in recorded]
    if unlisted:
        raise OutputError(
            _(
                "{folder} holds {listed}, which its manifest does not list (not written by growthsim): save it "
                "elsewhere before writing into {folder} again, or choose another folder for {option}"
            ).format(folder=folder, listed=", ".join(unlisted[:3]), option=option)
        )
    for name, digest in recorded.items():
        path = folder / name
        if path.is_file() and file_sha256(path) != digest:
            raise OutputError(
                _(
                    "{path} was changed after growthsim wrote it; save your version elsewhere (or delete it) before writing into {folder} again, or choose another folder for {option}"
                ).format(path=path, folder=folder, option=option)
            )


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
