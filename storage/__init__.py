"""Persistence: SQLModel tables, the async engine, repository functions and Alembic migrations.

Imports neither telegram nor handlers nor jobs.
"""
