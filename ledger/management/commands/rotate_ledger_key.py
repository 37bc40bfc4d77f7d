"""manage.py rotate_ledger_key: retire the ledger's signing key and start signing with a new one.

First every book, the audit log and the verification runs are verified with the current key: a
rotation must not put a fresh signature on a ledger someone has tampered with (exit 1, nothing
changed). Then the old public key is added to the retired list beside the key file (outside the
database, like the key) and a new key takes its place; checkpoints signed before still verify with
the retired key. Finally verify_ledger runs again, which signs a checkpoint of every book's head,
the audit log and the runs with the new key, so exports and dossiers made from now on carry it.
Publish the new fingerprint where the old one was published, and restart the app servers and
workers (until then they sign with the old key, which still verifies).
"""
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from ledger import integrity, keys
from ledger.models import Book


class Command(BaseCommand):
    help = "Retire the ledger signing key and sign with a new one (after verifying the whole ledger)."

    def handle(self, *args, **options):
        try:
            keys.private_key()
            for book in Book.objects.order_by("pk"):
                run = integrity.verify_and_record(book)
                if not run.ok:
                    self.stderr.write(f"TAMPERED: book {book.pk}: {run.damage}: {run.message}; the key is not rotated.")
                    raise SystemExit(1)
            side = integrity.verify_side_logs()
            if not side.ok:
                self.stderr.write(f"TAMPERED: {side.damage}: {side.message}; the key is not rotated.")
                raise SystemExit(1)
            old, new = keys.rotate()
        except ImproperlyConfigured as exc:  # no key, or a key from the environment: say what to do
            raise CommandError(str(exc), returncode=2) from None
        self.stdout.write(f"Retired key {old}; it is listed in {keys.retired_keys_file()}.")
        call_command("verify_ledger", stdout=self.stdout, stderr=self.stderr)
        self.stdout.write(f"New key {new}: publish this fingerprint, then restart the app servers and workers.")
