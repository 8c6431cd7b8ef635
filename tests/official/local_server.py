"""Starts a build/agentbay-local for the official SDK's test and benchmark:
https on a free loopback port, a temporary data folder, a fresh API key."""

import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
import uuid


def start(binary: str, prefix: str):
    """Returns (process, data folder, endpoint host:port, key); the server's
    certificate is data/cert.pem. Raises RuntimeError if it does not start
    within 20 s, after removing the data folder."""
    data = tempfile.mkdtemp(prefix=f"agentbay-{prefix}-")
    key = f"{prefix}-{uuid.uuid4().hex}"
    log = open(os.path.join(data, "server.log"), "w")
    proc = subprocess.Popen(
        [binary, "serve", "--tls", "--listen", "127.0.0.1:0", "--data", data, "--api-key", key],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log, text=True)
    log.close()  # the child has its own copy
    endpoint = None
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        m = re.search(r"serving https://(\S+)", line)
        if m:
            endpoint = m.group(1)
            break
    if endpoint is None:
        proc.kill()
        proc.wait()
        with open(os.path.join(data, "server.log")) as f:
            text = f.read()
        shutil.rmtree(data, ignore_errors=True)
        raise RuntimeError("agentbay-local did not start: " + text)
    # Drain the rest of the banner so the server never blocks on a full pipe.
    threading.Thread(target=proc.stdout.read, daemon=True).start()
    return proc, data, endpoint, key
