"""Round 2 filing (系统备案) and supplementary material: the ID validator, the domain and the /status/ views."""

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications.enums import ApplicationStatus, AttachmentKind
from applications.models import Attachment
from applications.services import TransitionNotAllowed, transition
from applications.uploads import check_upload
from applications.visibility import applicant_status
from recruitment.timeutils import beijing
from reviews.filing import FilingRefused, add_supplementary, submit_filing, validate_resident_id
from reviews.models import Filing, RiskAssessment
from tests.reviews.factories import SubmittedApplicationFactory, resident_id
from tests.workers import celery_worker, wait_until  # noqa: F401  (fixture)

S = ApplicationStatus
STATUS_URL = reverse("applications:status")
FILING_URL = reverse("reviews:filing")
SUPPLEMENT_URL = reverse("reviews:supplementary")
PDF = b"%PDF-1.4\n%supplement\n"


def filing_data(**overrides):
    data = {
        "legal_representative": "王芳",
        "legal_representative_id_number": resident_id(7),
        "registered_address": "浙江省杭州市余杭区文一西路 969 号",
        "business_address": "浙江省杭州市余杭区文一西路 969 号 3 楼",
        "settlement_account_name": "杭州拓客网络科技有限公司",
        "associated_accounts_confirmed": True,
        "rules_accepted": True,
    }
    data.update(overrides)
    return data


@pytest.fixture
def filing_app(campaign, applicant):
    return SubmittedApplicationFactory(campaign=campaign, applicant=applicant, status=S.FILING)


@pytest.fixture
def logged_in(client, applicant):
    client.force_login(applicant)
    return client


@pytest.fixture
def in_review_period():
    with time_machine.travel(beijing(2024, 4, 26, 10), tick=False):
        yield


# --- The resident ID validator ------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["11010519491231002X", "11010519491231002x", resident_id(14)])
def test_resident_id_valid(value):
    validate_resident_id(value)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("110105194912310021", "id_check"),  # wrong check digit
        ("11010519491331002X", "id_birth"),  # month 13
        ("11010519490230002X", "id_birth"),  # 30 February
        ("1101051949123100", "id_format"),  # too short
        ("11010519491231002Y", "id_format"),
        ("A1010519491231002X", "id_format"),
    ],
)
def test_resident_id_invalid(value, code):
    with pytest.raises(ValidationError) as error:
        validate_resident_id(value)
    assert error.value.code == code


# --- submit_filing -----------------------------------------------------------------------------------


