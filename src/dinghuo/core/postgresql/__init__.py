"""Django's PostgreSQL backend with a connection pool that survives the database going away
(`ENGINE = "dinghuo.core.postgresql"`; see base.py)."""
