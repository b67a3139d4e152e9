"""WSGI entry point for uWSGI: `module = demo_flask.wsgi:app`."""
from .app import create_app

app = create_app()
