"""The Flask app: a webhook that answers 202 at once and leaves the work to celery; the processed events."""
import re
from datetime import datetime, timezone

from flask import Flask, abort, jsonify, request
from sqlalchemy import func, select

from . import config
from .models import Event, Session
from .tasks import process_webhook_event

EVENT_ID = re.compile(r'^[A-Za-z0-9._:-]{1,200}$')


def create_app():
    app = Flask(__name__)
    app.config['SECRET_KEY'] = config.SECRET_KEY

    @app.post('/webhooks/')
    @app.post('/webhooks/<event_id>')
    def webhook(event_id=None):
        body = request.get_json(silent=True) or {}
        event_id = event_id or body.get('id')
        if not isinstance(event_id, str) or not EVENT_ID.match(event_id):
            abort(400, 'an event id (letters, digits, . _ : -) in the URL or as "id" in a JSON body')
        received_at = datetime.now(timezone.utc).isoformat()
        process_webhook_event.delay(event_id, received_at, request.get_data(as_text=True) or None)
        return jsonify({'queued': event_id, 'received_at': received_at}), 202

    @app.get('/events')
    def events():
        with Session() as session:
            rows = session.scalars(select(Event).order_by(Event.id)).all()
            attempts = session.scalar(select(func.coalesce(func.sum(Event.attempts), 0)))
            return jsonify({
                'processed': len(rows),
                'attempts': int(attempts),
                'release': config.RELEASE,
                'events': [row.as_dict() for row in rows],
            })

    @app.get('/events/<event_id>')
    def event(event_id):
        with Session() as session:
            row = session.scalar(select(Event).where(Event.event_id == event_id))
            if row is None:
                abort(404)
            return jsonify(row.as_dict())

    @app.get('/health/')
    def health():
        # no database or broker call: load balancers and deploys call this often
        return 'ok', 200, {'Content-Type': 'text/plain'}

    @app.get('/')
    def home():
        return jsonify({'app': 'demo-flask', 'release': config.RELEASE})

    return app
