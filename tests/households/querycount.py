"""Query-count baseline for a logged-in page view, shared by the list tests.

Every request reads the session and the user, and SESSION_SAVE_EVERY_REQUEST (the idle
timeout) writes the session back inside a savepoint: SAVEPOINT, UPDATE, RELEASE. A list page's
own queries come on top of these five.
"""
REQUEST = 5
# A clerk's pages also load the township the header names ("… · 城关镇").
CLERK_REQUEST = REQUEST + 1
