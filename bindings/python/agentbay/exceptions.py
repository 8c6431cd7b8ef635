"""Exceptions raised by the agentbay package.

As in the official SDK, most failures come back as result objects with
``success=False``. The official SDK raises SessionError in a few places,
and so does this package: ``set_labels``, ``get_labels`` and ``get_link``
when the service refuses, ``get_link`` for a port outside 30100-30199, and
``info`` for any failure but an unknown session. AgentBayError is also
raised for programming errors: a closed client, an unusable configuration,
a library that cannot be loaded.
"""

from __future__ import annotations

from typing import Any, Optional


class AgentBayError(Exception):
    """Base class of every error of this package.

    Takes the official SDK's arguments (a message, then anything else, kept
    in ``extra``) plus two keywords of its own.

    Attributes:
        message: the human-readable message (the class name if none was given).
        error_kind: the stable kind of the error, e.g. ``"not_found"``,
            ``"invalid_argument"``, ``"cancelled"`` ("" when not known).
        request_id: the service's request id, or "".
        extra: the other keyword arguments given.
    """

    def __init__(self, message: Optional[str] = None, *args: Any, error_kind: str = "",
                 request_id: str = "", **kwargs: Any) -> None:
        if message is None:
            message = type(self).__name__
        super().__init__(message, *args)
        self.message = message
        self.error_kind = error_kind
        self.request_id = request_id
        self.extra = kwargs


class SessionError(AgentBayError):
    """A session operation failed where the official SDK raises rather than
    returning a failed result (see the module's description)."""

    def __init__(self, message: Optional[str] = "Session error", *args: Any, **kwargs: Any) -> None:
        super().__init__(message, *args, **kwargs)
