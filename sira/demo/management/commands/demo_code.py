from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from sira.demo import seed as demo


class Command(BaseCommand):
    help = "Print the current login code of a synthetic demo user (demo authenticator only)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        key = demo.demo_key_hex(demo.load_spec())
        device = TOTPDevice.objects.filter(
            user__username=username, user__is_synthetic=True, key=key, confirmed=True
        ).first()
        if device is None:
            raise CommandError(f"{username} is not a demo user with the demo authenticator.")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"{totp.token():06d}")
