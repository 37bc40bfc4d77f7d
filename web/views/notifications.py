"""The bell: one's own notifications (rendered in the reader's language) and one's preferences."""
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from applications.models import Notification
from services import notifications as service
from web.forms import NotificationPreferenceForm


def notification_list(request):
    items = list(Notification.objects.filter(user=request.user).select_related("application")[:100])
    for item in items:
        item.subject, item.body = service.render(item)
    return render(request, "web/notification_list.html", {"notifications": items})


@require_POST
def mark_read(request):
    Notification.objects.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now())
    return redirect("web:notification_list")


def preferences(request):
    form = NotificationPreferenceForm(request.POST or None, instance=service.preference(request.user))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your notification preferences are saved."))
        return redirect("web:notification_list")
    return render(request, "web/notification_preferences.html", {"form": form})
