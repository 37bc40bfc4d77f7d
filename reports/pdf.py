"""HTML → PDF with WeasyPrint, shared by every printed report.

Nothing is fetched from the network: the documents carry their CSS inline and use
fonts installed on the machine; any other URL a document names is refused.
"""
import time
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from .templatetags.report_format import css_string


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    pages: int
    html_seconds: float      # gathering figures and rendering the template
    layout_seconds: float    # WeasyPrint: layout and PDF writing

    @property
    def seconds(self) -> float:
        return self.html_seconds + self.layout_seconds


def _refuse_urls(url, *args, **kwargs):
    raise ValueError(f"reports load nothing from outside: {url}")


def page_counter_css() -> str:
    """The CSS `content` value of the footer, from one translatable phrase ("Page 2 of 5")."""
    phrase = _("Page {page} of {pages}")
    parts = []
    for chunk in phrase.replace("{pages}", "\0pages\0").replace("{page}", "\0page\0").split("\0"):
        if chunk in ("page", "pages"):
            parts.append(f"counter({chunk})")
        elif chunk:
            parts.append(css_string(chunk))
    return " ".join(parts)


def html_to_pdf(html: str) -> tuple[bytes, int]:
    """Lay out `html` and return the PDF bytes and its page count."""
    from weasyprint import HTML  # imported late: it takes a moment and only reports need it

    document = HTML(string=html, url_fetcher=_refuse_urls).render()
    return document.write_pdf(), len(document.pages)


def render_pdf(template: str, build_context) -> RenderedPdf:
    """Build the context (a callable, so its queries are timed), render the template and lay it out."""
    started = time.perf_counter()
    context = build_context()
    context.setdefault("page_counter", page_counter_css())
    html = render_to_string(template, context)
    rendered = time.perf_counter()
    content, pages = html_to_pdf(html)
    return RenderedPdf(content, pages, rendered - started, time.perf_counter() - rendered)
