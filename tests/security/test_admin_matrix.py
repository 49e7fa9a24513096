"""Every admin page tried by each staff role and by a staff user with no role: only its part.

The page list is generated (``admin.site._registry``: changelist, add, change of an existing object;
the admin's custom URLs by name), the expected statuses are written out below, so a permission change
shows up as a diff of these tables and a new admin page without a row fails
``test_every_admin_page_is_in_the_matrix``.
"""

import pytest
from django.contrib import admin
from django.urls import get_resolver, reverse

from tests.security.conftest import ROLES

COLUMNS = tuple(ROLES)  # reviewer, risk, committee, ops, admin, none

# The object whose change page is tried, per registered model (an attribute of the ``world`` fixture).
OBJECT_OF = {
    "auth.Group": "group", "recruitment.Campaign": "campaign", "accounts.User": "user",
    "applications.Application": "submitted", "reviews.RubricCriterion": "criterion",
    "reviews.FinalReviewQueue": "final", "reviews.Round1Queue": "submitted", "reviews.Round1Review": "round1",
    "reviews.ChecklistItem": "checklist", "reviews.PhoneTask": "phone_task", "reviews.RiskQueue": "risk",
    "reviews.RiskAssessment": "assessment", "reviews.RiskRule": "rule", "reviews.SanctionRecord": "sanction",
    "probation.Board": "leader", "probation.DataImport": "leader", "probation.Leader": "leader",
    "probation.Violation": "violation", "notifications.Notification": "notification",
    "probation.CheckItem": "check_item", "probation.RuleChange": "rule_change", "probation.RuleNotice": "rule_notice",
    "axes.AccessAttempt": "attempt", "axes.AccessLog": "access_log", "axes.AccessFailureLog": "failure_log",
    "audit.AuditEvent": "audit_event", "reviews.Committee": "campaign",
    "applications.CustomQuestion": "custom_question",
    "notifications.DingTalkRobot": "dingtalk_robot", "notifications.DingTalkAlert": "dingtalk_alert",
}

