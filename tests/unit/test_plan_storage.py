"""The plan's JSON columns are stored as the JSON encoder writes them, whatever the text."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from transition.planning import StoredJson

encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode

# Phrases drawn from a small pool, so the same text recurs (as in a real plan) and the
# remembered encodings are used; any character, quotes and control characters included.
phrases = st.lists(st.text(max_size=12), min_size=1, max_size=6).flatmap(
    lambda pool: st.lists(st.sampled_from(pool), max_size=8))
runner_up = st.fixed_dictionaries({
    "staff_id": st.sampled_from(["C001", "T002", 'odd "id" é']),
    "cost": st.none() | st.integers(-5, 2_000),
    "why_not": st.lists(st.sampled_from(["full (20 of 20)", "costs 5 more: new worker",
                                          "tab\there", "línea\nnueva"]), max_size=3),
})
# A runner-up in another key order must be encoded in that order, not from the memo.
reordered = runner_up.map(lambda item: {"why_not": item["why_not"], "staff_id": item["staff_id"],
                                        "cost": item["cost"]})


@given(st.lists(phrases, max_size=20), st.lists(st.lists(runner_up | reordered, max_size=4),
                                                max_size=20))
def test_stored_text_is_what_json_dumps_gives(
    reasons: list[list[str]], alternatives: list[list[dict[str, object]]]
) -> None:
    text = StoredJson()
    for _ in range(2):  # the second time from what was remembered
        assert [text.phrases(row) for row in reasons] == [encode(row) for row in reasons]
        assert ([text.runner_ups(row) for row in alternatives]
                == [encode(row) for row in alternatives])
