"""The shop's own master data the 設定 screens edit: statuses, labels, reasons, delivery and payment
fees, product fee overrides and the shop settings row. Everything lives in the database."""
