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
        ("cto == 'Y'", {"cto": True}, True),
        ("cto == 'no'", {"cto": True}, False),
        ("'forensic' in team", {"team": "Kestlemouth Forensic Team"}, True),
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


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # B1: a constant where a test belongs is always true (or always false).
        ("cluster == 10 or 11", "write 'cluster in [10, 11]' (or 'cluster == 10 or cluster == 11')"),
        ("11", "'11' on its own is not a test"),
        ("'false'", "on its own is not a test"),
        ("[]", "on its own is not a test"),
        ("not 5", "on its own is not a test"),
        ("cto and true", "on its own is not a test"),
        ("1 == 1", "compares values only"),
        # B3: a value of the wrong kind for a known fact never matches.
        ('cluster == "10"', "cluster is a number"),
        ("cluster > 'x'", "cluster is a number"),
        ("cluster in ['10', 11]", "cluster is a number"),
        ("cto == 1", "cto is yes or no"),
        ("gender == 5", "gender is text"),
        ("risk_band == 'rd'", "none of them"),
        ("cluster == [10, 11]", "write 'cluster in [10, 11]'"),
        ("cluster != [10, 11]", "write 'cluster not in [10, 11]'"),
        ('cluster in "10, 11"', "'in' needs a list after it, e.g. 'cluster in [10, 11]'"),
        ("extra.code == ''", "blank"),
        ("extra.code == None", "not a value a condition can compare with"),
        ("extra.code == ...", "not a value a condition can compare with"),
    ],
)
def test_conditions_that_cannot_mean_what_they_say_are_refused(text: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_condition(text)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("text", "stored", "expected"),
    [
        ("extra.forensic_history == 'Y'", "Y", True),
        ("extra.forensic_history == 'Y'", "yes", True),
        ("extra.forensic_history == 'Y'", "N", False),
        ("extra.forensic_history == 'yes'", "1", True),
        ("extra.forensic_history != 'N'", "Y", True),
        ("extra.forensic_history == 'true'", "y", True),
        ("extra.forensic_history in ['Y']", "Yes", True),
        ("extra.code == '01'", "01", True),
        ("extra.code == '01'", "02", False),
        ("extra.code == '0'", "0", True),
        ("extra.code in ['01', '02']", "02", True),
        ("extra.ward == 'North'", "north", True),
        ("extra.forensic_history == 'Y'", "", False),
    ],
)
def test_a_value_compared_with_an_extra_column_is_read_as_the_column_is(
        text: str, stored: str, expected: bool) -> None:
    """B2: Y/N in the export becomes true/false, so 'Y' in the condition must too."""
    key = text.split()[0]
    assert parse_condition(text)({key: extra_fact(stored)}) is expected
