"""Where a report goes: stdout (data only; notes to stderr) or an --output file.

The rules (docs/usage.md, "Writing output and limits"):
- a regular file is replaced atomically (a temporary file in the same folder, then a rename),
  keeping its mode and owner; a read-only file is refused unless --force;
- a symlink is followed: its target is written (atomically), the link itself stays;
- a character device (/dev/null, a terminal) or a FIFO is opened and written in place, never
  replaced; the file behind our own stdout (/dev/stdout) is written through stdout;
- block devices, sockets and folders are refused;
- an input (the bundled data, any catalog given, the --profile file) is never overwritten.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from llm_pick.catalog.read import describe, kind
from llm_pick.errors import OutputError
from llm_pick.render.safe import one_line

if TYPE_CHECKING:  # the reports: imported when one is written (not for --help)
    from pathlib import Path  # imported where a file is written (start-up)

    from llm_pick.reports.report import Report


def emit(
    report: Report,
    fmt: str,
    output: Path | None,
    inputs: Iterable[str | Path | None] = (),
    *,
    force: bool = False,
) -> None:
    """Write the report to stdout or to --output; notes go to stderr."""
    from llm_pick.cli.amounts import flush_readings
    from llm_pick.reports.report import console, render_text

    if output is None:
        flush_readings()
        with stdout_errors():
            if fmt == "table":
                text = _plain_table(report)
                if text is not None:
                    sys.stdout.write(text)
                elif report.table is not None:
                    console(color=not os.environ.get("NO_COLOR")).print(report.table(), crop=False)
            else:
                pretty = sys.stdout.isatty()  # JSON: indented on a terminal, compact when piped
                sys.stdout.write(render_text(report, fmt, pretty=pretty))
            sys.stdout.flush()
    else:
        how = write_output(output, render_text(report, fmt, pretty=False), inputs, force=force)
        flush_readings()  # after the file is written: a failed write stays the one Error line
        report.notes.append(f"{how} {output}")
    for note in report.notes:
        sys.stderr.write(one_line(note) + "\n")


def _plain_table(report: Report) -> str | None:
    """The table written without rich when stdout gets no colour (render/plain.py)."""
    if report.plain is None or report.table is None:
        return None
    from llm_pick.render.plain import plain_width
    from llm_pick.reports.report import MIN_WIDTH

    width = plain_width(MIN_WIDTH)
    return None if width is None else report.plain(width)


@contextmanager
def stdout_errors() -> Iterator[None]:
    """Turn a failed write to stdout (full disk, closed descriptor) into one OutputError; a
    closed pipe (`| head`) propagates as BrokenPipeError, which the boundary keeps quiet."""
    try:
        yield
    except BrokenPipeError:
        raise
    except OSError as error:
        silence_stdout()
        raise OutputError(f"cannot write to stdout: {describe(error)}") from None


def silence_stdout() -> None:
    """Point fd 1 at /dev/null so unwritten buffered output cannot fail again at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)
    except (OSError, ValueError):
        pass


def write_output(
    output: str | Path, text: str, inputs: Iterable[str | Path | None] = (), *, force: bool = False
) -> str:
    """Write `text` to `output` by the rules above; returns 'Wrote', 'Replaced' or 'Wrote to'
    (in place). OutputError, with nothing changed, when it cannot or must not."""
    from pathlib import Path

    name = str(output)
    try:
        info: os.stat_result | None = os.stat(name)
    except FileNotFoundError:
        info = None
    except OSError as error:
        raise OutputError(f"{name}: {describe(error)}") from None
    guard_output(Path(name), inputs)
    if info is not None and _is_stdout(info):
        with stdout_errors():
            sys.stdout.write(text)
            sys.stdout.flush()
        return "Wrote to"
    if info is not None and (stat.S_ISCHR(info.st_mode) or stat.S_ISFIFO(info.st_mode)):
        _write_in_place(name, text)
        return "Wrote to"
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise OutputError(f"{name}: is a directory")
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise OutputError(f"{name}: is {kind(info.st_mode)}: refusing to write to it")
    target = Path(os.path.realpath(name))  # a symlink's target, never the link itself
    if target.is_relative_to("/dev") or target.is_relative_to("/proc"):
        _write_in_place(name, text)  # never replace a system file, whatever its type
        return "Wrote to"
    if info is not None and not force and _read_only(target, info):
        raise OutputError(f"{name}: the file is read-only; --force replaces it")
    write_atomic(target, text, force=force)
    return "Replaced" if info is not None else "Wrote"


