from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from sira.accounts.models import User
from sira.cases import access, services
from sira.cases.models import Case


class Command(BaseCommand):
    help = (
        "Erase the identity of the person of a case on request (loi 2013-015): identifying fields, name "
        "tokens and narratives go; anonymous facts and an audit tombstone stay. Acts as --by, who must be "
        "a case manager allowed to change the case."
    )

    def add_arguments(self, parser):
        parser.add_argument("case_number")
        parser.add_argument("--by", required=True, help="username of the case manager acting")
        parser.add_argument("--ground", required=True, choices=sorted(services.ERASURE_GROUNDS))
        parser.add_argument("--organisation", help="acronym, when several organisations use the number")

    def handle(self, *args, case_number, by, ground, organisation=None, **options):
        try:
            user = User.objects.get(username=by, is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"no active user {by!r}") from None
        cases = Case.objects.filter(case_number=case_number.strip().upper())
        if organisation:
            cases = cases.filter(organisation__acronym=organisation)
        found = list(cases[:2])
        if len(found) != 1:
            raise CommandError("no such case" if not found else "several cases: give --organisation")
        case = found[0]
        if not access.can_erase(user, case):
            raise CommandError(f"{by} may not erase identities in this case")
        try:
            services.erase_person(case, by=user, ground=ground)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"Identity erased for case {case.case_number}.")
