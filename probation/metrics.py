"""Set-based figures of the probation checks (DATA.md "Definitions used by the checks").

Each function takes a queryset of leaders and runs ONE query for all of them, returning
``{leader pk: figures}``. Every window is a closed interval to the second (``__range``).
"""

from collections import defaultdict
from contextlib import contextmanager
from decimal import Decimal

from django.db import OperationalError, connection, transaction
from django.db.models import (
    BooleanField,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce

from .enums import OrderStatus
from .models import Activity, Enrollment, Merchant, MerchantExit, Order

# How long a page waits for the figures' tables while a data import holds them (see ``waiting_at_most``).
PAGE_WAIT_SECONDS = 2


class FiguresBusy(Exception):
    """A data import holds the orders or enrolments table: a first large import rebuilds their indexes."""


@contextmanager
def waiting_at_most(seconds=PAGE_WAIT_SECONDS):
    """Read figures for a page: wait at most ``seconds`` for a table lock, then raise ``FiguresBusy``.

    Plain imports never block readers (MVCC); only the index rebuild of a campaign's first large import
    (``probation.imports.pgcopy``) locks the table for its transaction. A page should say so rather than
    hang until the web server's timeout. Celery tasks wait: they must see the import's rows.
    """
    if connection.vendor != "postgresql":
        yield
        return
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('lock_timeout'), set_config('lock_timeout', %s, true)",
                           [f"{int(seconds * 1000)}ms"])
            previous = cursor.fetchone()[0]
            yield
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [previous])
    except OperationalError as error:
        if getattr(error.__cause__, "sqlstate", None) == "55P03":  # lock_not_available
            raise FiguresBusy from error
        raise


def _count(queryset, group_by, counted="pk", distinct=False):
    """A scalar subquery counting ``counted`` in ``queryset`` (already correlated with OuterRef)."""
    counts = queryset.order_by().values(group_by).annotate(n=Count(counted, distinct=distinct)).values("n")
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


def basic_month(leaders, *, starts_at, ends_at):
    """activities(L, M), merchants(L, M), items(L, M) and gmv(L, M) for every leader."""
    window = (starts_at, ends_at)
    enrollments = Enrollment.objects.filter(activity__leader=OuterRef("pk"), enrolled_at__range=window)
    gmv = (
        Order.objects.filter(leader=OuterRef("pk"), paid_at__range=window)
        .exclude(status=OrderStatus.INVALID)
        .order_by()
        .values("leader")
        .annotate(total=Sum("paid_amount"))
        .values("total")
    )
    money = DecimalField(max_digits=16, decimal_places=2)
    rows = leaders.annotate(
        n_activities=_count(Activity.objects.filter(leader=OuterRef("pk"), created_at__range=window), "leader"),
        n_merchants=_count(enrollments, "activity__leader", "merchant", distinct=True),
        n_items=_count(enrollments, "activity__leader", "item_id", distinct=True),
        gmv=Coalesce(Subquery(gmv, output_field=money), Decimal("0"), output_field=money),
    ).values_list("pk", "n_activities", "n_merchants", "n_items", "gmv")
    return {
        pk: {"activities": a, "merchants": m, "items": i, "gmv": Decimal(g).quantize(Decimal("0.01"))}
        for pk, a, m, i, g in rows
    }


def new_merchants(leaders, *, starts_at, ends_at):
    """Merchants introduced by each leader whose Taobaoke opening falls in [starts_at, ends_at]."""
    opened = Merchant.objects.filter(leader=OuterRef("pk"), opened_at__range=(starts_at, ends_at))
    return dict(leaders.annotate(n=_count(opened, "leader")).values_list("pk", "n"))


def stayed_out_of_window(starts_at, ends_at):
    """Whether the merchant (the outer row) was out of Taobaoke at every second of [starts_at, ends_at].

    The union of the half-open exit intervals [exited_at, rejoined_at) covers the window exactly when
    (a) one interval contains the window start, and (b) every interval that ends inside the window
    ends where another interval still covers (no gap opens at a rejoin instant). A rejoin at the
    window's last second is a gap: the merchant is back for that second.
    """
    still_out_at = {"rejoined_at__isnull": True}
    exits = MerchantExit.objects.filter(merchant=OuterRef("pk"))
    covers_start = exits.filter(exited_at__lte=starts_at).filter(Q(**still_out_at) | Q(rejoined_at__gt=starts_at))
    covering_rejoin = MerchantExit.objects.filter(
        merchant=OuterRef("merchant"), exited_at__lte=OuterRef("rejoined_at")
    ).filter(Q(**still_out_at) | Q(rejoined_at__gt=OuterRef("rejoined_at")))
    gap = exits.filter(rejoined_at__range=(starts_at, ends_at)).filter(~Exists(covering_rejoin))
    return ExpressionWrapper(Exists(covers_start) & ~Exists(gap), output_field=BooleanField())


def new_merchant_orders(leaders, campaign, window=None):
    """Per new merchant of each leader: best-item orders, paid and settled orders, 618 absence.

    Returns ``{leader pk: [{"merchant_id", "best_item_orders", "paid_orders", "settled_orders",
    "stayed_out_618"}, …]}``; a leader without new merchants is absent. Orders are the leader's own
    orders of the merchant with paid_at inside the activity; every order row is a paid order. ``window``
    (starts_at, ends_at) replaces the activity window (a check item over new merchants).
    """
    activity = window or (campaign.activity_starts_at, campaign.activity_ends_at)
    orders = Order.objects.filter(merchant=OuterRef("pk"), leader=OuterRef("leader"), paid_at__range=activity)
    best_item = orders.order_by().values("item_id").annotate(n=Count("pk")).order_by("-n").values("n")[:1]
    rows = (
        Merchant.objects.filter(leader__in=leaders, opened_at__range=activity)
        .annotate(
            best_item_orders=Coalesce(Subquery(best_item, output_field=IntegerField()), 0),
            paid_orders=_count(orders, "merchant"),
            settled_orders=_count(orders.filter(status=OrderStatus.SETTLED), "merchant"),
            stayed_out_618=stayed_out_of_window(campaign.window_618_starts_at, campaign.window_618_ends_at),
        )
        .order_by("merchant_id")
        .values("leader_id", "merchant_id", "best_item_orders", "paid_orders", "settled_orders", "stayed_out_618")
    )
    per_leader = defaultdict(list)
    for row in rows:
        per_leader[row.pop("leader_id")].append(row)
    return per_leader


def qualifies(merchant, campaign):
    """DATA.md: best-item orders ≥ X, settlement rate ≥ Y% (0 without orders), not out for the whole 618."""
    paid, settled = merchant["paid_orders"], merchant["settled_orders"]
    rate_ok = (Decimal(settled) * 100 >= campaign.settlement_rate_min_percent * paid) if paid else (
        campaign.settlement_rate_min_percent <= 0
    )
    return (
        merchant["best_item_orders"] >= campaign.best_item_min_orders
        and rate_ok
        and not merchant["stayed_out_618"]
    )


def qualifying_merchants(leaders, campaign, window=None):
    """``{leader pk: (count, [per-merchant figures with "qualifies"])}`` for every leader of ``leaders``;
    ``window`` replaces the activity window (see ``new_merchant_orders``)."""
    per_leader = new_merchant_orders(leaders, campaign, window)
    figures = {}
    for pk in leaders.values_list("pk", flat=True):
        merchants = [{**m, "qualifies": qualifies(m, campaign)} for m in per_leader.get(pk, [])]
        figures[pk] = (sum(m["qualifies"] for m in merchants), merchants)
    return figures
