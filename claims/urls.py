from django.urls import path

from . import views

app_name = "claims"

urlpatterns = [
    path("stories/<slug:slug>/claims/", views.claim_queue, name="queue"),
    path("stories/<slug:slug>/progress.json", views.story_progress, name="story_progress"),
    path("claims/<int:pk>/", views.claim_detail, name="claim_detail"),
    path("claims/<int:pk>/<str:action>/", views.claim_action, name="claim_action"),
    path("suggestions/<int:pk>/<str:action>/", views.suggestion_action, name="suggestion_action"),
    path("conflicts/<int:pk>/", views.conflict_detail, name="conflict_detail"),
    path("conflicts/<int:pk>/<str:action>/", views.conflict_action, name="conflict_action"),
]
