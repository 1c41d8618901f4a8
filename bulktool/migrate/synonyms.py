"""What other systems call a template's fields: the header words ``map suggest`` recognises.

Data only. A *concept* is one kind of value (an email address, a postal code); ``SYNONYMS`` lists the
headers that name it in Swedish, Norwegian, Danish and English exports (Google Contacts, Outlook,
HubSpot, Fortnox, Visma eEkonomi, hand-kept Excel), written plain: the matcher folds case, accents (ö=o, ø=o,
æ=ae, å=a) and punctuation on both sides. ``FIELD_CONCEPTS`` names the concept of a template field by
its last dotted part (``visitingAddress.city`` -> ``city``), so every vendor's template shares the list.
"""

from __future__ import annotations

SYNONYMS: dict[str, tuple[str, ...]] = {
    "email": (
        "email", "e-mail", "e mail", "mail", "epost", "e-post", "e-postadress", "epostadress", "e-postadresse",
        "emailadresse", "e-mail address", "email address", "e-mail 1 - value", "e-mail 1", "email 1",
        "primary email", "e-mail adresse", "mailadresse", "mejl", "mejladress", "kontakt e-post",
    ),
    "invoice_email": (
        "invoice email", "invoice e-mail", "billing email", "faktura e-post", "faktura epost", "fakturaepost",
        "e-post faktura", "epost faktura", "e-post for faktura", "fakturamail", "faktura mail",
    ),
    "first_name": (
        "first name", "firstname", "given name", "fornamn", "fornavn", "tilltalsnamn", "first",
    ),
    "last_name": (
        "last name", "lastname", "family name", "surname", "efternamn", "etternavn", "efternavn", "last",
    ),
    "full_name": (
        "full name", "fullname", "namn", "navn", "name", "kontaktperson", "contact name", "display name",
        "fullstandigt namn", "fullt navn", "hela namnet", "person",
    ),
    "company_name": (
        "company name", "company", "foretag", "foretagsnamn", "firma", "firmanavn", "bedrift", "bedriftsnavn",
        "organisation", "organization", "organisasjon", "kund", "kundnamn", "kundenavn", "customer",
        "customer name", "account name", "virksomhet", "leverantor", "leverandor", "supplier", "supplier name",
        "leverandornavn", "leverantorsnamn",
    ),
    "middle_name": ("middle name", "mellannamn", "mellomnavn", "middle"),
    "title": ("title", "titel", "tittel", "rubrik", "benamning", "projektnamn", "prosjektnavn", "project name",
              "subject", "heading"),
    "orgnr": (
        "organisationsnummer", "org nr", "orgnr", "org.nr", "org-nr", "organisasjonsnummer", "organisationsnr",
        "organization number", "organisation number", "org number", "org no", "company number",
        "registration number", "cvr", "cvr nr", "cvr-nummer", "organisationsnummer/personnummer",
        "orgnr/personnr", "personnummer", "person/orgnr", "momsregistreringsnummer", "business id",
        "foretaksnummer", "organisationsnummer personnummer", "y-tunnus", "ytunnus", "fo-nummer", "fo nr",
        "business identity code", "vat number", "momsnummer",
    ),
    "customer_number": (
        "kundnummer", "kundnr", "kund nr", "kundenummer", "kundenr", "kunde nr", "customer number", "customer no",
        "customer id", "client number", "account number", "nummer", "nr", "number", "no", "id",
    ),
    "supplier_number": (
        "leverantorsnummer", "leverantorsnr", "leverandornummer", "leverandornr", "supplier number",
        "supplier no", "vendor number",
    ),
    "number": ("nummer", "nr", "number", "no", "artikelnummer", "artikkelnummer", "produktnummer",
               "product number", "sku", "item number", "kod", "kode", "code", "projektnr", "projektnummer",
               "prosjektnr", "prosjektnummer", "project number", "project no", "artikelnr", "artnr", "varenr",
               "varenummer"),
    "order_number": ("ordernummer", "ordrenummer", "order number", "projektnummer", "prosjektnummer",
                     "project number", "order no"),
    "phone": (
        "telefon", "telefonnummer", "tel", "tlf", "phone", "phone number", "telephone", "business phone",
        "work phone", "phone 1 - value", "telefon arbete", "telefon arbeid", "telefon jobb", "vaxel",
        "sentralbord", "primary phone", "company phone", "tlf nr", "telefonnr", "nummer", "number",
    ),
    "mobile": (
        "mobil", "mobiltelefon", "mobilnummer", "mobile", "mobile phone", "mobile phone number", "cell",
        "cell phone", "cellphone", "mobiltlf", "mobil nr", "mobilnr", "handy",
    ),
    "home_phone": ("home phone", "hemtelefon", "telefon hem", "telefon hjem", "privat telefon"),
    "street": (
        "adress", "address", "adresse", "gatuadress", "gateadresse", "gadeadresse", "street", "street address",
        "address 1 - street", "address line 1", "adresselinje 1", "adressrad 1", "besoksadress",
        "besoksadresse", "postadress", "postadresse", "business street", "home street", "vag", "gata",
        "utdelningsadress",
    ),
    "street2": ("adress 2", "address 2", "adresse 2", "address line 2", "adresselinje 2", "adressrad 2",
                "c/o", "co", "address 1 - extended address", "business street 2", "care of"),
    "postal_code": (
        "postnummer", "postnr", "post nr", "postal code", "postcode", "post code", "zip", "zip code",
        "zipcode", "address 1 - postal code", "business postal code", "home postal code", "postnummer/ort",
    ),
    "city": (
        "ort", "postort", "poststed", "postdistrikt", "by", "stad", "city", "town", "address 1 - city",
        "business city", "home city", "kommune", "kommun", "sted",
    ),
    "state": ("state", "region", "lan", "fylke", "province", "state/region", "address 1 - region",
              "business state", "landskap"),
    "country": (
        "land", "country", "country/region", "address 1 - country", "business country/region",
        "home country/region", "landskod", "landkode", "country code", "nation",
    ),
    "responsible": (
        "ansvarig", "ansvarlig", "kundansvarig", "kundeansvarlig", "saljare", "selger", "salesperson",
        "sales rep", "owner", "contact owner", "company owner", "account owner", "account manager",
        "responsible", "vart ref", "var referens", "var referanse", "handlaggare", "saksbehandler",
        "hubspot owner", "deal owner", "record owner",
    ),
    "project_manager": ("projektledare", "prosjektleder", "projektleder", "project manager", "pm",
                        "project owner", "ansvarig projektledare"),
    "department_manager": ("avdelningschef", "avdelingsleder", "department manager", "manager", "chef", "leder"),
    "department": ("avdelning", "avdeling", "department", "division", "kostnadsstalle"),
    "tags": ("taggar", "tagg", "tags", "tag", "etiketter", "etikett", "labels", "label", "kategori",
             "kategorier", "category", "categories", "grupper", "group membership", "segment"),
    "website": ("webbplats", "hemsida", "nettside", "hjemmeside", "website", "web site", "web page", "url",
                "homepage", "www", "webb", "web", "website 1 - value", "company domain name", "domain"),
    "language": ("sprak", "sprog", "language", "sprakkod"),
    "currency": ("valuta", "currency", "valutakod", "currency code"),
    "vat_type": ("moms", "momskod", "mva", "mva-kode", "mvakode", "vat", "vat code", "vat type", "tax code",
                 "momssats", "mva-sats", "vat rate"),
    "notes": ("anteckningar", "anteckning", "notater", "notat", "notes", "note", "kommentar", "comment",
              "comments", "beskrivning", "beskrivelse", "description", "information", "viktig information",
              "info", "ovrigt", "annet", "memo"),
    "contact_type": ("kundtyp", "kundetype", "typ", "type", "contact type", "kontakttyp", "kontakttype",
                     "privatperson/foretag", "customer type", "kategori"),
    "is_customer": ("ar kund", "kund", "customer", "is customer", "kunde", "lifecycle stage"),
    "is_supplier": ("ar leverantor", "leverantor", "supplier", "is supplier", "leverandor", "vendor"),
    "is_active": ("aktiv", "active", "is active", "status", "aktiverad"),
    "is_inactive": ("inaktiv", "inactive", "is inactive", "avslutad", "passiv", "archived", "arkiverad"),
    "private_individual": ("privatperson", "privatkund", "private", "private individual", "privat",
                           "konsument", "consumer"),
    "start_date": ("startdatum", "startdato", "start date", "start", "fran", "fra", "from", "from date",
                   "start datum"),
    "end_date": ("slutdatum", "sluttdato", "slutdato", "end date", "end", "till", "til", "to", "to date"),
    "date": ("datum", "dato", "date", "dag", "day"),
    "birth_date": ("fodelsedatum", "fodselsdato", "birthday", "birth date", "date of birth"),
    "hours": ("timmar", "timer", "hours", "tid", "antal timmar", "antall timer", "time", "h"),
    "price": ("pris", "price", "a-pris", "apris", "enhetspris", "unit price", "utpris", "salgspris",
              "forsaljningspris", "sales price", "pris exkl moms", "pris eks mva"),
    "cost": ("inpris", "innpris", "kostpris", "cost", "cost price", "purchase price", "inkopspris",
             "innkjopspris"),
    "employee_number": ("anstallningsnummer", "ansattnummer", "employee number", "employee id", "personalnummer",
                        "anst nr"),
    "user": ("anvandare", "bruker", "user", "medarbetare", "ansatt", "anstalld", "employee", "resource",
             "username", "anvandarnamn", "brukernavn", "user name"),
    "customer_ref": ("kund", "kunde", "customer", "klient", "client", "company", "foretag", "firma",
                     "company name", "associated company", "organization", "organization name",
                     "organisation", "organisation name", "organisasjon", "organisasjonsnavn",
                     "kundnamn", "kundenavn", "kundnummer", "kundenummer", "kundnr", "kundenr", "kund nr", "kunde nr",
                     "customer number", "customer no",
                     "account", "bedrift"),
    "project": ("projekt", "prosjekt", "project", "projektnummer", "prosjektnummer", "uppdrag", "oppdrag"),
    "parent_company": ("parent company", "moderbolag", "morselskap", "moderselskab", "koncern", "parent",
                       "parent account", "huvudkund", "overordnet"),
    "internal_project": ("internt projekt", "internt prosjekt", "internal project", "intern"),
    "absence_project": ("franvaro", "fravaer", "absence", "absence project", "franvarotyp", "fravaerstype",
                        "ledighet"),
    "task": ("uppgift", "oppgave", "task", "arbetsuppgift", "todo"),
    "members": ("medlemmar", "medlemmer", "deltagare", "deltakere", "members", "assigned to", "tilldelad",
                "tildelt", "resurser"),
    "time_code": ("tidkod", "tidskod", "tidskode", "time code", "lonart", "lonnsart", "time type"),
    "time_article": ("tidsartikel", "tidsartikkel", "time article", "artikel", "artikkel", "article"),
    "product_unit": ("enhet", "enhed", "unit", "sort", "mattenhet", "maleenhet", "product unit", "uom"),
    "account": ("konto", "kontonummer", "account", "account number", "gl account", "intaktskonto",
                "inntektskonto", "bokforingskonto"),
    "is_fixed_price": ("fast pris", "fastpris", "fixed price", "fastprisprojekt", "is fixed price"),
    "fixed_price_amount": ("fastpris belopp", "fast pris belopp", "fastprisbelopp", "fixed price amount",
                           "belopp", "amount", "pris"),
    "is_closed": ("avslutat", "avslutad", "avsluttet", "afsluttet", "closed", "stangd", "lukket", "is closed",
                  "klar", "ferdig", "fardig"),
    "activity": ("aktivitet", "activity", "arbetstyp", "aktivitetstype", "activity type", "tjanst"),
}

