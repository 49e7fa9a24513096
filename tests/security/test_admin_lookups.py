"""What the query string of a change list can ask, per admin and per staff role (issue 11).

Django's admin alone filters on any local field or annotation named in the URL, searches every search
field and sorts by any column index. A role that sees a number masked, or a column not at all, could read
it back one request at a time (``?score_total__gte=84``, ``?mobile__startswith=1360``). Here every
registered admin (``admin.site._registry``: a new admin is probed without an entry) is asked, by every
role that sees its change list:

- a lookup on each of its fields, each annotation of its queryset and each masked field it reaches
  through a relation: refused with 400 unless it is a filter the page shows to that role;
- a search for each personal number the role sees masked: it finds exactly what a search for a word
  that is nowhere finds;
- each column as ordering: a column sorted by a field the role sees masked is never applied.
"""

from decimal import Decimal

import pytest
from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.db.models import F, OrderBy
from django.urls import reverse

from accounts.models import User
from applications.enums import PendingDecision
from applications.models import Application
from recruitment.admin_permissions import PredicatePermissionsMixin
from reviews.models import Filing, PhoneTask
from tests.factories import UserFactory
from tests.reviews.factories import FinalReviewApplicationFactory, ScoreSheetFactory, SubmittedApplicationFactory
from tests.security.test_admin_matrix import COLUMNS, MODEL_PAGES

pytestmark = pytest.mark.django_db

STAFF_ROLES = [role for role in COLUMNS if role != "none"]
PHONE_FULL = {"ops", "admin"}  # applications.permissions.can_see_full_phone
ID_NUMBER_FULL = {"risk", "admin"}  # reviews.permissions.can_see_full_id_number

# Fields shown masked, and the roles that see them in full (written out here, not read from the code).
MASKED = {
    (Application, "mobile"): PHONE_FULL,
    (User, "username"): PHONE_FULL,  # an applicant who signed up with a mobile number logs in with it
    (User, "mobile"): PHONE_FULL,
    (PhoneTask, "phone"): PHONE_FULL,
    (Filing, "legal_representative_id_number"): ID_NUMBER_FULL,
}

# A bare field name that is also the parameter of a filter shown to some roles: (admin, name) → roles.
FILTER_PARAMETERS_NAMED_LIKE_FIELDS = {("reviews.FinalReviewQueue", "pending_decision"): {"admin"}}
# Admin pages that are not change lists (the probation board, the data import): their views read no
# lookup from the query string (the board only ``?campaign=<slug>``), so every probe gets the plain page.
PAGES = {"probation.Board", "probation.DataImport"}

NOWHERE = "无此内容zq"  # a search word no row contains


def visible_admins(role):
    """(label, model admin) of the change lists ``role`` opens (the permission matrix's own table)."""
    index = COLUMNS.index(role)
    return [(model._meta.label, model_admin) for model, model_admin in admin.site._registry.items()
            if MODEL_PAGES[(model._meta.label, "changelist")][index] == 200]


def changelist(model_admin):
    return reverse(f"admin:{model_admin.opts.app_label}_{model_admin.opts.model_name}_changelist")


def masked_paths(model):
    """Paths from ``model`` to a masked field: its own, and one relation away (forward or reverse)."""
    paths = {}
    for (target, name), full in MASKED.items():
        if target._meta.concrete_model is model._meta.concrete_model:
            paths[name] = full
    for field in model._meta.get_fields():
        if not field.is_relation or field.related_model is None:
            continue
        for (target, name), full in MASKED.items():
            if field.related_model._meta.concrete_model is target:
                paths[f"{field.name}__{name}"] = full
    return paths


def probe_names(model_admin, request):
    """Every field of the admin's model, every annotation of its queryset for this user, every masked path."""
    fields = {field.name for field in model_admin.model._meta.concrete_fields}
    annotations = set(model_admin.get_queryset(request).query.annotations)
    return sorted(fields | annotations | set(masked_paths(model_admin.model)))


@pytest.fixture
def secrets(world):
    """An applicant who signed up with the mobile number of the application (136****0026 to masked roles),
    and the application's own mobile, the phone task's number, the legal representative's ID number."""
    login = UserFactory(username="13600000026", mobile="13600000026")
    SubmittedApplicationFactory(campaign=world.campaign, applicant=login, mobile="13600000026")
    return {
        "13600000026": PHONE_FULL,
        world.submitted.mobile: PHONE_FULL,
        world.phone_task.phone: PHONE_FULL,
        world.filing.legal_representative_id_number: ID_NUMBER_FULL,
    }


