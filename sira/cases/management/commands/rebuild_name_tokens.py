from django.core.management.base import BaseCommand
from django.db import transaction

from sira.cases.models import Person, PersonNameToken
from sira.cases.search import rebuild_name_tokens


class Command(BaseCommand):
    help = (
        "Recompute the keyed name-search tokens and exact-name blind indexes of every person from the "
        "decrypted names. Run after changing SIRA_BLIND_INDEX_KEY (key rotation) or the name rules."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            count = rebuild_name_tokens(Person, PersonNameToken)
        self.stdout.write(f"Name tokens rebuilt for {count} persons.")
