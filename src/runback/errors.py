"""runback's one exception tree.

Every error a user can cause derives from :class:`RunbackError`.  Errors about
a file carry its path and, where known, the byte offset or line; the parser's
own exception is chained (``raise ... from exc``).  The CLI turns any
``RunbackError`` into one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class RunbackError(Exception):
    """Base of every error runback raises on purpose."""


class FileError(RunbackError):
    """A problem with one input file.

    Parameters
    ----------
    path
        The file (for a member of an archive, ``archive.zip!member``).
    reason
        What is wrong, in plain words.
    offset
        Byte offset of the problem, where known.
    line
        Line number (1-based) of the problem, where known.
    """

    def __init__(
        self,
        path: str,
        reason: str,
        *,
        offset: int | None = None,
        line: int | None = None,
    ) -> None:
        self.path = str(path)
        self.reason = reason
        self.offset = offset
        self.line = line
        super().__init__(self.__str__())

    def __reduce__(self) -> tuple[object, ...]:
        # keyword-only offset/line: rebuild through a helper so the error can
        # travel back from an import worker process
        return (_rebuild_file_error, (type(self), self.path, self.reason, self.offset, self.line))

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
        if self.offset is not None:
            where += f" (byte {self.offset})"
        return f"{where}: {self.reason}"


def _rebuild_file_error(
    cls: type[FileError], path: str, reason: str, offset: int | None, line: int | None
) -> FileError:
    return cls(path, reason, offset=offset, line=line)


class UnreadableFileError(FileError):
    """The file cannot be decoded: corrupt, empty, malformed or of unknown type."""


class UnsupportedFormatError(UnreadableFileError):
    """The file's extension or content is not a format runback reads."""


class NotAnActivityError(FileError):
    """A valid file that holds no activity (FIT settings, workout, monitoring, weight ...).

    Imports skip these with the reason; they are not failures.
    """


@dataclass(frozen=True)
class RowProblem:
    """One bad row of a user's file: its 1-based line number and what is wrong."""

    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


class JournalError(RunbackError):
    """One or more bad rows in a pain journal; every problem is listed at once."""

    def __init__(self, path: str, problems: Sequence[RowProblem]) -> None:
        self.path = str(path)
        self.problems = list(problems)
        lines = "\n".join(f"  {self.path}:{p}" for p in self.problems)
        self._message = f"{self.path}: {len(self.problems)} bad row(s), nothing imported\n{lines}"
        super().__init__(self.path, self.problems)  # args rebuild the error when unpickled

    def __str__(self) -> str:
        return self._message


class OptionError(RunbackError):
    """A bad option or argument (unknown athlete, bad date, bad profile value ...)."""


class StoreError(RunbackError):
    """The store cannot be read or written."""
