"""Tripletex API v2: session-token auth, from/count paging, ``fields``, partial PUT with ``version``.

(Skeleton: the connector is being built; see issue 8.)
"""

from __future__ import annotations

from typing import ClassVar

from ...connectors.base import Connector, CredentialField, Credentials
from ...connectors.write_policy import PARTIAL_UPDATE, WritePolicy


class TripletexConnector(Connector):
    system: ClassVar[str] = "tripletex"
    title: ClassVar[str] = "Tripletex"
    default_base_url: ClassVar[str | None] = "https://tripletex.no/v2"
    env_prefix: ClassVar[str] = "TRIPLETEX"
    credential_fields: ClassVar[tuple[CredentialField, ...]] = (
        CredentialField("consumer_token", "Consumer token", "CONSUMER_TOKEN", secret=True),
        CredentialField("employee_token", "Employee token", "EMPLOYEE_TOKEN", secret=True),
    )
    write_policy: ClassVar[WritePolicy] = PARTIAL_UPDATE

    @classmethod
    def connect(cls, base_url: str, credentials: Credentials, *, rate: int | None = None) -> Connector:
        raise NotImplementedError("the Tripletex connector is not built yet")
