"""Turning a chunk of CSV text into the bytes of the chosen encoding (UTF-8, UTF-8 with BOM, Shift_JIS).

Shift_JIS is written as Python's `cp932` (what Excel reads; `shift_jis` fails on ～ ① ㈱ 髙). A
character cp932 cannot hold is never dropped silently:
- MAPPED to its cp932 look-alike (the table below, documented in the README), or
- REPLACED by '?';
either way it is counted, with the first order number it occurred in, for the job's report.
"""

from __future__ import annotations

import codecs
import threading
from dataclasses import dataclass, field

ENCODINGS = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8(BOM付き)", "cp932": "Shift_JIS"}
BOM = codecs.BOM_UTF8

# Characters cp932 lacks but has an equivalent for (the Unicode ⇄ cp932 mapping differences).
CP932_EQUIVALENTS: dict[str, str] = {
    "\u00a5": "\uffe5",  # ¥ YEN SIGN -> ￥
    "\u203e": "\uffe3",  # ‾ OVERLINE -> ￣
    "\u2014": "\u2015",  # — EM DASH -> ―
    "\u2013": "-",  # – EN DASH -> -
    "\u2212": "\uff0d",  # − MINUS SIGN -> －
    "\u301c": "\uff5e",  # 〜 WAVE DASH -> ～
    "\u2016": "\u2225",  # ‖ DOUBLE VERTICAL LINE -> ∥
    "\u00a2": "\uffe0",  # ¢ -> ￠
    "\u00a3": "\uffe1",  # £ -> ￡
    "\u00ac": "\uffe2",  # ¬ -> ￢
    "\u00a0": " ",  # NO-BREAK SPACE -> space
    "\u200b": "",  # ZERO WIDTH SPACE -> nothing
    "\ufeff": "",  # a stray BOM inside data -> nothing
}
REPLACEMENT = "?"
SHIFT_JIS_HEADLINE = "Shift_JISで出力できない文字を置き換えました"
HANDLER = "ecweb-cp932"

_hits = threading.local()


def _handle(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    out = []
    for ch in exc.object[exc.start : exc.end]:
        rep = CP932_EQUIVALENTS.get(ch, REPLACEMENT)
        getattr(_hits, "items", []).append((ch, rep))
        out.append(rep)
    return "".join(out), exc.end


codecs.register_error(HANDLER, _handle)


@dataclass
class CharReport:
    """What happened to each character Shift_JIS could not hold: {char: [to, count, first order]}."""

    chars: dict[str, list[object]] = field(default_factory=dict)

    def add(self, ch: str, to: str, order_number: str) -> None:
        entry = self.chars.setdefault(ch, [to, 0, order_number])
        entry[1] = int(entry[1]) + 1  # type: ignore[call-overload]

    def merge(self, other: dict[str, list[object]]) -> None:
        for ch, (to, count, first) in other.items():
            entry = self.chars.setdefault(ch, [to, 0, first])
            entry[1] = int(entry[1]) + int(count)  # type: ignore[call-overload]

    def order_message(self) -> str | None:
        """The per-order line of the result CSV."""
        if not self.chars:
            return None
        parts = [f"「{ch}」→「{to or '(削除)'}」×{n}" for ch, (to, n, _) in self.chars.items()]
        return f"{SHIFT_JIS_HEADLINE}: " + "、".join(parts)


def encode_chunk(text: str, encoding: str) -> bytes | None:
    """The fast path: the whole chunk at C speed. None when cp932 needs the per-row path."""
    if encoding == "cp932":
        try:
            return text.encode("cp932")
        except UnicodeEncodeError:
            return None
    return text.encode("utf-8")


def encode_row(text: str) -> tuple[bytes, list[tuple[str, str]]]:
    """One row's text in cp932 with the mapping / '?' applied; returns the characters it changed."""
    _hits.items = []
    try:
        data = text.encode("cp932", HANDLER)
        return data, _hits.items
    finally:
        _hits.items = []


def describe(report: dict[str, list[object]], headline: str = SHIFT_JIS_HEADLINE) -> str:
    """The job-level summary shown on ジョブ管理 (which character, how many, first order number);
    PDF一括出力 reports the characters its font lacks the same way, under its own headline."""
    if not report:
        return ""
    parts = []
    for ch, (to, count, first) in sorted(report.items(), key=lambda kv: -int(kv[1][1])):  # type: ignore[call-overload]
        code = " ".join(f"U+{ord(c):04X}" for c in ch)
        parts.append(f"「{ch}」({code})→「{to or '(削除)'}」{count}件(最初: {first})")
    return f"{headline}: " + "、".join(parts)
