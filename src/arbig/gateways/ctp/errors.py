"""CTP's answers that carry an error: ``CThostFtdcRspInfoField`` and request return codes."""

from dataclasses import dataclass
from typing import Any

from arbig.gateways.ctp.bridge import Fields

# What ReqXxx returns when the request did not leave the API.
REQUEST_RETURN_CODES = {
    -1: "the network connection failed",
    -2: "too many requests are waiting (flow control)",
    -3: "too many requests per second (flow control)",
}


@dataclass(frozen=True, slots=True)
class CtpError:
    """An error CTP reported: its id and its message (GB18030, already decoded)."""

    error_id: int
    message: str

    def __str__(self) -> str:
        return f"CTP error {self.error_id}: {self.message or 'no message'}"


def rsp_error(info: Fields | Any | None) -> CtpError | None:
    """The error in a copied (or live) RspInfo struct; None when it says success.

    openctp-ctp decodes the struct's GB18030 text into ``str``; bytes (from a struct
    copied another way) are decoded here."""
    if info is None:
        return None
    if isinstance(info, dict):
        error_id, message = info.get("ErrorID", 0), info.get("ErrorMsg", "")
    else:
        error_id, message = info.ErrorID, info.ErrorMsg
    if not error_id:
        return None
    if isinstance(message, bytes):
        message = message.split(b"\0", 1)[0].decode("gb18030", errors="replace")
    return CtpError(int(error_id), str(message).strip())


def request_failure(code: int) -> str | None:
    """Why a ReqXxx call returned ``code`` (None for 0, sent)."""
    if code == 0:
        return None
    return REQUEST_RETURN_CODES.get(code, f"the request was not sent (code {code})")
