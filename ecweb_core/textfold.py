"""Search keys: Japanese text folded the way operators type it (issue 18, item 6).

NFKC folds widths (全角/半角 letters, digits and spaces; ｶﾅ → カナ); hiragana and katakana are one;
spaces are ignored in names; phone numbers keep only their digits; e-mail is lower case.
The customer's keys are stored beside the original text (columns with these functions as
defaults), so the grid's LIKE reads one indexed column instead of folding every row per search.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

# Hiragana ぁ..ゖ and the iteration marks ゝゞ sit 0x60 below their katakana.
_HIRA_TO_KATA = {cp: cp + 0x60 for cp in (*range(0x3041, 0x3097), 0x309D, 0x309E)}
_SPACES = re.compile(r"\s+")
# Hyphens an operator may type in a phone number, after NFKC (－ is already "-" then).
_PHONE_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―−ー()]")

# The separator between the 氏名 and カナ halves of a name key: queries never contain it (spaces go).
NAME_KEY_SEPARATOR = " "


def fold(text: str) -> str:
    """NFKC width folding, hiragana as katakana, lower case."""
    return unicodedata.normalize("NFKC", text).translate(_HIRA_TO_KATA).lower()


def name_query(text: str) -> str:
    """What 顧客名 looks for: folded, every space removed."""
    return _SPACES.sub("", fold(text))


def name_key(name: str | None, kana: str | None) -> str:
    return name_query(name or "") + NAME_KEY_SEPARATOR + name_query(kana or "")


def email_key(email: str | None) -> str:
    return unicodedata.normalize("NFKC", email or "").strip().lower()


def phone_digits(phone: str | None) -> str:
    """The phone number without hyphens, spaces or brackets (full-width digits folded)."""
    return _PHONE_SEPARATORS.sub("", unicodedata.normalize("NFKC", phone or ""))


def customer_keys(name: str | None, kana: str | None, email: str | None, phone: str | None) -> dict[str, str]:
    return {"search_name": name_key(name, kana), "search_email": email_key(email), "search_phone": phone_digits(phone)}


# Column defaults: SQLAlchemy calls these per inserted row (Core executemany and ORM alike).
def name_key_default(ctx: Any) -> str:
    p = ctx.get_current_parameters()
    return name_key(p.get("name"), p.get("kana"))


def email_key_default(ctx: Any) -> str:
    return email_key(ctx.get_current_parameters().get("email"))


def phone_key_default(ctx: Any) -> str:
    return phone_digits(ctx.get_current_parameters().get("phone"))
