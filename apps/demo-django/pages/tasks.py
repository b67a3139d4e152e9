"""Celery tasks of the demo: `ping` proves the round trip web host → broker → worker → result."""
import socket

from demo.celery import app

from .models import Visit


@app.task(name='pages.ping')
def ping(value='pong'):
    # the worker reads the database too: the visit count shows it runs with the app's settings
    return {'value': value, 'worker': socket.gethostname(), 'visits': Visit.objects.count()}
