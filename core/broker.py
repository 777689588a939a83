"""What the broker holds: the ids of every task waiting in a queue or delivered and not yet acknowledged.

Work that lives in the database (a weekly build queued, an export job) points at a Celery message.
When Redis restarts with nothing on disk, or a whole worker dies and its message is lost, the row
still says "queued" or "building" and nothing will ever run it. ``task_ids_in_broker`` lets a
reconciler prove a task is *gone*: not in any queue list and not in the ``unacked`` hash (with
``acks_late``, a task being run, or held back for a retry's countdown, stays there until it ends).

Only the Redis transport is read; with any other broker, or Redis unreachable, the answer is
``None`` ("cannot tell"), and callers must then assume the task may still run.
"""
import json
import logging

from celery import current_app

log = logging.getLogger(__name__)
# kombu's Redis transport keeps a queue's messages of priority p > 0 in "<queue>\x06\x16<p>".
PRIORITY_SEPARATOR = "\x06\x16"
UNACKED_KEY = "unacked"


def _message_id(raw) -> str | None:
    try:
        payload = json.loads(raw)
    except (TypeError, ValueError):
        return None
    if isinstance(payload, list):  # the unacked hash stores [message, exchange, routing key]
        payload = payload[0] if payload else {}
    headers = payload.get("headers") or {} if isinstance(payload, dict) else {}
    properties = payload.get("properties") or {} if isinstance(payload, dict) else {}
    return headers.get("id") or properties.get("correlation_id")


def task_ids_in_broker(app=None) -> set[str] | None:
    """Ids of the tasks the broker still holds (waiting or unacknowledged), or None if it cannot tell."""
    app = app or current_app
    url = app.conf.broker_url or ""
    if not url.startswith(("redis://", "rediss://")) or app.conf.task_always_eager:
        return None
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2)
        ids: set[str] = set()
        steps = app.conf.broker_transport_options.get("priority_steps") or [0, 3, 6, 9]
        for queue in app.amqp.queues or {"celery": None}:
            for step in steps:
                key = queue if not step else f"{queue}{PRIORITY_SEPARATOR}{step}"
                ids.update(filter(None, (_message_id(raw) for raw in client.lrange(key, 0, -1))))
        ids.update(filter(None, (_message_id(raw) for raw in client.hvals(UNACKED_KEY))))
        return ids
    except Exception as error:  # noqa: BLE001 - unreachable, or not what we expect: cannot tell
        log.warning("broker contents unreadable: %s", error)
        return None
