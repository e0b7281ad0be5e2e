"""Domain errors: a stable code that never changes once shipped, a translated
message for people, and the HTTP status the web and API layers answer with."""

from django.utils.functional import Promise


class DomainError(Exception):
    code = "error"
    status = 400

    def __init__(
        self, message: str | Promise, *, code: str | None = None, status: int | None = None
    ):
        super().__init__(str(message))
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status


class NotAllowed(DomainError):
    code = "not_allowed"
    status = 403
