"""The public names and signatures match the official SDK's session API.

OFFICIAL holds what ``inspect.signature`` shows for the official
``wuying-agentbay-sdk`` 0.14.1 (the release whose AsyncSession the reference
documents; 0.15 renamed pause/resume to beta_pause/beta_resume). Ours must
take the same positional parameters, in the same order, with the same
defaults; anything more must come after them with a default (or be
keyword-only). No official SDK is needed to run this.
"""

from __future__ import annotations

import dataclasses
import inspect
import unittest
from pathlib import Path

import agentbay

SESSION = {
    "__init__": ["agent_bay", "session_id"],
    "delete": ["sync_context=False"],
    "set_labels": ["labels"],
    "get_labels": [],
    "info": [],
    "get_link": ["protocol_type=None", "port=None", "options=None"],
    "list_mcp_tools": ["image_id=None"],
    "call_mcp_tool": ["tool_name", "args", "read_timeout=None", "connect_timeout=None",
                      "auto_gen_session=False"],
    "pause": ["timeout=600", "poll_interval=2.0"],
    "pause_async": [],
    "resume": ["timeout=600", "poll_interval=2.0"],
    "resume_async": [],
}
CLIENT = {
    "__init__": ["api_key=''", "cfg=None", "env_file=None"],
    "create": ["params=None"],
    "get": ["session_id"],
    "list": ["labels=None", "page=None", "limit=None", "status=None"],
    "delete": ["session", "sync_context=False"],
}
OFFICIAL = {
    "AsyncAgentBay": CLIENT, "AgentBay": CLIENT, "AsyncSession": SESSION, "Session": SESSION,
    "AgentBayError": {"__init__": ["message=None"]},
    "SessionError": {"__init__": ["message='Session error'"]},
}
# Constructor parameters (names in order) of the official data classes. An
# official required parameter may have a default here.
OFFICIAL_FIELDS = {
    "Config": ["endpoint", "timeout_ms", "region_id"],
    "CreateSessionParams": ["labels", "image_id", "context_syncs", "browser_context", "is_vpc",
                            "policy_id", "enable_browser_replay", "extra_configs", "framework"],
    "ApiResponse": ["request_id"],
    "OperationResult": ["request_id", "success", "data", "error_message", "code", "message",
                        "http_status_code"],
    "DeleteResult": ["request_id", "success", "error_message", "code", "message",
                     "http_status_code"],
    "McpToolResult": ["request_id", "success", "data", "error_message"],
    "McpToolsResult": ["request_id", "tools"],
    "SessionResult": ["request_id", "success", "error_message", "session"],
    "SessionListResult": ["request_id", "success", "error_message", "session_ids", "next_token",
                          "max_results", "total_count"],
    "SessionPauseResult": ["request_id", "success", "error_message", "code", "message",
                           "http_status_code", "status"],
    "SessionResumeResult": ["request_id", "success", "error_message", "code", "message",
                            "http_status_code", "status"],
    "SessionInfo": ["session_id", "resource_url", "app_id", "auth_code", "connection_properties",
                    "resource_id", "resource_type", "ticket"],
}
ASYNC_CLASSES = ("AsyncAgentBay", "AsyncSession")


def positional(fn: object) -> list:
    """The positional parameters of fn, without self."""
    return [p for p in inspect.signature(fn).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.name != "self"]


class SignatureTest(unittest.TestCase):
    def test_official_names_are_exported(self) -> None:
        for name in list(OFFICIAL) + list(OFFICIAL_FIELDS):
            with self.subTest(name):
                self.assertIn(name, agentbay.__all__)
                self.assertTrue(hasattr(agentbay, name))

    def test_methods(self) -> None:
        for cls_name, methods in OFFICIAL.items():
            cls = getattr(agentbay, cls_name)
            for method, official in methods.items():
                with self.subTest(f"{cls_name}.{method}"):
                    fn = getattr(cls, method)
                    ours = positional(fn)
                    self.assertEqual(
                        [p.name + ("" if p.default is p.empty else f"={p.default!r}")
                         for p in ours[:len(official)]], official)
                    extras = ours[len(official):] + [
                        p for p in inspect.signature(fn).parameters.values()
                        if p.kind == p.KEYWORD_ONLY]
                    self.assertTrue(all(p.default is not p.empty for p in extras), extras)
                    if method != "__init__":
                        self.assertEqual(inspect.iscoroutinefunction(fn),
                                         cls_name in ASYNC_CLASSES)

    def test_data_classes(self) -> None:
        for cls_name, official in OFFICIAL_FIELDS.items():
            cls = getattr(agentbay, cls_name)
            with self.subTest(cls_name):
                names = [f.name for f in dataclasses.fields(cls)]
                self.assertEqual(names[:len(official)], official)
                cls()  # every field has a default
                # Additions: this library's error_kind and Config.emulate, and
                # fields of later official SDKs (0.22.3's idle_release_timeout;
                # end_reason).
                self.assertTrue(all(f.name in ("error_kind", "code", "success", "error_message",
                                               "idle_release_timeout", "end_reason", "emulate")
                                    for f in dataclasses.fields(cls)[len(official):]), names)

    def test_official_sdk_exceptions(self) -> None:
        self.assertTrue(issubclass(agentbay.SessionError, agentbay.AgentBayError))
        self.assertTrue(issubclass(agentbay.AgentBayError, Exception))


class DocumentationTest(unittest.TestCase):
    def test_every_public_name_has_a_docstring(self) -> None:
        for name in agentbay.__all__:
            obj = getattr(agentbay, name)
            if isinstance(obj, str):
                continue  # __version__, EMBEDDED (documented in config.py)
            with self.subTest(name):
                self.assertTrue(inspect.getdoc(obj), name)
            if inspect.isclass(obj):
                for attr, member in vars(obj).items():
                    if attr.startswith("_") or not (callable(member) or isinstance(member, property)):
                        continue
                    with self.subTest(f"{name}.{attr}"):
                        self.assertTrue(inspect.getdoc(member), f"{name}.{attr}")

    def test_py_typed_is_shipped(self) -> None:
        self.assertTrue(Path(agentbay.__file__).with_name("py.typed").is_file())


if __name__ == "__main__":
    unittest.main()
