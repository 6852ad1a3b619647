from django.urls import path

from . import views

app_name = "presentations"
urlpatterns = [
    path("", views.presentation_list, name="list"),
    path("new/", views.presentation_create, name="create"),
    path("<int:pk>/", views.presentation_detail, name="detail"),
    path("<int:pk>/involved-states/", views.notify, name="notify"),
    path("<int:pk>/reply/", views.reply, name="reply"),
    path("<int:pk>/consent/", views.consent, name="consent"),
    path("<int:pk>/right-of-reply/<int:involved_pk>/", views.right_of_reply, name="right_of_reply"),
    path("<int:pk>/information/", views.describe, name="describe"),
    path("<int:pk>/information/edit/", views.presentation_information, name="information"),
    path("<int:pk>/documents/", views.upload, name="upload"),
]
