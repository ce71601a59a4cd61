"""The rendered documents, read back: every kind carries its number, parties and dates; page 1 has the red
header; every character is drawn by the embedded Noto CJK fonts; the layout keeps the GB/T 9704 text block; the
PDF is small; drafts have no number; the seal is printed only when uploaded."""

from __future__ import annotations

import io
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfReader

from notices import services
from notices.choices import NoticeKind
from notices.demo import sample_context, sample_recipient
from notices.formatting import cn_date, cn_datetime
from notices.kinds import DATE, DATE_OR_NONE, DATETIME, spec_for
from notices.models import DepartmentSeal
from notices.rendering import DocumentData, document_html, render_document
from tests.notices.conftest import issue_rendered
from tests.notices.pdfcheck import (
    compact,
    dark_pixels,
    font_reports,
    page_image,
    pdf_text,
    red_share,
    uncovered_characters,
    visible_text,
)

K = NoticeKind
ALL_KINDS = list(NoticeKind.values)
DPI = 50
MM = DPI / 25.4  # pixels per millimetre


def _issuer(city, kind):
    # Permit procedure documents are the public security organs'; the others may come from any department.
    return city.mhk_fire if kind in (K.RECTIFICATION_ORDER, K.DRILL_NOTICE) else city.wenfeng_police


def _box(left_mm, top_mm, right_mm, bottom_mm) -> tuple[int, int, int, int]:
    return (int(left_mm * MM), int(top_mm * MM), int(right_mm * MM), int(bottom_mm * MM))


def _parties(kind: str) -> list[str]:
    context = sample_context(kind)
    keys = ("organizer_name", "unit_name", "venue_name", "holder", "review_authority", "court", "place")
    parties = [context[key] for key in keys if key in context]
    return parties + list(context.get("participants", []))


def _dates(kind: str) -> list[str]:
    spec = spec_for(kind)
    context = sample_context(kind)
    found = []
    for key, value_type in {**spec.required, **spec.optional}.items():
        if key not in context or context[key] is None:
            continue
        if value_type in (DATE, DATE_OR_NONE):
            found.append(cn_date(context[key]))
        elif value_type == DATETIME:
            found.append(cn_datetime(context[key]))
    return found


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_every_kind_renders_with_its_number_parties_and_dates(kind, city, users, venue):
    notice = issue_rendered(kind, issuer=_issuer(city, kind), subject=venue, actor=None, copy_to=["安阳市应急管理局"])
    text = compact(pdf_text(notice.pdf.read()))
    assert notice.number in text
    assert notice.title in text
    assert notice.issuer.name in text
    assert f"{notice.recipient}：" in text
    for party in _parties(kind):
        assert compact(party) in text, party
    dates = _dates(kind)
    assert dates, "every kind carries at least one date of its own"
    for date in dates:
        assert date in text, date
    # 成文日期 and 印发日期 in Arabic numerals; page numbers between dashes; the verification code.
    assert f"{cn_date(notice.issued_on)}印发" in text
    assert "—1—" in text
    assert notice.verify_code_display in text
    assert "抄送：安阳市应急管理局" in text


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_page_one_has_a_red_header_and_every_character_is_drawn_by_the_embedded_fonts(kind, city, venue):
    notice = issue_rendered(kind, issuer=_issuer(city, kind), subject=venue)
    content = notice.pdf.read()

    # The issuer mark sits 24 mm into the text block (which starts 37 mm from the top), across its 156 mm; the
    # red rule runs under the number; the title below is black. (Red edges smoothed against the white paper
    # count as red; black ink does not.)
    image = page_image(content, dpi=DPI)
    header = _box(28, 61, 184, 77)
    assert red_share(image, header) > 0.75
    assert dark_pixels(image, header) == 0
    rule = _box(28, 108, 184, 114)
    assert red_share(image, rule) > 0.9
    title = _box(28, 125, 184, 145)
    assert red_share(image, title) < 0.05
    assert dark_pixels(image, title) > 100

    html = document_html(DocumentData.from_notice(notice))
    assert uncovered_characters(content, visible_text(html)) == set()
    names = {report.name for report in font_reports(content)}
    assert names <= {"Noto-Serif-CJK-SC", "Noto-Serif-CJK-SC-Bold", "Noto-Sans-CJK-SC"}


def _draft_pdf(city, **context) -> tuple[bytes, str]:
    data = DocumentData(
        kind=K.PERMIT_APPROVAL,
        issuer=city.wenfeng_police,
        title="大型群众性活动安全许可决定书",
        recipient="安阳文化演艺有限公司",
        context={**services.normalise_context(K.PERMIT_APPROVAL, sample_context(K.PERMIT_APPROVAL)), **context},
    )
    return render_document(data).content, visible_text(document_html(data))


def test_the_glyph_check_fails_for_a_character_no_font_has_and_for_one_from_another_font(city):
    # Built past the service (which refuses such text): U+E000 is in no installed font, ☡ only in DejaVu Sans.
    content, text = _draft_pdf(city, event_name="测试\ue000活动☡")
    assert uncovered_characters(content, text) == {"\ue000", "☡"}


