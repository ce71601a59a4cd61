"""Resident ID numbers and unified social credit codes are checked with their check digit (python-stdnum) and
normalised before they are stored: a typo in one character is refused with a message that says so."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from crowdsafe.common.identifiers import (
    CreditCodeFormField,
    CreditCodeSerializerField,
    ResidentIdFormField,
    ResidentIdSerializerField,
    clean_credit_code,
    clean_resident_id,
)

RESIDENT_ID = "41050219800101001X"  # 文峰区, born 1 January 1980, check digit X
CREDIT_CODE = "91410502MA47R8C22Y"  # a demo operator's code, check character Y


def one_digit_off(value: str, position: int) -> str:
    digit = value[position]
    return value[:position] + str((int(digit) + 1) % 10) + value[position + 1 :]


def test_a_valid_resident_id_is_kept_normalised():
    assert clean_resident_id(RESIDENT_ID) == RESIDENT_ID
    assert clean_resident_id(" 410502 19800101 001x ") == RESIDENT_ID
    assert clean_resident_id("４１０５０２１９８００１０１００１ｘ") == RESIDENT_ID  # typed full-width
    assert clean_resident_id("") == ""


@pytest.mark.parametrize("position", [0, 5, 9, 13, 16])
def test_a_resident_id_with_one_digit_mistyped_is_refused_for_its_check_digit(position):
    with pytest.raises(ValidationError) as caught, translation.override("en"):
        clean_resident_id(one_digit_off(RESIDENT_ID, position))
    assert caught.value.code in {"checksum", "component"}
    with translation.override("en"):
        assert caught.value.messages[0] in {
            "This resident ID number's check digit does not match: look for a mistyped digit.",
            "This resident ID number has no valid region code or date of birth.",
        }


def test_a_resident_id_with_a_wrong_check_digit_says_so_in_chinese_and_english():
    wrong = RESIDENT_ID[:-1] + "1"
    with pytest.raises(ValidationError) as caught:
        clean_resident_id(wrong)
    assert caught.value.code == "checksum"
    with translation.override("en"):
        assert "check digit does not match" in caught.value.messages[0]
    with translation.override("zh-hans"):
        assert "校验码" in caught.value.messages[0]


def test_a_resident_id_with_an_impossible_birth_date_is_refused():
    body = "41050219801301001"  # 13th month
    from stdnum.cn import ric

    with pytest.raises(ValidationError) as caught:
        clean_resident_id(body + ric.calc_check_digit(body + "0"))
    assert caught.value.code == "component"


def test_a_resident_id_of_a_county_created_after_the_birth_year_is_accepted():
    """The region is the county of first registration (the first cards date from 1984): 410502 was created in
    1983, and people born before then carry it."""
    assert clean_resident_id("410502197001011237") == "410502197001011237"


@pytest.mark.parametrize("value", ["12345", "4105021980010100XX", "A10502198001010011"])
def test_a_malformed_resident_id_is_refused_with_the_format(value):
    with pytest.raises(ValidationError) as caught:
        clean_resident_id(value)
    assert caught.value.code == "format"


def test_a_valid_credit_code_is_kept_normalised():
    assert clean_credit_code(CREDIT_CODE) == CREDIT_CODE
    assert clean_credit_code("9141 0502 MA47 R8C2 2y") == CREDIT_CODE
    assert clean_credit_code("91410502-MA47R8C22Y") == CREDIT_CODE


@pytest.mark.parametrize("position", [0, 2, 7, 10, 16])
def test_a_credit_code_with_one_digit_mistyped_is_refused_for_its_check_character(position):
    with pytest.raises(ValidationError) as caught:
        clean_credit_code(one_digit_off(CREDIT_CODE, position))
    assert caught.value.code == "checksum"
    with translation.override("en"):
        assert caught.value.messages[0] == (
            "This unified social credit code's check character does not match: look for a mistyped character."
        )
    with translation.override("zh-hans"):
        assert "校验码" in caught.value.messages[0]


def test_a_credit_code_whose_authority_is_a_letter_is_checked_too():
    """GB 32100-2015 allows letters for the registering authority and kind (N2: a village collective)."""
    from stdnum.cn import uscc

    body = "N2410502MA0000000"
    assert clean_credit_code(body + uscc.calc_check_digit(body)) == body + uscc.calc_check_digit(body)
    with pytest.raises(ValidationError) as caught:
        clean_credit_code(body + ("0" if uscc.calc_check_digit(body) != "0" else "1"))
    assert caught.value.code == "checksum"


@pytest.mark.parametrize("value", ["123", "91410502MA9XK3L0IO", "9141050ZMA47R8C22Y"])
def test_a_malformed_credit_code_is_refused_with_the_format(value):
    with pytest.raises(ValidationError) as caught:
        clean_credit_code(value)
    assert caught.value.code == "format"


def test_the_form_fields_normalise_and_check():
    assert ResidentIdFormField().clean(" 410502198001010 01x") == RESIDENT_ID
    assert CreditCodeFormField().clean("91410502ma47r8c22y") == CREDIT_CODE
    assert ResidentIdFormField(required=False).clean("") == ""
    with pytest.raises(ValidationError):
        CreditCodeFormField().clean(CREDIT_CODE[:-1] + "X")


def test_the_api_fields_normalise_and_check():
    from rest_framework.exceptions import ValidationError as ApiValidationError

    assert ResidentIdSerializerField().run_validation(" 410502198001010 01x") == RESIDENT_ID
    assert CreditCodeSerializerField().run_validation("91410502ma47r8c22y") == CREDIT_CODE
    with pytest.raises(ApiValidationError):
        ResidentIdSerializerField().run_validation(RESIDENT_ID[:-1] + "1")
