"""The review set-up a campaign copied as the next round takes along (``recruitment.copying``): the round-1
checklist, the risk rules with their parameters and whether they are enabled, and the final-review rubric.
The committee is not copied: its judges are chosen for each round on the committee page."""

from .models import ChecklistItem, RiskRule, RubricCriterion


def copy_review_setup(source, target, *, months):
    """Copy ``source``'s checklist, risk rules and rubric into ``target``; returns the counts."""
    checklist = ChecklistItem.objects.bulk_create(
        ChecklistItem(campaign=target, text=item.text, position=item.position)
        for item in source.checklist_items.order_by("position", "id")
    )
    rules = RiskRule.objects.bulk_create(
        RiskRule(campaign=target, code=rule.code, enabled=rule.enabled, parameter=rule.parameter)
        for rule in source.risk_rules.order_by("id")
    )
    rubric = RubricCriterion.objects.bulk_create(
        RubricCriterion(campaign=target, name=c.name, description=c.description, weight=c.weight,
                        max_score=c.max_score, position=c.position)
        for c in source.rubric.order_by("position", "id")
    )
    return {"checklist_items": len(checklist), "risk_rules": len(rules), "rubric": len(rubric)}
