from django.urls import path

from . import views

# Mounted in the "meetings" namespace by dief/urls.py, with the agenda's and delegations' pages.

urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("new/", views.meeting_create, name="create"),
    path("chair/", views.chair_appointments, name="chair"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/calendar/", views.meeting_calendar_view, name="calendar"),
    path("<int:pk>/dates/", views.meeting_change_dates, name="change_dates"),
    path("<int:pk>/invitation/", views.invitation_detail, name="invitation"),
    path("<int:pk>/invitation/text/", views.invitation_update, name="invitation_update"),
    path("<int:pk>/invitation/consult/", views.invitation_consult, name="invitation_consult"),
    path("<int:pk>/invitation/send/", views.invitation_send, name="invitation_send"),
]
