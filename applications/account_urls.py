"""Password change with the web interface's templates.

Mounted before django.contrib.auth.urls: the admin app ships templates under the same
registration/ names and comes first in INSTALLED_APPS, so these views name their own.
"""
from django.contrib.auth import views as auth_views
from django.urls import path

urlpatterns = [
    path("password_change/", auth_views.PasswordChangeView.as_view(
        template_name="registration/change_password.html"), name="password_change"),
    path("password_change/done/", auth_views.PasswordChangeDoneView.as_view(
        template_name="registration/change_password_done.html"), name="password_change_done"),
]
