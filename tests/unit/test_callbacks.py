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
    data = codec.pack("f", *parts)
    assert len(data.encode()) <= MAX_BYTES
    assert codec.unpack(data) == parts


def test_forged_and_tampered_data_is_refused() -> None:
    data = codec.pack("mem", "card", 1, 2)
    assert codec.unpack(data.replace("card", "role")) is None
    assert codec.unpack("mem:card:1:2:AAAAAAAA") is None
    assert codec.unpack("") is None
    assert codec.unpack(None) is None
    assert CallbackCodec.from_token("other").unpack(data) is None


def test_too_long_data_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="too long"):
        codec.pack("x", "y" * 60)
    with pytest.raises(ValueError, match="must not contain"):
        codec.pack("x", "a:b")
