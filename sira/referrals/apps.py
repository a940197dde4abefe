from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "sira.referrals"
    label = "referrals"

    def ready(self):
        from sira.referrals import case_links

        case_links.connect()
