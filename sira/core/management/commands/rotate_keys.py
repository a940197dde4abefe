from django.core.management.base import BaseCommand

from sira.core import keys


class Command(BaseCommand):
    help = (
        "Re-encrypt every identity value still under an older field key with the newest one (the first of "
        "SIRA_FIELD_ENCRYPTION_KEYS), in short batches while the application runs; with --blind-index, "
        "also rebuild the name tokens and keyed hashes under the first SIRA_BLIND_INDEX_KEY. Resumable: "
        "run it again after an interruption. See docs/security.md, 'Keys'."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--blind-index", action="store_true", help="rebuild the keyed search tokens too")
        parser.add_argument("--check", action="store_true", help="only count what is left to re-encrypt")

    def handle(self, *args, batch_size, blind_index, check, **options):
        left = keys.rotate_field_keys(batch_size=batch_size, dry_run=check, report=self.stdout.write)
        if check:
            self.stdout.write(f"{left} values still under an older key.")
            if left:
                raise SystemExit(1)
            return
        if blind_index:
            keys.rebuild_keyed_hashes(batch_size=batch_size, report=self.stdout.write)
        self.stdout.write(f"Done: {left} values re-encrypted under the newest key.")
