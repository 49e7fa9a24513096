"""Carrying a campaign's review set-up into another campaign (the next round needs no code change)."""

from django.db import transaction

from .models import ChecklistItem, RiskRule, RubricCriterion


def copy_review_setup(source, target):
    """Copy the round-1 checklist, the risk rules and the rubric of ``source`` into ``target``.

    Rows ``target`` already has (same text, rule code or criterion name) are left as they are, so it
    is safe to run twice and never overwrites what staff edited in the target campaign.
    """
    with transaction.atomic():
        for item in source.checklist_items.all():
            ChecklistItem.objects.get_or_create(campaign=target, text=item.text, defaults={"position": item.position})
        for rule in source.risk_rules.all():
            RiskRule.objects.get_or_create(
                campaign=target, code=rule.code, defaults={"enabled": rule.enabled, "parameter": rule.parameter}
            )
        for criterion in source.rubric.all():
            RubricCriterion.objects.get_or_create(
                campaign=target,
                name=criterion.name,
                defaults={
                    "description": criterion.description,
                    "weight": criterion.weight,
                    "max_score": criterion.max_score,
                    "position": criterion.position,
                },
            )