# A record's name: a person's full name or a company's, whichever the template's records are.
SYNONYMS["name"] = SYNONYMS["full_name"] + SYNONYMS["company_name"] + (
    "projektnamn", "prosjektnavn", "project name", "benamning", "benevnelse", "produktnamn", "produktnavn",
    "product name", "artikelnamn", "artikkelnavn", "item name", "avdelningsnamn", "avdelingsnavn",
    "department name", "aktivitetsnamn", "activity name", "kontonamn", "kontonavn", "account name")

# A template field's last dotted part (with an id suffix dropped: ``responsible.id`` -> ``responsible``)
# -> its concept. Unlisted fields still match by their own name, split at capitals.
FIELD_CONCEPTS: dict[str, str] = {
    "email": "email", "invoiceEmail": "invoice_email", "firstName": "first_name", "lastName": "last_name",
    "organizationalOrSocialSecurityNumber": "orgnr", "organizationNumber": "orgnr",
    "businessIdentityCode": "orgnr", "customerNumber": "customer_number", "supplierNumber": "supplier_number",
    "number": "number", "orderNumber": "order_number", "departmentNumber": "number",
    "phoneNumber": "phone", "phoneNumberWork": "phone", "phone": "phone", "cellPhoneNumber": "mobile",
    "phoneNumberMobile": "mobile", "cellphone": "mobile", "phoneNumberHome": "home_phone",
    "streetAddress": "street", "addressLine1": "street", "address": "street", "additionalAddress": "street2",
    "addressLine2": "street2", "postalCode": "postal_code", "postalAddress": "city", "city": "city",
    "state": "state", "country": "country", "countryId": "country", "responsible": "responsible",
    "accountManager": "responsible", "projectManager": "project_manager", "departmentManager":
        "department_manager", "department": "department", "tags": "tags", "website": "website",
    "language": "language", "currency": "currency", "vatType": "vat_type", "importantInformation": "notes",
    "description": "notes", "comments": "notes", "comment": "notes", "contactType": "contact_type",
    "isCustomer": "is_customer", "isSupplier": "is_supplier", "isActive": "is_active",
    "isInactive": "is_inactive", "isPrivateIndividual": "private_individual", "startDate": "start_date",
    "endDate": "end_date", "date": "date", "dateOfBirth": "birth_date", "hours": "hours",
    "priceExcludingVatCurrency": "price", "costExcludingVatCurrency": "cost", "employeeNumber": "employee_number",
    "user": "user", "employee": "user", "customer": "customer_ref", "company": "customer_ref",
    "parentCompany": "parent_company", "supplier": "customer_ref", "project": "project", "activity": "activity",
    "title": "title", "name": "name", "isFixedPrice": "is_fixed_price", "fixedprice": "fixed_price_amount",
    "isClosed": "is_closed", "internalProject": "internal_project",
    "absenceProject": "absence_project", "task": "task", "members": "members", "timeCode": "time_code",
    "timeArticle": "time_article", "productUnit": "product_unit", "account": "account",
}

