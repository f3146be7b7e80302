import pytest

from transition.conditions import extra_fact, parse_condition


@pytest.mark.parametrize(
    ("text", "facts", "expected"),
    [
        ("cto or extra.forensic", {"cto": True}, True),
        ("cto or extra.forensic", {"cto": False, "extra.forensic": True}, True),
        ("cto or extra.forensic", {"cto": None}, False),
        ("age >= 65", {"age": 65}, True),
        ("age >= 65", {"age": 64}, False),
        ("age >= 65", {"age": None}, False),
        ("cluster == 10 and age < 36", {"cluster": 10, "age": 35}, True),
        ("cluster == 10 and age < 36", {"cluster": 10, "age": 36}, False),
        ("cluster in [10, 11]", {"cluster": 11}, True),
        ("cluster not in [10, 11]", {"cluster": 12}, True),
        ("18 <= age < 65", {"age": 30}, True),
        ("18 <= age < 65", {"age": 65}, False),
        ("not lives_alone", {"lives_alone": False}, True),
        ("not lives_alone", {"lives_alone": None}, True),
        ("gender == 'FEMALE'", {"gender": "female"}, True),
        ("interpreter_language == 'polish'", {"interpreter_language": "Polish"}, True),
        ("substance_misuse == true", {"substance_misuse": True}, True),
        ("cluster > 'x'", {"cluster": 3}, False),
    ],
)
def test_conditions_evaluate(text: str, facts: dict, expected: bool) -> None:
    assert parse_condition(text)(facts) is expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ctoo", "unknown fact 'ctoo'"),
        ("__import__('os')", "is not allowed"),
        ("age >= ", "cannot read condition"),
        ("person.age > 3", "only extra.KEY may use a dot"),
        ("age + 1 > 3", "is not allowed"),
        ("", "empty"),
    ],
)
def test_bad_conditions_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_condition(text)


def test_extra_values_from_a_spreadsheet_read_as_a_council_means_them() -> None:
    assert extra_fact("Y") is True and extra_fact("no") is False
    assert extra_fact("") is None and extra_fact("12") == 12 and extra_fact("text") == "text"
    condition = parse_condition("extra.Forensic_History")
    assert condition.facts == frozenset({"extra.forensic_history"})
    assert condition({"extra.forensic_history": extra_fact("N")}) is False
