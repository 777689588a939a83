"""The idle timeout without a database write on every request.

The 30-minute idle timeout (GB/T 22239 practice) needs the session's expiry to move forward as
the user works. Django's ``SESSION_SAVE_EVERY_REQUEST`` does that by writing the session back on
every request: a SAVEPOINT, an UPDATE and a RELEASE on each page view, more than the list pages
themselves cost (issue #7 measured 5 session queries per request). ``IdleTimeoutSessionMiddleware``
writes it at most once a minute (``SESSION_REFRESH_SECONDS``): a session then expires between
29 and 30 minutes after the last request, and most requests read it from the cache
(``SessionStore`` below, when Redis is configured) without touching the database at all.
"""
import logging
import time

from django.conf import settings
from django.contrib.sessions.backends import cached_db, db
from django.contrib.sessions.middleware import SessionMiddleware

logger = logging.getLogger(__name__)

REFRESHED_KEY = "_refreshed_at"


def mark_refreshed(session) -> None:
    session[REFRESHED_KEY] = int(time.time())


class IdleTimeoutSessionMiddleware(SessionMiddleware):
    def process_response(self, request, response):
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():
            try:
                stale = time.time() - session.get(REFRESHED_KEY, 0) >= settings.SESSION_REFRESH_SECONDS
            except TypeError:  # a value that is not a number: refresh it
                stale = True
            if stale:
                mark_refreshed(session)  # modified: Django saves it and sends a fresh cookie
        return super().process_response(request, response)


class SessionStore(cached_db.SessionStore):
    """``cached_db`` sessions that keep working from the database while Redis is down.

    Django's ``cached_db`` already survives a failed cache *save*, but not a failed cache write
    after a database read, a membership test or a delete: with Redis restarting, every page
    answered 500 and nobody could log in (the lockout counters fail open for the same reason).
    Here every cache call is best effort; the database stays the record. A session deleted while
    Redis was unreachable is not left behind usable: this Redis keeps nothing across a restart,
    and its entry expires with the idle timeout anyway.
    """

    def _cache_call(self, method, *args):
        try:
            return getattr(self._cache, method)(*args)
        except Exception:  # noqa: BLE001 - any cache failure: fall back to the database
            logger.warning("session cache unavailable (%s), using the database", method, exc_info=True)
            return None

    def load(self):
        data = self._cache_call("get", self.cache_key)
        if data is not None:
            return data
        s = self._get_session_from_db()
        if not s:
            return {}
        data = self.decode(s.session_data)
        self._cache_call("set", self.cache_key, data, self.get_expiry_age(expiry=s.expire_date))
        return data

    def exists(self, session_key):
        if session_key and self._cache_call("has_key", self.cache_key_prefix + session_key):
            return True
        return db.SessionStore.exists(self, session_key)

    def delete(self, session_key=None):
        db.SessionStore.delete(self, session_key)
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        self._cache_call("delete", self.cache_key_prefix + session_key)
