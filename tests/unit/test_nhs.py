import pytest

from transition import nhs


@pytest.mark.parametrize("number", ["9434765919", "9000000009", "9990000018", "943 476 5919", "943-476-5919"])
def test_valid_numbers(number: str) -> None:
    assert nhs.problem(number) is None


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "missing"),
        (None, "missing"),
        ("9876544321", "Modulus 11"),  # NHS England's format example is not a valid number
        ("94347659", "10 digits, not 8"),
        ("94347659190", "10 digits, not 11"),
        ("943476591X", "only digits"),
    ],
)
def test_invalid_numbers_say_why(raw: object, message: str) -> None:
    assert message in (nhs.problem(raw) or "")


def test_a_check_digit_of_ten_can_never_be_valid() -> None:
    # 999000001 has weighted sum giving check 10: no valid number starts with these digits.
    candidates = [f"99900{i:04d}" for i in range(200)]
    impossible = [c for c in candidates if nhs.check_digit(c) is None]
    assert impossible, "some nine-digit prefixes have no valid check digit"
    for prefix in impossible:
        assert all(not nhs.is_valid(prefix + str(d)) for d in range(10))


def test_spreadsheet_numbers_and_formats() -> None:
    assert nhs.normalise(9990000018.0) == "9990000018"
    assert nhs.normalise("9990000018.0") == "9990000018"
    assert nhs.format_334("9990000018") == "999 000 0018"
    assert nhs.mask("9990000018") == "******0018"
    assert nhs.complete("999000001") == "9990000018"


@pytest.mark.parametrize("raw", ["999000001²", "９９９０００００１８", "99900000١8", "²"])
def test_digits_other_than_0_to_9_are_refused_not_crashed_on(raw: str) -> None:
    assert nhs.problem(raw) == "NHS number must contain only digits, spaces and dashes"


@pytest.mark.parametrize("digit", "0123456789")
def test_one_digit_repeated_is_a_placeholder_though_it_passes_modulus_11(digit: str) -> None:
    number = digit * 10
    assert nhs.check_digit(number[:9]) == int(digit)  # the check digit alone lets it through
    assert "placeholder" in (nhs.problem(number) or "")
    assert "placeholder" in (nhs.problem(f"{digit * 3} {digit * 3} {digit * 4}") or "")
