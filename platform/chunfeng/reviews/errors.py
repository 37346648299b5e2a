"""The one exception this domain's services raise for a user-facing refusal."""


class ReviewError(ValueError):
    """A refusal already translated into the request's language; `field` names the form field it concerns."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field
