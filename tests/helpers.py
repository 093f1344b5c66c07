"""Small helpers several test files share (pytest puts this folder on sys.path)."""

from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager

import pytest

from glassnet.cli import main


def run(capsys, *args):
    """Run `glassnet ARGS` in this process; return (exit code, stdout, stderr)."""
    with pytest.raises(SystemExit) as exit_info:
        main([str(a) for a in args])
    captured = capsys.readouterr()
    return exit_info.value.code, captured.out, captured.err


@contextmanager
def serve(app):
    """A real uvicorn server for `app` in a thread, on a free port of 127.0.0.1; yields its URL."""
    import uvicorn

    sock = socket.create_server(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the lab server did not start"
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/"
    finally:
        server.should_exit = True
        thread.join(10)