# The value a concept's column holds, when that can be seen in the cells (see suggest._value_kind).
CONCEPT_KINDS: dict[str, str] = {
    "email": "email", "invoice_email": "email", "orgnr": "orgnr", "phone": "phone", "mobile": "phone",
    "home_phone": "phone", "postal_code": "postal", "website": "url", "start_date": "date",
    "end_date": "date", "date": "date", "birth_date": "date",
}

# Words that put an address field under one of a template's address groups ("Leveransadress Ort").
ADDRESS_WORDS: dict[str, tuple[str, ...]] = {
    "deliveryAddress": ("leverans", "levering", "delivery", "shipping", "ship"),
    "invoiceAddress": ("faktura", "invoice", "billing", "bill"),
    "visitingAddress": ("besoks", "visiting", "visit"),
    "physicalAddress": ("besoks", "visiting", "physical", "fysisk"),
    "postalAddress": ("postal", "mailing", "post"),
}

# What files write for a template's enum values (folded), so a suggestion can add a value map
# (``values = { "Företag" = "company" }``) instead of leaving every row invalid.
VALUE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "person": ("privatperson", "privat", "person", "private", "individual", "konsument", "consumer", "privatkund",
               "privatkunde", "fysisk person"),
    "company": ("foretag", "company", "bedrift", "firma", "organisation", "organization", "organisasjon",
                "business", "bolag", "aktiebolag", "virksomhet", "juridisk person", "foretagskund", "bedriftskunde"),
}
