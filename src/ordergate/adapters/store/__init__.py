"""The SQL store: tables, the event journal, read queries and Alembic migrations (SQLite and PostgreSQL)."""
