from __future__ import annotations


class FormError(ValueError):
    """Bad form input: `errors` maps a field name to a Japanese message for the form; nothing changed."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors
