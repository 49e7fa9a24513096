"""One polite tone: the applicant is addressed as 您 everywhere (pages, e-mail, SMS, help texts,
messages), never 你; and every notice names the status page by its title, 申请进度."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
TEMPLATE_DIRS = [ROOT / "templates", *ROOT.glob("*/templates")]


def catalog_translations():
    """(line number, msgstr text) of every translation in the zh-hans catalog, continuation lines joined."""
    entries, current, start = [], None, 0
    for number, line in enumerate(CATALOG.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith("msgstr"):
            current, start = [line.split(" ", 1)[1]], number
        elif line.startswith('"') and current is not None:
            current.append(line)
        else:
            if current is not None:
                entries.append((start, "".join(part.strip()[1:-1] for part in current)))
            current = None
    if current is not None:
        entries.append((start, "".join(part.strip()[1:-1] for part in current)))
    return entries


def template_files():
    for directory in TEMPLATE_DIRS:
        yield from (path for path in directory.rglob("*") if path.suffix in {".html", ".txt"})


def test_catalog_parser_reads_every_translation():
    translations = dict((text, number) for number, text in catalog_translations())
    assert "申请进度" in translations
    assert len(translations) > 1000


def test_no_translation_addresses_the_reader_as_ni():
    offending = [(number, text) for number, text in catalog_translations() if "你" in text]
    assert offending == []


def test_no_template_addresses_the_reader_as_ni():
    offending = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in template_files()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if "你" in line
    ]
    assert offending == []


def test_notices_name_the_status_page_by_its_title():
    """The page is titled 申请进度; a notice calling it 申请状态页 or 状态页 sends the reader looking for a page
    that does not exist."""
    misnamed = re.compile(r"“申请状态”|申请状态页|(?<!进度)状态页")
    offending = [(number, text) for number, text in catalog_translations() if misnamed.search(text)]
    assert offending == []


def test_the_password_pages_speak_with_nin_where_django_says_ni(client, db):
    """Django's own zh-hans wording of the password rules and errors says 你; the catalog overrides each one
    an applicant reads (sign-up, password change, reset)."""
    from accounts.models import User

    user = User.objects.create_user("13700000000", mobile="13700000000", password="Tuoke-pioneer-2024x")
    signup = client.get("/accounts/signup/").content.decode()
    client.force_login(user)
    refused = client.post("/accounts/password/change/", {
        "old_password": "wrong", "new_password1": "123", "new_password2": "123"}).content.decode()

    assert "你" not in signup and "你" not in refused
    assert "您的密码必须包含至少 8 个字符。" in signup and "您的密码不能全部是数字。" in signup
    assert "您输入的旧密码不正确，请重新输入。" in refused
