"""Country codes as EU acts print them in annex tables, with their English and Swedish names."""

from __future__ import annotations

# Country codes as EU acts print them in annex tables (ISO 3166, with EL for Greece and UK),
# with the English and Swedish names: chunking adds the names to a table row's heading path, so
# a row keyed "SE" is found by "Sweden" and by "Sverige". (Translating "Sverige" → "Sweden" in
# every question instead lifted English texts that merely mention Sweden: not done.)
COUNTRY_CODES: dict[str, tuple[str, str]] = {
    "AT": ("Austria", "Österrike"),
    "BE": ("Belgium", "Belgien"),
    "BG": ("Bulgaria", "Bulgarien"),
    "CH": ("Switzerland", "Schweiz"),
    "CY": ("Cyprus", "Cypern"),
    "CZ": ("Czechia", "Tjeckien"),
    "DE": ("Germany", "Tyskland"),
    "DK": ("Denmark", "Danmark"),
    "EE": ("Estonia", "Estland"),
    "EL": ("Greece", "Grekland"),
    "GR": ("Greece", "Grekland"),
    "ES": ("Spain", "Spanien"),
    "FI": ("Finland", "Finland"),
    "FR": ("France", "Frankrike"),
    "HR": ("Croatia", "Kroatien"),
    "HU": ("Hungary", "Ungern"),
    "IE": ("Ireland", "Irland"),
    "IS": ("Iceland", "Island"),
    "IT": ("Italy", "Italien"),
    "LI": ("Liechtenstein", "Liechtenstein"),
    "LT": ("Lithuania", "Litauen"),
    "LU": ("Luxembourg", "Luxemburg"),
    "LV": ("Latvia", "Lettland"),
    "MT": ("Malta", "Malta"),
    "NL": ("Netherlands", "Nederländerna"),
    "NO": ("Norway", "Norge"),
    "PL": ("Poland", "Polen"),
    "PT": ("Portugal", "Portugal"),
    "RO": ("Romania", "Rumänien"),
    "SE": ("Sweden", "Sverige"),
    "SI": ("Slovenia", "Slovenien"),
    "SK": ("Slovakia", "Slovakien"),
    "UK": ("United Kingdom", "Storbritannien"),
}
