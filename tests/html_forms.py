"""What a browser would post back from a rendered form, read from the page's HTML (no JavaScript run)."""

from html.parser import HTMLParser

UNPOSTED_INPUT_TYPES = {"submit", "button", "image", "reset", "file"}


class _FormReader(HTMLParser):
    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.in_form = False
        self.data = []  # (name, value) in document order, as a browser encodes them
        self.select = None  # (name, [selected values], first option value)
        self.textarea = None  # (name, [text parts])
        self.option = None  # the value of the option being read, when it has no value attribute

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.in_form = self.form_id is None or attrs.get("id") == self.form_id
            return
        if not self.in_form or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text").lower()
            if kind in UNPOSTED_INPUT_TYPES:
                return
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.data.append((name, attrs.get("value", "on")))
                return
            self.data.append((name, attrs.get("value") or ""))
        elif tag == "select" and name:
            self.select = (name, [], None, "multiple" in attrs)
        elif tag == "option" and self.select is not None:
            name, chosen, first, multiple = self.select
            value = attrs.get("value")
            self.option = [value, "selected" in attrs, []]
            if first is None:
                self.select = (name, chosen, value, multiple)
        elif tag == "textarea" and name:
            self.textarea = (name, [])

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1].append(data)
        if self.option is not None:
            self.option[2].append(data)

    def handle_endtag(self, tag):
        if tag == "form" and self.in_form:
            self.in_form = False
        elif tag == "textarea" and self.textarea is not None:
            name, parts = self.textarea
            # A browser drops the newline that directly follows <textarea>.
            self.data.append((name, "".join(parts).removeprefix("\n")))
            self.textarea = None
        elif tag == "option" and self.option is not None:
            value, selected, text = self.option
            if selected:
                self.select[1].append(value if value is not None else "".join(text).strip())
            self.option = None
        elif tag == "select" and self.select is not None:
            name, chosen, first, multiple = self.select
            if not chosen and not multiple and first is not None:
                chosen = [first]  # a single select posts its first option when none is selected
            self.data.extend((name, value) for value in chosen)
            self.select = None


def posted_data(html, form_id=None):
    """The form ``form_id`` (or every form) of ``html`` as a browser would post it unchanged: a dict of
    name → value, or name → list of values for a name posted more than once (multiple selects)."""
    reader = _FormReader(form_id)
    reader.feed(html)
    reader.close()
    data = {}
    for name, value in reader.data:
        if name in data:
            data[name] = [*data[name], value] if isinstance(data[name], list) else [data[name], value]
        else:
            data[name] = value
    return data
