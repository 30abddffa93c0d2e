"""Every table of the domain; importing this package registers them all on SQLModel.metadata."""

from ecweb_core.models.auth import AuditEntry, Operator, OperatorSession
from ecweb_core.models.automation import AutomationRule, AutomationRun
from ecweb_core.models.catalog import (
    DeliveryCompany,
    PaymentFeeTier,
    PaymentMethod,
    PrefectureShippingFee,
    Product,
    ProductBundle,
    ProductPrice,
)
from ecweb_core.models.csv_formats import CsvFormat
from ecweb_core.models.customers import Customer, CustomerMemo, PointLedger
from ecweb_core.models.documents import DocumentIssue, DocumentLogo, DocumentTemplate
from ecweb_core.models.effects import ExternalEffect
from ecweb_core.models.jobs import Job, JobChunk, JobExport, JobExportPage, JobTarget
from ecweb_core.models.mail import CapturedMail, MailTemplate
from ecweb_core.models.orders import (
    DunningRecord,
    Label,
    Order,
    OrderEvent,
    OrderItem,
    OrderLabel,
    OrderMemo,
    OrderStatus,
    SurveyAnswer,
)
from ecweb_core.models.reasons import Reason
from ecweb_core.models.shop import ShopSettings
from ecweb_core.models.subscriptions import Subscription, SubscriptionItem, SubscriptionMemo, SubscriptionRun

__all__ = [
    "AuditEntry",
    "AutomationRule",
    "AutomationRun",
    "CapturedMail",
    "CsvFormat",
    "Customer",
    "CustomerMemo",
    "DeliveryCompany",
    "DocumentIssue",
    "DocumentLogo",
    "DocumentTemplate",
    "DunningRecord",
    "ExternalEffect",
    "Job",
    "JobChunk",
    "JobExport",
    "JobExportPage",
    "JobTarget",
    "Label",
    "MailTemplate",
    "Operator",
    "OperatorSession",
    "Order",
    "OrderEvent",
    "OrderItem",
    "OrderLabel",
    "OrderMemo",
    "OrderStatus",
    "PaymentFeeTier",
    "PaymentMethod",
    "PointLedger",
    "PrefectureShippingFee",
    "Product",
    "ProductBundle",
    "ProductPrice",
    "Reason",
    "ShopSettings",
    "Subscription",
    "SubscriptionItem",
    "SubscriptionMemo",
    "SubscriptionRun",
    "SurveyAnswer",
]
