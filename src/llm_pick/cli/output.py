"""Where a report goes: stdout (data only; notes to stderr) or a file written atomically."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from pathlib import Path

from llm_pick.errors import OutputError
from llm_pick.reports.report import Report, console, render_text


def emit(report: Report, fmt: str, output: Path | None, inputs: Iterable[Path] = ()) -> None:
    """Write the report to stdout or to --output; notes go to stderr."""
    if output is None:
        if fmt == "table":
            if report.table is not None:
                console(color=not os.environ.get("NO_COLOR")).print(report.table())
        else:
            pretty = sys.stdout.isatty()  # JSON: indented on a terminal, compact when piped
            sys.stdout.write(render_text(report, fmt, pretty=pretty))
            sys.stdout.flush()
    else:
        guard_output(output, inputs)
        existed = output.exists()
        write_atomic(output, render_text(report, fmt, pretty=False))
        report.notes.append(f"{'Replaced' if existed else 'Wrote'} {output}")
    for note in report.notes:
        sys.stderr.write(note + "\n")


def guard_output(output: Path, inputs: Iterable[Path] = ()) -> None:
    """Refuse to write over an input: the bundled catalog or any catalog given."""
    from llm_pick.catalog.load import bundled_path, env_paths

    target = output.resolve()
    paths: list[str | Path] = [bundled_path(), *env_paths(), *inputs]
    for path in paths:
        if Path(path).resolve() == target:
            raise OutputError(f"{output}: refusing to overwrite an input catalog file")


def write_atomic(path: str | Path, text: str) -> None:
    """Write text to path via a temporary file in the same folder and a rename: readers see
    the old file or the new one, never a partial one, and a failure leaves the old intact."""
    target = Path(path)
    folder = target.parent
    if target.is_dir():
        raise OutputError(f"{path}: is a directory")
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{path}: {folder} is not a folder")
    if not folder.is_dir():
        raise OutputError(f"{path}: folder {folder} does not exist")
    import tempfile

    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as error:
        raise OutputError(f"{path}: cannot write in {folder}: {error.strerror or error}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if target.exists():
            os.chmod(tmp, target.stat().st_mode & 0o7777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except OSError as error:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"{path}: cannot write: {error.strerror or error}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