# (model, page): statuses for            reviewer, risk, committee, ops, admin, none
MODEL_PAGES = {
    ("auth.Group", "changelist"):                  (403, 403, 403, 403, 403, 403),
    ("auth.Group", "add"):                         (403, 403, 403, 403, 403, 403),
    ("auth.Group", "change"):                      (403, 403, 403, 403, 403, 403),
    ("recruitment.Campaign", "changelist"):        (403, 403, 403, 403, 200, 403),
    ("recruitment.Campaign", "add"):               (403, 403, 403, 403, 200, 403),
    ("recruitment.Campaign", "change"):            (403, 403, 403, 403, 200, 403),
    # Operations see applicant accounts (read-only) to send one a password reset link (重置密码).
    ("accounts.User", "changelist"):               (403, 403, 403, 200, 403, 403),
    ("accounts.User", "add"):                      (403, 403, 403, 403, 403, 403),
    ("accounts.User", "change"):                   (403, 403, 403, 200, 403, 403),
    ("applications.Application", "changelist"):    (200, 200, 200, 200, 200, 403),
    ("applications.Application", "add"):           (403, 403, 403, 403, 403, 403),
    ("applications.Application", "change"):        (200, 200, 200, 200, 200, 403),
    ("reviews.RubricCriterion", "changelist"):     (403, 403, 200, 403, 200, 403),
    ("reviews.RubricCriterion", "add"):            (403, 403, 403, 403, 200, 403),
    ("reviews.RubricCriterion", "change"):         (403, 403, 200, 403, 200, 403),
    # Each campaign's final-review committee: the campaign admin assigns the judges (no campaign is added here).
    ("reviews.Committee", "changelist"):           (403, 403, 403, 403, 200, 403),
    ("reviews.Committee", "add"):                  (403, 403, 403, 403, 403, 403),
    ("reviews.Committee", "change"):               (403, 403, 403, 403, 200, 403),
    ("reviews.FinalReviewQueue", "changelist"):    (403, 403, 200, 403, 200, 403),
    ("reviews.FinalReviewQueue", "add"):           (403, 403, 403, 403, 403, 403),
    # The change page of the round-3 queue is the score page (a redirect) for those who may see it.
    ("reviews.FinalReviewQueue", "change"):        (403, 403, 302, 403, 302, 403),
    ("reviews.Round1Queue", "changelist"):         (200, 403, 403, 403, 403, 403),
    ("reviews.Round1Queue", "add"):                (403, 403, 403, 403, 403, 403),
    ("reviews.Round1Queue", "change"):             (200, 403, 403, 403, 403, 403),
    ("reviews.Round1Review", "changelist"):        (200, 403, 403, 403, 200, 403),
    ("reviews.Round1Review", "add"):               (403, 403, 403, 403, 403, 403),
    ("reviews.Round1Review", "change"):            (200, 403, 403, 403, 200, 403),
    # The campaign's custom questions (自定义问题): the campaign admin's alone.
    ("applications.CustomQuestion", "changelist"): (403, 403, 403, 403, 200, 403),
    ("applications.CustomQuestion", "add"):        (403, 403, 403, 403, 200, 403),
    ("applications.CustomQuestion", "change"):     (403, 403, 403, 403, 200, 403),
    ("reviews.ChecklistItem", "changelist"):       (200, 403, 403, 403, 200, 403),
    ("reviews.ChecklistItem", "add"):              (403, 403, 403, 403, 200, 403),
    ("reviews.ChecklistItem", "change"):           (200, 403, 403, 403, 200, 403),
    ("reviews.PhoneTask", "changelist"):           (200, 403, 403, 200, 200, 403),
    ("reviews.PhoneTask", "add"):                  (403, 403, 403, 403, 403, 403),
    ("reviews.PhoneTask", "change"):               (200, 403, 403, 200, 200, 403),
    ("reviews.RiskQueue", "changelist"):           (403, 200, 403, 403, 200, 403),
    ("reviews.RiskQueue", "add"):                  (403, 403, 403, 403, 403, 403),
    ("reviews.RiskQueue", "change"):               (403, 200, 403, 403, 200, 403),
    ("reviews.RiskAssessment", "changelist"):      (403, 200, 403, 403, 200, 403),
    ("reviews.RiskAssessment", "add"):             (403, 403, 403, 403, 403, 403),
    ("reviews.RiskAssessment", "change"):          (403, 200, 403, 403, 200, 403),
    ("reviews.RiskRule", "changelist"):            (403, 200, 403, 403, 200, 403),
    ("reviews.RiskRule", "add"):                   (403, 403, 403, 403, 403, 403),
    ("reviews.RiskRule", "change"):                (403, 200, 403, 403, 200, 403),
    ("reviews.SanctionRecord", "changelist"):      (403, 200, 403, 403, 200, 403),
    ("reviews.SanctionRecord", "add"):             (403, 200, 403, 403, 403, 403),
    ("reviews.SanctionRecord", "change"):          (403, 200, 403, 403, 200, 403),
    ("probation.Board", "changelist"):             (403, 403, 403, 200, 200, 403),
    ("probation.Board", "add"):                    (403, 403, 403, 403, 403, 403),
    # The board and the import are pages without objects.
    ("probation.Board", "change"):                 (403, 403, 403, 404, 404, 403),
    ("probation.DataImport", "changelist"):        (403, 403, 403, 200, 200, 403),
    ("probation.DataImport", "add"):               (403, 403, 403, 403, 403, 403),
    ("probation.DataImport", "change"):            (403, 403, 403, 404, 404, 403),
    ("probation.Leader", "changelist"):            (403, 403, 403, 200, 200, 403),
    ("probation.Leader", "add"):                   (403, 403, 403, 403, 403, 403),
    ("probation.Leader", "change"):                (403, 403, 403, 200, 200, 403),
    ("probation.Violation", "changelist"):         (403, 403, 403, 200, 200, 403),
    ("probation.Violation", "add"):                (403, 403, 403, 200, 200, 403),
    ("probation.Violation", "change"):             (403, 403, 403, 200, 200, 403),
    # Check items and the 公布规则变更 step are the campaign admin's; operations see them and the log.
    ("probation.CheckItem", "changelist"):         (403, 403, 403, 200, 200, 403),
    ("probation.CheckItem", "add"):                (403, 403, 403, 403, 200, 403),
    ("probation.CheckItem", "change"):             (403, 403, 403, 200, 200, 403),
    ("probation.RuleChange", "changelist"):        (403, 403, 403, 200, 200, 403),
    ("probation.RuleChange", "add"):               (403, 403, 403, 403, 403, 403),
    ("probation.RuleChange", "change"):            (403, 403, 403, 200, 200, 403),
    ("probation.RuleNotice", "changelist"):        (403, 403, 403, 200, 200, 403),
    ("probation.RuleNotice", "add"):               (403, 403, 403, 403, 200, 403),
    ("probation.RuleNotice", "change"):            (403, 403, 403, 200, 200, 403),
    ("notifications.Notification", "changelist"):  (403, 403, 403, 200, 200, 403),
    ("notifications.Notification", "add"):         (403, 403, 403, 403, 403, 403),
    ("notifications.Notification", "change"):      (403, 403, 403, 200, 200, 403),
    # A campaign's DingTalk robot (webhook and secret): the campaign admin's alone. The alerts: read-only.
    ("notifications.DingTalkRobot", "changelist"): (403, 403, 403, 403, 200, 403),
    ("notifications.DingTalkRobot", "add"):        (403, 403, 403, 403, 200, 403),
    ("notifications.DingTalkRobot", "change"):     (403, 403, 403, 403, 200, 403),
    ("notifications.DingTalkAlert", "changelist"): (403, 403, 403, 200, 200, 403),
    ("notifications.DingTalkAlert", "add"):        (403, 403, 403, 403, 403, 403),
    ("notifications.DingTalkAlert", "change"):     (403, 403, 403, 200, 200, 403),
    ("axes.AccessAttempt", "changelist"):          (403, 403, 403, 403, 403, 403),
    ("axes.AccessAttempt", "add"):                 (403, 403, 403, 403, 403, 403),
    ("axes.AccessAttempt", "change"):              (403, 403, 403, 403, 403, 403),
    ("axes.AccessLog", "changelist"):              (403, 403, 403, 403, 403, 403),
    ("axes.AccessLog", "add"):                     (403, 403, 403, 403, 403, 403),
    ("axes.AccessLog", "change"):                  (403, 403, 403, 403, 403, 403),
    ("axes.AccessFailureLog", "changelist"):       (403, 403, 403, 403, 403, 403),
    ("axes.AccessFailureLog", "add"):              (403, 403, 403, 403, 403, 403),
    ("axes.AccessFailureLog", "change"):           (403, 403, 403, 403, 403, 403),
    ("audit.AuditEvent", "changelist"):            (403, 403, 403, 403, 200, 403),
    ("audit.AuditEvent", "add"):                   (403, 403, 403, 403, 403, 403),
    ("audit.AuditEvent", "change"):                (403, 403, 403, 403, 200, 403),
}

