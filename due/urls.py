from django.urls import path

from . import views

app_name = "due"
urlpatterns = [
    path("", views.due_list, name="list"),
    path("dief.ics", views.calendar_ics, name="ics"),
]
