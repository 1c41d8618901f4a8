"""Headers the template doesn't know: a renamed column is an edit that would be silently ignored.

A header close to a template column the sheet lacks (``E-mail`` for ``email``,
or a Swedish or Norwegian name such as ``E-post``) is almost always that column
renamed, by a person or by another system's export. Its cells would be
dropped without a word, so the sheet is refused with the likely name.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Sequence

# Common Swedish and Norwegian spreadsheet headers -> the API's field names (leaf names, so they
# apply to every template that has such a column). Keys are folded with ``_fold``.
# Not ``migrate.synonyms`` (many scored names per concept, to propose): this refuses a sheet, so 1:1 only.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "epost": ("email",), "epostadress": ("email",), "mail": ("email",), "mejl": ("email",),
    "fakturaepost": ("invoiceEmail",), "fakturamail": ("invoiceEmail",),
    "namn": ("name",), "navn": ("name",), "foretag": ("name",), "foretagsnamn": ("name",),
    "firmanavn": ("name",), "kundnamn": ("name",),
    "kundnummer": ("customerNumber",), "kundnr": ("customerNumber",), "kundenummer": ("customerNumber",),
    "kundenr": ("customerNumber",),
    "telefon": ("phoneNumber",), "telefonnummer": ("phoneNumber",), "tlf": ("phoneNumber",),
    "tel": ("phoneNumber",), "mobil": ("cellPhoneNumber",), "mobiltelefon": ("cellPhoneNumber",),
    "mobilnummer": ("cellPhoneNumber",), "mobilnr": ("cellPhoneNumber",),
    "organisationsnummer": ("organizationalOrSocialSecurityNumber",),
    "orgnr": ("organizationalOrSocialSecurityNumber",),
    "personnummer": ("organizationalOrSocialSecurityNumber",),
    "organisasjonsnummer": ("organizationalOrSocialSecurityNumber",),
    "fodselsnummer": ("organizationalOrSocialSecurityNumber",),
    "adress": ("streetAddress",), "adresse": ("streetAddress",), "gatuadress": ("streetAddress",),
    "postnummer": ("postalCode",), "postnr": ("postalCode",), "ort": ("city",), "postort": ("city",),
    "stad": ("city",), "poststed": ("city",), "land": ("countryId",),
    "aktiv": ("isActive",), "kund": ("isCustomer",), "leverantor": ("isSupplier",),
    "leverandor": ("isSupplier",), "ansvarig": ("responsible.id",), "ansvarlig": ("responsible.id",),
    "titel": ("title",), "tittel": ("title",), "beskrivning": ("description",),
    "beskrivelse": ("description",), "kommentar": ("comment",), "timmar": ("hours",), "timer": ("hours",),
    "datum": ("date",), "dato": ("date",), "projekt": ("project.id",), "prosjekt": ("project.id",),
}


def _fold(text: str) -> str:
    """Lower case, accents and separators dropped: 'E-post' -> 'epost', 'Företag' -> 'foretag'."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", plain.lower())


# Not ``messages.did_you_mean``: this names a column only when the folded header is very close (0.8).
def likely_column(header: str, missing: Sequence[str]) -> str | None:
    """The template column (absent from the sheet) that ``header`` most likely renames, if any."""
    folded = _fold(header)
    if not folded:
        return None
    for target in SYNONYMS.get(folded, ()):
        hit = [m for m in missing if m == target or m.endswith("." + target)]
        if len(hit) == 1:
            return hit[0]
    by_fold = {_fold(m): m for m in missing}
    if folded in by_fold:  # 'E-mail' / 'E_MAIL' / 'customer number'
        return by_fold[folded]
    close = difflib.get_close_matches(folded, list(by_fold), n=1, cutoff=0.8)
    return by_fold[close[0]] if close else None
