"""Test helpers for the CTP gateway: real openctp_ctp structs as a broker fills them."""

import ctypes

from openctp_ctp import tdapi


def gb18030_rsp_info(error_id: int, message: str) -> tdapi.CThostFtdcRspInfoField:
    """An RspInfo whose ErrorMsg holds ``message`` in GB18030, as a CTP front sends it.

    Assigning a str through SWIG writes UTF-8, so the bytes are put into the struct's
    memory directly: ErrorID is a 4-byte int, ErrorMsg the char[81] after it."""
    info = tdapi.CThostFtdcRspInfoField()
    info.ErrorID = error_id
    raw = message.encode("gb18030")[:80] + b"\0"
    ctypes.memmove(int(info.this) + 4, raw, len(raw))
    return info
