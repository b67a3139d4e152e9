"""demo-flask: webhooks answered fast (202), processed by a celery worker, recorded once per event id."""
