"""Every page renders for every role allowed to see it, and is a 404 (never a 403) for everyone else."""
import pytest
from django.urls import reverse

ROLES = ["applicant", "company_rep", "officer", "auditor", "outsider"]
EVERYONE = set(ROLES)


def page_urls(draft, active, claim):
    """page name -> (url, roles that get 200)."""
    a, d = active.reference, draft.reference
    return {
        "dashboard": (reverse("web:dashboard"), EVERYONE),
        "application list": (reverse("web:application_list"), EVERYONE),
        "search": (reverse("web:search") + "?q=TB", EVERYONE),
        "ledger": (reverse("ledger:entry_list"), EVERYONE),
        "password change": (reverse("password_change"), EVERYONE),
        "new application": (reverse("web:application_create"), {"applicant", "outsider"}),
        "application page": (reverse("web:application_detail", args=[a]),
                             {"applicant", "company_rep", "officer", "auditor"}),
        "edit draft": (reverse("web:application_edit", args=[d]), {"applicant"}),
        "confirm submit": (reverse("web:application_transition", args=[d, "submit"]), {"applicant"}),
        "confirm terminate": (reverse("web:application_transition", args=[a, "terminate"]), {"officer"}),
        "report hours": (reverse("web:time_report_create", args=[a]), {"company_rep"}),
        "report cash": (reverse("web:cash_create", args=[a]), {"applicant"}),
        "new claim": (reverse("web:claim_create", args=[a]), {"applicant"}),
        "claim page": (reverse("web:claim_detail", args=[a, claim.number]), {"applicant", "officer", "auditor"}),
        "calls": (reverse("web:call_list"), EVERYONE),
        "call page": (reverse("web:call_detail", args=[active.call_id]), EVERYONE),
        "new call": (reverse("web:call_create"), {"officer"}),
        "organisations": (reverse("web:organisation_list"), EVERYONE),
        "organisation page": (reverse("web:organisation_detail", args=[active.applicant_id]), EVERYONE),
        "register a company": (reverse("web:organisation_create"), {"applicant", "company_rep", "officer",
                                                                    "outsider"}),
    }


PAGES = ["dashboard", "application list", "search", "ledger", "password change", "new application",
         "application page", "edit draft", "confirm submit", "confirm terminate", "report hours", "report cash",
         "new claim", "claim page", "calls", "call page", "new call", "organisations", "organisation page",
         "register a company"]


@pytest.fixture
def second_draft(call, municipality, company):
    from tests.factories import ApplicationFactory, PartnerFactory

    application = ApplicationFactory(call=call, applicant=municipality)
    PartnerFactory(application=application, company=company)
    return application


@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("role", ROLES)
def test_page_is_shown_to_allowed_roles_and_not_found_for_others(
        page, role, request, as_user, second_draft, active, claim):
    url, allowed = page_urls(second_draft, active, claim)[page]
    response = as_user(request.getfixturevalue(role)).get(url)
    assert response.status_code == (200 if role in allowed else 404)


@pytest.mark.django_db
def test_pages_need_signing_in(client, active):
    response = client.get(reverse("web:application_detail", args=[active.reference]))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.django_db
def test_sign_in_page_has_labelled_fields(client):
    html = client.get(reverse("login")).content.decode()
    assert '<label for="id_username">Username</label>' in html
    assert '<label for="id_password">Password</label>' in html


@pytest.mark.django_db
def test_sign_in_and_out(client, applicant):
    response = client.post(reverse("login"), {"username": "applicant", "password": "test-password-123"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    client.post(reverse("logout"))
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_wrong_password_is_refused_with_a_message(client, applicant):
    response = client.post(reverse("login"), {"username": "applicant", "password": "wrong"})
    assert response.status_code == 200
    assert "enter a correct username and password" in response.content.decode()


@pytest.mark.django_db
def test_password_change_uses_the_web_templates(as_user, applicant):
    client = as_user(applicant)
    response = client.post(reverse("password_change"), {
        "old_password": "test-password-123", "new_password1": "Kalmar-sund-2026!", "new_password2": "Kalmar-sund-2026!"})
    assert response.status_code == 302
    done = client.get(response["Location"])
    assert "web/base.html" in [t.name for t in done.templates]
    assert applicant.__class__.objects.get(pk=applicant.pk).check_password("Kalmar-sund-2026!")


@pytest.mark.django_db
def test_password_change_shows_errors_next_to_fields(as_user, applicant):
    response = as_user(applicant).post(reverse("password_change"), {
        "old_password": "wrong", "new_password1": "x", "new_password2": "y"})
    html = response.content.decode()
    assert 'id="id_old_password_error"' in html and 'id="id_new_password2_error"' in html


@pytest.mark.django_db
def test_unknown_application_is_a_404_page_in_the_site_layout(as_user, applicant):
    response = as_user(applicant).get(reverse("web:application_detail", args=["TB-1999-9999"]))
    assert response.status_code == 404
    assert "There is nothing here, or it is not yours to see." in response.content.decode()


@pytest.mark.django_db
def test_nothing_is_loaded_from_another_origin(as_user, applicant, officer, active):
    import re

    for user, url in ((applicant, reverse("web:application_create")),
                      (officer, reverse("web:application_detail", args=[active.reference]))):
        html = as_user(user).get(url).content.decode()
        sources = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert sources and not [s for s in sources if s.startswith(("http:", "https:", "//"))]
        assert "<script>" not in html  # the CSP allows scripts from files of this site only


def test_static_files_exist_for_the_pages():
    from django.contrib.staticfiles import finders

    for name in ("web/style.css", "web/app.js", "web/matching.js"):
        assert finders.find(name), name
