"""Database sessions (``SESSION_ENGINE = "accounts.sessions"``) with a leaner read.

Exactly Django's ``db`` engine: same table, same rows, same expiry, revoked everywhere at once by a
logout (the row is deleted). Only the read that every logged-in request makes is one plain SQL statement
instead of an ORM query: building the ORM query cost more than running it (bench "pages").
"""

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    def load(self):
        data = self._read_session_data()
        if data is None:
            # As Django's engine: an unknown or expired key is dropped, so a save creates a new one.
            self._session_key = None
            return {}
        return self.decode(data)

    def _read_session_data(self):
        """The stored (encoded) data of this session if it exists and has not expired, else ``None``."""
        if self.session_key is None:
            return None
        model = self.model
        connection = connections[router.db_for_read(model)]
        quote = connection.ops.quote_name
        data, key, expiry = (quote(model._meta.get_field(name).column)
                             for name in ("session_data", "session_key", "expire_date"))
        sql = f"SELECT {data} FROM {quote(model._meta.db_table)} WHERE {key} = %s AND {expiry} > %s"
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.session_key, now])
            row = cursor.fetchone()
        return row[0] if row else None
