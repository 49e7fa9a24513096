from applications.masking import mask_account


def test_mask_account_shows_at_most_a_quarter_at_each_end():
    assert [mask_account(value) for value in ("mm_100001", "mm_demo_1001", "abcdefgh", "abcd", "abc", "ab", "a")] == [
        "mm*****01", "mm_******001", "ab****gh", "a**d", "a**", "a*", "*",
    ]


def test_mask_account_of_nothing_is_nothing():
    assert (mask_account(""), mask_account(None)) == ("", "")