def test_the_service_refuses_text_its_font_cannot_print(city, venue):
    from crowdsafe.errors import DomainError

    with pytest.raises(DomainError) as caught:
        services.notice_issue(
            kind=K.ACCEPTANCE,
            issuer=city.wenfeng_police,
            subject=venue,
            recipient=sample_recipient(K.ACCEPTANCE),
            context={**sample_context(K.ACCEPTANCE), "event_name": "跨年音乐会🎉"},
            actor=None,
        )
    assert caught.value.field == "event_name"
    assert "U+1F389" in str(caught.value.message)


def test_the_text_block_is_156_by_225_mm_from_37_mm_top_and_28_mm_left(city, venue):
    notice = issue_rendered(K.PERMIT_APPROVAL, issuer=city.wenfeng_police, subject=venue)
    image = page_image(notice.pdf.read(), page=2, dpi=DPI).convert("L")
    width, height = image.size
    inked = [(x, y) for y in range(height) for x in range(width) if image.getpixel((x, y)) < 160]
    xs, ys = [x for x, _ in inked], [y for _, y in inked]
    body = [y for y in ys if y < (37 + 225) * MM]
    assert abs(min(xs) - 28 * MM) <= 2 * MM  # left margin (订口) 28 mm
    assert max(xs) <= (28 + 156) * MM + 1 * MM  # the text block is 156 mm wide
    assert min(body) >= 37 * MM - 1  # top margin (天头) 37 mm
    # The page number "— 2 —" sits below the text block, on the left of an even page.
    footer = [x for x, y in inked if y > (37 + 225) * MM]
    assert footer and max(footer) < width / 2


def test_a_two_page_permit_decision_is_under_150_kb_with_subset_fonts(city, venue):
    notice = issue_rendered(K.PERMIT_APPROVAL, issuer=city.wenfeng_police, subject=venue)
    assert notice.pages >= 2
    assert notice.pdf_size < 150 * 1024
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "n.pdf"
        path.write_bytes(notice.pdf.read())
        listing = subprocess.run(["pdffonts", path], check=True, capture_output=True, text=True).stdout
    rows = [line.split() for line in listing.splitlines()[2:]]
    assert rows
    for row in rows:
        assert "+Noto-" in row[0]
        assert row[-5:-2] == ["yes", "yes", "yes"]  # embedded, subset, with a Unicode map


def test_a_permit_decision_cites_the_regulation_and_is_copied_to_the_next_level(city, venue):
    notice = issue_rendered(K.PERMIT_APPROVAL, issuer=city.wenfeng_police, subject=venue)
    text = compact(pdf_text(notice.pdf.read()))
    assert "《大型群众性活动安全管理条例》第十一条、第十二条、第十四条" in text
    assert "抄送：安阳市公安局。" in text
    assert notice.copy_to == ["安阳市公安局"]


def test_a_refusal_states_the_right_to_review_and_litigation(city, venue):
    notice = issue_rendered(K.PERMIT_REFUSAL, issuer=city.city_police, subject=venue)
    text = compact(pdf_text(notice.pdf.read()))
    assert "六十日内向安阳市人民政府申请行政复议" in text
    assert "六个月内向安阳市文峰区人民法院提起行政诉讼" in text
    assert "《中华人民共和国行政复议法》第二十条" in text
    assert "《中华人民共和国行政诉讼法》第四十六条" in text
    assert "抄送：河南省公安厅。" in text


def test_a_rectification_order_cites_its_law_and_deadline(city, venue):
    notice = issue_rendered(K.RECTIFICATION_ORDER, issuer=city.mhk_fire, subject=venue)
    text = compact(pdf_text(notice.pdf.read()))
    context = sample_context(K.RECTIFICATION_ORDER)
    assert f"根据{context['legal_basis']}的规定，现责令你单位于{cn_date(context['deadline'])}前整改完毕" in text


def test_a_draft_is_watermarked_and_has_no_number_qr_or_date(city):
    content = services.notice_draft_pdf(
        kind=K.ACCEPTANCE,
        issuer=city.wenfeng_police,
        recipient=sample_recipient(K.ACCEPTANCE),
        context=sample_context(K.ACCEPTANCE),
    )
    text = compact(pdf_text(content))
    assert "草稿" in text
    assert "（草稿未编号）" in text
    assert "受〔" not in text
    assert "核验码：" not in text
    assert "/v/" not in text
    assert "电子副本" not in text
    html = services.notice_draft_html(
        kind=K.ACCEPTANCE,
        issuer=city.wenfeng_police,
        recipient=sample_recipient(K.ACCEPTANCE),
        context=sample_context(K.ACCEPTANCE),
    )
    assert 'class="watermark"' in html
    assert "data:image/svg+xml" not in html


