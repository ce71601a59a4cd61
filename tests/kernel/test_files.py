"""The upload check (``crowdsafe.common.files``): a file is judged by its content, within the limit of its kind,
and anything wrong with it is a ``ValidationError`` naming the file and the rule, never another exception."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models.fields.files import FieldFile
from django.utils import translation

from crowdsafe.common.files import (
    UploadRefused,
    UploadTo,
    UploadValidator,
    accept_attribute,
    check_upload,
    check_uploads,
    display_name,
    upload_limit,
)
from crowdsafe.errors import DomainError
from tests.helpers.files import (
    HTML,
    docx_bytes,
    forged_jpeg,
    forged_pdf,
    forged_png,
    image_bytes,
    ole_bytes,
    ooxml_bytes,
    pdf_bytes,
    png_bomb,
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def refusal(name: str, content: bytes, kind: str = "photo") -> UploadRefused:
    with pytest.raises(UploadRefused) as caught:
        check_upload(upload(name, content), kind=kind, field="f")
    return caught.value


@pytest.mark.parametrize(
    ("name", "content", "kind", "content_type"),
    [
        ("现场.jpg", image_bytes("JPEG"), "photo", "image/jpeg"),
        ("现场.JPEG", image_bytes("JPEG"), "photo", "image/jpeg"),
        ("现场.png", image_bytes("PNG"), "photo", "image/png"),
        ("现场.webp", image_bytes("WEBP"), "photo", "image/webp"),
        ("预案.pdf", pdf_bytes(), "plan", "application/pdf"),
        ("预案.docx", docx_bytes(), "plan", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("预案.doc", ole_bytes(), "plan", "application/msword"),
        ("预案.wps", ole_bytes(), "plan", "application/vnd.ms-works"),
        (
            "名录.xlsx",
            ooxml_bytes("xl/workbook.xml"),
            "spreadsheet",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            "演示.pptx",
            ooxml_bytes("ppt/presentation.xml"),
            "document",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
        ("表.xls", ole_bytes(), "document", "application/vnd.ms-excel"),
        ("公章.png", image_bytes("PNG"), "seal", "image/png"),
    ],
)
def test_a_real_file_of_an_accepted_format_passes_with_the_type_of_its_content(name, content, kind, content_type):
    checked = check_upload(upload(name, content, "text/html"), kind=kind)
    assert (checked.name, checked.content_type, checked.size) == (name, content_type, len(content))
    assert len(checked.sha256) == 64
    assert checked.upload.read() == content  # left at its start for the caller to store


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("photo.jpg", forged_jpeg(), "photo"),
        ("photo.png", forged_png(), "photo"),
        ("plan.pdf", forged_pdf(), "plan"),
        ("photo.jpg", image_bytes("PNG"), "photo"),  # a real PNG named .jpg
        ("photo.webp", b"RIFF\x00\x00\x00\x00WEBP" + HTML, "photo"),
        ("photo.jpg", image_bytes("JPEG", (400, 300))[:600], "photo"),  # truncated
        ("plan.pdf", pdf_bytes()[:200], "plan"),  # truncated
        ("plan.docx", b"PK\x03\x04" + HTML, "plan"),
        ("plan.docx", ooxml_bytes("xl/workbook.xml"), "plan"),  # a workbook renamed .docx
        ("list.xlsx", docx_bytes(), "spreadsheet"),
        ("plan.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + HTML, "plan"),
        ("seal.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "seal"),
    ],
)
def test_content_that_is_not_what_its_name_says_is_refused_with_one_message(name, content, kind):
    refused = refusal(name, content, kind)
    extension = name.rsplit(".", 1)[1].upper()
    assert str(refused) == f"“{name}” is not a valid {extension} file: its content does not match its name."
    assert refused.code == "upload_content"


def test_a_decompression_bomb_is_refused_before_it_is_decoded():
    refused = refusal("bomb.png", png_bomb(20000, 20000))
    assert str(refused) == "“bomb.png” has too many pixels: at most 50 megapixels are accepted."
    assert refused.code == "upload_too_many_pixels"


def test_an_image_over_the_pixel_cap_but_under_pillows_own_limit_is_refused(settings):
    settings.UPLOAD_MAX_PIXELS = 1000
    refused = refusal("wide.png", image_bytes("PNG", (100, 20)))
    assert str(refused) == "“wide.png” has too many pixels: at most 0.001 megapixels are accepted."


def test_a_zip_bomb_posing_as_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>" + " " * 5_000_000)
    assert refusal("list.xlsx", buffer.getvalue(), "spreadsheet").code == "upload_unpacks_too_large"


def test_a_file_over_the_limit_of_its_kind_is_refused_before_it_is_read(settings):
    settings.UPLOAD_LIMITS = {**settings.UPLOAD_LIMITS, "photo": 5 * 1024 * 1024}
    big = upload("big.jpg", b"\xff\xd8\xff" + b"0" * (6 * 1024 * 1024))
    with pytest.raises(UploadRefused) as caught:
        check_upload(big, kind="photo")
    assert str(caught.value) == "“big.jpg” is 6.1 MB; at most 5 MB is accepted."


def test_the_limits_are_read_from_the_settings_for_each_kind(settings):
    settings.UPLOAD_LIMITS = {**settings.UPLOAD_LIMITS, "plan": 2048}
    assert upload_limit("plan") == 2048
    assert refusal("plan.pdf", pdf_bytes() + b" " * 4096, "plan").code == "upload_too_large"


def test_a_type_not_accepted_for_the_kind_is_refused_naming_the_accepted_ones_and_the_limit():
    refused = refusal("report.exe", b"MZ\x90\x00")
    assert str(refused) == "“report.exe”: only JPEG, JPG, PNG, WEBP files are accepted (at most 5 MB)."
    assert refusal("plan.pdf", pdf_bytes(), "photo").code == "upload_type"


def test_an_empty_file_and_no_file_are_refused():
    assert str(refusal("empty.pdf", b"", "plan")) == "“empty.pdf” is empty."
    with pytest.raises(UploadRefused, match=r"Choose a file\."):
        check_upload(None, kind="photo")


def test_the_refusal_is_a_validation_error_and_a_domain_error_naming_its_field():
    refused = refusal("photo.jpg", forged_jpeg())
    assert isinstance(refused, ValidationError) and isinstance(refused, DomainError)
    assert refused.field == "f" and refused.messages == [str(refused)]


def test_the_messages_are_translated_into_chinese():
    with translation.override("zh-hans"):
        refused = refusal("照片.jpg", forged_jpeg())
        assert "照片.jpg" in str(refused) and "not a valid" not in str(refused)
        too_big = refusal("photo.jpg", b"\xff\xd8\xff" + b"0" * (6 * 1024 * 1024))
        assert "5" in str(too_big) and "at most" not in str(too_big)


def test_several_files_are_checked_before_any_is_kept_and_the_first_refused_is_named():
    good = upload("a.png", image_bytes("PNG"))
    with pytest.raises(UploadRefused, match=r"“b\.jpg” is not a valid JPG file"):
        check_uploads([good, upload("b.jpg", forged_jpeg()), upload("c.exe", b"MZ")], kind="photo", field="photos")
    assert check_uploads([None, good], kind="photo") and check_uploads(None, kind="photo") == []


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("../../etc/passwd.jpg", "passwd.jpg"),
        ("C:\\Users\\王\\现场 照片.JPG", "现场 照片.JPG"),
        ("photo\u202egpj.exe", "photogpj.exe"),  # a right-to-left override hiding the real extension
        ("a\x00b\r\n.png", "ab.png"),
        ("  ..hidden.png ", "hidden.png"),
        ("", "file"),
        ("长" * 300 + ".pdf", "长" * 251 + ".pdf"),
    ],
)
def test_the_name_shown_keeps_no_path_nor_control_characters_and_keeps_chinese(raw, shown):
    assert display_name(raw) == shown


def test_the_stored_name_is_random_in_a_dated_folder_of_the_app_with_the_extension_of_the_file():
    from duties.models import TaskAttachment

    first = UploadTo("risk/hazards")(TaskAttachment(), "../现场 照片.JPG")
    second = UploadTo("risk/hazards")(TaskAttachment(), "../现场 照片.JPG")
    assert first != second
    assert first.startswith("risk/hazards/") and first.endswith(".jpg")
    prefix, year, month, stored = first.rsplit("/", 3)
    assert prefix == "risk/hazards" and len(year) == 4 and len(month) == 2 and len(stored) == 36
    assert UploadTo()(TaskAttachment(), "x.pdf").startswith("duties/evidence/")  # the model's upload_prefix
    assert UploadTo("x")(TaskAttachment(), "noextension").endswith(".bin")


def test_the_validator_checks_a_new_file_but_not_one_already_stored():
    validator = UploadValidator("photo")
    with pytest.raises(ValidationError):
        validator(upload("photo.jpg", forged_jpeg()))
    stored = FieldFile(None, type("F", (), {"storage": None, "name": "f"})(), "old/photo.jpg")
    validator(stored)  # committed: not read again
    assert validator == UploadValidator("photo") and validator != UploadValidator("plan")


def test_the_picker_offers_the_extensions_of_the_kind():
    assert accept_attribute("plan") == ".pdf,.docx,.doc,.wps"


def test_an_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError, match="Unknown kind of upload"):
        check_upload(upload("a.png", image_bytes()), kind="avatar")
