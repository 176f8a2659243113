"""Settings of the benchmark: the application's own, plus django-import-export as a peer to measure against.

The application does not depend on django-import-export; only the benchmark installs it (``.[bench]``).
"""

from archive_site.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "import_export"]  # noqa: F405
DEBUG = False
