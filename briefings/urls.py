from django.urls import path

from . import views

app_name = "briefings"
urlpatterns = [
    path("", views.briefing_list, name="list"),
    path("meeting/<int:meeting_pk>/new/", views.briefing_create, name="create"),
    path("<int:pk>/", views.briefing_detail, name="detail"),
    path("<int:pk>/edit/", views.briefing_edit, name="edit"),
    path("<int:pk>/decide/", views.decide, name="decide"),
    path("<int:pk>/veto/", views.veto, name="veto"),
    path("<int:pk>/decision-period/", views.open_period, name="open_period"),
    path("<int:pk>/agree/", views.agree, name="agree"),
    path("<int:pk>/delivery/", views.deliver, name="deliver"),
    path("<int:pk>/briefing.txt", views.export_briefing, {"fmt": "txt"}, name="export_txt"),
    path("<int:pk>/briefing.pdf", views.export_briefing, {"fmt": "pdf"}, name="export_pdf"),
    path("meeting/<int:meeting_pk>/arrangements/new/", views.arrangement_create, name="arrangement_create"),
    path("arrangements/<int:pk>/", views.arrangement_detail, name="arrangement"),
    path("arrangements/<int:pk>/status/", views.arrangement_status, name="arrangement_status"),
    path("arrangements/<int:pk>/secretariat/", views.arrangement_add_secretariat, name="arrangement_secretariat"),
]
