"""Read an input file (catalog, data or profile file) safely: regular files only, never more
than a cap however large the file says it is, and one clear line for every failure."""

from __future__ import annotations

import os
import re
import stat

from llm_pick.errors import CatalogError

# "https://x" arrives as "https:/x" when the CLI has made it a Path
_URL = re.compile(r"(?:https?|ftps?|file|s3|gs|hf|ssh|sftp|git)://?", re.IGNORECASE)


def is_url(name: str) -> bool:
    return _URL.match(name.strip()) is not None


def read_input(name: str, limit: int) -> bytes:
    """The bytes of file `name`, or CatalogError: a URL, a folder, a FIFO or device (they could
    block or never end), more than `limit` bytes (counted as read, not from st_size)."""
    fd = open_regular(name)
    try:
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise CatalogError(
                    f"{name}: larger than the {limit // (1024 * 1024)} MiB limit for this file"
                )
        return b"".join(chunks)
    except OSError as error:
        raise CatalogError(f"{name}: cannot read: {describe(error)}") from None
    finally:
        os.close(fd)


def open_regular(name: str) -> int:
    """A descriptor of regular file `name` opened for reading, or CatalogError: a URL, a
    folder, a FIFO, device or socket (opened without blocking, then refused)."""
    if is_url(name):
        raise CatalogError(f"{name}: URLs are not read (llm-pick works offline): give a file path")
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        raise CatalogError(f"{name}: {describe(error)}") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise CatalogError(f"{name}: is a directory, not a file")
        if not stat.S_ISREG(mode):
            raise CatalogError(f"{name}: not a regular file ({kind(mode)}); give a file")
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_exactly(fd: int, count: int, name: str) -> bytes:
    """`count` bytes from `fd`, or CatalogError when the file ends first."""
    chunks, total = [], 0
    try:
        while total < count:
            chunk = os.read(fd, min(1 << 24, count - total))
            if not chunk:
                raise CatalogError(f"{name}: truncated (ends before byte {count} of what it says)")
            chunks.append(chunk)
            total += len(chunk)
    except OSError as error:
        raise CatalogError(f"{name}: cannot read: {describe(error)}") from None
    return b"".join(chunks)


def kind(mode: int) -> str:
    for test, label in (
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISDIR, "a directory"),
    ):
        if test(mode):
            return label
    return "not a regular file"


def describe(error: OSError) -> str:
    """An OSError as a short reason ('no such file', 'permission denied', ...)."""
    import errno

    reasons = {
        errno.ENOENT: "no such file",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.ENAMETOOLONG: "file name too long",
        errno.ELOOP: "too many levels of symbolic links (a symlink loop?)",
        errno.ENOTDIR: "a part of the path is not a folder",
        errno.EISDIR: "is a directory",
    }
    return reasons.get(error.errno or 0) or (error.strerror or str(error)).lower()
