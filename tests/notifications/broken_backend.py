from django.core.mail.backends.base import BaseEmailBackend


class BrokenBackend(BaseEmailBackend):
    """An e-mail backend whose server is down (a stand-in for the outside world, not our code)."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("SMTP server unreachable")
