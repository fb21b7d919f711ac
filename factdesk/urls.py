from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from articles import urls as articles_urls
from claims.urls import STORY_PAGES

from . import views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", views.healthz, name="healthz"),
    path("account/tokens/", views.api_tokens, name="api_tokens"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(("factdesk.api_urls", "api"), namespace="api")),
    path("", include("claims.urls")),
    # The story pages are claims' views with articles' names and URLs (see claims.urls.STORY_PAGES).
    path("", include(([*articles_urls.urlpatterns, *STORY_PAGES], articles_urls.app_name))),
]
