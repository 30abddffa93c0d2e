"""The Reflex app: pages and wiring only (no SQL, no business rules)."""

from __future__ import annotations

import reflex as rx

from ecweb.api import api
from ecweb.pages.automation import automation_page
from ecweb.pages.csv_settings import csv_settings_page
from ecweb.pages.customers import customer_detail_page, customers_page
from ecweb.pages.delivery_settings import delivery_settings_page
from ecweb.pages.integrations import integrations_page
from ecweb.pages.jobs import jobs_page
from ecweb.pages.login import login_page
from ecweb.pages.mail_templates import mail_templates_page
from ecweb.pages.mailbox import mailbox_page
from ecweb.pages.operators import audit_log_page, operators_page
from ecweb.pages.order_detail import order_detail_page
from ecweb.pages.order_documents import order_documents_page
from ecweb.pages.order_labels import order_labels_page
from ecweb.pages.order_settings import order_settings_page
from ecweb.pages.order_statuses import order_statuses_page
from ecweb.pages.orders import orders_page
from ecweb.pages.payment_settings import payment_settings_page
from ecweb.pages.reasons import reasons_page
from ecweb.pages.subscriptions import subscription_detail_page, subscriptions_page
from ecweb_state.auth import AuthState
from ecweb_state.automation import AutomationState
from ecweb_state.csv_settings import CsvSettingsState
from ecweb_state.customers import CustomerDetailState, CustomersState
from ecweb_state.delivery import deliver_notes
from ecweb_state.delivery_settings import DeliverySettingsState
from ecweb_state.integrations import IntegrationsState
from ecweb_state.job_forms import CsvExportFormState
from ecweb_state.jobs import JobsState
from ecweb_state.mail import MailboxState, MailTemplatesState
from ecweb_state.master_lists import MasterListState
from ecweb_state.operators import AuditLogState, OperatorsState
from ecweb_state.order_detail import OrderDetailState
from ecweb_state.order_documents import OrderDocumentsState
from ecweb_state.order_settings import OrderSettingsState
from ecweb_state.orders import OrdersState
from ecweb_state.payment_settings import PaymentSettingsState
from ecweb_state.subscriptions import SubscriptionDetailState, SubscriptionsState


def index() -> rx.Component:
    return rx.center(rx.spinner(size="3"), min_height="100vh")


app = rx.App(stylesheets=["/ecweb.css"], api_transformer=api)
app.register_lifespan_task(deliver_notes)
app.add_page(index, route="/", title="ecweb", on_load=AuthState.go_home)
app.add_page(login_page, route="/login", title="ログイン | ecweb", on_load=AuthState.redirect_if_logged_in)
app.add_page(
    orders_page, route="/orders", title="受注管理 | ecweb", on_load=[OrdersState.on_load, CsvExportFormState.load]
)
app.add_page(
    order_detail_page,
    route="/orders/[order_id]",
    title="受注詳細 | ecweb",
    on_load=[OrderDetailState.set_tab("basic"), OrderDetailState.on_load],
)
app.add_page(
    subscriptions_page, route="/subscriptions", title="定期受注管理 | ecweb", on_load=SubscriptionsState.on_load
)
app.add_page(
    subscription_detail_page,
    route="/subscriptions/[subscription_id]",
    title="定期受注詳細 | ecweb",
    on_load=SubscriptionDetailState.on_load,
)
app.add_page(customers_page, route="/customers", title="顧客管理 | ecweb", on_load=CustomersState.on_load)
app.add_page(
    customer_detail_page,
    route="/customers/[customer_id]",
    title="顧客詳細 | ecweb",
    on_load=CustomerDetailState.on_load,
)
app.add_page(jobs_page, route="/jobs", title="ジョブ管理 | ecweb", on_load=JobsState.on_load)
app.add_page(operators_page, route="/settings/operators", title="管理者管理 | ecweb", on_load=OperatorsState.on_load)
app.add_page(audit_log_page, route="/settings/audit-log", title="操作ログ | ecweb", on_load=AuditLogState.on_load)
app.add_page(automation_page, route="/settings/automation", title="自動化設定 | ecweb", on_load=AutomationState.on_load)
app.add_page(
    mail_templates_page,
    route="/settings/mail-templates",
    title="メールテンプレート管理 | ecweb",
    on_load=MailTemplatesState.on_load,
)
app.add_page(mailbox_page, route="/mailbox", title="送信メール | ecweb", on_load=MailboxState.on_load)
app.add_page(csv_settings_page, route="/settings/csv", title="CSV管理 | ecweb", on_load=CsvSettingsState.on_load)
app.add_page(
    integrations_page,
    route="/settings/integrations",
    title="外部連携サービスアカウント管理 | ecweb",
    on_load=IntegrationsState.on_load,
)
app.add_page(
    order_documents_page,
    route="/settings/order-documents",
    title="受注帳票管理 | ecweb",
    on_load=OrderDocumentsState.on_load,
)
# The shop's own master data (設定): statuses, labels, reasons, shop settings, fees.
app.add_page(
    order_statuses_page,
    route="/settings/order-statuses",
    title="対応状況管理 | ecweb",
    on_load=MasterListState.open_list("status"),
)
app.add_page(
    order_labels_page,
    route="/settings/labels",
    title="受注ラベル管理 | ecweb",
    on_load=MasterListState.open_list("label"),
)
app.add_page(
    reasons_page, route="/settings/reasons", title="理由管理 | ecweb", on_load=MasterListState.open_list("attention")
)
app.add_page(
    order_settings_page, route="/settings/orders", title="受注/定期受注設定 | ecweb", on_load=OrderSettingsState.on_load
)
app.add_page(
    delivery_settings_page,
    route="/settings/delivery",
    title="配送/送料設定 | ecweb",
    on_load=DeliverySettingsState.on_load,
)
app.add_page(
    payment_settings_page,
    route="/settings/payment-methods",
    title="支払方法 | ecweb",
    on_load=PaymentSettingsState.on_load,
)
