"""python manage.py verify_audit_chain [--no-record]

Recomputes every audit row's hash and link (accounts.audit_chain) and checks the heads earlier
runs saw. Exit status 1 when the chain is broken, so cron or a monitoring probe can alert too.
Beat runs it daily (accounts.tasks.verify_audit_chain); the auditor's page shows the last result.
"""
from django.core.management.base import BaseCommand, CommandError

from accounts.audit_chain import verify_chain


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain; exit 1 if any row was changed, removed or forged."

    def add_arguments(self, parser):
        parser.add_argument("--no-record", action="store_true", help="do not store the result (a dry run)")

    def handle(self, *args, no_record=False, **options):
        report = verify_chain(record=not no_record)
        for warning in report.warnings:
            self.stderr.write(self.style.WARNING(f"warning: {warning}"))
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(problem)
            raise CommandError(f"audit chain BROKEN: first bad seq {report.first_bad_seq}, {report.rows} rows read")
        self.stdout.write(self.style.SUCCESS(
            f"audit chain ok: {report.rows} rows, head seq {report.head_seq} {report.head_hash} ({report.seconds}s)"
        ))
