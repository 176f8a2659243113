from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArchiveConfig(AppConfig):
    """The archive core: filing states, the change trail and the registry the category apps plug into."""

    name = "archive"
    verbose_name = _("Archive")

    def ready(self):
        from simple_history.signals import pre_create_historical_record

        from .history import keep_user_name

        pre_create_historical_record.connect(keep_user_name, dispatch_uid="archive.keep_user_name")
