from django.urls import path

from . import views

app_name = "articles"

urlpatterns = [
    path("", views.story_list, name="story_list"),
    path("stories/new/", views.story_create, name="story_create"),
    path("stories/<slug:slug>/", views.story_detail, name="story_detail"),
    path("stories/<slug:slug>/upload/", views.story_upload, name="story_upload"),
    path("imports/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("articles/<int:pk>/", views.article_detail, name="article_detail"),
]
