"""Exceptions raised by the agentbay package.

As in the official SDK, most failures of the service come back as result
objects with ``success=False``; exceptions are kept for programming errors
(a closed client, a library that cannot be loaded) and for the few calls the
reference documents as raising (``AsyncSession.delete``).
"""

from __future__ import annotations


class AgentBayError(Exception):
    """Base class of every error of this package.

    Attributes:
        message: the human-readable message.
        error_kind: the stable kind of the error, e.g. ``"not_found"``,
            ``"invalid_argument"``, ``"cancelled"`` ("" when not known).
        request_id: the service's request id, or "".
    """

    def __init__(self, message: str = "", *, error_kind: str = "", request_id: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.error_kind = error_kind
        self.request_id = request_id


class SessionError(AgentBayError):
    """A session operation failed (raised by ``delete`` as the reference says)."""
