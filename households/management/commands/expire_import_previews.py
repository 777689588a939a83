from core.management.base import ExpireCommand
from households.services.exchange import import_previews_expire


class Command(ExpireCommand):
    help = "Cancel Excel import previews older than HOUSEHOLDS_IMPORT_PREVIEW_HOURS and scrub their ID numbers."
    items, records = "batches", "import preview(s)"
    expire = staticmethod(import_previews_expire)
