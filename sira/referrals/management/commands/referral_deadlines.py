"""Escalate overdue referrals and remind of follow-ups due (run by a timer, e.g. every 15 minutes).
Idempotent: each referral is escalated once, each task reminded once, each notice sent once."""

from django.core.management.base import BaseCommand

from sira.referrals import services


class Command(BaseCommand):
    help = "Escalate overdue referrals to the committee's coordinators and remind of follow-ups due."

    def handle(self, *args, **options):
        done = services.run_deadlines()
        self.stdout.write(f"escalated={done['escalated']} reminded={done['reminded']}")