def _seal_png() -> bytes:
    # A test image standing for an administrator's scan (not a seal design).
    image = Image.new("RGBA", (200, 200), (0, 0, 0, 0))
    for x in range(60, 140):
        for y in range(60, 140):
            image.putpixel((x, y), (200, 0, 0, 255))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _images(resources) -> int:
    """Raster images drawn through ``resources``, also inside form XObjects (a translucent image is in one)."""
    count = 0
    for ref in (resources.get("/XObject") or {}).values():
        xobject = ref.get_object()
        if xobject.get("/Subtype") == "/Image":
            count += 1
        elif xobject.get("/Subtype") == "/Form" and "/Resources" in xobject:
            count += _images(xobject["/Resources"])
    return count


def _images_on_last_page(content: bytes) -> int:
    return _images(PdfReader(io.BytesIO(content)).pages[-1]["/Resources"])


def test_without_an_uploaded_seal_the_document_is_marked_an_electronic_copy(city, venue):
    notice = issue_rendered(K.ACCEPTANCE, issuer=city.wenfeng_police, subject=venue)
    content = notice.pdf.read()
    assert not notice.sealed
    assert "电子副本" in compact(pdf_text(content))
    assert _images_on_last_page(content) == 0


def test_the_uploaded_seal_is_printed_instead(city, venue):
    DepartmentSeal.objects.create(
        department=city.wenfeng_police, image=SimpleUploadedFile("seal.png", _seal_png(), content_type="image/png")
    )
    notice = issue_rendered(K.ACCEPTANCE, issuer=city.wenfeng_police, subject=venue)
    content = notice.pdf.read()
    assert notice.sealed
    assert "电子副本" not in compact(pdf_text(content))
    assert _images_on_last_page(content) == 1


def test_a_switched_off_seal_is_not_printed(city, venue):
    DepartmentSeal.objects.create(
        department=city.wenfeng_police,
        image=SimpleUploadedFile("seal.png", _seal_png(), content_type="image/png"),
        is_active=False,
    )
    notice = issue_rendered(K.ACCEPTANCE, issuer=city.wenfeng_police, subject=venue)
    assert not notice.sealed
    assert "电子副本" in compact(pdf_text(notice.pdf.read()))


def test_the_qr_code_is_drawn_from_the_verification_url(city, venue):
    import segno

    notice = issue_rendered(K.ACCEPTANCE, issuer=city.wenfeng_police, subject=venue)
    html = document_html(DocumentData.from_notice(notice))
    expected = segno.make(notice.absolute_verify_url, error="m").svg_data_uri(border=0, dark="#000", omitsize=True)
    assert expected in html
    content = notice.pdf.read()
    assert notice.absolute_verify_url in compact(pdf_text(content))
    # The QR code is printed in the top right corner of page 1 (dark modules there).
    image = page_image(content, dpi=DPI).convert("L")
    corner = image.crop((int(160 * MM), int(37 * MM), int(184 * MM), int(58 * MM)))
    assert sum(1 for value in corner.get_flattened_data() if value < 100) > 50


def test_a_full_page_holds_22_lines_of_28_characters(city, venue):
    """GB/T 9704 5.2.2: 22 lines of 28 characters a page (a 3号 character advances 156 mm / 28, a line 225 mm / 22)."""
    import re

    notice = issue_rendered(
        K.PERMIT_APPROVAL,
        issuer=city.wenfeng_police,
        subject=venue,
        context=sample_context(K.PERMIT_APPROVAL, long=True),
    )
    pages = PdfReader(io.BytesIO(notice.pdf.read())).pages
    assert len(pages) >= 3
    middle = [line.strip() for line in pages[2].extract_text().split("\n") if line.strip()]
    assert middle[-1] == "— 3 —"
    assert len(middle) - 1 == 22  # body lines of a full page, without its page number
    chinese = [line.replace(" ", "") for line in middle[:-1] if not re.search(r"[0-9A-Za-z]", line)]
    assert max(len(line) for line in chinese) == 28


def test_other_uses_of_weasyprint_in_the_process_are_left_as_weasyprint_does_them(city):
    """The compact-font path is active only inside ``notices.rendering.write_pdf``: a plain WeasyPrint render in
    the same process still embeds its fonts the usual way (OpenType, every glyph id kept)."""
    from weasyprint import HTML

    render_document(
        DocumentData(
            kind=K.ACCEPTANCE,
            issuer=city.wenfeng_police,
            title="受理通知书",
            recipient="安阳文化演艺有限公司",
            context=services.normalise_context(K.ACCEPTANCE, sample_context(K.ACCEPTANCE)),
        )
    )
    content = HTML(string="<p style=\"font-family: 'Noto Serif CJK SC'\">安阳市人员聚集安全</p>").write_pdf()
    assert "安阳市人员聚集安全" in compact(pdf_text(content))
    reader = PdfReader(io.BytesIO(content))
    font = next(iter(reader.pages[0]["/Resources"]["/Font"].values())).get_object()
    descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
    assert descriptor["/FontFile3"].get_object()["/Subtype"] == "/OpenType"
