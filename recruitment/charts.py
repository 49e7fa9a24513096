"""Arithmetic of the charts (图表) drawn by the admin dashboard, the probation board and the status page.

Charts are server-rendered: each is a table whose cells carry a small inline SVG bar (``aria-hidden``,
the figures are the cell's text), styled by ``static/css/charts.css``; no JavaScript. The domain modules
(``reviews.charts``, ``probation.charts``) build their figures with one set-based query and use these
helpers for the geometry: every width is a percentage of the bar's track (0–100, one decimal), so the
templates only print numbers.
"""

from decimal import ROUND_HALF_UP, Decimal

HUNDRED = Decimal(100)
ONE_DECIMAL = Decimal("0.1")


def percent(part, whole):
    """``part`` as a percentage of ``whole``, rounded half up to one decimal; ``None`` when ``whole`` is 0
    (a rate of nothing is not 0 %: the chart says "–")."""
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def width(value, scale):
    """The bar width of ``value`` on a track whose full length is ``scale``, capped to 0–100 %; no bar on an
    empty scale (an empty funnel, every deadline passed)."""
    if Decimal(value) <= 0 or not scale or Decimal(scale) <= 0:
        return Decimal("0.0")
    return min(percent(value, scale), HUNDRED.quantize(ONE_DECIMAL))


def toward(value, threshold):
    """The bar of a figure against its threshold: the full track is the threshold, so a bar is full exactly
    when the threshold is reached (a threshold of 0 is reached by anything, hence a full bar), and a figure
    short of it, however little, stays below 100."""
    if Decimal(value) >= Decimal(threshold):
        return HUNDRED.quantize(ONE_DECIMAL)
    return min(width(value, threshold), Decimal("99.9"))  # 9,999.99 of 10,000 is short: never a full bar


def stack(parts):
    """Consecutive segments of one 100 % bar: ``[(key, count)]`` -> ``[{"key", "count", "x", "width"}]``.

    Widths are rounded to one decimal and the last non-empty segment takes the remainder, so the
    segments always add up to exactly 100 (or to 0 when every count is 0).
    """
    total = sum(count for _key, count in parts)
    segments, x = [], Decimal("0.0")
    last = max((i for i, (_key, count) in enumerate(parts) if count), default=None)
    for i, (key, count) in enumerate(parts):
        if not total or not count:
            w = Decimal("0.0")
        elif i == last:
            w = HUNDRED - x
        else:
            w = percent(count, total)
        segments.append({"key": key, "count": count, "x": x, "width": w})
        x += w
    return segments
