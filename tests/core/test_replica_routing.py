"""Read-replica routing end to end (core/replica.py), with a second database alias: `replica` on the test
database, as DATABASE_REPLICA_URL with TEST MIRROR makes it. Its own module: the alias must exist before
the test's database fixture starts, and only for these tests."""
import pytest
from django.core.management import call_command
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext, override_settings

from core import replica
from ledger import integrity
from ledger.models import Book, JournalEntry, VerificationRun
from reports import downloads
from tests.scenarios import cash


@pytest.fixture(scope="module", autouse=True)
def second_alias(django_db_setup):
    connections.settings[replica.REPLICA] = dict(connections.settings["default"])
    routing = override_settings(DATABASE_ROUTERS=["core.replica.ReplicaRouter"])
    routing.enable()
    yield
    routing.disable()
    connections[replica.REPLICA].close()
    del connections[replica.REPLICA]
    del connections.settings[replica.REPLICA]


def writes(queries):
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_reads_go_to_the_replica_only_inside_reads_and_outside_a_transaction():
    router = replica.ReplicaRouter()
    assert router.db_for_read(Book) == "default"
    with replica.reads():
        assert router.db_for_read(Book) == "replica"
        assert router.db_for_write(Book) == "default"
        with transaction.atomic():  # a writer sees its own writes
            assert router.db_for_read(Book) == "default"
    assert router.allow_migrate("replica", "ledger") is False


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_verify_ledger_reads_the_chain_from_the_replica_and_writes_its_run_on_default(
        example, applicant, capsys):
    application = example[0]
    cash(application, applicant, "150000.00", "V1")
    book = Book.objects.get()
    runs = VerificationRun.objects.count()
    with CaptureQueriesContext(connections[replica.REPLICA]) as on_replica, CaptureQueriesContext(connections["default"]) as on_default:
        call_command("verify_ledger")
    read = " ".join(q["sql"] for q in on_replica.captured_queries)
    assert "ledger_journalentry" in read and "ledger_posting" in read
    assert writes(on_replica.captured_queries) == []
    assert any("INSERT" in q["sql"] and "ledger_verificationrun" in q["sql"] for q in on_default.captured_queries)
    assert VerificationRun.objects.count() == runs + 1
    assert "OK:" in capsys.readouterr().out
    assert integrity.verify_book(book).ok and JournalEntry.objects.filter(book=book).count() == book.head_seq


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_a_statement_download_reads_from_the_replica(example, applicant, officer):
    application = example[0]
    cash(application, applicant, "150000.00", "V1")
    with CaptureQueriesContext(connections[replica.REPLICA]) as on_replica:
        response = downloads.statement(officer, application.reference, fmt="xlsx")
    assert response.status_code == 200
    assert any("ledger_posting" in q["sql"] for q in on_replica.captured_queries)
    assert writes(on_replica.captured_queries) == []
