"""Which states hear the workers' notes: delivery.py pushes each note into each of them, in every
open tab of the note's operator. A state opts in with @listens_to_notes and a `_on_note(note)`."""

from __future__ import annotations

from typing import Any, TypeVar

NoteListener = Any  # a State class with a `_on_note(self, note: dict) -> None` method
T = TypeVar("T")
NOTE_LISTENERS: list[type[Any]] = []


def listens_to_notes(cls: type[T]) -> type[T]:
    assert callable(getattr(cls, "_on_note", None)), f"{cls.__name__} needs _on_note(note)"
    NOTE_LISTENERS.append(cls)
    return cls
