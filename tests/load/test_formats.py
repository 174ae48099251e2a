"""A named --format stands unless the first bytes plainly show another format."""

import random

import pytest

from datacheck.errors import InputError
from datacheck.load._formats import checked_format


@pytest.mark.parametrize("start", [b"{", b"[", b"\n {"])
def test_binary_noise_that_starts_with_a_brace_is_no_json_document(start):
    """/dev/urandom read as CSV failed the size limit's test about 1 run in 100: its first
    byte was sometimes a brace, and the audit said the noise "reads as a JSON document"."""
    noise = random.Random(7).randbytes(65536)
    assert checked_format("csv", start + noise, "noise") == "csv"


@pytest.mark.parametrize(
    ("head", "seen"), [(b'{"text": "a"}\n', "JSON Lines"), (b"[{}]", "a JSON document")]
)
def test_json_text_given_as_csv_is_refused_with_the_format_it_shows(head, seen):
    with pytest.raises(InputError, match=f"--format csv was given, but the file reads as {seen}"):
        checked_format("csv", head, "d.csv")


def test_json_text_cut_inside_a_character_is_still_text():
    head = '{"text": "café"}'.encode()[:-3]
    with pytest.raises(InputError, match="reads as JSON Lines"):
        checked_format("csv", head, "d.csv")
