"""The WebSocket protocol uvicorn runs the console with.

Apart from ``frames.py`` so that the frame-sink protocol (``server_ws.py``), which
imports ``frames``, is not imported back by it: this module sits above both.
"""

from typing import Any

from arbig.fastpath import UVICORN_FRAME_SINK


def ws_protocol() -> Any:
    """uvicorn's ``ws`` option: ARBIG's frame-sink protocol class on the pinned uvicorn,
    else ``"auto"`` (uvicorn's own choice, driven through ASGI only)."""
    if not UVICORN_FRAME_SINK.holds():
        return "auto"
    # Imported only here: the module reaches into uvicorn's internals, which only the
    # pinned version is known to have.
    from arbig.web.server_ws import FrameSinkProtocol

    return FrameSinkProtocol
