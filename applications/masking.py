"""Masking personal numbers for staff who do not need them (脱敏): one helper for every page and export.

Who sees the full value is a named predicate: ``applications.permissions.can_see_full_phone`` here and
``reviews.permissions.can_see_full_id_number`` for the filing's ID number (the caller in reviews asks it:
this domain does not import reviews). Everyone else sees the masked form: a mobile number as
``138****5678``, an ID number as ``110105********002X``.
"""


def mask_middle(value, *, keep_start, keep_end):
    """``value`` with every character but the first ``keep_start`` and last ``keep_end`` replaced by ``*``.

    A value too short to keep both ends is masked completely; an empty value stays empty.
    """
    text = "" if value is None else str(value)
    if not text:
        return text
    if len(text) <= keep_start + keep_end:
        return "*" * len(text)
    return text[:keep_start] + "*" * (len(text) - keep_start - keep_end) + text[len(text) - keep_end:]


def mask_phone(value):
    """138****5678: the operator prefix and the last four digits, enough to tell two numbers apart."""
    return mask_middle(value, keep_start=3, keep_end=4)


def mask_id_number(value):
    """110105********002X: the region code and the last four characters, never the birth date."""
    return mask_middle(value, keep_start=6, keep_end=4)


def phone_for(user, value):
    """The phone number as ``user`` may see it."""
    from .permissions import can_see_full_phone

    return value if can_see_full_phone(user) else mask_phone(value)


def mask_account(value):
    """mm*****01: an alliance account as the public results show it, at most half of it readable (a
    quarter at each end; one character of an account of three or fewer), so that an applicant
    recognises their own account and nobody learns anyone else's."""
    text = "" if value is None else str(value)
    if len(text) <= 3:
        return mask_middle(text, keep_start=1, keep_end=0)
    keep = max(1, len(text) // 4)
    return mask_middle(text, keep_start=keep, keep_end=keep)


def masked_login(account):
    """``account`` (a user) named as a role that sees numbers masked may see it: an applicant who signed
    up with a mobile number is named by that number."""
    if account is None:
        return "—"
    name = str(account)
    return mask_phone(name) if name.isdigit() else name
