from django.urls import path

from . import views

app_name = "articles"

# The namespace also holds the story pages (story_list, story_detail, article_detail), whose views
# are claims' (claims.urls.STORY_PAGES): factdesk/urls.py routes both under "articles".

urlpatterns = [
    path("stories/new/", views.story_create, name="story_create"),
    path("stories/<slug:slug>/upload/", views.story_upload, name="story_upload"),
    path("imports/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("articles/<int:pk>/edit/", views.article_edit, name="article_edit"),
]
