"""Domain exceptions. Services raise these with a plain-Chinese message for the user."""

from __future__ import annotations


class DomainError(Exception):
    """A business rule refused the action. ``message`` is shown to the user as it is."""

    code = "domain_error"
    status = 400

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code


class NotFoundOrNotYours(DomainError):
    """The record does not exist or lies outside the user's region: the two look the same."""

    code = "not_found"
    status = 404

    def __init__(self, message: str = "记录不存在或无权访问"):
        super().__init__(message)


class PermissionDeniedError(DomainError):
    code = "permission_denied"
    status = 403

    def __init__(self, message: str = "您没有执行此操作的权限"):
        super().__init__(message)


class ConcurrentEditError(DomainError):
    """Someone else saved the record since this user loaded it."""

    code = "conflict"
    status = 409
