"""The celery app (`celery -A demo_flask.tasks:celery worker`) and the one task."""
import socket
from datetime import datetime

from celery import Celery
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from . import config
from .models import Event, Session

celery = Celery('demo_flask', broker=config.BROKER_URL, backend=config.RESULT_BACKEND)
celery.conf.update(
    task_ignore_result=config.RESULT_BACKEND is None,
    # a task acknowledged only when done: a worker stopped mid-task gives it back to the queue
    task_acks_late=True,
    worker_prefetch_multiplier=1,
    broker_connection_retry_on_startup=True,
)


@celery.task(name='demo_flask.process_webhook_event')
def process_webhook_event(event_id, received_at, payload=None):
    """Records the event once: the unique event_id makes a repeated delivery count an attempt only."""
    received = datetime.fromisoformat(received_at)
    with Session() as session:
        try:
            with session.begin():
                session.add(Event(event_id=event_id, payload=payload, received_at=received, worker=socket.gethostname()))
            return 'processed'
        except IntegrityError:
            # already processed (maybe by a concurrent worker): count the delivery, change nothing else
            with session.begin():
                session.execute(update(Event).where(Event.event_id == event_id).values(attempts=Event.attempts + 1))
            return 'duplicate'


@celery.task(name='demo_flask.ping')
def ping(value='pong'):
    return value

