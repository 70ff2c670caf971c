import pytest
from hypothesis import given
from hypothesis import strategies as st

from etalase.core.phones import InvalidPhoneNumber, looks_like_phone, phone_display, phone_normalize


@pytest.mark.parametrize(
    "typed",
    [
        "0812-3456-7890",
        "+62 812 3456 7890",
        "6281234567890",
        "081234567890",
        "  0812 3456 7890  ",
        "(0812) 3456-7890",
        "62 812-3456-7890",
    ],
)
def test_every_common_spelling_is_one_number(typed):
    assert phone_normalize(typed) == "+6281234567890"


@pytest.mark.parametrize("garbage", ["abc", "123", "", "   ", "1" * 40, "x" * 40, "0812-3456-7890-1234-5678"])
def test_garbage_is_refused_with_a_clear_message(garbage, english):
    with pytest.raises(InvalidPhoneNumber) as caught:
        phone_normalize(garbage)

    assert caught.value.code == "invalid_phone"
    assert "Enter a valid phone number" in str(caught.value.message)


def test_a_foreign_number_keeps_its_country():
    assert phone_normalize("+1 202 555 0143") == "+12025550143"


@given(st.text(max_size=60))
def test_any_text_is_either_a_number_or_a_clear_refusal(text):
    try:
        normalized = phone_normalize(text)
    except InvalidPhoneNumber:
        return
    assert normalized.startswith("+")
    assert normalized[1:].isdigit()
    assert phone_normalize(normalized) == normalized


@given(st.integers(min_value=10_000_000, max_value=99_999_999))
def test_a_local_spelling_and_its_international_form_agree(subscriber):
    local = f"0812{subscriber}"
    assert phone_normalize(local) == phone_normalize(f"+62 812 {subscriber}") == f"+62812{subscriber}"


def test_display_is_international_and_readable():
    assert phone_display("+6281234567890") == "+62 812-3456-7890"


@pytest.mark.parametrize(
    ("identifier", "is_phone"),
    [("0812-3456-7890", True), ("+62 812 3456 7890", True), ("sari@example.com", False), ("sari", False)],
)
def test_an_identifier_is_told_apart_as_phone_or_email(identifier, is_phone):
    assert looks_like_phone(identifier) is is_phone
