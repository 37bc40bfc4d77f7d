"""Model serializers build their fields once per class and copy them per instance (api/fields.py): a copy
must be the instance's own, and its labels must still follow the language of the request."""
import pytest
from django.utils import translation

from api.applications.serializers import ApplicationSerializer, DecisionSerializer


@pytest.mark.django_db
def test_each_serializer_gets_its_own_bound_copy_of_the_fields():
    first, second = ApplicationSerializer(), ApplicationSerializer()
    assert list(first.fields) == list(second.fields)
    for name in first.fields:
        assert first.fields[name] is not second.fields[name]
        assert first.fields[name].parent is first and second.fields[name].parent is second


@pytest.mark.django_db
def test_labels_follow_the_language_of_the_request():
    DecisionSerializer().fields  # noqa: B018 - builds and keeps the class's fields
    with translation.override("en"):
        english = str(DecisionSerializer().fields["granted_amount"].label)
    with translation.override("sv"):
        swedish = str(DecisionSerializer().fields["granted_amount"].label)
    assert english == "Granted fund amount (SEK)"
    assert swedish == "Beviljat stödbelopp (kr)"
