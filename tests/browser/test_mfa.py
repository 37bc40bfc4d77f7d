"""Two-step sign-in end to end in Chromium (issue 15): an officer whose role requires it enrols with
the QR page's key, keeps the recovery codes, signs in again with a recovery code and then with the
authenticator's code; every page of the journey passes axe-core."""
import pytest

from tests.browser.conftest import PASSWORD
from tests.otp import key_from_text, totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def password_step(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("heading", name="Sign in").wait_for()


def test_officer_enrols_and_signs_in_with_recovery_code_and_totp(page, live_server, officer, settings,
                                                                 check_accessibility):
    settings.MFA_REQUIRED_ROLES = ["officer", "auditor", "admin"]
    # django-otp refuses any code for a second after a wrong one; the journey types the right one at once.
    settings.OTP_TOTP_THROTTLE_FACTOR = settings.OTP_STATIC_THROTTLE_FACTOR = 0
    base = live_server.url

    # The password alone leads to the enrolment page: QR code and the key as text.
    password_step(page, base, "officer")
    page.get_by_role("heading", name="Set up two-step sign-in").wait_for()
    assert page.get_by_role("img", name="QR code with the key for your authenticator app").is_visible()
    check_accessibility(page)
    key = key_from_text(page.locator("#secret-key").inner_text())
    page.get_by_label("Code", exact=True).fill("000000" if totp(key) != "000000" else "111111")
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    page.get_by_text("That code is not the one the app shows now").wait_for()
    check_accessibility(page)
    page.get_by_label("Code", exact=True).fill(totp(key))
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    page.get_by_role("heading", name="Recovery codes").wait_for()
    check_accessibility(page)
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="I have saved the codes").click()
    page.get_by_role("heading", name="Overview").wait_for()
    sign_out(page)

    # Without the phone: a recovery code, once.
    password_step(page, base, "officer")
    page.get_by_role("heading", name="Two-step sign-in").wait_for()
    check_accessibility(page)
    page.get_by_label("Code", exact=True).fill(codes[0])
    page.get_by_role("button", name="Verify").click()
    page.get_by_role("heading", name="Overview").wait_for()
    sign_out(page)

    password_step(page, base, "officer")
    page.get_by_label("Code", exact=True).fill(codes[0])
    page.get_by_role("button", name="Verify").click()
    page.get_by_text("That code is not valid").wait_for()
    check_accessibility(page)

    # With the phone: the authenticator's code (one step ahead, as a clock a little fast shows it; the
    # code of the step used at enrolment cannot be used twice).
    page.get_by_label("Code", exact=True).fill(totp(key, steps_ahead=1))
    page.get_by_role("button", name="Verify").click()
    page.get_by_role("heading", name="Overview").wait_for()

    # The security page says so, and the officer reaches the lockouts page from it.
    page.get_by_role("link", name="Security").click()
    page.get_by_text("9 recovery codes left.").wait_for()
    check_accessibility(page)
    page.get_by_role("link", name="See and lift locks on user names and addresses").click()
    page.get_by_role("heading", name="Locked sign-ins").wait_for()
    check_accessibility(page)
