"""Officers' comments on an application outside a transition (DESIGN §2): a message to the applicant,
or an internal note that only the call's officers and auditors ever see (applications.selectors)."""
from django.db import transaction
from django.utils.translation import gettext as _

from applications.models import Application, AuditEvent
from applications.permissions import is_officer_of_call
from core.errors import NotPermitted, RuleViolation

from .effects import log_event

COMMENT_MAX = 5000


def comment_problems(text: str) -> list[str]:
    if not (text or "").strip():
        return [_("Write the comment.")]
    if len(text) > COMMENT_MAX:
        return [_("A comment can have at most %(max)s characters.") % {"max": COMMENT_MAX}]
    return []


@transaction.atomic
def write_comment(application: Application, *, by, text: str, internal: bool) -> AuditEvent:
    """An officer of the call writes to the applicant (`internal=False`) or a note for officers and auditors."""
    if application.state == Application.State.DRAFT or not is_officer_of_call(by, application.call):
        raise NotPermitted(_("Only officers of the call can comment on a submitted application."))
    problems = comment_problems(text)
    if problems:
        raise RuleViolation(problems, {"text": problems})
    return log_event(by=by, action="comment", obj=application, application=application, comment=text.strip(),
                     internal=internal)
