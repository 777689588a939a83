from core.exports import exports_expire
from core.management.base import ExpireCommand


class Command(ExpireCommand):
    help = "Delete export files older than EXPORTS_KEEP_HOURS and close export jobs a dead worker left running."
    items, records = "jobs", "export file(s)"
    expire = staticmethod(exports_expire)
