from django.urls import path

from . import agenda_views, views

app_name = "meetings"
urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("new/", views.meeting_create, name="create"),
    path("chair/", views.chair_appointments, name="chair"),
    path("released/", views.released_items, name="released"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/calendar/", views.meeting_calendar_view, name="calendar"),
    path("<int:pk>/dates/", views.meeting_change_dates, name="change_dates"),
    path("<int:pk>/convene/", views.meeting_convene, name="convene"),
    path("<int:pk>/invitation/", views.invitation_detail, name="invitation"),
    path("<int:pk>/invitation/text/", views.invitation_update, name="invitation_update"),
    path("<int:pk>/invitation/consult/", views.invitation_consult, name="invitation_consult"),
    path("<int:pk>/invitation/send/", views.invitation_send, name="invitation_send"),
    path(
        "<int:pk>/invitation/contact/<int:state_pk>/",
        views.invitation_point_of_contact,
        name="invitation_point_of_contact",
    ),
    path("<int:pk>/agenda/", agenda_views.agenda_detail, name="agenda"),
    path("<int:pk>/agenda/items/", agenda_views.agenda_add_item, name="agenda_add_item"),
    path("<int:pk>/agenda/items/<int:item_pk>/remove/", agenda_views.agenda_remove_item, name="agenda_remove_item"),
    path("<int:pk>/agenda/items/<int:item_pk>/release/", agenda_views.agenda_release_item, name="agenda_release_item"),
    path("<int:pk>/agenda/approve/", agenda_views.agenda_approve, name="agenda_approve"),
    path("<int:pk>/agenda/distribute/", agenda_views.agenda_distribute, name="agenda_distribute"),
    path("<int:pk>/agenda/adopt/", agenda_views.agenda_adopt, name="agenda_adopt"),
    path("<int:pk>/agenda/documents/", agenda_views.agenda_upload, name="agenda_upload"),
    path("<int:pk>/delegations/", agenda_views.delegations, name="delegations"),
    path("<int:pk>/delegations/register/", agenda_views.delegation_register, name="delegation_register"),
]
