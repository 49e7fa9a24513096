"""An SMS backend that keeps what it is given (the SMS provider's stand-in, as Django's locmem e-mail
backend is the SMTP server's): ``SMS_BACKEND = "tests.notifications.sms_outbox.RecordingSmsBackend"``."""

SENT = []


class RecordingSmsBackend:
    def send(self, number, text):
        SENT.append((number, text))
