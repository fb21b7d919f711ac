from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.generic import RedirectView

from articles import urls as articles_urls
from claims.urls import STORY_PAGES

from . import views
from .login import RateLimitedLoginView

urlpatterns = [
    path("login/", RateLimitedLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", views.healthz, name="healthz"),
    # Pages without our <link rel="icon"> (the admin's, the API's) make browsers ask for /favicon.ico.
    path("favicon.ico", views.favicon, name="favicon"),
    path("account/tokens/", views.api_tokens, name="api_tokens"),
    # The admin signs in through the same rate-limited page.
    path("admin/login/", login_not_required(RedirectView.as_view(pattern_name="login", query_string=True))),
    path("admin/", admin.site.urls),
    path("api/v1/", include(("factdesk.api_urls", "api"), namespace="api")),
    path("", include("claims.urls")),
    # The story pages are claims' views with articles' names and URLs (see claims.urls.STORY_PAGES).
    path("", include(([*articles_urls.urlpatterns, *STORY_PAGES], articles_urls.app_name))),
]
