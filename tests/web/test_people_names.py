"""People are named by their names on pages, not by their login names."""
import pytest


@pytest.mark.django_db
def test_the_header_names_the_signed_in_person(as_user, applicant):
    applicant.first_name, applicant.last_name = "Anna", "Berg"
    applicant.save()
    html = as_user(applicant).get("/").content.decode()
    assert '<span class="username">Anna Berg</span>' in html
