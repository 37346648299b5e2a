"""The one error the catalogue domain raises for a refused action."""

from __future__ import annotations


class CatalogueError(ValueError):
    """A refused action, already translated for the user; `field` names the form field when there is one."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field
