"""How counts and short lists read in messages."""

from datacheck._words import listing, plural


class _Counted:
    """An item that counts how often it is made text."""

    made = 0

    def __init__(self, number: int) -> None:
        self.number = number

    def __str__(self) -> str:
        _Counted.made += 1
        return str(self.number)


def test_listing_names_the_first_few_then_how_many_more():
    assert listing([4, 9, 36, 3041]) == "4, 9, 36, 3041"
    assert listing(list(range(1, 9)), 3) == "1, 2, 3 and 5 more"
    assert listing([], 5) == ""
    assert plural(1_000, "example") == "1,000 examples"


def test_listing_makes_text_of_the_items_shown_only():
    """A message about a quarter of a million repeated rows names five of them: only those
    five become strings (a list of every line's string was the end of a 1M-row audit's
    high point)."""
    _Counted.made = 0
    items = [_Counted(n) for n in range(250_000)]
    assert listing(items, 5) == "0, 1, 2, 3, 4 and 249995 more"
    assert _Counted.made == 5