def test_every_registered_admin_goes_through_the_shared_mixin():
    outside = [model._meta.label for model, model_admin in admin.site._registry.items()
               if not isinstance(model_admin, PredicatePermissionsMixin)]

    assert outside == []


def test_every_staff_role_is_probed_on_some_change_list():
    assert {role: len(visible_admins(role)) > 0 for role in STAFF_ROLES} == dict.fromkeys(STAFF_ROLES, True)


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_lookups_outside_the_filters_shown_are_refused(client, rf, world, staff, role):
    user = staff[role]
    client.force_login(user)
    request = rf.get("/")
    request.user = user
    got, expected = {}, {}
    for label, model_admin in visible_admins(role):
        url = changelist(model_admin)
        for name in probe_names(model_admin, request):
            for key in (name, f"{name}__startswith"):
                got[(label, key)] = client.get(url, {key: "1"}).status_code
                allowed = role in FILTER_PARAMETERS_NAMED_LIKE_FIELDS.get((label, key), set())
                expected[(label, key)] = 200 if allowed or label in PAGES else 400

    assert got == expected
    assert len(got) > 100


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_search_for_a_number_seen_masked_finds_what_a_word_found_nowhere_finds(client, world, staff, secrets, role):
    client.force_login(staff[role])
    got, expected = {}, {}
    for label, model_admin in visible_admins(role):
        if label in PAGES:
            continue
        url = changelist(model_admin)
        nowhere = client.get(url, {"q": NOWHERE}).context["cl"].result_count
        for secret, full in secrets.items():
            if role not in full:
                got[(label, secret)] = client.get(url, {"q": secret}).context["cl"].result_count
                expected[(label, secret)] = nowhere

    assert got == expected


@pytest.mark.parametrize(
    ("role", "found"),
    [
        ("ops", {"applications.Application": 1, "reviews.PhoneTask": 1}),
        ("admin", {"applications.Application": 1, "reviews.PhoneTask": 1}),
        ("reviewer", {"applications.Application": 0, "reviews.Round1Queue": 0, "reviews.PhoneTask": 0}),
        ("risk", {"applications.Application": 0}),
        ("committee", {"applications.Application": 0}),
    ],
)
def test_search_by_full_number_finds_it_only_for_roles_that_see_it(client, world, staff, secrets, role, found):
    """The login 13600000026 is found by the application's mobile and by its applicant's login name; the
    phone task by its number."""
    client.force_login(staff[role])
    queries = {"applications.Application": "13600000026", "reviews.Round1Queue": "13600000026",
               "reviews.PhoneTask": world.phone_task.phone}
    got = {}
    for label in found:
        model_admin = admin.site._registry[next(m for m in admin.site._registry if m._meta.label == label)]
        got[label] = client.get(changelist(model_admin), {"q": queries[label]}).context["cl"].result_count

    assert got == found


def ordering_path(model_admin, column):
    """The field a column sorts by, read as Django's ChangeList does (name, admin_order_field)."""
    if not isinstance(column, str):
        order = getattr(column, "admin_order_field", None)
    else:
        try:
            return model_admin.model._meta.get_field(column).name
        except FieldDoesNotExist:  # a method or an attribute
            attr = getattr(model_admin, column, None) or getattr(model_admin.model, column, None)
            order = getattr(attr, "admin_order_field", None)
    if isinstance(order, OrderBy):
        order = order.expression
    if isinstance(order, F):
        order = order.name
    return order.lstrip("-") if isinstance(order, str) else None


def sorts_by(client, url, index):
    """Whether ``?o=<index>`` sorts the list: its ordering differs from an index Django skips (999)."""
    def ordering(o):
        return [str(term) for term in client.get(url, {"o": o}).context["cl"].queryset.query.order_by]

    return ordering(str(index)) != ordering("999")


def reaches_masked(model, path, role):
    for masked, full in masked_paths(model).items():
        if path and (path == masked or path.startswith(masked + "__")) and role not in full:
            return True
    return False


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_no_column_sorts_by_a_field_the_role_sees_masked(client, world, staff, role):
    client.force_login(staff[role])
    honoured, honoured_masked = [], []
    for label, model_admin in visible_admins(role):
        if label in PAGES:
            continue
        url = changelist(model_admin)
        columns = client.get(url).context["cl"].list_display
        for index, column in enumerate(columns):
            if sorts_by(client, url, index):
                honoured.append((label, column))
                if reaches_masked(model_admin.model, ordering_path(model_admin, column), role):
                    honoured_masked.append((label, column))

    assert honoured_masked == []
    assert honoured  # the probe does sort by the other columns


