"""What every view of the web interface shares: finding what the user may see.

Objects the user may not see are a 404, never a 403 (DESIGN §2). Services raise RuleViolation
(→ form errors), TransitionConflict (→ a message and back to the page) and NotPermitted, which
web.middleware.RefusalMiddleware turns into the 404 page for every view, in one place.
"""
from django.core.paginator import Paginator
from django.http import Http404

from applications import selectors


def visible_application(user, reference: str):
    """The application with this reference if the user may see it, else 404."""
    application = selectors.visible_application(user, reference)
    if application is None:
        raise Http404
    return application


def require(condition: bool) -> None:
    """A role check that fails as a 404, so nobody learns what exists."""
    if not condition:
        raise Http404


ROWS_PER_PAGE = 50


def section_page(request, rows, param: str, per_page: int = ROWS_PER_PAGE):
    """One page of a list (on a page with several lists, each has its own page parameter `param`), so that
    a page stays small however many rows the list has; a page number out of range shows the nearest page."""
    return Paginator(rows, per_page).get_page(request.GET.get(param))
