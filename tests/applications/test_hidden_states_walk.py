"""Before publication an application in a hidden state reads, and behaves, exactly like its visible twin.

A hidden state is one whose applicant-facing word differs from what it really means (a round-1 or
risk rejection, a pass of the risk rules, a selection or not, a pending decision). The walk is driven
by the state table (``applications.enums.TRANSITIONS``): every path from the draft that goes through
a hidden state is built the way the product builds it, and so is its twin, the path the applicant
believes happened (each state replaced by the visible state it reads as). Both applicants then see
every page (status, questionnaire entry, overview, each section, the withdrawal page), the notices
written to them, every form on those pages, and the answer to every applicant action (save, submit,
delete a file, start, upload supplementary material, file, withdraw, reopen, submit again), compared
after each step with only the application's own ids, account and login replaced. A state or an edge
added to the table is walked too; an edge the test does not know is performed with ``transition``.
"""

import re
from collections import deque
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import resolve, reverse

from applications import services
from applications.enums import (
    APPLICANT_STATUS,
    OUTCOME_STATES,
    TRANSITIONS,
    ApplicantStatus,
    ApplicationStatus,
    PendingDecision,
)
from applications.questionnaire import SECTIONS
from applications.visibility import applicant_status
from notifications.models import Notification
from recruitment.models import Campaign
from recruitment.timeutils import beijing
from reviews import roles
from reviews.enums import SanctionKind
from reviews.filing import close_out_non_filer, submit_filing
from reviews.publication import record_decision
from reviews.risk import assess_risk
from reviews.round1 import decide_round1
from tests.factories import ApplicationFactory, AttachmentFactory, CooperationCaseFactory, UserFactory
from tests.reviews.factories import SanctionRecordFactory, resident_id, scored_by_committee, staff_with_role

pytestmark = pytest.mark.django_db

S = ApplicationStatus
A = ApplicantStatus

CREATED = beijing(2024, 4, 19, 9)
SUBMITTED_AT = beijing(2024, 4, 20, 10)
MOMENTS = {
    # The window is open and round 1 is under way: withdrawal and reopening are offered.
    "window_open": beijing(2024, 4, 23, 10),
    # The publication step ran the evening before the results date: still nothing is published.
    "published_before_results_date": beijing(2024, 5, 5, 23, 59, 59),
}
PUBLICATION_RUN = beijing(2024, 5, 5, 18)

# The visible state each applicant-facing word stands for (where a twin's path goes).
VISIBLE = {A.DRAFT: S.DRAFT, A.SUBMITTED: S.SUBMITTED, A.WITHDRAWN: S.WITHDRAWN, A.FILING: S.FILING,
           A.FILED: S.RISK_REVIEW, A.FILING_CLOSED: S.FILING_LAPSED}

FILING_DATA = {
    "legal_representative": "王芳",
    "legal_representative_id_number": resident_id(7),
    "registered_address": "杭州市余杭区",
    "business_address": "杭州市余杭区",
    "settlement_account_name": "杭州同名网络科技有限公司",
    "associated_accounts_confirmed": "on",
    "rules_accepted": "on",
}
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


# --- Paths through the state table ---------------------------------------------------------------------


# The applicant's own steps, by the state they lead to, and the word the applicant must read to take
# them (the product offers and accepts them on that word alone). Every other edge is a staff step.
APPLICANT_STEPS = {S.SUBMITTED: A.DRAFT, S.WITHDRAWN: A.SUBMITTED, S.DRAFT: A.WITHDRAWN, S.RISK_REVIEW: A.FILING}


def simple_paths():
    """Every path from the draft the product can take that visits no state twice (a loop, withdraw →
    reopen, is walked as an action): an applicant's step only where they read the word it needs."""
    paths, queue = [], deque([[S.DRAFT]])
    while queue:
        path = queue.popleft()
        paths.append(path)
        for target in sorted(TRANSITIONS[path[-1]]):
            needs = APPLICANT_STEPS.get(target)
            if target not in path and (needs is None or shown_along(path)[-1] == needs):
                queue.append([*path, target])
    return paths


def shown_along(path):
    """The word the applicant reads after each state of ``path`` (an outcome keeps the previous word)."""
    shown, words = None, []
    for state in path:
        shown = shown if state in OUTCOME_STATES else APPLICANT_STATUS[state][0]
        words.append(shown)
    return words


def twin_of(path):
    """The path the applicant believes happened: each state as the visible state it reads as, repeats
    collapsed. Each twin step keeps the index of the real step it stands for (for its time)."""
    twin = []
    for index, word in enumerate(shown_along(path)):
        state = VISIBLE[word]
        if not twin or twin[-1][0] != state:
            twin.append((state, index))
    return twin


def hidden_cases():
    """(id, path, pending decision) of every path through a state that reads as another one."""
    cases = []
    for path in simple_paths():
        if [state for state, _i in twin_of(path)] == path:
            continue  # every state reads as itself: nothing hidden
        if path[-1] == S.FINAL_REVIEW:  # staff may also have recorded a decision, still pending
            for decision in PendingDecision:
                cases.append(("-".join(path) + f"-{decision.value or 'undecided'}", path, decision))
        else:
            cases.append(("-".join(path), path, PendingDecision.NONE))
    return cases


