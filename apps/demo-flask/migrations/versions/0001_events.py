"""the events table: one row per webhook event id

Revision ID: 0001_events
Revises:
Create Date: 2026-11-24 08:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0001_events'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'events',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('event_id', sa.String(length=200), nullable=False),
        sa.Column('payload', sa.Text(), nullable=True),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('processed_at', sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column('attempts', sa.Integer(), nullable=False, server_default='1'),
        sa.Column('worker', sa.String(length=200), nullable=True),
        sa.UniqueConstraint('event_id', name='uq_events_event_id'),
    )


def downgrade():
    op.drop_table('events')
