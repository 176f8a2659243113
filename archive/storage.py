"""File storage for archive documents."""

from django.core.files.storage import Storage, storages
from django.utils.deconstruct import deconstructible


@deconstructible
class NamedStorage(Storage):
    """A storage that looks its backend up in ``settings.STORAGES[alias]`` at every call.

    ``FileField`` resolves a callable ``storage`` once, when the model class is built, so a later change of
    the ``STORAGES`` setting (a test's temporary folder, a deployment's override) would never reach it.
    Delegating per call keeps the field's storage whatever the setting says now.
    """

    def __init__(self, alias: str):
        self.alias = alias

    @property
    def backend(self) -> Storage:
        return storages[self.alias]

    def _open(self, name, mode="rb"):
        return self.backend._open(name, mode)

    def _save(self, name, content):
        return self.backend._save(name, content)

    def get_available_name(self, name, max_length=None):
        return self.backend.get_available_name(name, max_length=max_length)

    def get_valid_name(self, name):
        return self.backend.get_valid_name(name)

    def generate_filename(self, filename):
        return self.backend.generate_filename(filename)

    def delete(self, name):
        return self.backend.delete(name)

    def exists(self, name):
        return self.backend.exists(name)

    def listdir(self, path):
        return self.backend.listdir(path)

    def size(self, name):
        return self.backend.size(name)

    def path(self, name):
        return self.backend.path(name)

    def url(self, name):
        return self.backend.url(name)

    def get_modified_time(self, name):
        return self.backend.get_modified_time(name)
