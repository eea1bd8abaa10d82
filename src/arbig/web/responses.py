"""The JSON response of the API's routes."""

from typing import Any

from fastapi.responses import JSONResponse

from arbig.codec import json_bytes


class DomainJSON(JSONResponse):
    """Domain values (dataclasses, Decimals as strings) rendered by orjson.

    A route that returns plain data has FastAPI walk it again with
    ``jsonable_encoder``, a large share of a trades page's time (docs/performance.md);
    a returned response is sent as it is.
    """

    def render(self, content: Any) -> bytes:
        return json_bytes(content)
