"""The project's error vocabulary below the API (the API maps these to HTTP problems)."""

from __future__ import annotations

from dataclasses import dataclass


class StockpilotError(Exception):
    """Base of every error stockpilot raises on purpose."""


@dataclass(frozen=True)
class DataIssue:
    """One rule broken by one value: where (file, row, column), what (value) and why (rule).

    ``row`` is the 1-based data row in the file (the header is row 0), ``None`` for a
    file-level problem (missing column, empty file, bad encoding)."""

    file: str
    row: int | None
    column: str | None
    value: object
    rule: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column {self.column!r}"
        value = "" if self.value is None else f" (value {self.value!r})"
        return f"{where}: {self.rule}{value}"


class DataValidationError(StockpilotError):
    """A data file or frame broke one or more rules; ``issues`` lists every one of them."""

    def __init__(self, issues: list[DataIssue], max_shown: int = 20):
        self.issues = list(issues)
        shown = "\n  ".join(str(i) for i in self.issues[:max_shown])
        more = len(self.issues) - max_shown
        tail = f"\n  ... and {more} more" if more > 0 else ""
        super().__init__(f"{len(self.issues)} problem(s) in the input:\n  {shown}{tail}")


class NotFoundError(StockpilotError):
    """A named entity (item, supplier, warehouse, campaign, ...) does not exist."""

