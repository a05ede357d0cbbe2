"""Exceptions that the CLI turns into a clear message and an exit code.

Every user-facing failure is one of these. The CLI prints ``str(error)`` (no
traceback unless ``--debug``) and exits with ``error.exit_code``:

* 0 success
* 1 data failed validation, or an input file could not be read (:class:`DataError`)
* 2 configuration or usage error (:class:`ConfigError`), or an out folder that cannot
  be written (:class:`OutputError`: read-only, full disk, a file where a folder belongs)
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

EXIT_OK = 0
EXIT_DATA = 1
EXIT_CONFIG = 2


class LeerlabError(ValueError):
    """Base class: a failure the user can act on, with a list of problems.

    A :class:`ValueError`, so that library users who catch ``ValueError`` around a call
    with bad input also catch these.
    """

    exit_code = EXIT_DATA

    def __init__(self, message: str, problems: Iterable[str] = ()) -> None:
        self.message = message
        self.problems = list(problems)
        super().__init__(self.__str__())

    def __str__(self) -> str:
        if not self.problems:
            return self.message
        lines = [self.message] + [f"  - {p}" for p in self.problems]
        return "\n".join(lines)

    def __reduce__(self) -> tuple[object, ...]:
        # Raised in a worker process, the error is pickled back to the parent. The
        # default rebuilds it as cls(*self.args), which fails for a subclass with
        # other arguments (InputFileError) and drops the problem list: the pool then
        # reported a broken worker, a bug (exit 3), instead of the user's error.
        return (_rebuild, (type(self), self.args, self.__dict__))


def _rebuild(cls: type[LeerlabError], args: tuple[object, ...], state: dict) -> LeerlabError:
    """Unpickle a :class:`LeerlabError` without calling its ``__init__``."""
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class ConfigError(LeerlabError):
    """A codebook, labs file or study file is wrong (exit code 2)."""

    exit_code = EXIT_CONFIG


class DataError(LeerlabError):
    """Input data cannot be read or failed validation (exit code 1)."""

    exit_code = EXIT_DATA


class InputFileError(DataError):
    """One input file cannot be read at all (empty, binary, wrong encoding, broken).

    The message always names the file, and the row/column/value where one applies.
    """

    def __init__(
        self,
        path: str | Path,
        reason: str,
        *,
        row: int | None = None,
        column: str | None = None,
        value: object = None,
    ) -> None:
        self.path = str(path)
        self.row = row
        self.column = column
        self.value = value
        where = [f"file '{self.path}'"]
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column '{column}'")
        if value is not None:
            where.append(f"value {value!r}")
        super().__init__(f"{', '.join(where)}: {reason}")


class MissingStageOutput(ConfigError):
    """A stage needs the output of an earlier stage that has not been run."""


class OutputError(LeerlabError):
    """The out folder cannot be written: read-only, full disk, or a file in the way (exit 2)."""

    exit_code = EXIT_CONFIG


#: errno values of an out folder that cannot take a file, with what the user can do.
_OUTPUT_ERRNO = {
    "ENOSPC": "the disk is full: free space or choose another --out",
    "EDQUOT": "the disk quota is used up: free space or choose another --out",
    "EROFS": "the file system is read-only: choose another --out",
    "EACCES": "no permission to write there: choose another --out or fix the folder's rights",
    "EPERM": "no permission to write there: choose another --out or fix the folder's rights",
    "ENOTDIR": "a file stands where a folder is needed: --out must name a folder",
    "EEXIST": "a file stands where a folder is needed: --out must name a folder",
    "EISDIR": "a folder stands where a file is written: remove or rename it",
}


def output_error(path: str | Path, exc: OSError) -> OutputError | None:
    """The :class:`OutputError` for an ``OSError`` met while writing ``path`` (None if other).

    Only the errors of the environment are translated (see ``_OUTPUT_ERRNO``); any
    other ``OSError`` (a missing template, say) stays what it is: a bug.
    """
    import errno

    name = errno.errorcode.get(exc.errno or -1, "")
    hint = _OUTPUT_ERRNO.get(name)
    if hint is None:
        return None
    return OutputError(f"cannot write {path}: {exc.strerror or name} ({hint})")
