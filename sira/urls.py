from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from sira.cases.api import CaseViewSet
from sira.screening.api import ScreeningViewSet

router = DefaultRouter()
router.register("cases", CaseViewSet, basename="case")
router.register("screenings", ScreeningViewSet, basename="screening")

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="accounts:dashboard", permanent=False)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("sira.accounts.urls")),
    path("cases/", include("sira.cases.urls")),
    path("screening/", include("sira.screening.urls")),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/", include(router.urls)),
    path("admin/", admin.site.urls),
]
