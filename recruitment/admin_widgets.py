"""Widgets every admin page uses (through ``recruitment.admin_permissions.PredicatePermissionsMixin``)."""

from django import forms
from django.contrib.admin.templatetags import admin_list
from django.contrib.admin.widgets import AdminSplitDateTime, BaseAdminDateWidget, BaseAdminTimeWidget
from django.db import models
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

TIME_FORMAT = "%H:%M:%S"


class SecondsSplitDateTime(AdminSplitDateTime):
    """The admin's date + time widget, the time shown and posted as HH:MM:SS.

    The stock widget takes its time format from the language, and zh-hans lists ``%H:%M`` first: a
    deadline of 23:59:59 was shown as 23:59 and a save that changed something else moved it to
    23:59:00. Parsing stays the form field's (the language's input formats), so HH:MM:SS and HH:MM
    are both accepted — the admin's clock shortcut ("现在", "午夜" …) inserts HH:MM, saved as HH:MM:00.
    """

    def __init__(self, attrs=None):
        widgets = [BaseAdminDateWidget, BaseAdminTimeWidget(format=TIME_FORMAT)]
        # MultiWidget's constructor, as Django's AdminSplitDateTime calls it, with our time widget.
        forms.MultiWidget.__init__(self, widgets, attrs)


def keep_seconds(model_admin):
    """Make ``model_admin`` (a ModelAdmin or an inline) edit every DateTimeField with ``SecondsSplitDateTime``.

    Applied to the instance after Django has merged its defaults into ``formfield_overrides``; a
    widget an admin chose on purpose (anything but Django's stock split widget) is left alone.
    """
    overrides = dict(model_admin.formfield_overrides)
    options = dict(overrides.get(models.DateTimeField, {}))
    if options.get("widget", AdminSplitDateTime) is AdminSplitDateTime:
        options["widget"] = SecondsSplitDateTime
        overrides[models.DateTimeField] = options
        model_admin.formfield_overrides = overrides
    return model_admin


def _boolean_icon(field_val):
    """Django's yes/no/unknown icon with its alt text in the visitor's language (是 / 否 / 未知).

    Django writes the alt text as ``True``/``False``/``None`` whatever the language, and a screen reader
    reads it out on every boolean column and read-only field.
    """
    name, alt = {True: ("yes", gettext("Yes")), False: ("no", gettext("No")), None: ("unknown", gettext("Unknown"))}[
        field_val
    ]
    return format_html('<img src="{}" alt="{}">', static(f"admin/img/icon-{name}.svg"), alt)


def translate_boolean_icons():
    """Install ``_boolean_icon`` in Django's admin (when ``recruitment.admin`` is imported). Django's change list and
    read-only fields import the function from ``admin_list`` each time they draw an icon."""
    admin_list._boolean_icon = _boolean_icon


# Django names the default permissions in English when it creates them ("Can add application"), whatever the
# language; the admin shows them by these words instead, with the model's translated name.
DEFAULT_PERMISSION_NAMES = {
    "add": _("Can add %(model)s"),
    "change": _("Can change %(model)s"),
    "delete": _("Can delete %(model)s"),
    "view": _("Can view %(model)s"),
}


def permission_label(permission):
    """The label "活动 | 活动 | 可以添加活动": the content type (app and model, translated) and the permission's name in
    the visitor's language; a custom permission's name is its (translatable) msgid from ``Meta.permissions``."""
    action, _sep, model_name = permission.codename.partition("_")
    model = permission.content_type.model_class()
    if model is not None and action in DEFAULT_PERMISSION_NAMES and model_name == model._meta.model_name:
        name = DEFAULT_PERMISSION_NAMES[action] % {"model": model._meta.verbose_name}
    else:
        name = gettext(permission.name)
    return f"{permission.content_type} | {name}"


def translate_permission_choices(formfield):
    """Label a permission choice field (a user's or a group's permissions) with ``permission_label``."""
    if formfield is not None and formfield.queryset.model._meta.label == "auth.Permission":
        formfield.label_from_instance = permission_label
    return formfield
