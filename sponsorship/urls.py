from django.urls import path

from . import views

app_name = "sponsorship"
urlpatterns = [
    path("", views.request_list, name="list"),
    path("<int:pk>/decide/", views.decide, name="decide"),
]
