"""The web lab: a local page to draw a digit, watch every layer, train live and probe a weight.

`create_app()` builds the FastAPI application (tests build it with a small model); `glassnet lab`
serves it with uvicorn on 127.0.0.1.
"""

from .app import create_app

__all__ = ["create_app"]
