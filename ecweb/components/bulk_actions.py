"""The UI registry of bulk operations: kind → its toolbar button and its dialog, in toolbar order.

The toolbar (order_grid.bulk_toolbar) and the orders page (its dialogs) both iterate BULK_ACTIONS;
the 処理名 comes from the core catalog (ecweb_core/jobs/catalog.py). A test fails when a catalog kind
has no entry here or an entry has no kind. Adding a bulk operation: one core module + one line in
the catalog, one dialog module + one line here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import reflex as rx

from ecweb.components.bulk_update_form import bulk_update_dialog
from ecweb.components.csv_export_dialogs import csv_export_dialog, survey_csv_dialog
from ecweb.components.job_forms import dunning_dialog
from ecweb.components.mail_dialog import mail_dialog
from ecweb.components.payment_dialog import payment_dialog
from ecweb.components.pdf_export_dialog import pdf_export_dialog
from ecweb_state.job_forms import BulkUpdateFormState, CsvExportFormState


@dataclass(frozen=True)
class BulkAction:
    kind: str  # a key of the core catalog
    dialog: Callable[[], rx.Component]
    on_open: tuple[Any, ...] = ()  # events the button sends besides opening the dialog
    shown: Callable[[], rx.Var] | None = None  # the button is shown only while this holds


@dataclass(frozen=True)
class Planned:
    """A 処理名 of SPEC J2 whose operation is not built yet: a disabled button says when it comes."""

    label: str


BULK_ACTIONS: list[BulkAction | Planned] = [
    BulkAction("bulk_update", bulk_update_dialog, on_open=(BulkUpdateFormState.reset_preview,)),
    BulkAction("csv_export", csv_export_dialog, on_open=(CsvExportFormState.load,)),
    BulkAction("pdf_export", pdf_export_dialog),
    BulkAction("dunning", dunning_dialog),
    BulkAction("mail", mail_dialog),
    BulkAction("payment", payment_dialog),
    # Shown only with the 1d-color integration (SPEC B7).
    BulkAction(
        "survey_csv",
        survey_csv_dialog,
        on_open=(CsvExportFormState.load,),
        shown=lambda: CsvExportFormState.survey_enabled,
    ),
]


def actions() -> list[BulkAction]:
    return [a for a in BULK_ACTIONS if isinstance(a, BulkAction)]
