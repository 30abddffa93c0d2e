from __future__ import annotations

import reflex as rx

from ecweb.components.bulk_update_form import bulk_update_dialog
from ecweb.components.csv_export_dialogs import csv_export_dialog, survey_csv_dialog
from ecweb.components.job_forms import dunning_dialog
from ecweb.components.layout import page_frame
from ecweb.components.mail_dialog import mail_dialog
from ecweb.components.order_grid import order_grid
from ecweb.components.search_form import search_form


def orders_page() -> rx.Component:
    return page_frame(
        "受注管理",
        rx.card(search_form(), width="100%", margin_bottom="1em"),
        order_grid(),
        dunning_dialog(),
        bulk_update_dialog(),
        mail_dialog(),
        csv_export_dialog(),
        survey_csv_dialog(),
    )
