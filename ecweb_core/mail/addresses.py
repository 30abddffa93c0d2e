"""Address lists typed by operators (CC, BCC): comma, semicolon or space separated."""

from __future__ import annotations

import re

# Deliberately plain: local@domain.tld, no display names, no quoted local parts.
_LOCAL = r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+"
_DOMAIN = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+"
_ADDRESS = re.compile(f"^{_LOCAL}@{_DOMAIN}$")
MAX_ADDRESSES = 20


def split_addresses(value: str) -> list[str]:
    return [a for a in re.split(r"[,;\s、]+", value or "") if a]


def is_address(value: str) -> bool:
    return len(value) <= 254 and bool(_ADDRESS.match(value))


def address_error(value: str, label: str) -> str | None:
    """A Japanese message when the list holds a malformed address, else None."""
    addresses = split_addresses(value)
    bad = [a for a in addresses if not is_address(a)]
    if bad:
        return f"{label}のメールアドレスが正しくありません: {', '.join(bad[:3])}"
    if len(addresses) > MAX_ADDRESSES:
        return f"{label}は{MAX_ADDRESSES}件までです。"
    return None
