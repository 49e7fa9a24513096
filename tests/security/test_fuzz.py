"""Fuzzing with hypothesis: the questionnaire sections and every import kind.

Sections: random text (control characters, huge strings, any Unicode), numbers out of range → never a
server error, and when the form is invalid the draft is exactly as before (no partial write). A NUL byte
anywhere is answered 400 by the edge middleware, with nothing written.
Imports: random bytes, random CSV rows in several encodings → ``import_file`` either succeeds or
reports errors with nothing written; it never raises. Bounded (``max_examples``) to keep the suite fast.
"""

import csv
import io

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from applications.forms import SECTION_FORMS
from applications.models import Application, CooperationCase
from probation.imports import KINDS, import_file
from probation.models import Activity, Enrollment, Leader, Merchant, MerchantExit, Order
from tests.probation.factories import LeaderFactory

FUZZ = settings(max_examples=40, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# Text a browser could send (no lone surrogates: they cannot be encoded), control characters included.
texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)
huge = st.builds(lambda ch, n: ch * n, st.characters(blacklist_categories=("Cs",)), st.integers(1000, 60000))
numbers = st.one_of(st.integers(-(10**30), 10**30), st.floats(allow_nan=True, allow_infinity=True)).map(str)
values = st.one_of(texts, huge, numbers, st.sampled_from(["", " ", "\x00", "on", "true", "2024-02-30", "-1", "1e309"]))


def snapshot(application):
    row = Application.objects.filter(pk=application.pk).values().get()
    row.pop("updated_at")
    return row, list(CooperationCase.objects.filter(application=application).values())


def refused_for_nul(data, response):
    """Whether the post carried a NUL byte; if so it must have been answered 400 (recruitment.middleware)."""
    if not any("\x00" in value for value in data.values()):
        return False
    assert response.status_code == 400
    return True


@pytest.mark.parametrize("slug", sorted(SECTION_FORMS))
def test_section_forms_never_fail_and_never_write_partially(client, draft, inside_window, slug):
    client.force_login(draft.applicant)
    url = reverse("applications:section", args=[slug])
    fields = list(SECTION_FORMS[slug].base_fields)

    @FUZZ
    @given(data=st.fixed_dictionaries({}, optional={name: values for name in fields}))
    def post(data):
        before = snapshot(draft)
        response = client.post(url, {**data, "action": "save"})
        if refused_for_nul(data, response):
            assert snapshot(draft) == before
            return
        assert response.status_code in (200, 302)
        if response.status_code == 200:  # the form was shown again with its errors: nothing saved
            assert response.context["form"].errors
            assert snapshot(draft) == before

    post()


def test_cases_formset_never_fails_and_never_writes_partially(client, draft, inside_window):
    client.force_login(draft.applicant)
    url = reverse("applications:section", args=["cases"])
    columns = ["merchant_name", "platform", "industry", "period", "gmv", "description"]

    @FUZZ
    @given(rows=st.lists(st.fixed_dictionaries({c: values for c in columns}), min_size=1, max_size=3),
           total=st.one_of(st.integers(0, 3).map(str), texts))
    def post(rows, total):
        data = {"cases-TOTAL_FORMS": total, "cases-INITIAL_FORMS": "0", "cases-MIN_NUM_FORMS": "0",
                "cases-MAX_NUM_FORMS": "1000", "action": "save"}
        for i, row in enumerate(rows):
            data.update({f"cases-{i}-{key}": value for key, value in row.items()})
        before = snapshot(draft)
        response = client.post(url, data)
        if refused_for_nul(data, response):
            assert snapshot(draft) == before
            return
        assert response.status_code in (200, 302)
        if response.status_code == 200:
            assert snapshot(draft) == before

    post()


PROBATION_MODELS = (Leader, Merchant, MerchantExit, Activity, Enrollment, Order)


def probation_rows():
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in PROBATION_MODELS}


def csv_bytes(header, rows, encoding):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding, errors="replace")


cells = st.one_of(texts, numbers, st.sampled_from(["L001", "M00001", "A00001", "2024-05-12 09:00:00", "1.00",
                                                    "已结算", "", "9133010622000000X"]))


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_import_kind_succeeds_or_reports_errors_with_nothing_written(campaign, kind):
    LeaderFactory(campaign=campaign, leader_account="L001")
    columns = KINDS[kind].columns
    headers = [c.name for c in columns] + [c.alias for c in columns]

    @FUZZ
    @given(
        source=st.one_of(
            # Random bytes that decode as UTF-8 or GB18030 (other encodings: the test after this one).
            st.text(max_size=200).map(lambda t: t.encode("utf-8", errors="replace")),
            st.text(max_size=200).map(lambda t: t.encode("gbk", errors="replace")),
            st.binary(max_size=200).map(lambda b: b.decode("latin-1").encode("utf-8")),
            st.builds(
                csv_bytes,
                st.lists(st.sampled_from(headers), max_size=len(columns) + 2).map(
                    lambda h: h or [c.name for c in columns]),
                st.lists(st.lists(cells, max_size=len(columns) + 2), max_size=5),
                st.sampled_from(["utf-8", "utf-8-sig", "gbk"]),
            ),
        # A file starting like XLSX (a ZIP) but broken: the test after this one.
        ).filter(lambda source: not source.startswith(b"PK\x03\x04"))
    )
    def run(source):
        before = probation_rows()
        result = import_file(kind, io.BytesIO(source), campaign=campaign)
        if not result.ok:
            assert result.errors
            assert probation_rows() == before

    run()


@pytest.mark.parametrize("source", [
    b"\x80",  # neither UTF-8 nor GB18030
    csv_bytes(["leader_account", "company_name", "credit_code", "granted_at"], [], "utf-16"),  # Excel "Unicode text"
    b"\xff\xfe\x00\x00garbage",
    b"PK\x03\x04",  # the XLSX (ZIP) signature, then nothing
], ids=["stray byte", "utf-16", "utf-32 bom", "broken xlsx"])
def test_import_of_an_unreadable_file_reports_an_error_and_writes_nothing(campaign, source):
    """Found by the fuzzer: the reader falls back to GB18030 and raises UnicodeDecodeError on bytes that
    are not GB18030 either, and a file with the ZIP signature that is no ZIP raises BadZipFile;
    ``import_file`` must report either as an error of the file instead."""
    before = probation_rows()

    result = import_file("leaders", io.BytesIO(source), campaign=campaign)

    assert (result.ok, len(result.errors) >= 1) == (False, True)
    assert probation_rows() == before
