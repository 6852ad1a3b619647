from django.urls import path

from . import views

app_name = "exchange"
urlpatterns = [
    path("", views.record_list, name="list"),
    path("new/", views.record_create, name="create"),
    path("<int:pk>/", views.record_detail, name="detail"),
    path("<int:pk>/pdf/", views.record_pdf_download, name="pdf"),
    path("<int:pk>/documents/", views.record_upload, name="upload"),
    path("<int:pk>/withdraw/", views.record_delete, name="delete"),
    path("<int:pk>/share/", views.share_record, name="share"),
    path("<int:pk>/operational-use/", views.request_use, name="request_use"),
    path("operational-use/<int:pk>/answer/", views.answer_use, name="answer_use"),
    path("presentations/<int:pk>/withhold/", views.withhold, name="withhold"),
    path("documents/<int:pk>/share/", views.share_document, name="share_document"),
    path("classification/<str:kind>/<int:pk>/", views.classification, name="classification"),
    path("classification/<str:kind>/<int:pk>/tighten/", views.tighten, name="tighten"),
    path("classification/<str:kind>/<int:pk>/lift/", views.propose_lift, name="propose_lift"),
    path("lift/<int:pk>/object/", views.object_to_lift, name="object_to_lift"),
    path("lift/<int:pk>/decide/", views.decide_lift, name="decide_lift"),
    path("shares/", views.shares, name="shares"),
    path("shares/<int:pk>/revoke/", views.revoke_share, name="revoke_share"),
    path("concerns/", views.concern_list, name="concerns"),
    path("concerns/<int:pk>/", views.concern_detail, name="concern"),
    path("concerns/<int:pk>/answer/", views.concern_answer, name="concern_answer"),
    path("contacts/", views.contacts, name="contacts"),
    path("contacts/<int:pk>/verify/", views.verify_contact, name="verify_contact"),
    path("contacts/<int:pk>/return/", views.return_contact, name="return_contact"),
    path("contacts/<int:pk>/correct/", views.correct_contact, name="correct_contact"),
]
