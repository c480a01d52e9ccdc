import pytest

from assistant.privacy import classify_id_number, luhn_ok, redact, scan


@pytest.mark.parametrize(
    "digits, ok",
    [
        ("8112189876", True),
        ("8112189875", False),
        ("7010632391", True),
        ("7010632392", False),
        ("0", True),
        ("18", True),
        ("19", False),
        ("", False),
        ("12a4", False),
    ],
)
def test_luhn(digits, ok):
    assert luhn_ok(digits) is ok


@pytest.mark.parametrize(
    "text",
    ["811218-9876", "811218+9876", "8112189876", "19811218-9876", "198112189876"],
)
def test_personnummer_formats_are_redacted(text):
    r = scan(f"Ärendet gäller {text}, vad gäller?")
    assert r.redacted == "Ärendet gäller [personnummer], vad gäller?"
    assert r.kinds == ["personnummer"]
    assert "personnummer" in r.warning
    assert "Skriv inte personuppgifter" in r.warning


@pytest.mark.parametrize("text", ["701063-2391", "7010632391", "19701063-2391"])
def test_samordningsnummer_day_plus_60(text):
    r = scan(f"samordningsnr {text}")
    assert r.redacted == "samordningsnr [samordningsnummer]"
    assert r.kinds == ["samordningsnummer"]


@pytest.mark.parametrize(
    "text",
    [
        "811218-9875",  # wrong check digit
        "811218-9877",
        "701063-2392",
        "811318-9870",  # month 13 (would pass Luhn with this check digit? still not a date)
        "19811218-9875",
        "1234567890",  # random ten digits fail Luhn
    ],
)
def test_invalid_id_numbers_are_left_alone(text):
    assert scan(text).redacted == text
    assert scan(text).kinds == []
    assert scan(text).warning is None


def test_luhn_valid_but_impossible_date_is_not_flagged():
    # 991332-xxxx: month 13 never exists; find a check digit that passes Luhn
    for c in range(10):
        cand = "9913321234"[:-1] + str(c)
        if luhn_ok(cand):
            assert classify_id_number(cand) is None
            break
    else:  # pragma: no cover
        pytest.fail("no luhn digit")


def test_classify_id_number():
    assert classify_id_number("811218-9876") == "personnummer"
    assert classify_id_number("701063-2391") == "samordningsnummer"
    assert classify_id_number("811218-9875") is None
    assert classify_id_number("not a number") is None


@pytest.mark.parametrize(
    "text",
    [
        "Ring mig på 070-123 45 67",
        "Ring mig på 0701234567",
        "Ring mig på 070 123 45 67",
        "Ring mig på 08-123 456 78",
        "Ring mig på 031-123 45 67",
        "Ring mig på +46 70 123 45 67",
        "Ring mig på +46701234567",
        "Ring mig på +46 (0)70 123 45 67",
        "Ring mig på 0046 70 123 45 67",
        "Ring mig på +44 20 7946 0958",
        "Ring mig på +1 202-555-0143",
    ],
)
def test_phone_numbers(text):
    r = scan(text)
    assert r.redacted == "Ring mig på [telefonnummer]"
    assert r.kinds == ["telefonnummer"]


@pytest.mark.parametrize(
    "addr", ["anna.svensson@polisen.se", "a_b+tag@example.co.uk", "X@sub.domain.org"]
)
def test_email(addr):
    r = scan(f"Skicka till {addr}.")
    assert r.redacted == "Skicka till [e-post]."
    assert r.kinds == ["e-post"]


@pytest.mark.parametrize(
    "text",
    [
        "Förordning (EU) 2021/1149 artikel 12",
        "SFS 2021:846 5 §",
        "högst 75 % av kostnaderna",
        "Article 10(1) and Annex III",
        "beslutet 2021-07-07 kl 10:00",
        "EUR 8 000 000 per medlemsstat",
        "EUR 10 000 000 000",
        "ISF 2014–2020 och BMVI 2021-2027",
        "COM(2018) 472 final",
        "0,5 % och 30 %",
        "dnr A123.456/2021",
        "punkt 2.3.1 i 2 kap. 3 §",
        "20211149",
        "",
    ],
)
def test_no_false_positives_on_legal_text(text):
    r = scan(text)
    assert r.redacted == text
    assert r.kinds == []
    assert r.warning is None


def test_several_kinds_listed_in_warning_in_stable_order():
    r = scan("anna@polisen.se 070-123 45 67 811218-9876 701063-2391")
    assert r.redacted == "[e-post] [telefonnummer] [personnummer] [samordningsnummer]"
    assert r.kinds == ["personnummer", "samordningsnummer", "telefonnummer", "e-post"]
    assert "(personnummer, samordningsnummer, telefonnummer, e-post)" in r.warning


def test_redact_helper_and_found():
    assert redact("pnr 811218-9876") == "pnr [personnummer]"
    assert scan("pnr 811218-9876").found
    assert not scan("hej").found
