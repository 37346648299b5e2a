"""The one error the providers domain raises for a refused action."""

from __future__ import annotations


class ProviderError(ValueError):
    """A refused action, already translated for the user; `field` names the form field when there is one."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field
