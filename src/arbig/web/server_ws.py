"""uvicorn's WebSocket protocol, offering the hub a frame sink (see frames.py).

Through ASGI every message is one awaited ``websocket.send`` per client (Starlette,
then uvicorn), so a tick to N clients costs N coroutine round trips and N frame
encodings; ``websockets.broadcast`` instead writes to each transport in one
synchronous loop. This class lets the hub do the same for clients that are keeping
up, and leaves everything else (handshake, receive, ping/pong, close) to uvicorn.

It extends the sans-I/O implementation rather than the legacy ``websockets`` one:
it is what ``ws="auto"`` already ran, the legacy one is deprecated, and it is a
plain asyncio.Protocol over websockets' ServerProtocol that writes each frame
straight to its transport, so writing a ready-made frame there is what its own
send path does, minus the await. ASGI ``websocket.send`` keeps working as before.

It reaches into uvicorn's protocol (``conn``, ``transport``, ``writable``,
``request``/``response``), which uvicorn does not promise to keep: it is used only
on the uvicorn version it was checked against (``uvicorn_ws.ws_protocol``,
``arbig.fastpath``), and this module is imported only then.
"""

from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.http11 import Request
from websockets.protocol import State

from arbig.web.frames import FRAME_SINK_EXTENSION


class FrameSinkProtocol(WebSocketsSansIOProtocol):
    def handle_connect(self, event: Request) -> None:
        super().handle_connect(event)
        # A shared frame is only right when no extension (permessage-deflate) rewrites
        # it per connection; then the hub uses plain ASGI sends for this client.
        # The app task was created but has not run yet, and sees this same dict.
        if self.response.status_code == 101 and not self.conn.extensions:
            self.scope.setdefault("extensions", {})[FRAME_SINK_EXTENSION] = {"sink": self}

    async def send(self, message: Any) -> None:
        await super().send(message)
        if message["type"] == "websocket.accept" and self.handshake_complete:
            # The parsed handshake (its headers twice over) is only read while
            # accepting: memory an idle client need not keep. The scope keeps the headers.
            del self.request, self.response

    def can_write(self) -> bool:
        return (
            self.writable.is_set()
            and not self.close_sent
            and self.conn.state is State.OPEN
            and not self.transport.is_closing()
        )

    def write_frame(self, frame: bytes) -> None:
        self.transport.write(frame)

    async def until_writable(self) -> bool:
        await self.writable.wait()  # set again by resume_writing or connection_lost
        return self.can_write()

    def abort(self) -> None:
        self.transport.abort()
