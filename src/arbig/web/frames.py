"""Outgoing WebSocket messages, and the frame sink a server may offer for them.

The hub serialises a message once for all its subscribers; when the server lets
it write to a connection without awaiting (``FrameSink``), the WebSocket frame is
built once too, so fanning a tick out to N clients is N transport writes of the
same bytes, as ``websockets.broadcast`` does.

``uvicorn_ws.ws_protocol`` picks the server side: the frame-sink protocol
(``server_ws.py``) on the uvicorn it was checked against, uvicorn's own otherwise, in
which case no connection offers a sink and the hub sends every message through ASGI.
"""

import struct
from collections.abc import Mapping
from typing import Any, Protocol

# The ASGI scope extension under which a server offers a FrameSink (ASGI wants the
# value to be a dict): scope["extensions"][FRAME_SINK_EXTENSION]["sink"].
FRAME_SINK_EXTENSION = "arbig.frame_sink"


class Outgoing:
    """One message to send: its text, and its frame built on first use."""

    __slots__ = ("_frame", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._frame: bytes | None = None

    @property
    def frame(self) -> bytes:
        # A server's frames are unmasked, so without extensions the bytes are the
        # same for every connection.
        if self._frame is None:
            self._frame = text_frame(self.text.encode())
        return self._frame


def text_frame(payload: bytes) -> bytes:
    """One unmasked, unfragmented text frame with no extension (RFC 6455, 5.2).

    Written out because it is five lines, and websockets' ``Frame.serialize`` (which
    the tests check it against) spends time on every tick on checks and an extension
    pass that this one frame, shared by every client, never needs.
    """
    length = len(payload)
    if length < 126:
        return struct.pack("!BB", 0x81, length) + payload
    if length < 65536:
        return struct.pack("!BBH", 0x81, 126, length) + payload
    return struct.pack("!BBQ", 0x81, 127, length) + payload


class FrameSink(Protocol):
    """A connection that takes ready-made frames (no extension negotiated)."""

    def can_write(self) -> bool:
        """Open, and its write buffer is below the high-water mark."""
        ...

    def write_frame(self, frame: bytes) -> None: ...

    async def until_writable(self) -> bool:
        """Wait for the write buffer to drain; False if the connection closed instead."""
        ...

    def abort(self) -> None:
        """Drop the connection at once, unsent data included."""
        ...


def frame_sink(scope: Mapping[str, Any]) -> FrameSink | None:
    extension = (scope.get("extensions") or {}).get(FRAME_SINK_EXTENSION)
    if not isinstance(extension, dict):
        return None
    sink: FrameSink | None = extension.get("sink")
    return sink
