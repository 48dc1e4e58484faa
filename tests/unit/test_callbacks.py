import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.callbacks import MAX_BYTES, CallbackCodec

codec = CallbackCodec.from_token("123:secret")
part = st.text(
    alphabet=st.characters(exclude_characters=":", min_codepoint=33, max_codepoint=126), max_size=6
)


@given(st.lists(part, max_size=4))
def test_round_trip(parts: list[str]) -> None:
    data = codec.pack(7, "f", *parts)
    assert len(data.encode()) <= MAX_BYTES
    assert codec.unpack(data, 7) == parts


def test_forged_and_tampered_data_is_refused() -> None:
    data = codec.pack(7, "mem", "card", 1, 2)
    assert codec.unpack(data.replace("card", "role"), 7) is None
    assert codec.unpack("mem:card:1:2:AAAAAAAA", 7) is None
    assert codec.unpack("", 7) is None
    assert codec.unpack(None, 7) is None
    assert codec.unpack(["rep", "s"], 7) is None  # a client may send anything
    assert codec.unpack("0:\x80", 7) is None  # a signature beyond ASCII
    assert codec.unpack(data.rsplit(":", 1)[0] + ":签名", 7) is None
    assert CallbackCodec.from_token("other").unpack(data, 7) is None


def test_a_button_answers_only_the_person_it_was_signed_for() -> None:
    data = codec.pack(7, "rep", "s", 1)
    assert codec.unpack(data, 7) == ["s", "1"]
    assert codec.unpack(data, 8) is None
    # The same step of the same flow gives different data for different people.
    assert codec.pack(8, "rep", "s", 1) != data


def test_too_long_data_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="too long"):
        codec.pack(7, "x", "y" * 60)
    with pytest.raises(ValueError, match="must not contain"):
        codec.pack(7, "x", "a:b")
