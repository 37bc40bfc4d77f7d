"""Refusals of the services, mapped once for every page: NotPermitted is the 404 page (DESIGN §2:
what a user may not touch looks exactly like what does not exist)."""
from django.http import Http404
from django.views.defaults import page_not_found

from core.errors import NotPermitted


class RefusalMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, NotPermitted) and not request.path.startswith("/api/"):
            return page_not_found(request, Http404(str(exception)))
        return None
