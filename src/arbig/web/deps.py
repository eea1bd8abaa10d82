"""Dependency aliases shared by the routes.

Every dependency in the web layer is ``async def`` although none awaits: FastAPI runs
a plain ``def`` dependency in its thread pool, a thread hop per dependency per
request, most of a ``/trades`` request's time under load (docs/performance.md).
"""

from typing import Annotated

from fastapi import Depends, Request

from arbig.api.actor import Actor
from arbig.api.client import CoreClient
from arbig.web.security import Operator, client_address


async def get_client(request: Request) -> CoreClient:
    client: CoreClient = request.app.state.client
    return client


async def get_actor(request: Request, operator: Operator) -> Actor:
    """The signed-in operator and their address, for the core's audit trail."""
    return Actor(operator.name, client_address(request))


ClientDep = Annotated[CoreClient, Depends(get_client)]
ActorDep = Annotated[Actor, Depends(get_actor)]
