from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from sira.accounts import urls as accounts_urls
from sira.cases.api import CaseViewSet
from sira.referrals.api import ReferralViewSet, ServiceOfferingViewSet
from sira.screening.api import ScreeningViewSet
from sira.statistics import views as statistics_views

router = DefaultRouter()
router.register("cases", CaseViewSet, basename="case")
router.register("screenings", ScreeningViewSet, basename="screening")
router.register("services", ServiceOfferingViewSet, basename="service")
router.register("referrals", ReferralViewSet, basename="referral")

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="accounts:dashboard", permanent=False)),
    path("i18n/", include("django.conf.urls.i18n")),
    # The dashboard keeps its address and name (accounts:dashboard) though the statistics app serves it.
    path(
        "accounts/",
        include(
            (
                [
                    *accounts_urls.urlpatterns,
                    path("dashboard/", statistics_views.dashboard, name="dashboard"),
                ],
                "accounts",
            )
        ),
    ),
    path("cases/", include("sira.cases.urls")),
    path("screening/", include("sira.screening.urls")),
    path("referrals/", include("sira.referrals.urls")),
    path("statistics/referrals/", statistics_views.referral_figures, name="referral_figures"),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/", include(router.urls)),
    path("admin/", admin.site.urls),
]
