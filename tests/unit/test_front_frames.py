"""The relay's frames between front workers and the engine process: what goes in comes out, however it is cut."""

from ordergate.entrypoints.front.frames import OPEN, SEND, FrameReader, frame

MESSAGES = [
    (OPEN, 1, ["http", {"version": "3.0"}, "1.1", "POST", "http", "/api/v1/orders/", b"/api/v1/orders/", b"", "",
               [(b"authorization", b"Bearer k"), (b"content-type", b"application/json")], ("127.0.0.1", 5000),
               ("127.0.0.1", 8000), None, None], {"type": "http.request", "body": b'{"a": 1}', "more_body": False}),
    (SEND, 1, {"type": "http.response.start", "status": 201, "headers": [(b"content-length", b"2")]}, False),
    (SEND, 1, {"type": "websocket.send", "text": "héllo", "bytes": None}, True),
]


def _lists(value: object) -> object:
    """Return ``value`` with tuples as lists (msgpack has arrays only)."""
    if isinstance(value, tuple | list):
        return [_lists(v) for v in value]
    if isinstance(value, dict):
        return {k: _lists(v) for k, v in value.items()}
    return value


def test_frames_when_read_in_one_piece_then_each_decodes_as_sent() -> None:
    data = b"".join(frame(*m) for m in MESSAGES)

    assert FrameReader().feed(data) == [_lists(m) for m in MESSAGES]


def test_frames_when_cut_at_every_byte_then_the_same_frames_in_order() -> None:
    data = b"".join(frame(*m) for m in MESSAGES)
    for cut in range(1, len(data)):
        reader = FrameReader()

        assert reader.feed(data[:cut]) + reader.feed(data[cut:]) == [_lists(m) for m in MESSAGES]


def test_frames_when_bytes_and_text_then_each_keeps_its_type() -> None:
    (decoded,) = FrameReader().feed(frame(SEND, 7, {"type": "websocket.send", "bytes": b"\x00\xff", "text": "é"}))

    assert decoded[2] == {"type": "websocket.send", "bytes": b"\x00\xff", "text": "é"}
