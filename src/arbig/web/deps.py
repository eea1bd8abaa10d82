"""Dependency aliases shared by the routes."""

from typing import Annotated

from fastapi import Depends, Request

from arbig.client import CoreClient


def get_client(request: Request) -> CoreClient:
    client: CoreClient = request.app.state.client
    return client


ClientDep = Annotated[CoreClient, Depends(get_client)]
