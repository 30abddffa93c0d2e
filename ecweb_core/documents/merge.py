"""Merging a paged export's part files into one PDF, streaming.

pypdf's PdfWriter keeps every object of the result in memory until it writes; a 100,000-page job
would hold them all. This writer uses pypdf only to read the parts and to serialise objects: each
page (with what it references: content stream, fonts, images) is written to the output file as soon
as it is added, under new object numbers, and only the numbers are kept — the byte offset of each
object for the cross-reference table, the page objects for the page tree, and, per part, the
numbers its objects already got (so a part's font subset is written once however many of its
pages are taken, in whatever order). Pages can be taken from any part in any order: the export
adds them in the grid's order. Each order gets an outline entry (its 受注番号), written as soon as
the next one is known.
"""

from __future__ import annotations

import io
from array import array
from collections import OrderedDict
from pathlib import Path
from typing import Any, BinaryIO

from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    EncodedStreamObject,
    IndirectObject,
    NameObject,
    NullObject,
    NumberObject,
    PdfObject,
    StreamObject,
    TextStringObject,
)

CATALOG, PAGES, OUTLINES = 1, 2, 3
KIDS_PER_NODE = 256  # pages per intermediate page-tree node: viewers seek a page in a balanced tree
OPEN_PARTS = 16  # part files kept open at once (the grid's order may come back to a part)


class _Ref(IndirectObject):
    """A reference in the output file (pypdf's IndirectObject wants the reader it belongs to)."""

    def __init__(self, idnum: int) -> None:
        super().__init__(idnum, 0, None)  # type: ignore[arg-type]