def test_the_mobile_column_sorts_for_operations_and_not_for_the_reviewer(client, world, staff):
    url = reverse("admin:applications_application_changelist")
    sorted_by = {}
    for role in ("ops", "reviewer"):
        client.force_login(staff[role])
        columns = client.get(url).context["cl"].list_display
        index = columns.index("mobile" if role == "ops" else "mobile_masked")
        arrows = client.get(url, {"o": str(index)}).context["cl"].get_ordering_field_columns()
        sorted_by[role] = (index, sorts_by(client, url, index), arrows)

    assert sorted_by == {"ops": (4, True, {4: "asc"}), "reviewer": (4, False, {})}


# --- The attacks of the adversarial review, as they were made ----------------------------------------


@pytest.fixture
def scored_by_another(world, staff):
    """A round-3 application scored 84.00 by another member; ``staff["committee"]`` has not scored it."""
    application = FinalReviewApplicationFactory(campaign=world.campaign, company_name="杭州被探分数科技有限公司")
    ScoreSheetFactory(application=application, weighted_score=Decimal("84.00"))
    return application


@pytest.mark.parametrize("threshold", ["84", "84.01", "0"])
def test_a_member_cannot_binary_search_another_members_total(client, staff, scored_by_another, threshold):
    client.force_login(staff["committee"])
    url = reverse("admin:reviews_finalreviewqueue_changelist")

    response = client.get(url, {"score_total__gte": threshold, "mine": "no"})

    assert response.status_code == 400
    assert scored_by_another.company_name not in response.content.decode()


@pytest.mark.parametrize("probe", [{"sheet_count__gte": "1"}, {"sheet_count__gte": "2"},
                                   {"pending_decision": "selected"}, {"pending_decision": "not_selected"},
                                   {"pending_decision__exact": "selected"}, {"my_score__gte": "0"}])
def test_a_member_cannot_count_sheets_or_read_pending_decisions(client, staff, scored_by_another, probe):
    FinalReviewApplicationFactory(campaign=scored_by_another.campaign, pending_decision=PendingDecision.SELECTED)
    client.force_login(staff["committee"])

    response = client.get(reverse("admin:reviews_finalreviewqueue_changelist"), probe)

    assert response.status_code == 400


def test_the_members_own_filter_still_works(client, staff, scored_by_another):
    client.force_login(staff["committee"])

    response = client.get(reverse("admin:reviews_finalreviewqueue_changelist"), {"mine": "no"})

    assert response.status_code == 200
    assert scored_by_another in response.context["cl"].result_list


@pytest.mark.parametrize("prefix", ["1", "136", "1360000002"])
def test_a_reviewer_cannot_recover_a_masked_mobile_digit_by_digit(client, staff, secrets, world, prefix):
    client.force_login(staff["reviewer"])

    for name in ("applications_application", "reviews_round1queue"):
        response = client.get(reverse(f"admin:{name}_changelist"), {"mobile__startswith": prefix})

        assert response.status_code == 400
        assert "13600000026" not in response.content.decode()


@pytest.mark.parametrize("query", [{"status": "\x00"}, {"status__exact": "\x00"}, {"campaign__id__exact": "\x00"},
                                   {"submitted_at__gte": "\x00"}, {"status__exact": "submitted\x00"}])
def test_a_nul_byte_in_a_lookup_is_a_bad_request_not_a_server_error(client, staff, world, query):
    """On PostgreSQL a NUL reaching the query is a server error; here it stops at the admin (400) or
    earlier (a general middleware): either way not 500, and no row is shown."""
    client.force_login(staff["ops"])

    response = client.get(reverse("admin:applications_application_changelist"), query)

    assert response.status_code == 400
    assert world.submitted.company_name not in response.content.decode()


@pytest.mark.parametrize("term", ["\x00", "1381111\x00"])
def test_a_nul_byte_in_a_search_is_refused_with_a_message(client, staff, world, term):
    """Refused before any query (recruitment.middleware.NulByteMiddleware): a 400 with a plain message, no list."""
    client.force_login(staff["ops"])
    url = reverse("admin:applications_application_changelist")

    response = client.get(url, {"q": term})

    assert response.status_code == 400
    assert response.content.decode() == "您的请求中含有不允许的字符（空字符 NUL）。请返回上一页，删除该字符后重试。"
