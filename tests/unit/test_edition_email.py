"""The edition e-mail has exactly the MIME tree the clients need, every `cid:` resolves to one
inline image, the CSV is attached as sent, the text part carries the headline numbers, and
hostile header values are refused. Checked on the bytes as they would go on the wire."""

from __future__ import annotations

import dataclasses
import email
import email.policy
import re
from email.message import EmailMessage

import pytest
from test_edition_render import EXPECTED_CARDS, GENERATED_AT, make_data

from smarketing.report.edition_email import build_edition_message
from smarketing.report.edition_render import InlineImage, RenderedEdition, render_edition

SENDER = "smarketing <reports@example.org>"
RECIPIENTS = ["cmo@example.org", "Head of Sales <sales@example.org>"]


@pytest.fixture(scope="module")
def rendered() -> RenderedEdition:
    return render_edition(make_data(), generated_at=GENERATED_AT)


@pytest.fixture(scope="module")
def received(rendered) -> EmailMessage:
    """The message as a mail client gets it: serialized with CRLF and parsed back."""
    message = build_edition_message(rendered, sender=SENDER, recipients=RECIPIENTS)
    wire = message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
    return email.message_from_bytes(wire, policy=email.policy.default)


def tree(part) -> object:
    if part.is_multipart():
        return (part.get_content_type(), [tree(child) for child in part.iter_parts()])
    return part.get_content_type()


def test_the_mime_tree_is_exactly_as_specified(received):
    assert tree(received) == (
        "multipart/mixed",
        [
            (
                "multipart/alternative",
                [
                    "text/plain",
                    ("multipart/related", ["text/html", "image/png", "image/png", "image/png"]),
                ],
            ),
            "text/csv",
        ],
    )


def test_headers(received, rendered):
    assert received["Subject"] == "smarketing weekly KPIs \u2014 week 47, 16-22 Nov 2026" == rendered.subject
    assert received["From"] == SENDER
    assert [a.addr_spec for a in received["To"].addresses] == ["cmo@example.org", "sales@example.org"]
    assert received["Message-ID"].endswith("@smarketing.local>")
    assert received["Date"].datetime.tzinfo is not None


def test_parts_carry_the_rendered_content_unchanged(received, rendered):
    alternative, attachment = received.iter_parts()
    text, related = alternative.iter_parts()
    html = next(related.iter_parts())
    assert text.get_content_charset() == html.get_content_charset() == "utf-8"
    assert text.get_content().replace("\r\n", "\n") == rendered.text
    assert html.get_content().replace("\r\n", "\n") == rendered.html
    assert attachment.get_content_disposition() == "attachment"
    assert attachment.get_filename() == "smarketing-weekly-campaigns-2026-11-16_2026-11-22.csv"
    assert attachment.get_content_charset() == "utf-8"
    assert attachment.get_payload(decode=True) == rendered.csv_bytes  # base64: CRLFs and emoji intact


def test_every_cid_has_exactly_one_inline_image_with_alt_text(received):
    related = next(p for p in received.walk() if p.get_content_type() == "multipart/related")
    html_part, *images = related.iter_parts()
    html = html_part.get_content()
    referenced = re.findall(r'<img[^<>]*\ssrc="cid:([^"]+)"', html)
    assert len(referenced) == 3
    for cid in referenced:
        matching = [part for part in images if part["Content-ID"] == f"<{cid}>"]
        assert len(matching) == 1, cid
        part = matching[0]
        assert part.get_content_disposition() == "inline"
        assert part.get_filename() == cid.split("@")[0] + ".png"
        assert part.get_payload(decode=True).startswith(b"\x89PNG\r\n\x1a\n")
        tag = re.search(rf'<img[^<>]*src="cid:{re.escape(cid)}"[^<>]*>', html).group(0)
        assert re.search(r'\salt="Chart: [^"]+"', tag)
        assert 'width="560"' in tag
    assert sorted(part["Content-ID"] for part in images) == sorted(f"<{cid}>" for cid in referenced)