# Custom admin URLs (by URL name): statuses for      reviewer, risk, committee, ops, admin, none
CUSTOM_PAGES = {
    "index":                                  (200, 200, 200, 200, 200, 200),  # the dashboard
    "applications_application_export":        (200, 200, 200, 200, 200, 403),
    "reviews_round1queue_decide":             (200, 403, 403, 403, 403, 403),
    "reviews_finalreviewqueue_score":         (403, 403, 200, 403, 200, 403),
    "reviews_ranking":                        (403, 403, 403, 403, 200, 403),
    "reviews_ranking_decide":                 (403, 403, 403, 403, 302, 403),
    "reviews_ranking_publish":                (403, 403, 403, 403, 200, 403),
    "reviews_ranking_export":                 (403, 403, 403, 403, 200, 403),
    "reviews_sanctionrecord_import":          (403, 200, 403, 403, 403, 403),
    "reviews_sanctionrecord_process_import":  (403, 200, 403, 403, 403, 403),
    "reviews_sanctionrecord_export":          (403, 200, 403, 403, 200, 403),
    "probation_board_data":                   (403, 403, 403, 200, 200, 403),
    "probation_board_preview":                (403, 403, 403, 200, 200, 403),
    "probation_board_recheck":                (403, 403, 403, 200, 200, 403),
    "probation_violation_withdraw":           (403, 403, 403, 403, 200, 403),
    "probation_board_report":                 (403, 403, 403, 200, 200, 403),
    "probation_leader_export":                (403, 403, 403, 200, 200, 403),
    "workspace_campaign":                     (302, 302, 302, 302, 302, 302),  # the header's switch (POST)
    "recruitment_campaign_copy":              (403, 403, 403, 403, 200, 403),  # 复制为新一轮
    "my_dingtalk":                            (200, 200, 200, 200, 200, 200),  # 我的钉钉信息: one's own
}

# The same exports actually run (POST of the export form, every column): the file or 403.
EXPORT_POSTS = {
    "applications_application_export":        (200, 200, 200, 200, 200, 403),
    "reviews_sanctionrecord_export":          (403, 200, 403, 403, 200, 403),
    "probation_leader_export":                (403, 403, 403, 200, 200, 403),
}

# Admin URL names that are the admin site's own (login, logout, …) or covered above by suffix.
SITE_URLS = {"login", "logout", "password_change", "password_change_done", "autocomplete", "jsi18n",
             "view_on_site", "app_list"}
STANDARD_SUFFIXES = ("_changelist", "_add", "_change", "_history", "_delete", "_password_change")


