"""Masking personal data in sample rows: what is masked, what is kept, and the boundaries."""

import pytest

from datacheck.report.pii import clip, mask


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("write to a@b.co today", "write to [email] today"),
        ("maria.1+tag@mail.example.org", "[email]"),
        # nine digits make a phone number; eight are an order number or a date
        ("call 555 123 456", "call [phone]"),
        ("call 55 123 456", "call 55 123 456"),
        ("+44 (20) 7946 0958", "[phone]"),
        ("555-1234", "555-1234"),
        # 13 to 19 digits make a card number
        ("card 4222222222222", "card [card]"),
        ("card 422222222222", "card 422222222222"),
        ("4111-1111-1111-1111", "[card]"),
        ("4111 1111 1111 1111 111", "[card]"),
        # the shortest IBAN (Norway, 15 characters)
        ("IBAN NO9386011117947", "IBAN [iban]"),
        ("DE89 3704 0044 0532 0130 00 paid", "[iban] paid"),
        # an e-mail address is masked before its digits could read as a phone number
        ("call 555-123-4567@example.com", "call [email]"),
        ("Order ORD-12345 on 2026-01-02 for $655.39", "Order ORD-12345 on 2026-01-02 for $655.39"),
    ],
)
def test_mask(text, masked):
    assert mask(text) == masked


def test_mask_replaces_each_occurrence():
    assert mask("a@b.co, c@d.co and 555 123 456 or 555 765 4321") == (
        "[email], [email] and [phone] or [phone]"
    )


def test_clip_keeps_text_up_to_the_limit_and_reports_the_full_length():
    assert clip("abc", 3) == ("abc", 3)
    assert clip("abcd", 3) == ("abc…", 4)
    assert clip("x" * 300) == ("x" * 300, 300)
    assert clip("x" * 301) == ("x" * 300 + "…", 301)
    assert clip("") == ("", 0)
