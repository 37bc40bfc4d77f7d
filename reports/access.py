"""Who may take which document away (DESIGN §2), and the download record (rule E5).

Auditors get everything; officers everything in their regional body's calls;
applicants the statement and the journal slice of their own applications, and a
partner company its own statement and slice (ledger.selectors decide what is in them). Anything else is 404, never 403, so that nobody learns
which references exist. Every download is written to the audit log.
"""
from django.http import Http404
from django.utils.translation import gettext as _

from applications import selectors
from applications.models import Application, FundingCall
from applications.permissions import (
    can_view_application,
    is_auditor,
    is_officer,
    may_verify_books_of,
    sees_everything_of,
)
from ledger import selectors as ledger_selectors
from ledger.models import Book
from services.effects import log_event


def _not_found():
    return Http404(_("No such document."))


def statement_application(user, reference: str) -> Application:
    """The application whose statement `user` may download (a partner company gets its own statement)."""
    application = selectors.visible_application(user, reference)
    if application is None or not can_view_application(user, application):
        raise _not_found()
    return application


def summary_call(user, call_id) -> FundingCall:
    """A call whose summary `user` may download: auditors, and officers of its regional body."""
    call = selectors.calls_seen_in_full(user).select_related("regional_body").filter(pk=call_id).first()
    if call is None:
        raise _not_found()
    return call


def journal_book(user, book_id, application_reference: str | None = None) -> tuple[Book, Application | None]:
    """The book (and the application for a slice) whose journal `user` may export.

    The whole book: auditors and officers of the call. One application's slice: anyone who may
    see that application, if it belongs to the book (a partner company gets its own slice).
    """
    book = Book.objects.select_related("call__regional_body").filter(pk=book_id).first()
    if book is None:
        raise _not_found()
    if application_reference:
        application = statement_application(user, application_reference)
        if application.call_id != book.call_id:
            raise _not_found()
        return book, application
    if not may_verify_books_of(user, book.call):
        raise _not_found()
    return book, None


def sie_book(user, book_id) -> Book:
    """A book whose SIE export `user` may take: officers of its call and auditors (calls seen in full)."""
    book = (Book.objects.select_related("call__regional_body")
            .filter(pk=book_id, call__in=selectors.calls_seen_in_full(user).values("pk")).first())
    if book is None:
        raise _not_found()
    return book


def application_journal(user, reference: str) -> tuple[Book, Application]:
    """The book of an application's call and the application, for its journal slice."""
    application = statement_application(user, reference)
    book = Book.objects.filter(call_id=application.call_id).first()
    if book is None:
        raise _not_found()
    return book, application


def dossier_application(user, reference: str) -> Application:
    """The application whose dossier `user` may take: whoever may see it (a partner company its own
    dossier). Drafts are not in anyone else's view, and their applicants have nothing to audit yet."""
    application = statement_application(user, reference)
    if application.state == Application.State.DRAFT:
        raise _not_found()
    return application


def audit_events(user, application_reference: str | None = None):
    """(events, application): the audit events the user may see (ledger.selectors.visible_events),
    of one application if named. The whole trail is for auditors and officers."""
    events = ledger_selectors.visible_events(user)
    if application_reference:
        application = statement_application(user, application_reference)
        if not sees_everything_of(user, application):
            raise _not_found()
        return events.filter(application=application), application
    if not (is_auditor(user) or is_officer(user)):
        raise _not_found()
    return events, None


def record_download(user, *, document: str, obj=None, application=None, comment: str = ""):
    """Write who took which document, and when, to the audit log (rule E5)."""
    if obj is None:
        # Documents that are not about one object (the audit trail) are logged under their name.
        obj = _Named(document)
    return log_event(by=user, action="download", obj=obj, application=application, comment=comment or document)


class _Named:
    """A stand-in with the attributes log_event reads, for a document without a model object."""

    class _meta:  # noqa: N801 - mirrors Model._meta
        model_name = "report"

    def __init__(self, name: str):
        self.pk = name

    def __str__(self) -> str:
        return self.pk
