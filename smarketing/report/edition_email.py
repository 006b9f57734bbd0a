"""Turn a rendered edition into one e-mail: text and HTML alternatives, the charts as inline
parts of the HTML, the campaign CSV attached.

    multipart/mixed
      multipart/alternative
        text/plain
        multipart/related
          text/html
          image/png (Content-ID, inline) ...
      text/csv (attachment)

Headers go through the header-injection checks of `report.email.new_message`;
sending is `report.email.send_message`, unchanged.
"""

from __future__ import annotations

import re
from email.message import EmailMessage

from smarketing.report.edition_render import RenderedEdition
from smarketing.report.email import _check_header_value, new_message

# An img tag's cid: source. Text cannot match: the HTML serializer escapes the `<` of text.
_CID_REFERENCE = re.compile(r'<img[^<>]*\ssrc="cid:([^"]+)"')
_CID = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9.-]+")  # RFC 5322 msg-id, dot-atom form


def build_edition_message(
    rendered: RenderedEdition,
    *,
    sender: str,
    recipients: list[str],
    message_id_domain: str = "smarketing.local",
) -> EmailMessage:
    """The edition as one MIME message, built so that what is archived is what is sent."""
    _check_parts(rendered)
    message = new_message(
        subject=rendered.subject, sender=sender, recipients=recipients, message_id_domain=message_id_domain
    )
    message.set_content(rendered.text, subtype="plain", charset="utf-8")
    message.add_alternative(rendered.html, subtype="html", charset="utf-8")
    html_part = message.get_payload()[1]
    for image in rendered.images:
        # add_related turns the HTML part into multipart/related[text/html, image/png ...]
        html_part.add_related(
            image.png,
            maintype="image",
            subtype="png",
            cid=f"<{image.cid}>",
            filename=image.filename,
            disposition="inline",
        )
    # add_attachment turns the multipart/alternative message into multipart/mixed[alternative, csv]
    message.add_attachment(
        rendered.csv_bytes,
        maintype="text",
        subtype="csv",
        filename=rendered.csv_name,
        params={"charset": "utf-8"},
    )
    return message


def _check_parts(rendered: RenderedEdition) -> None:
    """Every `cid:` in the HTML has exactly one image, every image is referenced, and nothing that
    goes into a part's headers (Content-ID, file names) can break a header line."""
    cids = [image.cid for image in rendered.images]
    if len(set(cids)) != len(cids):
        raise ValueError(f"Content-ID: duplicate image ids {cids}")
    for image in rendered.images:
        if not _CID.fullmatch(image.cid):
            raise ValueError(f"Content-ID: {image.cid!r} is not a valid id")
        _check_header_value("Content-Disposition", image.filename)
        if not image.alt.strip():
            raise ValueError(f"{image.filename}: an inline image needs alt text")
    _check_header_value("Content-Disposition", rendered.csv_name)
    referenced = set(_CID_REFERENCE.findall(rendered.html))
    if referenced != set(cids):
        missing, unused = sorted(referenced - set(cids)), sorted(set(cids) - referenced)
        raise ValueError(f"HTML and images disagree: referenced without an image {missing}, unreferenced {unused}")
