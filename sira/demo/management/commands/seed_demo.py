from django.core.management.base import BaseCommand

from sira.demo import seed as demo
from sira.statistics import layer


class Command(BaseCommand):
    help = "Create the synthetic demo organisations, users (one per role) and cases. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=300, help="Number of synthetic cases (default 300).")

    def handle(self, *args, cases, **options):
        spec = demo.load_spec()
        users = demo.seed_organisations_and_users(spec)
        # The probable-duplicate cases (seed_duplicates) count in the number asked for.
        created = demo.seed_cases(spec, users, max(cases - demo.DUPLICATE_CASES, 0))
        screenings = demo.seed_screenings(users, max(cases // 5, 10))
        services = demo.seed_directory(spec)
        referrals = demo.seed_referrals(users)
        investigations = demo.seed_justice(users)
        duplicates = demo.seed_duplicates(users)
        created += duplicates
        actors = demo.seed_coordination(users)
        imported = demo.seed_interop(users)  # a partner's HTCDS file through the bulk import
        layer.refresh()  # the statistics pages read pre-aggregated tables
        self.stdout.write(
            f"Synthetic cases created: {created}, screenings: {screenings}, directory services: {services}, "
            f"referrals: {referrals}, investigations: {investigations}, probable duplicates: {duplicates}, "
            f"coordination actors: {actors}, imported from a partner's HTCDS file: {imported} "
            "(existing ones are kept)."
        )
        self.stdout.write("Demo logins (synthetic data only), password: " + spec["password"])
        for user in users.values():
            self.stdout.write(f"  {user.username:18} {user.get_role_display()!s:26} {user.organisation}")
        key = " ".join(spec["totp_key"][i : i + 4] for i in range(0, len(spec["totp_key"]), 4))
        self.stdout.write(
            "Second factor (every demo user): add the key " + key + " to an authenticator app (time-based),\n"
            "  or print the current code with: python manage.py demo_code USERNAME"
        )
