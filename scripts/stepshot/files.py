"""Files on disk: writes that are never half-done, the one JSON format, bounded reads, confined paths.

Every module that writes or reads the project's files goes through here, so a kill at any moment leaves
whole files, every JSON file looks the same, and no input can make a read unbounded.
"""

from __future__ import annotations

import errno
import json
import os
import tempfile
from pathlib import Path

from .errors import BadInput, CannotWrite

# Files a killed write may leave next to their target; Manifest.reconcile removes them.
TEMP_PREFIX = ".stepshot-tmp-"
# No input file of the project comes near this; a bigger one is a mistake or an attack.
MAX_INPUT_BYTES = 4_000_000


def display_path(path: Path) -> str:
    """The path as the reader typed it: relative to the current directory when it lies under it."""
    try:
        return Path(path).resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a symlink loop (Python 3.11)
        return str(path)


def problem(path: Path, where: str, message: str) -> str:
    """One problem as one line: `file: path.to.field: message`."""
    return f"{display_path(path)}: {where}: {message}"


def write_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write to a temp file in the same folder, flush it to disk, then rename it into place.

    A reader (or a kill at any moment) sees either the old file or the new one, never a part.
    `mode` is set before the rename, so a private file is never readable by others, even briefly.
    A failure (disk full, read-only folder) is CannotWrite (exit 4) naming the file; the old file is untouched.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=path.parent)
    except OSError as exc:
        raise CannotWrite(problem(path, "(file)", f"cannot write: {exc.strerror}")) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), mode)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise CannotWrite(problem(path, "(file)", f"cannot write: {exc.strerror}")) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)  # the rename itself survives a crash
    finally:
        os.close(dir_fd)


def remove_temp_files(folder: Path) -> list[Path]:
    """Delete what killed writes left behind under folder; return what was removed."""
    removed = sorted(folder.rglob(f"{TEMP_PREFIX}*")) if folder.exists() else []
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


def to_json(data) -> bytes:
    """The one serialisation of our JSON files: sorted keys, 2-space indent, trailing newline."""
    return (json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def read_text(path: Path, limit: int = MAX_INPUT_BYTES) -> str:
    """A regular file's text, at most `limit` bytes; BadInput (one line) for anything else.

    Not a FIFO, device or folder (a read would hang or fail); UTF-8; not over the limit.
    """
    path = Path(path)
    try:
        if _symlink_loop(path):
            raise BadInput(problem(path, "(file)", "a symlink loop"))
        if not path.is_file():
            raise BadInput(problem(path, "(file)", "not found" if not path.exists() else "not a regular file"))
        if path.stat().st_size > limit:
            raise BadInput(problem(path, "(file)", f"larger than {limit // 1_000_000} MB"))
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise BadInput(problem(path, "(file)", "not UTF-8 text")) from None
    except OSError as exc:
        raise BadInput(problem(path, "(file)", f"cannot read: {exc.strerror or exc}")) from None


def _symlink_loop(path: Path) -> bool:
    try:
        path.resolve(strict=False)
    except RuntimeError:
        return True
    except OSError as exc:
        return exc.errno == errno.ELOOP
    return False


def read_json(path: Path, missing: dict | None = None, missing_message: str = "not found") -> dict:
    """One of the project's JSON files as an object; `missing` (if given) stands in for an absent file.

    Every problem is BadInput with one line: absent file, not a file, too big, not UTF-8, invalid JSON
    (with its line), too deeply nested, not an object.
    """
    path = Path(path)
    if not path.exists() and not path.is_symlink():
        if missing is not None:
            return missing
        raise BadInput(problem(path, "(file)", missing_message))
    text = read_text(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInput(problem(path, f"line {exc.lineno}", f"invalid JSON: {exc.msg}")) from None
    except RecursionError:
        raise BadInput(problem(path, "(file)", "nested too deeply")) from None
    if not isinstance(data, dict):
        raise BadInput(problem(path, "(top)", "expected an object"))
    return data


def inside(path: Path, folder: Path) -> bool:
    """True when `path`, with every symlink resolved, lies under `folder` (also resolved)."""
    try:
        return Path(path).resolve().is_relative_to(Path(folder).resolve())
    except (OSError, RuntimeError):  # a symlink loop
        return False


def confined(folder: Path, relative: str, what: str, source: Path) -> Path:
    """`folder / relative`, refusing a relative path that leaves the folder (`..`, absolute, symlinks out).

    `what` and `source` name the field and file the path came from, for the one-line error.
    """
    parts = Path(relative).parts
    if not relative or Path(relative).is_absolute() or ".." in parts or "\\" in relative or "\x00" in relative:
        raise BadInput(problem(source, what, f"{relative!r}: not a path inside {display_path(folder)}"))
    target = folder / relative
    if not inside(target, folder):
        raise BadInput(problem(source, what, f"{relative!r}: leads outside {display_path(folder)} (symlink)"))
    return target
