from django.urls import path

from . import views

app_name = "participation"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("participation.csv", views.export_csv, name="csv"),
    path("meeting/<int:pk>/", views.meeting_participation, name="meeting"),
]
