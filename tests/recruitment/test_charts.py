"""The charts' geometry: percentages, bar widths and stacked segments (recruitment/charts.py)."""

from decimal import Decimal

import pytest

from recruitment.charts import percent, stack, toward, width


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [(1, 3, Decimal("33.3")), (2, 3, Decimal("66.7")), (1, 8, Decimal("12.5")), (5, 5, Decimal("100.0")),
     (0, 4, Decimal("0.0")), (7, 4, Decimal("175.0")), (1, 0, None), (0, 0, None)],
)
def test_percent_rounds_half_up_to_one_decimal_and_is_none_of_nothing(part, whole, expected):
    assert percent(part, whole) == expected


@pytest.mark.parametrize(
    ("value", "scale", "expected"),
    [(3, 12, Decimal("25.0")), (12, 12, Decimal("100.0")), (20, 12, Decimal("100.0")), (0, 12, Decimal("0.0")),
     (-2, 12, Decimal("0.0")), (3, 0, Decimal("0.0")), (0, 0, Decimal("0.0"))],
)
def test_width_is_capped_to_the_track_and_empty_on_an_empty_scale(value, scale, expected):
    assert width(value, scale) == expected


@pytest.mark.parametrize(
    ("value", "threshold", "expected"),
    [
        (Decimal("10000.00"), Decimal("10000.00"), Decimal("100.0")),  # reached at the exact threshold
        (Decimal("9999.99"), Decimal("10000.00"), Decimal("99.9")),  # a cent short is never a full bar
        (Decimal("10000.01"), Decimal("10000.00"), Decimal("100.0")),
        (1, 4, Decimal("25.0")),
        (0, 0, Decimal("100.0")),  # nothing required: reached
        (0, 3, Decimal("0.0")),
    ],
)
def test_toward_is_full_exactly_when_the_threshold_is_reached(value, threshold, expected):
    assert toward(value, threshold) == expected


def test_stack_segments_follow_each_other_and_add_up_to_100():
    segments = stack([("passed", 1), ("failed", 1), ("waiting", 1)])

    assert [(s["key"], s["count"], s["x"], s["width"]) for s in segments] == [
        ("passed", 1, Decimal("0.0"), Decimal("33.3")),
        ("failed", 1, Decimal("33.3"), Decimal("33.3")),
        ("waiting", 1, Decimal("66.6"), Decimal("33.4")),  # the last segment takes the rounding remainder
    ]


def test_stack_skips_empty_segments_and_the_last_non_empty_one_closes_the_bar():
    segments = stack([("passed", 2), ("failed", 1), ("waiting", 0)])

    assert [(s["key"], s["x"], s["width"]) for s in segments] == [
        ("passed", Decimal("0.0"), Decimal("66.7")),
        ("failed", Decimal("66.7"), Decimal("33.3")),
        ("waiting", Decimal("100.0"), Decimal("0.0")),
    ]


def test_stack_of_nothing_draws_nothing():
    assert [s["width"] for s in stack([("filled", 0), ("left", 0)])] == [Decimal("0.0"), Decimal("0.0")]