def custom_request(name, world):
    """(method, url, data) of one custom admin URL, with the world's objects."""
    slug = world.campaign.slug
    return {
        "index": ("get", reverse("admin:index"), None),
        "applications_application_export": ("get", reverse("admin:applications_application_export"), None),
        "reviews_round1queue_decide": (
            "get", reverse("admin:reviews_round1queue_decide", args=["pass"]) + f"?ids={world.submitted.pk}", None),
        "reviews_finalreviewqueue_score": (
            "get", reverse("admin:reviews_finalreviewqueue_score", args=[world.final.pk]), None),
        "reviews_ranking": ("get", reverse("admin:reviews_ranking"), None),
        "reviews_ranking_decide": (
            "post", reverse("admin:reviews_ranking_decide"), {"decision": "clear", "application": world.final.pk}),
        "reviews_ranking_publish": ("get", reverse("admin:reviews_ranking_publish"), None),
        "reviews_ranking_export": ("get", reverse("admin:reviews_ranking_export"), None),
        "reviews_sanctionrecord_import": ("get", reverse("admin:reviews_sanctionrecord_import"), None),
        "reviews_sanctionrecord_process_import": ("post", reverse("admin:reviews_sanctionrecord_process_import"), {}),
        "reviews_sanctionrecord_export": ("get", reverse("admin:reviews_sanctionrecord_export"), None),
        "probation_board_data": ("get", reverse("admin:probation_board_data") + f"?campaign={slug}", None),
        "probation_board_preview": ("get", reverse("admin:probation_board_preview") + f"?campaign={slug}", None),
        "probation_board_recheck": ("get", reverse("admin:probation_board_recheck") + f"?campaign={slug}", None),
        "probation_violation_withdraw": (
            "get", reverse("admin:probation_violation_withdraw", args=[world.violation.pk]), None),
        "probation_board_report": ("get", reverse("admin:probation_board_report") + f"?campaign={slug}", None),
        "probation_leader_export": ("get", reverse("admin:probation_leader_export"), None),
        "workspace_campaign": ("post", reverse("admin:workspace_campaign"), {"campaign": world.campaign.pk}),
        "recruitment_campaign_copy": ("get", reverse("admin:recruitment_campaign_copy", args=[world.campaign.pk]),
                                      None),
        "my_dingtalk": ("get", reverse("admin:my_dingtalk"), None),
    }[name]


def admin_url_names():
    names = set()

    def walk(patterns, namespace):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif namespace == "admin" and pattern.name:
                names.add(pattern.name)

    walk(get_resolver().url_patterns, None)
    return names


def model_pages():
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        for page in ("changelist", "add", "change"):
            yield model._meta.label, page, info


def test_every_admin_page_is_in_the_matrix():
    registered = {(label, page) for label, page, _info in model_pages()}
    custom = {name for name in admin_url_names()
              if name not in SITE_URLS and not name.endswith(STANDARD_SUFFIXES)}

    assert registered == set(MODEL_PAGES)
    assert custom == set(CUSTOM_PAGES)
    assert set(OBJECT_OF) == {label for label, _page in MODEL_PAGES}


@pytest.mark.parametrize("column", COLUMNS)
def test_model_pages_answer_each_role_as_expected(client, world, staff, column):
    client.force_login(staff[column])
    index = COLUMNS.index(column)
    got, expected = {}, {}
    for label, page, info in model_pages():
        args = [getattr(world, OBJECT_OF[label]).pk] if page == "change" else []
        url = reverse(f"admin:{info[0]}_{info[1]}_{page}", args=args)
        got[(label, page)] = client.get(url).status_code
        expected[(label, page)] = MODEL_PAGES[(label, page)][index]

    assert got == expected


@pytest.mark.parametrize("column", COLUMNS)
def test_custom_admin_pages_answer_each_role_as_expected(client, world, staff, column):
    client.force_login(staff[column])
    index = COLUMNS.index(column)
    got = {}
    for name in CUSTOM_PAGES:
        method, url, data = custom_request(name, world)
        got[name] = (client.post(url, data) if method == "post" else client.get(url)).status_code

    assert got == {name: statuses[index] for name, statuses in CUSTOM_PAGES.items()}


def export_form_data(form):
    """The export form as a browser posts it: the first format and resource, every column ticked."""
    data = {"format": "0", "resource": "0"}
    for name, field in form.fields.items():
        if name not in data and field.widget.input_type == "checkbox":
            data[name] = "on"
    return data


@pytest.mark.parametrize("column", COLUMNS)
def test_exports_run_only_for_roles_allowed(client, world, staff, superuser_forms, column):
    client.force_login(staff[column])
    index = COLUMNS.index(column)
    got = {}
    for name in EXPORT_POSTS:
        response = client.post(reverse(f"admin:{name}"), superuser_forms[name])
        got[name] = response.status_code
        if response.status_code == 200:
            assert response["Content-Disposition"].startswith("attachment; ")

    assert got == {name: statuses[index] for name, statuses in EXPORT_POSTS.items()}


@pytest.fixture
def superuser_forms(admin_client):
    """The export forms' POST data, read from the pages as a superuser sees them."""
    return {name: export_form_data(admin_client.get(reverse(f"admin:{name}")).context["form"]) for name in EXPORT_POSTS}
