"""An SMS backend that keeps what it is given (the SMS provider's stand-in, as Django's locmem e-mail
backend is the SMTP server's): ``SMS_BACKEND = "tests.notifications.sms_outbox.RecordingSmsBackend"``."""

SENT = []
#: (number, kind, params) of each message, as a provider is asked.
TEMPLATED = []


class RecordingSmsBackend:
    def send(self, number, text, *, kind, params):
        SENT.append((number, text))
        TEMPLATED.append((number, kind, dict(params)))
        return None
