"""Codes by their names, in the visitor's language: risk rules with their parameter, yes/no icons, permissions."""

from django.contrib.admin.templatetags import admin_list
from django.contrib.auth.models import Permission
from django.utils import translation

from recruitment.admin_widgets import permission_label
from reviews.enums import rule_title


def test_rule_title_puts_the_parameter_in_place_of_n():
    assert rule_title("max_associated_accounts", 3) == "关联账号不超过 3 个"
    assert rule_title("min_incorporation_years", 1) == "公司成立满 1 年"
    assert rule_title("no_recent_clearing", 6) == "近 6 个月内无权限关闭或清退记录"
    assert rule_title("company_entity", None) == "申请主体为公司"


def test_rule_title_without_parameter_and_unknown_code():
    assert rule_title("max_associated_accounts") == "关联账号不超过规定个数"
    assert rule_title("retired_rule", 2) == "retired_rule"


def test_rule_title_in_english_for_an_english_visitor():
    with translation.override("en"):
        assert rule_title("max_associated_accounts", 3) == "At most 3 associated accounts"


def test_boolean_icons_are_read_out_in_the_visitors_language():
    assert admin_list._boolean_icon(True) == '<img src="/static/admin/img/icon-yes.svg" alt="是">'
    assert admin_list._boolean_icon(None) == '<img src="/static/admin/img/icon-unknown.svg" alt="未知">'
    with translation.override("en"):
        assert admin_list._boolean_icon(False) == '<img src="/static/admin/img/icon-no.svg" alt="No">'


def test_permission_names_are_translated(db):
    add = Permission.objects.get(codename="add_campaign")
    publish = Permission.objects.get(codename="publish_results")

    assert permission_label(add) == "招募活动 | 活动 | 可以添加活动"
    assert permission_label(publish) == "招募活动 | 活动 | 可公示结果"
