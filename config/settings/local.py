"""`make run` on a laptop: SQLite and in-process tasks unless URLs are given.

DEBUG stays off by default so the demo behaves like the product: the project's own Chinese
404/403/500 pages, not Django's technical pages (WhiteNoise still serves static files, from the
apps directly). A developer who wants the technical pages sets ``DJANGO_DEBUG=true``.
"""
from .base import *  # noqa: F401,F403
from .base import DATABASES, env

DEBUG = env.bool("DJANGO_DEBUG", default=False)
# runserver starts a thread per request; a persistent connection per thread leaks under load.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
# The demo relaxes two-factor login so `make run`'s users can log in with the published password.
# Set TWO_FACTOR_REQUIRED_ROLES=leader,auditor,admin to try it as production has it.
TWO_FACTOR_REQUIRED_ROLES = env.list("TWO_FACTOR_REQUIRED_ROLES", default=[])
# Serve static files straight from the apps, as runserver's reloader expects.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# The demo county's fictional area code (accounts/demo.py) is accepted in ID numbers here only.
ID_AREA_CODES_ALSO = ["411099"]
