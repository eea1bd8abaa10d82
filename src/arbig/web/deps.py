"""Dependency aliases shared by the routes.

Every dependency in the web layer is ``async def`` although none awaits: FastAPI runs
a plain ``def`` dependency in its thread pool, a thread hop per dependency per
request, most of a ``/trades`` request's time under load (docs/performance.md).
"""

from typing import Annotated

from fastapi import Depends, Request

from arbig.client import CoreClient


async def get_client(request: Request) -> CoreClient:
    client: CoreClient = request.app.state.client
    return client


ClientDep = Annotated[CoreClient, Depends(get_client)]
