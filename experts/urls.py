from django.urls import path

from . import views

app_name = "experts"
urlpatterns = [
    path("meeting/<int:meeting_pk>/", views.proposal_list, name="list"),
    path("propose/<int:presentation_pk>/", views.propose, name="propose"),
    path("<int:pk>/", views.proposal_detail, name="detail"),
    path("<int:pk>/object/", views.object_view, name="object"),
    path("<int:pk>/decision/", views.decision, name="decision"),
    path("objections/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("objections/<int:pk>/consultation/", views.consultation, name="consultation"),
    path("acknowledge/", views.acknowledge, name="acknowledge"),
]
