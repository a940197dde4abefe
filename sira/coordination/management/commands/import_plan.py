from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from sira.accounts.models import User
from sira.coordination import services


class Command(BaseCommand):
    help = (
        "Import an action plan from a workbook (the template of /coordination/plans/import/), whole or "
        "not at all. Every bad cell is listed; nothing changes when there is one."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--user", required=True, help="Username of the secretariat member importing it.")
        parser.add_argument("--language", default="fr", choices=["fr", "en"])

    def handle(self, *args, file, user, language, **options):
        by = User.objects.filter(username=user, is_active=True).first()
        if by is None:
            raise CommandError(f"No active user {user}.")
        with translation.override(language), open(file, "rb") as fileobj:
            try:
                plan = services.import_plan(fileobj, by=by, language=language)
            except services.PlanRefused as refused:
                for problem in refused.problems:
                    self.stderr.write(str(problem))
                raise CommandError(f"{len(refused.problems)} problem(s): nothing was imported.") from None
            except PermissionDenied:
                raise CommandError(f"{user} may not import plans (the committee secretariat does).") from None
        self.stdout.write(f"Imported {plan.code}: {plan.objectives.count()} objectives.")
