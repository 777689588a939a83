"""Query-count baseline for a logged-in page view, shared by the list tests.

Every request reads the user (one query). The session comes from the cache (``cached_db``) and
is written back at most once a minute (accounts/sessions.py), so a page view within a minute of
the login costs no session query. A list page's own queries come on top of this one.
"""
REQUEST = 1
# A clerk's pages name the township in the header ("… · 城关镇"); it comes with the user
# (accounts.backends.StaffBackend), so a clerk's baseline is the same one query.
CLERK_REQUEST = REQUEST
