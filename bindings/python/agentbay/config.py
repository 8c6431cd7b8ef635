"""Client configuration and session parameters, as in the official SDK."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Optional

EMBEDDED = "embedded"
"""The endpoint that runs sessions on the local backend inside this process."""


@dataclass
class Config:
    """Where and how a client talks to AgentBay.

    Attributes:
        endpoint: ``"embedded"`` for the local backend in this process, a host
            (``wuyingai.cn-shanghai.aliyuncs.com``), ``host:port``, or an
            ``http(s)://`` URL. None takes AGENTBAY_ENDPOINT, else the cloud
            when an API key is set, else ``"embedded"``.
        timeout_ms: the time limit of one service request in milliseconds.
            None takes AGENTBAY_TIMEOUT_MS, else 60000.
    """

    endpoint: Optional[str] = None
    timeout_ms: Optional[int] = None


@dataclass
class CreateSessionParams:
    """Parameters of a new session.

    Attributes:
        labels: initial labels (a dict of non-blank strings).
        image_id: the image, e.g. ``"linux_latest"`` (the service's default).
        policy_id: the MCP policy to apply.
    """

    labels: Optional[Dict[str, str]] = None
    image_id: Optional[str] = None
    policy_id: Optional[str] = None
