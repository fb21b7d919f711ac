"""/api/v1/: the router, /me, the OpenAPI schema and its Swagger UI (served from drf-spectacular-sidecar).

The roof: it registers each app's viewsets, the most complete ones where claims/ extends articles/
(stories and import batches, with their exports and processing runs).
"""

from django.contrib.auth.decorators import login_not_required, login_required
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from articles.api import ArticleViewSet
from claims.api import (
    AnnotationViewSet,
    ClaimViewSet,
    ConflictViewSet,
    EventViewSet,
    ImportBatchViewSet,
    MentionViewSet,
    PipelineRunViewSet,
    StoryViewSet,
    SuggestionViewSet,
)

from .api import TokenViewSet, api_not_found, me

router = DefaultRouter(trailing_slash=True)
router.register("stories", StoryViewSet, basename="story")
router.register("articles", ArticleViewSet, basename="article")
router.register("import-batches", ImportBatchViewSet, basename="importbatch")
router.register("claims", ClaimViewSet, basename="claim")
router.register("mentions", MentionViewSet, basename="mention")
router.register("conflicts", ConflictViewSet, basename="conflict")
router.register("merge-suggestions", SuggestionViewSet, basename="mergesuggestion")
router.register("annotations", AnnotationViewSet, basename="annotation")
router.register("events", EventViewSet, basename="event")
router.register("pipeline-runs", PipelineRunViewSet, basename="pipelinerun")
router.register("tokens", TokenViewSet, basename="token")

# DRF does its own authentication (tokens or the session), so the site-wide login redirect
# must not apply: an API client gets a 401 in the one error shape, not a login page.
for pattern in router.urls:
    pattern.callback = login_not_required(pattern.callback)  # type: ignore[type-var]

urlpatterns = [
    path("me/", login_not_required(me), name="me"),
    path("schema/", login_not_required(SpectacularAPIView.as_view()), name="schema"),
    # The docs are a page for people: signed out, the login page leads to them. (DRF marks its views
    # login_not_required for LoginRequiredMiddleware, hence the decorator.) The schema stays an API
    # endpoint, with the API's 401 for a client without credentials.
    path("docs/", login_required(SpectacularSwaggerView.as_view(url_name="api:schema")), name="docs"),
    path("", include(router.urls)),
    # Anything else under /api/v1/ is a 404 in the API's error shape, not Django's HTML page.
    re_path(r"^", login_not_required(api_not_found)),
]
