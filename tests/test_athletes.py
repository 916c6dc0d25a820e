"""The one athlete-name rule every command applies (runback.athletes.check_athlete)."""

from __future__ import annotations

import pytest

from runback.athletes import MAX_NAME_CHARS, check_athlete
from runback.errors import OptionError


@pytest.mark.parametrize("name", ["anna", "Anna de Vries", "bram_2", "José", "x" * MAX_NAME_CHARS, "a.b"])
def test_good_names_pass_unchanged(name: str) -> None:
    assert check_athlete(name) == name


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("anna ", "starts or ends with a space"),
        (" anna", "starts or ends with a space"),
        ("a\tb", "control character"),
        ("a\x7fb", "control character"),
        ("../x", "path separator"),
        ("a\\b", "path separator"),
        ("a=b", "'='"),
        (".hidden", "starts with a dot"),
        ("x" * (MAX_NAME_CHARS + 1), f"longer than {MAX_NAME_CHARS} characters"),
    ],
)
def test_bad_names_are_refused_with_the_problem_named(name: str, why: str) -> None:
    with pytest.raises(OptionError) as info:
        check_athlete(name)
    message = str(info.value)
    assert why in message
    assert "\n" not in message and len(message) < 160  # one readable line, even for a huge name
