"""The `glassnet` command: every sub-command, and the one place where errors become one line.

Each command module adds its commands to `app`; `main()` runs it and turns any GlassnetError or
usage error into a single line on stderr (and `{"error": ...}` on stdout with --json) with exit
code 2 (1 for a run that diverged), never a traceback.
"""

from __future__ import annotations

import json
import sys

from ..errors import GlassnetError
from .common import app, state

# Importing the modules registers their commands on `app`.
from . import core  # noqa: E402,F401

for _optional in ("inspect", "lab", "study"):
    try:
        __import__(f"{__name__}.{_optional}")
    except ModuleNotFoundError as exc:  # a part still being built must not break the rest
        if exc.name != f"{__name__}.{_optional}":
            raise


def _fail(message: str, code: int) -> None:
    print(f"glassnet: error: {message}", file=sys.stderr)
    if state.get("json"):
        print(json.dumps({"error": message, "exit_code": code}))
    sys.exit(code)


def main(argv=None) -> None:
    import typer.main

    command = typer.main.get_command(app)
    args = sys.argv[1:] if argv is None else list(argv)
    state["json"] = "--json" in args
    try:
        code = command.main(args, standalone_mode=False, prog_name="glassnet")
    except GlassnetError as exc:
        _fail(str(exc), exc.exit_code)
    except KeyboardInterrupt:
        print("glassnet: interrupted", file=sys.stderr)
        sys.exit(130)
    except Exception as exc:  # usage errors from Typer/Click: bad option, missing argument, bad value
        if not hasattr(exc, "format_message"):
            raise
        if type(exc).__name__ == "Abort":
            sys.exit(130)
        if type(exc).__name__ == "NoArgsIsHelpError":  # `glassnet` alone: the help is already printed
            sys.exit(2)
        _fail(" ".join(exc.format_message().split()), 2)
    sys.exit(code if isinstance(code, int) else 0)
