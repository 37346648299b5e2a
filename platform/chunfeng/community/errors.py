"""The community's user-facing refusals."""

from __future__ import annotations


class CommunityError(ValueError):
    """A user-facing refusal, already translated; `field` names the form field it belongs to, if any."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


class RateLimited(CommunityError):
    """Too many posts in the last hour."""
