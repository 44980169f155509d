"""The database layer. Importing any part of it loads the status store (``data_access.status_store``), whose
recompute every write runs in its transaction through ``data_access.db.bump_revision``."""

import data_access.status_store  # noqa: F401 - registers the store's recompute with bump_revision
