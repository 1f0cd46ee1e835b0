"""Rule-based extraction of Vietnamese COVID-19 directives (conclusions, notices, directives).

`extract_document(text)` returns the schema of seeds/expected/*.json:

    {"document": {kind, issuer, province, meeting_date, issued_date, issued_date_text,
                  number, signer, signer_title, replaces},
     "references": [...],
     "tasks": [{ref, lead, coordinating, deadline, deadline_text, summary,
                span, lead_is_group}]}

"span" (character offsets into `normalize_text(text)`) and "lead_is_group" are private keys
for the UI and the fan-out; `public_view()` drops them. Pure Python: no ORM, no network.
"""

from .dates import find_deadlines, parse_date, parse_deadline
from .layout import split_paragraphs
from .metadata import (
    announced_document,
    body_bounds_header,
    document_kind,
    document_number,
    issued,
    issuer_from_preamble,
    meeting_date,
    province,
    replaced_documents,
    signer,
)
from .normalize import normalize_text
from .references import find_references
from .tasks import extract_tasks, split_body
from .units import is_group_addressee

DOCUMENT_KEYS = (
    "kind",
    "issuer",
    "province",
    "meeting_date",
    "issued_date",
    "issued_date_text",
    "number",
    "signer",
    "signer_title",
    "replaces",
)
TASK_KEYS = ("ref", "lead", "coordinating", "deadline", "deadline_text", "summary")

__all__ = [
    "extract_document",
    "find_deadlines",
    "find_references",
    "is_group_addressee",
    "normalize_text",
    "parse_date",
    "parse_deadline",
    "public_view",
]


def extract_document(text: str) -> dict:
    """Extract metadata, cited references and tasks from a directive's text."""
    text = normalize_text(text)
    paragraphs = split_paragraphs(text)
    recipients = body_bounds_header(paragraphs)
    first_item, closing, _ = split_body(paragraphs, recipients)
    preamble = [p.text for p in paragraphs[:first_item]]
    # The header is everything before the first long paragraph (the opening of the body).
    header_end = next((i for i, p in enumerate(preamble) if len(p.split()) > 40), len(preamble))
    header_lines = preamble[:header_end]
    header = "\n".join(header_lines)

    issuer = issuer_from_preamble("\n".join(preamble))
    issued_date, issued_text = issued(header)
    number = document_number(header)
    news = None if number else announced_document([p.text for p in paragraphs])
    # A news item dates the directive it reports; the page's own date is not a meeting's.
    met = meeting_date(preamble[header_end:] or preamble, strict=bool(news and news["issued_date"]))
    if news:
        number = news["number"]
        issuer = issuer or news["issuer"]
        if issued_date is None:
            issued_date, issued_text = news["issued_date"], news["issued_date_text"]
    body_end = min(closing, recipients) if closing > first_item else recipients
    signer_name, signer_title = signer(paragraphs, body_end)
    tasks = extract_tasks(
        paragraphs, text, body_end=recipients, issuer=issuer, reference=met or issued_date
    )
    body_text = "\n".join(p.text for p in paragraphs[:recipients])
    kind = document_kind(header_lines)
    if news:
        # A news page or portal item: the directive is named in the prose.
        kind = kind if kind != "unknown" else news["kind"]
    return {
        "document": {
            "kind": kind,
            "issuer": issuer,
            "province": province(body_text, header),
            "meeting_date": met.isoformat() if met else None,
            "issued_date": issued_date.isoformat() if issued_date else None,
            "issued_date_text": issued_text,
            "number": number,
            "signer": signer_name,
            "signer_title": signer_title,
            "replaces": replaced_documents(body_text),
        },
        "references": find_references(body_text, exclude=(number or "",)),
        "tasks": tasks,
    }


def public_view(extraction: dict) -> dict:
    """The extraction restricted to the keys of the expected schema, in its order."""
    return {
        "document": {key: extraction["document"].get(key) for key in DOCUMENT_KEYS},
        "references": list(extraction["references"]),
        "tasks": [{key: task.get(key) for key in TASK_KEYS} for task in extraction["tasks"]],
    }