def test_text_part_carries_the_same_headline_card_values_as_the_html(received):
    text = received.get_body(("plain",)).get_content()
    html = received.get_body(("html",)).get_content()
    for label, (value, status, comparisons, target) in EXPECTED_CARDS.items():
        assert f"{label}: {value}  [{status.upper()}]" in text
        assert f">{value}</td>" in html
        for line in [*comparisons, target]:
            assert f"  {line}" in text
    assert "<b>\u25b2 +12.2%</b> vs previous week (EUR 11,000.00)" in html


@pytest.mark.parametrize(
    "recipient",
    [
        "a@x.com\r\nBcc: evil@x.com",
        "a@x.com%0d%0aBcc: evil@x.com",
        "=?utf-8?q?a=0D=0ABcc:_evil@x.com?= <a@x.com>",
        "a@x.com, evil@x.com",
    ],
)
def test_header_injection_in_a_recipient_is_refused(rendered, recipient):
    with pytest.raises(ValueError, match=r"^To:"):
        build_edition_message(rendered, sender=SENDER, recipients=["cmo@example.org", recipient])


def test_header_injection_in_sender_subject_and_file_names_is_refused(rendered):
    with pytest.raises(ValueError, match=r"^From:"):
        build_edition_message(rendered, sender="r@example.org\nBcc: evil@x.com", recipients=RECIPIENTS)
    # The subject carries the period label from the data: a newline there must not reach a header.
    hostile = render_edition(
        make_data(period=dataclasses.replace(make_data().period, label="week 47\r\nBcc: evil@x.com")),
        generated_at=GENERATED_AT,
    )
    with pytest.raises(ValueError, match=r"^Subject:"):
        build_edition_message(hostile, sender=SENDER, recipients=RECIPIENTS)
    with pytest.raises(ValueError, match=r"^Content-Disposition:"):
        build_edition_message(
            dataclasses.replace(rendered, csv_name="a.csv\r\nBcc: evil@x.com"), sender=SENDER, recipients=RECIPIENTS
        )
    with pytest.raises(ValueError, match=r"^To:"):
        build_edition_message(rendered, sender=SENDER, recipients=[])


def test_an_image_without_reference_or_a_reference_without_image_is_refused(rendered):
    extra = InlineImage(cid="extra@smarketing.report", filename="extra.png", png=b"\x89PNG", alt="Chart: extra")
    with pytest.raises(ValueError, match=re.escape("unreferenced ['extra@smarketing.report']")):
        build_edition_message(
            dataclasses.replace(rendered, images=(*rendered.images, extra)), sender=SENDER, recipients=RECIPIENTS
        )
    with pytest.raises(ValueError, match=re.escape("referenced without an image ['funnel@smarketing.report']")):
        build_edition_message(
            dataclasses.replace(rendered, images=rendered.images[:1] + rendered.images[2:]),
            sender=SENDER,
            recipients=RECIPIENTS,
        )
    no_alt = dataclasses.replace(rendered.images[0], alt=" ")
    with pytest.raises(ValueError, match="alt text"):
        build_edition_message(
            dataclasses.replace(rendered, images=(no_alt, *rendered.images[1:])), sender=SENDER, recipients=RECIPIENTS
        )
    bad_cid = dataclasses.replace(rendered.images[0], cid="a>\r\nX-Evil: 1")
    with pytest.raises(ValueError, match="Content-ID"):
        build_edition_message(
            dataclasses.replace(rendered, images=(bad_cid, *rendered.images[1:])), sender=SENDER, recipients=RECIPIENTS
        )


def test_a_campaign_named_like_a_cid_reference_does_not_confuse_the_check():
    from test_edition_render import CAMPAIGNS_ALL

    named = dataclasses.replace(CAMPAIGNS_ALL[0], campaign_name='<img src="cid:nothing@x">')
    data = make_data(campaigns=(named, *CAMPAIGNS_ALL[1:5]))
    message = build_edition_message(
        render_edition(data, generated_at=GENERATED_AT), sender=SENDER, recipients=RECIPIENTS
    )
    assert '&lt;img src="cid:nothing@x"&gt;' in message.get_body(("html",)).get_content()


def test_the_message_is_under_the_size_budget(received, rendered):
    html_bytes = len(rendered.html.encode("utf-8"))
    assert html_bytes < 100_000
    # The whole message (base64 images and CSV) stays small enough for any mailbox.
    assert len(received.as_bytes()) < 250_000
