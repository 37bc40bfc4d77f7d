"""The ledger pages, included under /ledger/ by applications.urls (namespace "ledger")."""
from django.urls import path

from . import views

app_name = "ledger"
urlpatterns = [
    path("", views.entry_list, name="entry_list"),
    path("books/<int:pk>/verify/", views.verify_book, name="verify_book"),
]
