from django.core.management.base import BaseCommand

from sira.statistics import layer


class Command(BaseCommand):
    help = "Rebuild the pre-aggregated statistics tables (idempotent)."

    def handle(self, *args, **options):
        done = layer.refresh()
        self.stdout.write(
            f"statistics refreshed: {done.facts} facts, {done.cells} cells, {done.seconds:.1f} s"
        )
