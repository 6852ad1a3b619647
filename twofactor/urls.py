from django.urls import path

from . import views

app_name = "twofactor"
urlpatterns = [
    path("verify/", views.verify, name="verify"),
    path("enrol/", views.enrol, name="enrol"),
    path("devices/", views.devices, name="devices"),
    path("devices/backup-codes/", views.regenerate_backup_codes, name="regenerate_backup_codes"),
    path("devices/remove/", views.remove_devices, name="remove_devices"),
]