class StreamingPdfWriter:
    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.offsets = array("q", [0, 0, 0, 0])  # object number -> offset (0: written at close)
        self.pos = 0
        self.kids: list[int] = []  # intermediate page-tree nodes
        self.node: int = 0  # the node the next page goes under
        self.node_pages: list[int] = []
        self.page_count = 0
        self.outline_first = 0
        self.outline_count = 0
        self._outline_pending: tuple[int, str, int, int] | None = None  # (number, title, page, prev)
        self._readers: OrderedDict[Path, PdfReader] = OrderedDict()
        self._numbers: dict[Path, dict[int, int]] = {}  # part -> its object number -> ours
        self._write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")

    # ---- low level -------------------------------------------------------------------------------

    def _write(self, data: bytes) -> None:
        self.out.write(data)
        self.pos += len(data)

    def _alloc(self) -> int:
        self.offsets.append(0)
        return len(self.offsets) - 1

    def _object(self, number: int, obj: PdfObject) -> None:
        self.offsets[number] = self.pos
        buf = io.BytesIO()
        buf.write(f"{number} 0 obj\n".encode())
        obj.write_to_stream(buf)
        buf.write(b"\nendobj\n")
        self._write(buf.getvalue())

    def _reader(self, part: Path) -> PdfReader:
        reader = self._readers.get(part)
        if reader is None:
            if len(self._readers) >= OPEN_PARTS:
                self._readers.popitem(last=False)
            reader = self._readers[part] = PdfReader(part)
        else:
            self._readers.move_to_end(part)
        return reader

    def _copy(self, value: Any, numbers: dict[int, int], todo: list[tuple[int, int]], parent: int) -> Any:
        """`value` with its references renumbered; objects seen for the first time are queued."""
        if isinstance(value, IndirectObject):
            ours = numbers.get(value.idnum)
            if ours is None:
                ours = numbers[value.idnum] = self._alloc()
                todo.append((value.idnum, ours))
            return _Ref(ours)
        if isinstance(value, StreamObject):
            stream = EncodedStreamObject()
            for k, v in value.items():
                stream[NameObject(k)] = self._copy(v, numbers, todo, parent)
            stream._data = value._data  # the raw bytes, still encoded: nothing is decompressed
            return stream
        if isinstance(value, DictionaryObject):
            out = DictionaryObject()
            for k, v in value.items():
                out[NameObject(k)] = _Ref(parent) if k == "/Parent" else self._copy(v, numbers, todo, parent)
            return out
        if isinstance(value, ArrayObject):
            return ArrayObject(self._copy(v, numbers, todo, parent) for v in value)
        return value

    # ---- pages and outline -----------------------------------------------------------------------

    def add_pages(self, part: Path, first: int, count: int, title: str | None = None) -> None:
        """Appends pages first … first+count-1 of `part`; `title` names them in the outline."""
        reader = self._reader(part)
        numbers = self._numbers.setdefault(part, {})
        for index in range(first, first + count):
            page = reader.pages[index]  # inheritable attributes (MediaBox, Resources) flattened in
            if not self.node_pages or len(self.node_pages) >= KIDS_PER_NODE:
                self._close_node()
                self.node = self._alloc()
            ours = self._alloc()
            if page.indirect_reference is not None:  # before copying: what points back finds it
                numbers[page.indirect_reference.idnum] = ours
            todo: list[tuple[int, int]] = []
            copied = self._copy(DictionaryObject(page), numbers, todo, self.node)
            copied[NameObject("/Parent")] = _Ref(self.node)
            copied.pop(NameObject("/Annots"), None)  # links into the part's own outline / pages
            self._object(ours, copied)
            while todo:
                theirs, number = todo.pop()
                obj = reader.get_object(theirs)
                self._object(number, self._copy(obj, numbers, todo, self.node) if obj is not None else NullObject())
            self.node_pages.append(ours)
            if index == first and title is not None:
                self._outline(title, ours)
            self.page_count += 1

    def _close_node(self) -> None:
        if not self.node_pages:
            return
        node = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Pages"),
                NameObject("/Parent"): _Ref(PAGES),
                NameObject("/Kids"): ArrayObject(_Ref(n) for n in self.node_pages),
                NameObject("/Count"): NumberObject(len(self.node_pages)),
            }
        )
        self._object(self.node, node)
        self.kids.append(self.node)
        self.node_pages = []

    def _outline(self, title: str, page: int) -> None:
        """Outline items are written one behind: an item needs the number of the next one."""
        number = self._alloc()
        if self._outline_pending is None:
            self.outline_first = number
            prev = 0
        else:
            prev = self._outline_pending[0]
            self._write_outline_item(*self._outline_pending, next_number=number)
        self._outline_pending = (number, title, page, prev)
        self.outline_count += 1

    def _write_outline_item(self, number: int, title: str, page: int, prev: int, next_number: int) -> None:
        item = DictionaryObject(
            {
                NameObject("/Title"): TextStringObject(title),
                NameObject("/Parent"): _Ref(OUTLINES),
                NameObject("/Dest"): ArrayObject([_Ref(page), NameObject("/Fit")]),
            }
        )
        if prev:
            item[NameObject("/Prev")] = _Ref(prev)
        if next_number:
            item[NameObject("/Next")] = _Ref(next_number)
        self._object(number, item)

    def close(self) -> int:
        """Writes the page tree, the outline, the catalog and the cross-reference table; returns the
        page count."""
        self._close_node()
        last = 0
        if self._outline_pending is not None:
            last = self._outline_pending[0]
            self._write_outline_item(*self._outline_pending, next_number=0)
        outlines = DictionaryObject({NameObject("/Type"): NameObject("/Outlines")})
        if self.outline_count:
            outlines[NameObject("/First")] = _Ref(self.outline_first)
            outlines[NameObject("/Last")] = _Ref(last)
            outlines[NameObject("/Count")] = NumberObject(self.outline_count)
        self._object(OUTLINES, outlines)
        root = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Pages"),
                NameObject("/Kids"): ArrayObject(_Ref(n) for n in self.kids),
                NameObject("/Count"): NumberObject(self.page_count),
            }
        )
        self._object(PAGES, root)
        catalog = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Catalog"),
                NameObject("/Pages"): _Ref(PAGES),
                NameObject("/Outlines"): _Ref(OUTLINES),
            }
        )
        self._object(CATALOG, catalog)
        xref = self.pos
        size = len(self.offsets)
        lines = [f"xref\n0 {size}\n0000000000 65535 f \n".encode()]
        lines += [f"{off:010d} 00000 n \n".encode() for off in self.offsets[1:]]
        self._write(b"".join(lines))
        self._write(f"trailer\n<< /Size {size} /Root {CATALOG} 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
        self._readers.clear()
        return self.page_count
