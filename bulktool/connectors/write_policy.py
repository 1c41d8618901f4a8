"""How a vendor's API takes writes: the planner, validation and the writer ask this, never assume it.

Blikk's PUT is a full replacement: the body is the whole record, and a field it leaves out is
cleared. So an update starts from the live record (read in detail when the list shape lacks
writable fields), a blank required cell blocks an update, and re-sending the same body after a
lost reply changes nothing more. A partial PUT (only the changed fields, as Tripletex's with its
``version``) needs none of that reading, has no required-on-update, and may not be re-sent blindly:
where the template names a ``version_field`` the body carries the live version, and the writer
settles a lost reply or a 409 by re-reading the record (``writer.versions``); without one, an
update whose reply was lost is left "outcome unknown".
Creates are told apart the same way everywhere: a row whose id cell is blank is a create when the
server assigns ids.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WritePolicy:
    full_replacement: bool = True  # an update body carries every writable field; an omitted one is cleared
    resend_is_harmless: bool = True  # re-sending an update whose reply was lost changes nothing more
    server_assigns_ids: bool = True  # a create carries no id: a row without one is a create

    def is_create(self, record_id: str | None) -> bool:
        """Whether a row with this (normalised) id cell is a create, before any key matching."""
        return record_id is None if self.server_assigns_ids else False

    @property
    def required_on_update(self) -> bool:
        """A required field must be in every update body only when the body replaces the record."""
        return self.full_replacement


FULL_REPLACEMENT = WritePolicy()
PARTIAL_UPDATE = WritePolicy(full_replacement=False, resend_is_harmless=False)
