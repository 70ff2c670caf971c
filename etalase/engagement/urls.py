from django.urls import path

import etalase.core.urls  # noqa: F401  (registers the "id" converter)
from etalase.engagement import views

app_name = "engagement"
urlpatterns = [
    path("feed/", views.feed, name="feed"),
    path("me/favourites/", views.my_favourites, name="my_favourites"),
    path("me/following/", views.my_following, name="my_following"),
    path("engage/follow/<slug:slug>/", views.follow_button, name="follow_button"),
    path("engage/favourite/<id:product_id>/", views.favourite_button, name="favourite_button"),
    path("engage/comments/<id:product_id>/", views.comments, name="comments"),
    path("engage/comments/answer/<id:comment_id>/", views.comment_answer_view, name="comment_answer"),
    path("engage/comments/hide/<id:comment_id>/", views.comment_hide_view, name="comment_hide"),
    path("engage/share/", views.share, name="share"),
    path("engage/resume/", views.resume, name="resume"),
]
