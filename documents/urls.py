from django.urls import path

from . import views

app_name = "documents"
urlpatterns = [
    path("downloads/", views.download_lookup, name="download_lookup"),
    path("<uuid:token>/", views.download, name="download"),
    path("<uuid:token>/downloads/", views.download_log, name="download_log"),
]
