"""What people type: amounts of money, numbers of people, phone numbers and party lines."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation, localcontext
from enum import StrEnum
from typing import Final

from bot.cases.rules.vocabulary import CaseRuleError
from bot.core.numerals import arabic

MAX_AMOUNT: Final = Decimal(100_000_000)
MIN_PEOPLE: Final = 1
MAX_PEOPLE: Final = 10_000
_CENT: Final = Decimal("0.01")

_AMOUNT_RE: Final = re.compile(
    r"(?P<sign1>[-+])?(?:¥|rmb|cny)?(?P<sign2>[-+])?"
    r"(?P<int>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)?(?:\.(?P<frac>[0-9]+))?"
    r"(?P<wan>万)?(?:元|块|圆)?(?:钱)?"
)
_MINUS_SIGNS: Final = str.maketrans({"−": "-", "–": "-", "—": "-", "负": "-"})


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def validate_amount(value: Decimal) -> Decimal:
    """Check a money amount: finite, > 0, at most 2 decimals, <= MAX_AMOUNT; 2-place result."""
    if not isinstance(value, Decimal) or not value.is_finite():
        raise CaseRuleError("amount_invalid", text=str(value))
    if value < 0:
        raise CaseRuleError("amount_negative", text=str(value))
    if value == 0:
        raise CaseRuleError("amount_zero", text=str(value))
    if value > MAX_AMOUNT:
        raise CaseRuleError("amount_too_large", text=str(value), max=str(MAX_AMOUNT))
    quantized = value.quantize(_CENT)
    if quantized != value:
        raise CaseRuleError("amount_invalid", text=str(value), reason="too_many_decimals")
    return quantized


def parse_amount(text: str) -> Decimal:
    """Parse a typed money amount (元) into a 2-place ``Decimal``.

    Accepts ``1200``, ``1,200``, ``1200元``, ``1.2万``, ``¥1200.50``, full-width digits.
    Codes: ``amount_invalid`` (not a number, bad grouping, sub-fen precision),
    ``amount_negative``, ``amount_zero``, ``amount_too_large`` (> 100,000,000).
    """
    cleaned = re.sub(r"\s+", "", _nfkc(text).translate(_MINUS_SIGNS)).lower()
    match = _AMOUNT_RE.fullmatch(cleaned)
    if not cleaned or match is None or (match["int"] is None and match["frac"] is None):
        raise CaseRuleError("amount_invalid", text=text)
    if match["sign1"] and match["sign2"]:
        raise CaseRuleError("amount_invalid", text=text)
    negative = "-" in (match["sign1"] or "", match["sign2"] or "")
    integer = (match["int"] or "0").replace(",", "").lstrip("0") or "0"
    fraction = (match["frac"] or "").rstrip("0")
    if len(integer) > 12:
        raise CaseRuleError(
            "amount_negative" if negative else "amount_too_large", text=text, max=str(MAX_AMOUNT)
        )
    if len(fraction) > 6:
        raise CaseRuleError("amount_invalid", text=text, reason="too_many_decimals")
    with localcontext() as ctx:
        ctx.prec = 40
        try:
            value = Decimal(f"{integer}.{fraction or '0'}")
        except InvalidOperation:  # pragma: no cover - regex guarantees digits
            raise CaseRuleError("amount_invalid", text=text) from None
        if match["wan"]:
            value *= 10_000
    if negative and value != 0:
        raise CaseRuleError("amount_negative", text=text)
    try:
        return validate_amount(value)
    except CaseRuleError as exc:
        raise CaseRuleError(exc.code, **{**exc.params, "text": text}) from None


def parse_people_count(text: str) -> int:
    """Parse a people count like ``3``, ``3人``, ``３名``, ``两人`` (1..10000)."""
    cleaned = arabic(re.sub(r"\s+", "", _nfkc(text)))
    match = re.fullmatch(r"([0-9]+)(?:个人|人|名|位|个)?", cleaned)
    if match is None:
        raise CaseRuleError("people_count_invalid", text=text)
    digits = match[1].lstrip("0") or "0"
    if len(digits) > 6 or not MIN_PEOPLE <= int(digits) <= MAX_PEOPLE:
        raise CaseRuleError("people_count_out_of_range", text=text, min=MIN_PEOPLE, max=MAX_PEOPLE)
    return int(digits)


_MOBILE_RE: Final = re.compile(r"1[3-9][0-9]{9}")
_LANDLINE_RE: Final = re.compile(r"0[12][0-9][1-9][0-9]{7}|0[3-9][0-9]{2}[1-9][0-9]{6,7}")
_LOCAL_RE: Final = re.compile(r"[1-9][0-9]{6,7}")
_AREA_CODE_RE: Final = re.compile(r"0[12][0-9]|0[3-9][0-9]{2}")


def _landline_area_length(number: str) -> int:
    return 3 if number[1] in "12" else 4


def normalize_phone(text: str | None, default_area_code: str | None = None) -> str | None:
    """Canonical digits of a Chinese mobile (11 digits) or landline (area code + local).

    Strips spaces, dashes, dots, brackets and a ``+86``/``0086``/``86`` prefix.  A bare
    7-8 digit local number is accepted only with ``default_area_code``.  ``None`` if invalid.
    """
    if text is None:
        return None
    s = re.sub(r"[\s\-().]", "", _nfkc(text))
    international = False
    for prefix in ("+86", "0086"):
        if s.startswith(prefix):
            s, international = s[len(prefix) :], True
            break
    else:
        if s.startswith("86") and len(s) == 13 and _MOBILE_RE.fullmatch(s[2:]):
            s = s[2:]
    if not (s.isascii() and s.isdigit()):
        return None
    if international and not s.startswith("0") and not _MOBILE_RE.fullmatch(s):
        s = "0" + s  # +86 drops the trunk 0 of the area code
    if _MOBILE_RE.fullmatch(s) or _LANDLINE_RE.fullmatch(s):
        return s
    if (
        not international
        and default_area_code is not None
        and _AREA_CODE_RE.fullmatch(default_area_code)
        and _LOCAL_RE.fullmatch(s)
    ):
        candidate = default_area_code + s
        if _LANDLINE_RE.fullmatch(candidate):
            return candidate
    return None


def _decimal_digits(text: str) -> str:
    return "".join(str(unicodedata.decimal(ch)) for ch in text if ch.isdecimal())


def mask_phone(phone: str | None) -> str:
    """Mask a phone number for display; never reveals more than its last 4 digits.

    Mobile ``13812345678`` -> ``138****5678`` (the 3-digit network prefix is shown);
    landline ``0914-1234567`` -> ``0914-***4567`` (the area code is shown).  Anything else
    shows at most the last 4 digits, and only when there are at least 7 digits
    (``****5678``); shorter input becomes ``****``.  Blank input gives ``""``.
    The output is always built from scratch, never by echoing the input.
    """
    if phone is None or not phone.strip():
        return ""
    number = normalize_phone(phone)
    if number is not None and _MOBILE_RE.fullmatch(number):
        return f"{number[:3]}****{number[-4:]}"
    if number is not None:
        area_len = _landline_area_length(number)
        area, local = number[:area_len], number[area_len:]
        return f"{area}-{'*' * (len(local) - 4)}{local[-4:]}"
    digits = _decimal_digits(phone)
    if len(digits) >= 7:
        return f"****{digits[-4:]}"
    return "****"


MAX_PARTIES: Final = 10
PARTY_NAME_MAX: Final = 32
# A line longer than a name and a phone number can be is a name too long (and is never
# handed to the regular expression).
_PARTY_LINE_MAX: Final = PARTY_NAME_MAX + 40
_PHONE_TAIL: Final = re.compile(r"^(?P<name>.+?)[\s,，:：]+(?P<phone>[+＋0-9０-９()（）\- ]{5,})$")


class PartyProblem(StrEnum):
    PHONE = "phone"
    NAME = "name"
    LONG = "long"


def parse_party(line: str) -> tuple[str, str | None] | PartyProblem:
    """``'张三 138 1234 5678'`` -> ``('张三', '13812345678')``; what is wrong otherwise."""
    line = line.strip()
    if len(line) > _PARTY_LINE_MAX:
        return PartyProblem.LONG
    match = _PHONE_TAIL.match(line)
    name, phone = (match["name"].strip(), match["phone"]) if match else (line, None)
    if phone is not None:
        phone = normalize_phone(phone)
        if phone is None:
            return PartyProblem.PHONE
    if not name or any(ch.isdigit() for ch in name):
        return PartyProblem.NAME
    if len(name) > PARTY_NAME_MAX:
        return PartyProblem.LONG
    return name, phone


def parse_parties(text: str, already: int = 0) -> list[tuple[str, str | None]]:
    """The parties typed one per line, added to `already` ones. Codes: ``party_phone``
    (with the ``line``), ``party_name``, ``party_name_too_long``, ``too_many_parties``."""
    lines = [line for line in text.splitlines() if line.strip()]
    parties = []
    for line in lines:
        parsed = parse_party(line)
        if parsed is PartyProblem.PHONE:
            raise CaseRuleError("party_phone", line=line.strip())
        if parsed is PartyProblem.LONG:
            raise CaseRuleError("party_name_too_long", max=PARTY_NAME_MAX)
        if isinstance(parsed, PartyProblem):
            raise CaseRuleError("party_name")
        parties.append(parsed)
    if already + len(parties) > MAX_PARTIES:
        raise CaseRuleError("too_many_parties", max=MAX_PARTIES)
    return parties
