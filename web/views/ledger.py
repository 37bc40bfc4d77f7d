"""The ledger in the browser: entries with their legs, sequence and hash, and verification on demand.

What a user sees is ledger.selectors.visible_entries — the same rule as the API and the exports.
"""
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from ledger import integrity
from ledger.models import Book, Posting
from ledger.selectors import verifiable_books, visible_books, visible_entries
from web.forms import EntryFilterForm

from .common import require, section_page

PAGE_SIZE = 25


def entry_list(request):
    user = request.user
    form = EntryFilterForm(request.GET or None, books=visible_books(user).select_related("call")
                           .order_by("call__title"))
    entries = visible_entries(user)
    if form.is_valid():
        entries = form.filter(entries)
    postings = Posting.objects.select_related("account").order_by("ordinal")
    entries = (entries.select_related("application", "book__call", "corrects")
               .prefetch_related(Prefetch("postings", queryset=postings))
               .order_by("-occurred_at", "-pk"))
    page = section_page(request, entries, "page", per_page=PAGE_SIZE)
    return render(request, "ledger/entry_list.html", {
        "form": form, "page": page, "books": list(verifiable_books(user).select_related("call")
                                                  .order_by("call__title")),
    })


@require_POST
def verify_book(request, pk):
    """Recompute every hash and link of one book now, keep the verdict and show it."""
    book = get_object_or_404(Book.objects.select_related("call"), pk=pk)
    require(verifiable_books(request.user).filter(pk=book.pk).exists())
    result = integrity.verify_and_record(book, by=request.user).result
    return render(request, "ledger/verify_result.html", {"book": book, "result": result})
