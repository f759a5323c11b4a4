from django.urls import path

from goals import feeds, unsubscribe

app_name = "goals"

urlpatterns = [
    path("roadmaps/<slug:slug>/feed.atom", feeds.resources_feed, name="feed"),
]

# Unsubscribing needs no session and takes the one-click POST of mail providers without a CSRF
# token (goals/unsubscribe.py), so it has a namespace of its own, outside the learners' one that
# tests/test_security.py holds to "anonymous posts go to the login page".
unsubscribe_patterns = (
    [
        path(
            "email/unsubscribe/<str:kind>/<str:token>/",
            unsubscribe.unsubscribe_view,
            name="unsubscribe",
        )
    ],
    "unsubscribe",
)