CASES = hidden_cases()


def test_the_walk_covers_every_hidden_state_of_the_table():
    hidden = {state for _id, path, _d in CASES for state in path if state not in VISIBLE.values()}
    ids = {case_id for case_id, _path, _d in CASES}

    assert hidden == {S.ROUND1_REJECTED, S.RISK_REJECTED, S.FINAL_REVIEW, S.SELECTED, S.NOT_SELECTED}
    assert {"draft-submitted-round1_rejected", "draft-submitted-round1_rejected-withdrawn",
            "draft-submitted-filing-filing_lapsed-not_selected", "draft-submitted-filing-risk_review-risk_rejected",
            "draft-submitted-filing-risk_review-final_review-selected"} <= ids


# --- Building an application along a path, the way the product does -----------------------------------


def step_time(index):
    """When the step into ``path[index]`` happens: the submission, then one step an hour from 04-22 09:00."""
    return SUBMITTED_AT if index == 1 else beijing(2024, 4, 22, 8 + index)


def perform(application, source, target, *, reviewer):
    """One edge of the table, through the domain function that performs it in the product."""
    applicant = application.applicant
    if (source, target) == (S.DRAFT, S.SUBMITTED):
        services.submit_application(application, actor=applicant)
    elif target == S.WITHDRAWN:
        services.withdraw_application(application, actor=applicant)
    elif (source, target) == (S.WITHDRAWN, S.DRAFT):
        services.reopen_application(application, actor=applicant)
    elif (source, target) == (S.SUBMITTED, S.FILING):
        decide_round1(application, actor=reviewer, passed=True, reason="资料齐全",
                      checked_items=application.campaign.checklist_items.all())
    elif (source, target) == (S.SUBMITTED, S.ROUND1_REJECTED):
        decide_round1(application, actor=reviewer, passed=False, reason="团队配置不合理")
    elif target == S.RISK_REVIEW:
        data = {**FILING_DATA, "associated_accounts_confirmed": True, "rules_accepted": True}
        submit_filing(application, actor=applicant, data=data)
    elif (source, target) == (S.RISK_REVIEW, S.RISK_REJECTED):
        SanctionRecordFactory(alliance_account=application.alliance_account, kind=SanctionKind.POOR_HISTORY)
        assess_risk(application)
    elif (source, target) == (S.RISK_REVIEW, S.FINAL_REVIEW):
        assess_risk(application)
    elif (source, target) == (S.FILING, S.FILING_LAPSED):  # the risk officer, once the deadline has passed
        close_out_non_filer(application, actor=staff_with_role(roles.RISK_OFFICER),
                            now=application.campaign.filing_deadline + timedelta(seconds=1))
    else:  # publication's outcomes, any edge added later
        services.transition(application, target, actor=reviewer, reason="内部处理")
    application.refresh_from_db()
    assert application.status == target, (source, target, application.status)


def build(campaign, login, steps, *, reviewer, decision=PendingDecision.NONE):
    """An applicant ``login`` with one application taken along ``steps`` ((state, index) pairs)."""
    user = UserFactory(username=login)
    with time_machine.travel(CREATED, tick=False):
        application = ApplicationFactory(
            campaign=campaign, applicant=user, alliance_account=f"mm_{login.split('@')[0]}",
            company_name="杭州同名网络科技有限公司", credit_code="91330106MA2H000001", mobile="13800001234",
            email="contact@example.com", dingtalk_id="ding_same",
        )
        CooperationCaseFactory(application=application, merchant_name="合作品牌甲")
        AttachmentFactory(application=application)
    for (source, _i), (target, index) in zip(steps, steps[1:], strict=False):
        with time_machine.travel(step_time(index), tick=False):
            perform(application, source, target, reviewer=reviewer)
    if decision:
        with time_machine.travel(beijing(2024, 4, 29, 17), tick=False):
            scored_by_committee(application)  # selection needs every committee member's sheet
            record_decision(application, actor=staff_with_role(roles.CAMPAIGN_ADMIN), decision=decision)
    return application


# --- Comparing what two applicants see ---------------------------------------------------------------------


def normalized(text, application):
    """The text with what differs between any two applications replaced: the CSRF token, the
    application's, its files' and its notices' ids, the alliance account and the login."""
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken" value="CSRF"', text)
    text = re.sub(r"csrftoken=[^;\s]+", "csrftoken=CSRF", text)
    text = re.sub(r'(name="application" value=")\d+"', r'\1APP"', text)
    text = re.sub(r"(application=)\d+", r"\1APP", text)
    for position, pk in enumerate(application.attachments.order_by("pk").values_list("pk", flat=True)):
        text = re.sub(rf"(/attachments/|attachment-){pk}\b", rf"\g<1>FILE{position}", text)
    notices = Notification.objects.filter(recipient=application.applicant).order_by("pk")
    for position, pk in enumerate(notices.values_list("pk", flat=True)):
        text = re.sub(rf"notification-{pk}\b", f"notification-N{position}", text)
    text = text.replace(application.alliance_account, "ACCOUNT")
    return text.replace(application.applicant.username, "LOGIN")


