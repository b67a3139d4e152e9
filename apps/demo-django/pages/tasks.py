"""Celery tasks of the demo: `ping` proves the round trip web host → broker → worker → result."""
import socket

from demo.celery import app

from django.utils import timezone

from .models import Job, Visit


@app.task(name='pages.ping')
def ping(value='pong'):
    # the worker reads the database too: the visit count shows it runs with the app's settings
    return {'value': value, 'worker': socket.gethostname(), 'visits': Visit.objects.count()}


@app.task(name='pages.process_job')
def process_job(job_id):
    # runs on a worker host: the row says which one, and when
    Job.objects.filter(pk=job_id).update(processed_by=socket.gethostname(), processed_at=timezone.now())
