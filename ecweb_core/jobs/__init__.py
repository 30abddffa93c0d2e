"""Bulk operations as jobs (SPEC J1–J5): registration with a snapshot of the targets, a chunked
runner that records each order's outcome with its change, result files and notifications."""
