"""`make run` on a laptop: DEBUG on, SQLite and in-process tasks unless URLs are given."""
from .base import *  # noqa: F401,F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# Serve static files straight from the apps, as runserver's reloader expects.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
