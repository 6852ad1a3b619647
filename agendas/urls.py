"""The agenda's URLs. They keep their names in the ``meetings`` namespace (``meetings:agenda``...):
dief/urls.py mounts them together with meetings.urls under /meetings/."""

from django.urls import path

from . import views

urlpatterns = [
    path("released/", views.released_items, name="released"),
    path("<int:pk>/agenda/", views.agenda_detail, name="agenda"),
    path("<int:pk>/agenda/items/", views.agenda_add_item, name="agenda_add_item"),
    path("<int:pk>/agenda/items/<int:item_pk>/remove/", views.agenda_remove_item, name="agenda_remove_item"),
    path("<int:pk>/agenda/items/<int:item_pk>/release/", views.agenda_release_item, name="agenda_release_item"),
    path("<int:pk>/agenda/items/<int:item_pk>/move/<str:direction>/", views.agenda_move_item, name="agenda_move_item"),
    path("<int:pk>/agenda/consult/", views.agenda_consult, name="agenda_consult"),
    path("<int:pk>/agenda/approve/", views.agenda_approve, name="agenda_approve"),
    path("<int:pk>/agenda/distribute/", views.agenda_distribute, name="agenda_distribute"),
    path("<int:pk>/agenda/adopt/", views.agenda_adopt, name="agenda_adopt"),
    path("<int:pk>/agenda/documents/", views.agenda_upload, name="agenda_upload"),
]
