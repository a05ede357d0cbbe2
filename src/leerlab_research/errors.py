"""Exceptions that the CLI turns into a clear message and an exit code.

Every user-facing failure is one of these. The CLI prints ``str(error)`` (no
traceback unless ``--debug``) and exits with ``error.exit_code``:

* 0 success
* 1 data failed validation, or an input file could not be read (:class:`DataError`)
* 2 configuration or usage error (:class:`ConfigError`)
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

EXIT_OK = 0
EXIT_DATA = 1
EXIT_CONFIG = 2


class LeerlabError(Exception):
    """Base class: a failure the user can act on, with a list of problems."""

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
