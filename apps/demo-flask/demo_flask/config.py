"""
Settings, all from the environment: systemd loads the app's `.env` with `EnvironmentFile=`, and the
deploy's `python -m alembic upgrade head` gets the same variables.
"""
import os


def _first(*names, default=None):
    for name in names:
        value = os.environ.get(name)
        if value:
            return value
    return default


# postgresql://user:password@host/db (from @runbook/postgres); sqlite for a quick local run
DATABASE_URL = _first('DATABASE_URL', default='sqlite:///demo-flask.sqlite3')
# redis://… on dragonfly (from @runbook/dragonfly); CELERY_BROKER_URL wins over the generic names
BROKER_URL = _first('CELERY_BROKER_URL', 'BROKER_URL', 'REDIS_URL', default='redis://127.0.0.1:6379/0')
# off unless set: the webhook answers before the task runs, nobody waits for a result
RESULT_BACKEND = _first('CELERY_RESULT_BACKEND')
SECRET_KEY = _first('SECRET_KEY')
RELEASE = _first('RELEASE', default=os.path.basename(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def sqlalchemy_url(url=DATABASE_URL):
    """`postgres://` (Heroku style) is no SQLAlchemy 1.4 dialect name: read it as postgresql://."""
    return 'postgresql://' + url[len('postgres://'):] if url.startswith('postgres://') else url
