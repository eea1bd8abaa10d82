"""The ``[paper]`` settings: the account ARBIG's own matching engine keeps when it
trades on paper against the broker's real quotes (``gateway = "paper"``)."""

from decimal import Decimal

from pydantic import BaseModel, Field


class PaperSettings(BaseModel):
    """The paper account. Market data comes from the ``[ctp]`` market-data fronts."""

    account_id: str = Field("paper-001", min_length=1, max_length=32)
    capital: Decimal = Field(Decimal("1000000.00"), gt=0, description="starting cash, yuan")
