from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from sira.accounts import urls as accounts_urls
from sira.cases.api import CaseViewSet
from sira.duplicates.api import CaseMatchesView
from sira.justice import api as justice_api
from sira.referrals.api import ReferralViewSet, ServiceOfferingViewSet
from sira.screening.api import ScreeningViewSet
from sira.statistics import justice as justice_statistics
from sira.statistics import report_views
from sira.statistics import views as statistics_views

router = DefaultRouter()
router.register("cases", CaseViewSet, basename="case")
router.register("screenings", ScreeningViewSet, basename="screening")
router.register("justice/investigations", justice_api.InvestigationViewSet, basename="investigation")
router.register("justice/prosecutions", justice_api.ProsecutionViewSet, basename="prosecution")
router.register("justice/articles", justice_api.ArticleViewSet, basename="legal-article")
router.register("justice/case-status", justice_api.CaseStatusViewSet, basename="justice-case-status")
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
    path("justice/", include("sira.justice.urls")),
    path("justice/statistics/", justice_statistics.page, name="justice_statistics"),
    path(
        "api/v1/justice/statistics/",
        justice_statistics.EnforcementStatisticsView.as_view(),
        name="api-justice-statistics",
    ),
    path("referrals/", include("sira.referrals.urls")),
    path("duplicates/", include("sira.duplicates.urls")),
    path("coordination/", include("sira.coordination.urls")),
    path("statistics/referrals/", statistics_views.referral_figures, name="referral_figures"),
    path("statistics/annual-report/", report_views.page, name="annual_report"),
    path("statistics/annual-report/pdf/", report_views.download, name="annual_report_pdf"),
    path("statistics/", include("sira.statistics.urls")),
    path("api/v1/statistics/", statistics_views.StatisticsQueryView.as_view(), name="api-statistics"),
    path(
        "api/v1/statistics/<str:key>/",
        statistics_views.StatisticsPanelView.as_view(),
        name="api-statistics-panel",
    ),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/v1/duplicates/cases/<str:pk>/matches/", CaseMatchesView.as_view(), name="api-duplicate-matches"
    ),
    path("api/v1/", include(router.urls)),
    path("admin/", admin.site.urls),
]