def test_filing_moves_to_risk_review_and_runs_the_assessment(filing_app, applicant,
                                                            django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        filing = submit_filing(filing_app, actor=applicant, data=filing_data())

    assert len(callbacks) == 1
    assert (filing.legal_representative, filing.legal_representative_id_number) == ("王芳", resident_id(7))
    change = filing_app.status_changes.get(to_status=S.RISK_REVIEW)
    assert (change.from_status, change.actor) == (S.FILING, applicant)
    filing_app.refresh_from_db()
    assert filing_app.status == S.FINAL_REVIEW  # the (eager) task assessed it after commit
    assert RiskAssessment.objects.get(application=filing_app).passed is True


def test_filing_refused_to_someone_else(filing_app, other_applicant):
    with pytest.raises(FilingRefused):
        submit_filing(filing_app, actor=other_applicant, data=filing_data())

    filing_app.refresh_from_db()
    assert filing_app.status == S.FILING
    assert Filing.objects.count() == 0


def test_filing_refused_without_the_confirmations(filing_app, applicant):
    with pytest.raises(FilingRefused):
        submit_filing(filing_app, actor=applicant, data=filing_data(rules_accepted=False))

    assert Filing.objects.count() == 0


@pytest.mark.parametrize("status", [s for s in S if s != S.FILING])
def test_filing_only_in_filing_state(campaign, applicant, status):
    application = SubmittedApplicationFactory(campaign=campaign, applicant=applicant, status=status)

    with pytest.raises(FilingRefused):
        submit_filing(application, actor=applicant, data=filing_data())

    application.refresh_from_db()
    assert application.status == status
    assert Filing.objects.count() == 0
    assert application.status_changes.count() == 0


# --- The filing view ----------------------------------------------------------------------------------


def test_status_page_in_filing_shows_the_form(logged_in, filing_app, in_review_period):
    page = logged_in.get(STATUS_URL).content.decode()

    status = page.split('id="status"', 1)[1].split("</section>", 1)[0]
    assert '<span class="badge badge-ok">初审已通过</span> 请完成系统备案。' in status
    assert f'action="{FILING_URL}"' in page
    assert 'id="filing-associated-accounts">您申报的关联账号：mm_assoc_1</span>' in page


def test_filing_view_post_files_and_redirects(logged_in, filing_app, in_review_period,
                                              django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in.post(FILING_URL, filing_data())

    assert response.status_code == 302
    assert response["Location"] == STATUS_URL
    filing_app.refresh_from_db()
    assert filing_app.status == S.FINAL_REVIEW
    assert filing_app.filing.settlement_account_name == "杭州拓客网络科技有限公司"


def test_filing_view_invalid_id_rerenders_with_the_error(logged_in, filing_app, in_review_period):
    response = logged_in.post(FILING_URL, filing_data(legal_representative_id_number="110105194912310021"))

    assert response.status_code == 200
    assert "身份证号码校验位不正确，请核对。" in response.content.decode()
    filing_app.refresh_from_db()
    assert filing_app.status == S.FILING
    assert Filing.objects.count() == 0


def test_filing_view_refused_outside_filing(logged_in, campaign, applicant, in_review_period):
    application = SubmittedApplicationFactory(campaign=campaign, applicant=applicant, status=S.SUBMITTED)

    response = logged_in.post(FILING_URL, filing_data())

    assert response.status_code == 403
    assert "当前无法提交系统备案。" in response.content.decode()
    application.refresh_from_db()
    assert application.status == S.SUBMITTED
    assert Filing.objects.count() == 0


def test_filing_view_without_application_is_404(client, other_applicant, filing_app, in_review_period):
    client.force_login(other_applicant)

    response = client.post(FILING_URL, filing_data())

    assert response.status_code == 404
    assert Filing.objects.count() == 0


def test_filing_view_get_not_allowed(logged_in, filing_app):
    assert logged_in.get(FILING_URL).status_code == 405
    assert Filing.objects.count() == 0


# --- Supplementary material ---------------------------------------------------------------------------


def pdf_upload(name="案例数据.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def checked(campaign, upload=None):
    return check_upload(upload or pdf_upload(), campaign=campaign, kind=AttachmentKind.SUPPLEMENTARY)


@pytest.mark.parametrize("status", [S.FILING, S.RISK_REVIEW, S.FINAL_REVIEW])
def test_supplementary_upload_allowed_after_round1(campaign, applicant, status, in_review_period):
    application = SubmittedApplicationFactory(campaign=campaign, applicant=applicant, status=status)

    attachment = add_supplementary(application, upload=checked(campaign), actor=applicant, description="品牌授权书")

    assert (attachment.kind, attachment.original_name, attachment.description, attachment.uploaded_by) == (
        AttachmentKind.SUPPLEMENTARY, "案例数据.pdf", "品牌授权书", applicant,
    )


@pytest.mark.parametrize("status", [S.DRAFT, S.SUBMITTED, S.WITHDRAWN])
def test_supplementary_upload_refused_before_round1(campaign, applicant, status, in_review_period):
    application = SubmittedApplicationFactory(campaign=campaign, applicant=applicant, status=status)

    with pytest.raises(FilingRefused):
        add_supplementary(application, upload=checked(campaign), actor=applicant)

    assert Attachment.objects.count() == 0


def test_supplementary_upload_refused_to_someone_else(filing_app, other_applicant, campaign, in_review_period):
    with pytest.raises(FilingRefused):
        add_supplementary(filing_app, upload=checked(campaign), actor=other_applicant)

    assert Attachment.objects.count() == 0


def test_supplementary_upload_refused_after_publication(campaign, applicant):
    application = SubmittedApplicationFactory(campaign=campaign, applicant=applicant, status=S.FINAL_REVIEW)
    application.status = S.NOT_SELECTED
    application.save()
    campaign.published_at = beijing(2024, 5, 6)
    campaign.save()

    with time_machine.travel(beijing(2024, 5, 6), tick=False), pytest.raises(FilingRefused):
        add_supplementary(application, upload=checked(campaign), actor=applicant)

    assert Attachment.objects.count() == 0


def test_supplementary_view_uploads_with_the_larger_limit(logged_in, filing_app, campaign, in_review_period):
    big = PDF + b"0" * (campaign.attachment_max_mb * 1024 * 1024)  # over the questionnaire's limit

    response = logged_in.post(SUPPLEMENT_URL, {"file": pdf_upload("大文件.pdf", big), "description": "完整案例"})

    assert response.status_code == 302
    assert response["Location"] == STATUS_URL
    attachment = Attachment.objects.get()
    assert (attachment.kind, attachment.size, attachment.application) == (
        AttachmentKind.SUPPLEMENTARY, len(big), filing_app,
    )


def test_supplementary_view_refuses_a_file_over_the_limit(logged_in, filing_app, campaign, in_review_period):
    campaign.supplement_max_mb = 1
    campaign.save()

    response = logged_in.post(SUPPLEMENT_URL, {"file": pdf_upload(content=PDF + b"0" * 1024 * 1024)})

    assert response.status_code == 200
    assert "文件超过 1 MB" in response.content.decode()
    assert Attachment.objects.count() == 0


def test_supplementary_view_refused_before_round1(logged_in, campaign, applicant, in_review_period):
    SubmittedApplicationFactory(campaign=campaign, applicant=applicant, status=S.SUBMITTED)

    response = logged_in.post(SUPPLEMENT_URL, {"file": pdf_upload()})

    assert response.status_code == 403
    assert "通过初审后才能上传补充材料。" in response.content.decode()
    assert Attachment.objects.count() == 0


def test_supplementary_view_without_application_is_404(client, other_applicant, filing_app, in_review_period):
    client.force_login(other_applicant)

    response = client.post(SUPPLEMENT_URL, {"file": pdf_upload()})

    assert response.status_code == 404
    assert Attachment.objects.count() == 0


# --- The real worker ------------------------------------------------------------------------------------


@pytest.mark.redis
def test_risk_assessment_runs_on_the_real_worker_after_filing(celery_worker):  # noqa: F811
    from tests.factories import CampaignFactory
    from tests.reviews.factories import SubmittedApplicationFactory as Factory

    campaign = CampaignFactory()
    campaign.risk_rules.get_or_create(code="max_associated_accounts", defaults={"parameter": 3})
    application = Factory(campaign=campaign, status=S.FILING, associated_accounts=["a", "b"])

    submit_filing(application, actor=application.applicant, data=filing_data())

    assert wait_until(lambda: RiskAssessment.objects.filter(application=application).exists()) is True
    assert wait_until(lambda: type(application).objects.get(pk=application.pk).status == S.FINAL_REVIEW) is True
    assessment = RiskAssessment.objects.get(application=application)
    enabled = set(campaign.risk_rules.filter(enabled=True).values_list("code", flat=True))
    assert {r["code"] for r in assessment.results} == enabled
    assert "max_associated_accounts" in enabled
    assert all(r["passed"] for r in assessment.results)


# --- Closures (the filing deadline's close-out: tests/reviews/test_filing_deadline.py) --------------------------


def test_staff_can_no_longer_close_a_filing_as_a_hidden_round1_rejection(filing_app):
    with pytest.raises(TransitionNotAllowed):
        transition(filing_app, S.ROUND1_REJECTED, actor=None, reason="未按时完成备案")

    filing_app.refresh_from_db()
    assert (filing_app.status, applicant_status(filing_app)) == (S.FILING, "filing")


def test_a_round1_rejection_of_a_submitted_application_cannot_be_filed(campaign, applicant, in_review_period):
    application = SubmittedApplicationFactory(campaign=campaign, applicant=applicant)
    transition(application, S.ROUND1_REJECTED, actor=None, reason="材料不足")

    with pytest.raises(FilingRefused) as refused:
        submit_filing(application, actor=applicant, data=filing_data())

    assert str(refused.value) == "当前无法提交系统备案。"
    application.refresh_from_db()
    assert (application.status, Filing.objects.count()) == (S.ROUND1_REJECTED, 0)
