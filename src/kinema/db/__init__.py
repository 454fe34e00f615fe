"""SQLAlchemy models, engine set-up and migrations (SQLite default, PostgreSQL at scale)."""