def seen(response, application):
    """Everything an applicant gets back: each redirect, the final page and its status code."""
    chain = [(normalized(url, application), code) for url, code in getattr(response, "redirect_chain", [])]
    return chain, response.status_code, normalized(response.content.decode(), application)


def pages(client, application):
    urls = ["/status/", "/apply/", "/apply/overview/", "/status/withdraw/",
            *(reverse("applications:section", args=[s.slug]) for s in SECTIONS)]
    return {url: seen(client.get(url, follow=True), application) for url in urls}


def forms(page_html):
    """The actions a page offers: (method, action) of each form and the id of each button or link."""
    found = set(re.findall(r'<form method="(\w+)"(?: action="([^"]*)")?', page_html))
    found |= {("button", b) for b in re.findall(r'<(?:button|a)[^>]* id="(btn-[^"]+)"', page_html)}
    return found


def notices(application):
    rows = Notification.objects.filter(recipient=application.applicant).order_by("pk")
    return [(n.channel, n.subject, normalized(n.body, application)) for n in rows]


# Forms of every page that are not about the application (the header's language switch and logout).
SITE_FORMS = {"set_language", "accounts:logout"}
KNOWN_ACTIONS = {"applications:section", "applications:attachment_delete", "applications:apply",
                 "reviews:supplementary", "reviews:filing", "applications:withdraw", "applications:reopen"}


def url_name(url):
    match = resolve(url.split("?", 1)[0])
    return f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name


def actions(application, offered):
    """Every applicant action with its form data, in an order that leaves the destructive ones last;
    a form a page offers that this list does not know is posted too, with the application's id."""
    pk = str(application.pk)
    attachment = application.attachments.order_by("pk").first()
    yield "save a section", reverse("applications:section", args=["identity"]), {
        "company_name": "改过的公司名", "action": "save"}
    yield "save the cases", reverse("applications:section", args=["cases"]), {
        "cases-TOTAL_FORMS": "0", "cases-INITIAL_FORMS": "0", "action": "save"}
    yield "submit", reverse("applications:section", args=["declaration"]), {
        "declaration_accepted": "on", "action": "submit"}
    yield "delete a file", reverse("applications:attachment_delete", args=[attachment.pk]), {}
    yield "start", reverse("applications:apply"), {}
    for method, action in offered:
        if method == "post" and action and url_name(action) not in KNOWN_ACTIONS | SITE_FORMS:
            yield f"post {action}", action.replace("APP", pk), {"application": pk}
    yield "upload supplementary material", reverse("reviews:supplementary"), {
        "application": pk, "description": "补充材料",
        "file": SimpleUploadedFile("补充.pdf", PDF, content_type="application/pdf")}
    yield "file", reverse("reviews:filing"), {"application": pk, **FILING_DATA}
    yield "withdraw", reverse("applications:withdraw"), {"application": pk, "reason": "再考虑一下"}
    yield "reopen", reverse("applications:reopen"), {"application": pk}
    yield "submit again", reverse("applications:section", args=["declaration"]), {
        "declaration_accepted": "on", "action": "submit"}


@pytest.mark.parametrize("moment", list(MOMENTS))
@pytest.mark.parametrize(("case", "path", "decision"), CASES, ids=[c[0] for c in CASES])
def test_a_hidden_state_reads_and_behaves_like_its_twin(client, campaign, case, path, decision, moment):
    reviewer = staff_with_role(roles.ROUND1_REVIEWER)
    hidden = build(campaign, "hidden@example.com", [(s, i) for i, s in enumerate(path)], reviewer=reviewer,
                   decision=decision)
    twin = build(campaign, "twin@example.com", twin_of(path), reviewer=reviewer)
    if moment == "published_before_results_date":
        Campaign.objects.filter(pk=campaign.pk).update(published_at=PUBLICATION_RUN)
        for application in (hidden, twin):
            application.campaign.refresh_from_db()
    at = MOMENTS[moment]
    assert (hidden.status, twin.status) == (path[-1], twin_of(path)[-1][0])
    with time_machine.travel(at, tick=False):
        assert applicant_status(hidden, at) == applicant_status(twin, at)

    def walk(application):
        client.force_login(application.applicant)
        with time_machine.travel(at, tick=False):
            steps = {"pages": pages(client, application)}
            steps["offered"] = sorted(set().union(*(forms(page) for _c, _s, page in steps["pages"].values())))
            for name, url, data in actions(application, steps["offered"]):
                response = client.post(url, data, follow=True)
                application.refresh_from_db()
                steps[name] = (seen(response, application),
                               seen(client.get("/status/", follow=True), application),
                               applicant_status(application, at))
            steps["pages at the end"] = pages(client, application)
            steps["notices"] = notices(application)
        client.logout()
        return steps

    hidden_walk, twin_walk = walk(hidden), walk(twin)

    assert list(hidden_walk) == list(twin_walk)
    for step in twin_walk:
        assert hidden_walk[step] == twin_walk[step], step
