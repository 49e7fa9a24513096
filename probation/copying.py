"""The check items (新增考核项) a campaign copied as the next round takes along (``recruitment.copying``):
each item's code, name, measure and threshold, its window and due time moved by the copy's whole months as
every other date of the round is. The copy is the new round's starting set-up, not a change to any
leader's rules: no rule-change row is written (the new round has no leader yet)."""

from recruitment.copying import shift_months

from .models import CheckItem


def copy_check_items(source, target, *, months):
    """Copy ``source``'s check items into ``target`` with their dates moved by ``months``; returns the count."""
    copies = CheckItem.objects.bulk_create(
        CheckItem(campaign=target, code=item.code, name=item.name, measure=item.measure, threshold=item.threshold,
                  starts_at=shift_months(item.starts_at, months), ends_at=shift_months(item.ends_at, months),
                  due_at=shift_months(item.due_at, months))
        for item in source.check_items.order_by("due_at", "code")
    )
    return {"check_items": len(copies)}
