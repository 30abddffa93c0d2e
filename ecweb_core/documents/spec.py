"""A document template as the renderer uses it: read from 受注帳票管理, or from a job's params (the
template is snapshotted at registration, so the job prints what the operator previewed)."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any

from ecweb_core.models import DocumentTemplate


@dataclass(frozen=True)
class DocSpec:
    name: str
    kind: str
    title: str
    fields: tuple[str, ...]
    shop_name: str = ""
    shop_postal_code: str = ""
    shop_address: str = ""
    shop_phone: str = ""
    registration_number: str = ""
    logo_sha: str | None = None
    remarks: str = ""
    receipt_addressee: str = ""
    receipt_note: str = ""

    def to_params(self) -> dict[str, Any]:
        return {"document": {**dataclasses.asdict(self), "fields": list(self.fields)}}

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> DocSpec:
        d = dict(params["document"])
        d["fields"] = tuple(d["fields"])
        return cls(**d)

    @classmethod
    def of(cls, t: DocumentTemplate) -> DocSpec:
        return cls(
            name=t.name, kind=t.kind, title=t.title, fields=tuple(json.loads(t.fields or "[]")),
            shop_name=t.shop_name, shop_postal_code=t.shop_postal_code, shop_address=t.shop_address,
            shop_phone=t.shop_phone, registration_number=t.registration_number, logo_sha=t.logo_sha,
            remarks=t.remarks, receipt_addressee=t.receipt_addressee, receipt_note=t.receipt_note,
        )  # fmt: skip
