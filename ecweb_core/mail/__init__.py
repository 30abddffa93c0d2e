"""Mail: sandboxed templates, the SMTP sender with its dedupe log, and the local capture server."""
