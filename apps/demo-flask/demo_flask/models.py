"""The one table: an event per webhook event id (unique), with its attempts and when it was processed."""
from datetime import datetime, timezone

from sqlalchemy import Column, DateTime, Integer, String, Text, create_engine
from sqlalchemy.orm import declarative_base, sessionmaker

from . import config

Base = declarative_base()


def utcnow():
    return datetime.now(timezone.utc)


class Event(Base):
    __tablename__ = 'events'

    id = Column(Integer, primary_key=True)
    # the sender's id of the event: a repeated delivery finds this row and is not processed again
    event_id = Column(String(200), nullable=False, unique=True)
    payload = Column(Text, nullable=True)
    # when the web request accepted the event (the task gets it as an argument)
    received_at = Column(DateTime(timezone=True), nullable=False)
    processed_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    # deliveries of this id that reached the worker (1 + repeats)
    attempts = Column(Integer, nullable=False, default=1)
    # the worker that processed it (hostname), to show which host did the work
    worker = Column(String(200), nullable=True)

    def as_dict(self):
        return {
            'event_id': self.event_id,
            'payload': self.payload,
            'received_at': self.received_at.isoformat() if self.received_at else None,
            'processed_at': self.processed_at.isoformat() if self.processed_at else None,
            'attempts': self.attempts,
            'worker': self.worker,
        }


engine = create_engine(config.sqlalchemy_url(), pool_pre_ping=True, future=True)
Session = sessionmaker(bind=engine, future=True)
