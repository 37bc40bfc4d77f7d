"""The ledger in the browser: entries with their legs, sequence and hash, and verification on demand."""
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from applications import permissions
from applications.views.common import require

from .forms import EntryFilterForm
from .models import Book, JournalEntry, Posting

PAGE_SIZE = 25


def visible_entries(user):
    """Everything for auditors, the books of their calls for officers, else the entries of own applications."""
    if permissions.is_auditor(user):
        return JournalEntry.objects.all()
    scope = Q(application__in=permissions.visible_applications(user).values("pk"))
    officer_bodies = permissions.org_ids(user, permissions.OFFICER)
    if officer_bodies:
        scope |= Q(book__call__regional_body_id__in=officer_bodies)
    return JournalEntry.objects.filter(scope)


def verifiable_books(user):
    """Books this user may verify: all for auditors, their regional body's for officers."""
    books = Book.objects.select_related("call").order_by("call__title")
    if permissions.is_auditor(user):
        return books
    return books.filter(call__regional_body_id__in=permissions.org_ids(user, permissions.OFFICER))


def _visible_books(user):
    books = Book.objects.select_related("call").order_by("call__title")
    if permissions.is_auditor(user):
        return books
    return books.filter(Q(pk__in=visible_entries(user).values("book_id")) | Q(pk__in=verifiable_books(user)))


def entry_list(request):
    user = request.user
    form = EntryFilterForm(request.GET or None, books=_visible_books(user))
    entries = visible_entries(user)
    if form.is_valid():
        entries = form.filter(entries)
    postings = Posting.objects.select_related("account").order_by("ordinal")
    entries = (entries.select_related("application", "book__call", "corrects")
               .prefetch_related(Prefetch("postings", queryset=postings))
               .order_by("-occurred_at", "-pk"))
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "ledger/entry_list.html", {
        "form": form, "page": page, "books": list(verifiable_books(user)),
    })


@require_POST
def verify_book(request, pk):
    """Recompute every hash and link of one book now, keep the verdict and show it."""
    from . import integrity

    book = get_object_or_404(Book.objects.select_related("call"), pk=pk)
    require(verifiable_books(request.user).filter(pk=book.pk).exists())
    result = integrity.verify_and_record(book, by=request.user).result
    return render(request, "ledger/verify_result.html", {"book": book, "result": result})
