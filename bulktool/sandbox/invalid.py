"""The one way an app's route says "this request is invalid": the app renders it in its envelope."""

from __future__ import annotations


class Invalid(Exception):
    """A rejected request: every problem per field, collected (as model binding does).

    The kit answers it with the app's ``invalid`` envelope (Blikk: 400 ``{"message", "modelState"}``).
    """

    def __init__(self, model_state: dict[str, list[str]], message: str = "The request is invalid.") -> None:
        super().__init__(message)
        self.message = message
        self.model_state = model_state
