"""An audit event's details in words (``audit.display``): labels for keys, names for codes, Beijing time."""

from audit.display import details_html


def test_probation_decision_details_read_as_words():
    details = {
        "cause": "violation", "up_to": "-", "decided_until": "2024-06-01T00:00:00+08:00", "closed": 1,
        "leaders": ["P01", "P02"], "note": "violation:fake_orders",
    }

    assert details_html(details) == (
        "<div>起因：记录违规</div><div>数据截至：—</div><div>决定至：2024-06-01 00:00:00</div>"
        "<div>关闭的权限数：1</div><div>团长：P01、P02</div><div>说明：违规：刷单</div>"
    )


def test_flags_rules_and_unknown_keys():
    details = {"passed": False, "failed_rules": ["company_entity"], "something_new": "x"}

    assert details_html(details) == (
        "<div>通过：否</div><div>未通过的规则：申请主体为公司</div><div>something_new：x</div>"
    )


def test_no_details_is_a_dash():
    assert details_html({}) == "—"