def guard_output(output: Path, inputs: Iterable[str | Path | None] = ()) -> None:
    """Refuse to write over an input: the installed package and its data files, every
    catalog given by option or LLM_PICK_CATALOG, the --profile file."""
    from pathlib import Path

    from llm_pick.catalog.datafiles import folder
    from llm_pick.catalog.load import env_paths
    from llm_pick.errors import LlmPickError

    target = Path(os.path.realpath(output))
    package = Path(os.path.realpath(Path(__file__).parents[1]))
    data = Path(os.path.realpath(folder()))
    if target.is_relative_to(package) or target.is_relative_to(data):
        raise OutputError(f"{output}: refusing to overwrite an input file (llm-pick's own data)")
    try:
        extra = env_paths()
    except LlmPickError:
        extra = []
    for path in [*extra, *inputs]:
        if path is None or not str(path):
            continue
        if Path(os.path.realpath(path)) == target or _same_file(path, output):
            raise OutputError(
                f"{output}: refusing to overwrite an input file (catalog or profile {path})"
            )


def write_atomic(path: str | Path, text: str, *, force: bool = False) -> None:
    """Write text to path via a temporary file in the same folder and a rename: readers see
    the old file or the new one, never a partial one, and a failure leaves the old intact.
    A replaced file's mode and owner are kept."""
    from pathlib import Path

    target = Path(path)
    folder = target.parent
    if target.is_dir():
        raise OutputError(f"{path}: is a directory")
    try:
        keep: os.stat_result | None = os.stat(target)
    except OSError:
        keep = None
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{path}: {folder} is not a folder")
    if not folder.is_dir():
        raise OutputError(f"{path}: folder {folder} does not exist")
    import tempfile

    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".llm-pick-", suffix=".tmp")
    except OSError as error:
        raise OutputError(f"{path}: cannot write in {folder}: {describe(error)}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
            if keep is not None:
                _keep_owner(handle.fileno(), keep, path, force=force)
        if keep is not None:
            os.chmod(tmp, keep.st_mode & 0o7777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except OSError as error:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"{path}: cannot write: {describe(error)}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _keep_owner(fd: int, keep: os.stat_result, path: str | Path, *, force: bool) -> None:
    mine = os.fstat(fd)
    if (mine.st_uid, mine.st_gid) == (keep.st_uid, keep.st_gid):
        return
    try:
        os.fchown(fd, keep.st_uid, keep.st_gid)
    except PermissionError:
        if not force:
            raise OutputError(
                f"{path}: replacing it would change its owner (not allowed to keep it); "
                "--force replaces it anyway"
            ) from None


def _write_in_place(name: str, text: str) -> None:
    """A device or FIFO: open and write, never replace (a FIFO waits for its reader)."""
    try:
        with open(name, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
    except OSError as error:
        raise OutputError(f"{name}: cannot write: {describe(error)}") from None


def _is_stdout(info: os.stat_result) -> bool:
    try:
        mine = os.fstat(sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        return False
    return (mine.st_dev, mine.st_ino) == (info.st_dev, info.st_ino)


def _read_only(path: Path, info: os.stat_result) -> bool:
    return not info.st_mode & 0o222 or not os.access(path, os.W_OK)


def _same_file(a: str | Path, b: str | Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        return False
