"""No English left on the pages people read (issue 13).

The demo data (``reviews.demo.seed``: a campaign open for applications, one in review, one in probation,
one finished) is seeded at a frozen moment; then each staff role of the demo logs in and every admin page it
can open is rendered in zh-hans — the dashboard, each registered model's changelist, add page and the change
and history pages of existing objects, the project's custom admin views (queues, ranking, score page,
probation board pages, confirmation pages) and the pages answering an admin action — and so is every page of
the applicant's side, for applicants at each stage. The visible text of each page (tags, scripts and styles
stripped; ``title``, ``placeholder``, ``aria-label``, ``alt`` and the value of buttons kept) must hold no
English word outside ``ALLOWED``; data shown as data (e-mail addresses, masked numbers, the demo's campaign
slugs, alliance accounts, group names) is taken out first, each value as a whole, so the same letters standing
alone still count. The demo's staff logins are English words ("reviewer", "risk"): the test gives them a digit
("reviewer1"), which no word of the test ever matches, so a login shown as data is not read as English and
the word "reviewer" on a page still is.

A page that answers anything but 200 for a role is skipped here: who may open what is
``tests/security/test_admin_matrix.py``'s business. To allow a word, add it to ``ALLOWED`` with the reason.
"""

import re
from html.parser import HTMLParser

import pytest
import time_machine
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import RequestFactory
from django.urls import reverse

from applications import questionnaire
from applications.models import Application, Attachment
from probation.models import Leader, Violation
from recruitment.models import Campaign
from recruitment.timeutils import beijing
from reviews import demo
from reviews.enums import CallOutcome
from reviews.models import PhoneTask
from tests.html_forms import posted_data

pytestmark = pytest.mark.django_db

SEEDED_AT = beijing(2025, 3, 10, 9, 30)

# Words that stay as they are in a Chinese page, each with its reason. Compared case-sensitively.
ALLOWED = {
    # Brand and product names, the file formats staff choose between (the export form lists them by their
    # extension, in lower case) and the text encodings an import accepts.
    "Taobao", "Alibaba", "DingTalk", "Excel", "CSV", "XLSX", "XLS", "PDF", "PNG", "JPEG", "JPG", "csv", "xlsx",
    "UTF", "BOM", "GBK", "GB",
    # Abbreviations the alliance's own Chinese documents use as they are, and file sizes.
    "ID", "GMV", "URL", "MB", "KB",
    # Time formats and the 24-hour clock's markers in the admin's date-time widgets.
    "YYYY", "MM", "DD", "HH", "SS", "UTC",
    # The check character of a resident ID number (身份证号最后一位可以是 X).
    "X",
    # Keys named in Django's own Chinese help text of multiple selects (按住 Control 键，或者 Mac 上的 Command 键).
    "Control", "Command", "Mac",
    # Protocol terms on the login-attempt pages (superuser only): GET/POST data, HTTP, IP address, SHA-256.
    "GET", "POST", "HTTP", "IP", "SHA",
    # The language switch offers English in English (a language is named in its own language).
    "English",
    # DingTalk's own Chinese robot settings name these so: the robot's "Webhook" address, the 加签 secret that
    # starts with "SEC".
    "Webhook", "SEC",
}

# Data shown as data, taken out of the page's text before its words are counted.
DATA_PATTERNS = [
    re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"),  # e-mail addresses
    re.compile(r"https?://\S+"),
    re.compile(r"\b(application|image|text)/[\w.+-]+"),  # an attachment's content type (application/pdf)
    re.compile(r"\S*\*{3,}\S*"),  # masked accounts and numbers (mm*****01)
    re.compile(r"/[\w./?=&%-]*"),  # paths shown as text (the file a link downloads, the rules' address)
]

WORD = re.compile(r"(?<![\w@./-])[A-Za-z][A-Za-z_]*(?![\w@/])")

# Apps whose objects name themselves in English whatever the language (django-axes writes "Access Log for
# <user> @ <time>" in its models' __str__, read out on every row): their pages, open to the superuser alone, are
# not read; their entries in every page's menu are.
OBJECT_NAMES_IN_ENGLISH = {"axes"}

