"""
The celery app: `celery -A demo worker` (celery finds `demo.celery:app`). Not imported by the Django
settings or `demo/__init__.py`, so the web app runs without celery installed; the broker comes from
CELERY_BROKER_URL in the .env (a redis:// URL on dragonfly).
"""
import os

from celery import Celery

os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'demo.settings')

app = Celery('demo')
# CELERY_* names in the Django settings (which read them from the environment)
app.config_from_object('django.conf:settings', namespace='CELERY')
app.autodiscover_tasks()
