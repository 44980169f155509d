"""Admin command line: ``python manage.py COMMAND --help`` (commands live in ``cli/``).

Every command takes ``--db URL`` (default: ``DATABASE_URL`` or the embedded SQLite file) and upgrades the
schema first. Messages are Chinese; the exit status is non-zero on failure.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
