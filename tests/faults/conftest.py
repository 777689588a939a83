"""Fixtures the fault tests share."""
import pytest

from config.celery import app
from tests.support.services import CELERY_REDIS_PORT, PrivateRedis


@pytest.fixture
def broker():
    """A private Redis as the Celery broker (stopped, restarted or killed by the test at will)."""
    redis = PrivateRedis(CELERY_REDIS_PORT).start()
    saved = app.conf.task_always_eager, app.conf.broker_url, app.conf.result_backend
    app.conf.task_always_eager, app.conf.broker_url, app.conf.result_backend = False, redis.url, None
    app._pool = None
    app.amqp._producer_pool = None
    yield redis
    app.conf.task_always_eager, app.conf.broker_url, app.conf.result_backend = saved
    app._pool = None
    app.amqp._producer_pool = None
    redis.stop()