# The demo's staff logins (manage.py seed_demo prints them), each given a digit by ``seeded``.
STAFF = ("reviewer", "risk", "judge1", "ops", "campaign-admin", "admin")
LOGIN = {name: name if name[-1].isdigit() else name.replace("-", "_") + "1" for name in STAFF}
APPLICANTS = (
    "13900000001", "half-draft@example.com", "13900000003", "submitted-1@example.com", "withdrawn@example.com",
    "review-filing@example.com", "review-final-1@example.com", "leader@example.com",
)


class VisibleText(HTMLParser):
    """The text a person reads or hears: text nodes outside script/style/template, and the attributes
    shown or read out (title, placeholder, aria-label, alt, a button's value)."""

    # Not read as words: scripts and styles; a text area's content is what someone typed; a <code> element is a
    # code shown as such (the data contract's column names on the import page, next to their Chinese names).
    HIDDEN = {"script", "style", "template", "textarea", "code"}
    SHOWN_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.hidden = [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in self.HIDDEN:
            self.hidden += 1
        self.parts += [attrs[name] for name in self.SHOWN_ATTRIBUTES if attrs.get(name)]
        if tag == "input" and attrs.get("type") in {"submit", "button", "reset"}:
            self.parts.append(attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self.hidden:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def english_words(html, data=()):
    parser = VisibleText()
    parser.feed(html)
    text = "\n".join(parser.parts)
    for value in sorted(data, key=len, reverse=True):
        text = re.sub(rf"(?<![\w@.-]){re.escape(value)}(?![\w@.-])", " ", text)
    for pattern in DATA_PATTERNS:
        text = pattern.sub(" ", text)
    return sorted({word for word in WORD.findall(text) if word not in ALLOWED})


@pytest.fixture
def seeded():
    """The demo data at a frozen moment, its staff logins given a digit (``LOGIN``)."""
    with time_machine.travel(SEEDED_AT, tick=False):
        demo.seed()
        for name, login in LOGIN.items():
            get_user_model().objects.filter(username=name).update(username=login)
        yield


def staff(name):
    return get_user_model().objects.get(username=LOGIN[name])


def data_words():
    """Values shown as data on the pages: campaign slugs, alliance accounts, file names and group names."""
    accounts = [
        *Application.objects.values_list("alliance_account", flat=True),
        *(account for accounts in Application.objects.values_list("associated_accounts", flat=True)
          for account in accounts or []),
        *Leader.objects.values_list("leader_account", flat=True),
        *Attachment.objects.values_list("original_name", flat=True),  # as the applicant named the file
    ]
    # Group names are typed by whoever manages the roles (the superuser reads them in the user admin).
    groups = Group.objects.values_list("name", flat=True)
    return {*groups, *Campaign.objects.values_list("slug", flat=True), *filter(None, accounts)}


class Pages:
    """Renders pages for one logged-in client and collects the English found on each."""

    def __init__(self, client, data):
        self.client, self.data, self.found, self.seen = client, data, {}, 0

    def check(self, label, response):
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            return response
        self.seen += 1
        words = english_words(response.content.decode(), self.data)
        if words:
            self.found[label] = words
            import os
            if os.environ.get("I18N_DUMP"):
                with open(os.environ["I18N_DUMP"], "a") as dump:
                    dump.write(f"{label}: {words}\n")
                    parser = VisibleText()
                    parser.feed(response.content.decode())
                    for part in parser.parts:
                        if set(english_words(part, self.data)) & set(words):
                            dump.write(f"    {part.strip()[:200]!r}\n")
        return response

    def get(self, url, label=None):
        return self.check(label or url, self.client.get(url))

    def post(self, url, data, label=None):
        return self.check(label or f"POST {url}", self.client.post(url, data, follow=True))


def admin_object(model_admin, user):
    """The latest object the role's changelist holds (its queryset as the admin filters it): in the demo,
    the one furthest along (a finalist with scores, a leader with verdicts)."""
    request = RequestFactory().get("/admin/")
    request.user = user
    return model_admin.get_queryset(request).order_by("-pk").first()


def custom_urls():
    """The project's own admin views, with the demo's objects."""
    review = Campaign.objects.get(slug="demo-review")
    final = review.applications.filter(status="final_review").order_by("pk").first()
    submitted = review.applications.filter(status="submitted").order_by("pk").first()
    violation = Violation.objects.order_by("pk").first()
    urls = [
        reverse("admin:applications_application_export"),
        reverse("admin:reviews_round1queue_decide", args=["pass"]) + f"?ids={submitted.pk}",
        reverse("admin:reviews_round1queue_decide", args=["reject"]) + f"?ids={submitted.pk}",
        reverse("admin:reviews_finalreviewqueue_score", args=[final.pk]),
        reverse("admin:reviews_ranking") + f"?campaign={review.pk}",
        reverse("admin:reviews_ranking_publish") + f"?campaign={review.pk}",
        reverse("admin:reviews_sanctionrecord_import"),
        reverse("admin:reviews_sanctionrecord_export"),
        reverse("admin:probation_leader_export"),
        reverse("admin:probation_violation_withdraw", args=[violation.pk]),
    ]
    for slug in ("demo-probation", "demo-finished"):
        for name in ("probation_board_changelist", "probation_board_data", "probation_board_preview",
                     "probation_board_recheck", "probation_board_report", "probation_dataimport_changelist"):
            urls.append(reverse(f"admin:{name}") + f"?campaign={slug}")
    return urls


@pytest.mark.parametrize("username", STAFF)
def test_admin_pages_read_in_chinese_for_each_role(client, seeded, username):
    user = staff(username)
    client.force_login(user)
    pages = Pages(client, data_words())

    pages.get(reverse("admin:index"))
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label in OBJECT_NAMES_IN_ENGLISH:
            continue
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        pages.get(reverse(f"{prefix}_changelist"))
        pages.get(reverse(f"{prefix}_add"))
        obj = admin_object(model_admin, user)
        if obj is not None:
            pages.get(reverse(f"{prefix}_change", args=[obj.pk]))
            pages.get(reverse(f"{prefix}_history", args=[obj.pk]))
    for url in custom_urls():
        pages.get(url)

    assert pages.seen > 10
    assert pages.found == {}


def test_admin_action_answers_read_in_chinese(client, seeded):
    """The pages and messages after actions: a phone call recorded (its message, and Django's change message
    on the history page, name the fields changed), the confirmation pages of list actions and their answers
    (a password reset, a close-out, a selection), a recheck of every leader (a message per check judged and
    per leader closed, reinstated or retained)."""
    User = get_user_model()
    client.force_login(staff("ops"))
    pages = Pages(client, data_words())
    task = PhoneTask.objects.filter(application__campaign__slug="demo-review").order_by("pk").first()
    change = reverse("admin:reviews_phonetask_change", args=[task.pk])
    data = posted_data(client.get(change).content.decode(), "phonetask_form")
    data.update(outcome=CallOutcome.REACHED, note="已电话告知")

    saved = pages.post(change, data, label="POST phone task change")
    history = pages.get(reverse("admin:reviews_phonetask_history", args=[task.pk]))

    client.force_login(staff("campaign-admin"))
    recheck = reverse("admin:probation_board_recheck") + "?campaign=demo-finished"
    fingerprint = client.get(recheck).context["preview"]["fingerprint"]
    rechecked = pages.post(recheck, {"campaign": "demo-finished", "fingerprint": fingerprint}, label="POST recheck")

    # Confirmation pages of list actions and what confirming answers.
    filer = Application.objects.get(applicant__username="review-filing@example.com")
    finalist = Application.objects.get(applicant__username="review-final-1@example.com")
    applicant = User.objects.get(username="13900000001")
    answers = []
    for username, url, data in (
        ("ops", reverse("admin:accounts_user_changelist"), {"action": "reset_password"}),
        ("ops", reverse("admin:accounts_user_changelist"), {"action": "reset_password", "confirm": "yes"}),
        ("risk", reverse("admin:reviews_riskqueue_changelist") + "?campaign__id__exact=all",
         {"action": "close_out_non_filers"}),
        ("risk", reverse("admin:reviews_riskqueue_changelist") + "?campaign__id__exact=all",
         {"action": "close_out_non_filers", "post": "yes"}),
        ("campaign-admin", reverse("admin:reviews_finalreviewqueue_changelist") + "?campaign__id__exact=all",
         {"action": "select_applications"}),
    ):
        client.force_login(staff(username))
        selected = {"ops": applicant.pk, "risk": filer.pk}.get(username, finalist.pk)
        answer = pages.post(url, {**data, "_selected_action": [selected]}, label=f"POST {username} {data}")
        answers.append((answer.context["title"], [str(m) for m in answer.context["messages"]]))

    assert [title for title, _messages in answers] == [
        "重置密码", "选择用户查看", "关闭：未按时备案", "选择第二轮队列（系统备案与风险评估）查看", "选择终审队列查看"]
    assert [messages for _title, messages in answers] == [
        [], ["设置新密码的一次性验证码正通过短信发送至 13900000001（账号 13900000001），"
             "申请人在“短信找回密码”页面输入即可。验证码只发给申请人本人，不会向您或任何其他人显示。"],
        [], ["已将 1 个申请关闭为未按时备案。"], ["已记录 1 项决定。"],
    ]
    assert [str(m) for m in saved.context["messages"]] == [
        f'成功修改了 电话通知“<a href="{change}">{task}</a>”。'
    ]
    assert "<td>已修改本次通话结果 和 本次通话备注。</td>" in history.text
    assert "人通过" in rechecked.text  # "新商家专项考核：检查点（到期 …）：6 人通过，2 人未通过"
    assert pages.found == {}


def test_history_is_the_admin_history_and_the_applicant_timeline_keeps_its_name(client, seeded):
    """Django's "History" button reads 历史; the applicant's timeline (same English word) reads 申请记录."""
    User = get_user_model()
    client.force_login(staff("campaign-admin"))
    campaign = Campaign.objects.get(slug="demo-review")
    admin_page = client.get(reverse("admin:recruitment_campaign_change", args=[campaign.pk])).text
    client.force_login(User.objects.get(username="review-filing@example.com"))
    status_page = client.get(reverse("applications:status")).text

    assert 'class="historylink">历史</a>' in admin_page
    assert "申请记录" not in admin_page
    assert "<h2>申请记录" in status_page


def test_applicant_pages_read_in_chinese(client, seeded):
    """Every page of the applicant's side, anonymous and for an applicant at each stage of the demo."""
    pages = Pages(client, data_words())
    for name in ("home", "results", "accounts:login", "accounts:signup", "accounts:password_reset",
                 "accounts:password_reset_done", "admin:login"):
        pages.get(reverse(name), label=f"anonymous {reverse(name)}")
    for login in APPLICANTS:
        client.force_login(get_user_model().objects.get(username=login))
        urls = [reverse(name) for name in ("home", "results", "applications:apply", "applications:overview",
                                           "applications:status", "accounts:password_change")]
        urls += [reverse("applications:section", args=[section.slug]) for section in questionnaire.SECTIONS]
        for url in urls:
            pages.get(url, label=f"{login} {url}")

    assert pages.seen > 7 + 4 * len(APPLICANTS)
    assert pages.found == {}


def test_english_words_reads_visible_text_only():
    html = (
        '<html><head><title>Dashboard</title><style>.a{color:red}</style></head><body>'
        '<script>var x = "hidden";</script><p>审核 draft → submitted</p>'
        '<input type="submit" value="Go"><input type="text" value="typed"><a title="History">历史</a>'
        '<span aria-label="Select all">全选</span><p>导出 CSV · ID 12 · P01 · a@b.cn · judge1</p></body></html>'
    )

    assert english_words(html, data={"judge1"}) == ["Dashboard", "Go", "History", "Select", "all", "draft",
                                                   "submitted"]
