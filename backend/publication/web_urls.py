from django.urls import path

from backend.publication import views

urlpatterns = [
    path("", views.results_page, name="public-results"),
    path("du-lieu.json", views.results_json, name="public-results-json"),
    path("loa.txt", views.results_loudspeaker, name="public-results-loudspeaker"),
    path("cong-bo", views.publish_from_dashboard, name="public-results-publish"),
]
