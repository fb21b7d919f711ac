from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", views.healthz, name="healthz"),
    path("account/tokens/", views.api_tokens, name="api_tokens"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(("factdesk.api_urls", "api"), namespace="api")),
    path("", include("claims.urls")),
    path("", include("articles.urls")),
]
