from django.urls import path

from . import story_views, views

app_name = "claims"

urlpatterns = [
    path("stories/<slug:slug>/claims/", views.claim_queue, name="queue"),
    path("stories/<slug:slug>/conflicts/", views.conflict_queue, name="conflict_queue"),
    path("stories/<slug:slug>/progress.json", views.story_progress, name="story_progress"),
    path("claims/<int:pk>/", views.claim_detail, name="claim_detail"),
    path("claims/<int:pk>/merge-preview/", views.merge_preview, name="merge_preview"),
    path("claims/<int:pk>/<str:action>/", views.claim_action, name="claim_action"),
    path("suggestions/<int:pk>/<str:action>/", views.suggestion_action, name="suggestion_action"),
    path("conflicts/<int:pk>/", views.conflict_detail, name="conflict_detail"),
    path("conflicts/<int:pk>/<str:action>/", views.conflict_action, name="conflict_action"),
]

# The story pages show what the pipeline found, so their views are claims'; they keep the URLs and
# the names they have always had, in the articles namespace (Story.get_absolute_url is
# `articles:story_detail`): factdesk/urls.py routes them with articles.urls.
STORY_PAGES = [
    path("", story_views.story_list, name="story_list"),
    path("stories/<slug:slug>/", story_views.story_detail, name="story_detail"),
    path("articles/<int:pk>/", story_views.article_detail, name="article_detail"),
]
