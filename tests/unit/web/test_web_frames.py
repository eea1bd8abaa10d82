"""The shared text frame is byte for byte what the websockets library would send."""

from hypothesis import given
from hypothesis import strategies as st
from websockets.frames import Frame, Opcode

from arbig.web.frames import Outgoing, text_frame


def library_frame(payload: bytes) -> bytes:
    return Frame(Opcode.TEXT, payload).serialize(mask=False)


def test_each_length_encoding_matches_the_library_at_its_bounds() -> None:
    # 7-bit length up to 125, 16-bit up to 65535, 64-bit beyond (RFC 6455, 5.2).
    for length in (0, 1, 125, 126, 127, 65535, 65536, 70000):
        payload = b"x" * length
        assert text_frame(payload) == library_frame(payload), length


@given(st.text(max_size=300))
def test_any_text_frames_as_the_library_frames_it(text: str) -> None:
    payload = text.encode()
    assert Outgoing(text).frame == library_frame(payload)
