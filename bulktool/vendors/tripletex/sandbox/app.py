"""The Tripletex sandbox app (skeleton: being built, see issue 8)."""

from __future__ import annotations


class TripletexSandboxApp:
    def __init__(self) -> None:
        raise NotImplementedError("the Tripletex sandbox is not built yet")
