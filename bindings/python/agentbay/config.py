"""Client configuration and session parameters, as in the official SDK."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Optional

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
        region_id: the official SDK's login region; not supported here, so
            it must stay None (a client made with it raises AgentBayError).
        emulate: for the embedded backend only (an addition to the official
            SDK): how long its transitions take, as in the cloud, e.g.
            ``{"pause": "1.5s", "resume": "1.5s"}`` (keys ``create``,
            ``pause``, ``resume``, ``delete``; a duration or a range such as
            ``"1s-2s"``), to test against cloud-like timing offline.
    """

    endpoint: Optional[str] = None
    timeout_ms: Optional[int] = None
    region_id: Optional[str] = None
    emulate: Optional[Dict[str, str]] = None


@dataclass
class ContextSync:
    """A context to mount in a new session, as the official SDK's.

    Attributes:
        context_id: the context's id (``agent_bay.context.get(...).context_id``).
        path: where the session sees it, a folder under /home/wuying or /tmp.
        policy: the official SyncPolicy as a dict, e.g.
            ``{"uploadPolicy": {"autoUpload": False}}`` (None: the default,
            which uploads the folder back when the session ends); an object
            with those attributes works too.
    """

    context_id: str
    path: str
    policy: Optional[Any] = None


@dataclass
class ContextListParams:
    """Paging of ``agent_bay.context.list``."""

    max_results: Optional[int] = None
    next_token: Optional[str] = None
    session_id: Optional[str] = None


@dataclass
class CreateSessionParams:
    """Parameters of a new session, in the official SDK's order.

    Attributes:
        labels: initial labels (a dict of str to str).
        image_id: the image, e.g. ``"linux_latest"`` (the service's default).
        context_syncs: contexts to mount, a list of ContextSync; ``create``
            returns once they are in the session.
        browser_context: not supported; must be None.
        is_vpc: not supported; must be None or False.
        policy_id: the MCP policy to apply.
        enable_browser_replay: None or True (the default, recording on);
            False is not supported.
        extra_configs: not supported; must be None.
        framework: the official SDK's usage-statistics tag; accepted and
            ignored.
        idle_release_timeout: release the session after this many seconds
            (a whole number) without activity; ``keep_alive`` and every call
            on the session restart the clock. None: the service's default.

    ``create`` answers a failed SessionResult (``error_kind``
    ``"unsupported"``) for a field set to something it does not support.
    """

    labels: Optional[Dict[str, str]] = None
    image_id: Optional[str] = None
    context_syncs: Optional[Any] = None
    browser_context: Optional[Any] = None
    is_vpc: Optional[bool] = None
    policy_id: Optional[str] = None
    enable_browser_replay: Optional[bool] = None
    extra_configs: Optional[Any] = None
    framework: Optional[str] = None
    idle_release_timeout: Optional[int] = None
