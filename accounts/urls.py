from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("grants/", views.grants, name="grants"),
    path("grants/<int:pk>/confirm/", views.confirm_grant, name="confirm_grant"),
    path("grants/<int:pk>/refuse/", views.refuse_grant, name="refuse_grant"),
    path("audit/", views.audit_trail, name="audit"),
    path("security-log/", views.security_log, name="security_log"),
]
