"""CTP's callbacks reach the event loop in order, copied, from CTP's own threads."""

import asyncio
import threading

from ctpkit import gb18030_rsp_info
from openctp_ctp import tdapi

from arbig.gateways.ctp.bridge import CallbackBridge, copy_fields
from arbig.gateways.ctp.errors import rsp_error


def test_a_struct_is_copied_field_by_field_so_ctp_may_reuse_its_buffer() -> None:
    order = tdapi.CThostFtdcOrderField()
    order.InstrumentID = "au2606"
    order.LimitPrice = 912.34
    order.VolumeTotalOriginal = 3
    copied = copy_fields(order)
    order.InstrumentID = "ag2606"  # CTP writes the next message into the same buffer
    assert copied is not None
    assert copied["InstrumentID"] == "au2606"
    assert copied["LimitPrice"] == 912.34
    assert copied["VolumeTotalOriginal"] == 3
    assert "thisown" not in copied and not any(name.startswith("reserve") for name in copied)
    assert copy_fields(None) is None


async def test_callbacks_from_another_thread_run_on_the_loop_in_the_order_posted() -> None:
    loop = asyncio.get_running_loop()
    bridge = CallbackBridge(loop, "test")
    seen: list[tuple[int, int]] = []
    done = asyncio.Event()
    loop_thread = threading.get_ident()

    def handler(number: int, thread: int) -> None:
        assert threading.get_ident() == loop_thread
        seen.append((number, thread))
        if number == 999:
            done.set()

    def ctp_thread() -> None:
        for number in range(1000):
            bridge.post(handler, number, threading.get_ident())

    worker = threading.Thread(target=ctp_thread)
    worker.start()
    await asyncio.wait_for(done.wait(), 30)
    worker.join()
    assert [number for number, _ in seen] == list(range(1000))
    assert {thread for _, thread in seen} == {worker.ident}


async def test_a_failing_handler_does_not_stop_the_next_one() -> None:
    bridge = CallbackBridge(asyncio.get_running_loop(), "test")
    seen: list[str] = []
    done = asyncio.Event()

    def broken() -> None:
        raise ValueError("boom")

    def fine() -> None:
        seen.append("fine")
        done.set()

    threading.Thread(target=lambda: (bridge.post(broken), bridge.post(fine))).start()
    await asyncio.wait_for(done.wait(), 30)
    assert seen == ["fine"]


async def test_posts_after_close_are_dropped() -> None:
    bridge = CallbackBridge(asyncio.get_running_loop(), "test")
    seen: list[int] = []
    bridge.post(seen.append, 1)
    bridge.close()
    bridge.post(seen.append, 2)
    await asyncio.sleep(0)
    assert seen == []
    assert bridge.dropped == 2


def test_posting_to_a_closed_loop_is_dropped_not_raised() -> None:
    loop = asyncio.new_event_loop()
    bridge = CallbackBridge(loop, "test")
    loop.close()
    bridge.post(print, "never")
    assert bridge.dropped == 1


def test_rsp_info_with_error_id_zero_is_success() -> None:
    info = tdapi.CThostFtdcRspInfoField()
    assert rsp_error(info) is None
    assert rsp_error(copy_fields(info)) is None
    assert rsp_error(None) is None


def test_an_error_message_sent_in_gb18030_arrives_decoded() -> None:
    info = gb18030_rsp_info(3, "CTP:不合法的登录")
    error = rsp_error(copy_fields(info))
    assert error is not None
    assert (error.error_id, error.message) == (3, "CTP:不合法的登录")
    assert str(error) == "CTP error 3: CTP:不合法的登录"
    raw = rsp_error({"ErrorID": 3, "ErrorMsg": "CTP:不合法的登录".encode("gb18030") + b"\0\0"})
    assert raw is not None and raw.message == "CTP:不合法的登录"
