"""Errors the user can act on. Each renders as one line: what failed, in which file/column."""

from __future__ import annotations


class TocsinError(Exception):
    """Base of every error Tocsin reports to a user (the CLI prints it in one line, exit 1)."""


class DataError(TocsinError):
    """A source file could not be read, verified or parsed."""

    def __init__(self, file: str, message: str, column: str | None = None) -> None:
        self.file = file
        self.column = column
        self.message = message
        where = f"{file}" + (f" [column {column!r}]" if column else "")
        super().__init__(f"{where}: {message}")


class ChecksumError(DataError):
    """A downloaded file's sha256 differs from the pinned one."""


class SchemaError(DataError):
    """A file lacks a required column, or a column holds the wrong kind of values."""


class DownloadError(DataError):
    """A file could not be fetched (missing from the mirror, or network failure)."""


class CountryNotFoundError(TocsinError):
    """A country name or code matched nothing; carries close matches."""

    def __init__(self, query: str, suggestions: list[str]) -> None:
        self.query = query
        self.suggestions = suggestions
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"Unknown country {query!r}.{hint}")


class WarehouseError(TocsinError):
    """The warehouse is missing, or lacks a table a command needs."""


class ModelError(TocsinError):
    """An unknown model name, or a model used before it was fitted."""
