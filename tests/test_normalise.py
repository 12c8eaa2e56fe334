import pytest

from pipeline.parse.recognisers import join_wrapped
from pipeline.read.clean import clean_text
from pipeline.values import case_key, case_number, decision_label, parse_date, parse_times


@pytest.mark.parametrize("text,iso", [
    ("Fredag 07.03.25 kl. 08.30 – 10.30", "2025-03-07"),
    ("29.02.24, 13.00-15.30, Sykehuset i Vestfold", "2024-02-29"),
    ("Dato møte: 19. Desember 2024", "2024-12-19"),
    ("27/5-19 kl 1800-1915", "2019-05-27"),
    ("22 og 23.03.2021", "2021-03-22"),
    ("9. mars", None),
    ("Dato: 23.05.2024", "2024-05-23"),
])
def test_dates(text, iso):
    assert parse_date(text) == iso


@pytest.mark.parametrize("text,times", [
    ("Fredag 07.03.25 kl. 08.30 – 10.30", ("08:30", "10:30")),
    ("23.05.24, kl. 13.00-15.30. Færder kommune", ("13:00", "15:30")),
    ("27/5-19 kl 1800-1915", ("18:00", "19:15")),
    ("klokka 13", ("13:00", None)),
    ("19. desember 2024", (None, None)),
])
def test_times(text, times):
    assert parse_times(text) == times


@pytest.mark.parametrize("raw,number,key", [
    ("2024. 20", "2024.20", "2024/20"), ("Sak 4.:", "Sak 4", "Sak/4"), ("3/25", "3/25", "3/25"),
    ("009/15", "009/15", "9/15"), ("07 – 2022", "07 – 2022", "7/2022"),
])
def test_case_numbers(raw, number, key):
    assert case_number(raw) == number
    assert case_key(case_number(raw)) == key


@pytest.mark.parametrize("raw,label", [
    ("Vedtak:", "Vedtak"), ("Forslag til vedtak i SSU:", "Forslag til vedtak"),
    ("Forlag til konklusjon:", "Forslag til konklusjon"), ("Konklusjon", "Konklusjon"),
    ("Adm. direktørs innstilling:", "Innstilling"), ("Rådmannens innstilling:", "Innstilling"),
    ("Tilrådning:", "Innstilling"), ("Styret fattet følgende enstemmige vedtak:", "Vedtak"),
])
def test_decision_labels(raw, label):
    assert decision_label(raw) == label


def test_text_fidelity_nfc_soft_hyphen_and_symbol_bullets():
    assert clean_text("Sæ\u0308ther re\u00adhabilitering \uf0b7 punkt") == "Sæ\u0308ther rehabilitering • punkt"
    assert clean_text("o\u0308") == "ö"


def test_wrapped_names_and_words_are_joined():
    assert join_wrapped(["Marthe Wang-", "Hansen"]) == "Marthe Wang-Hansen"
    assert join_wrapped(["samhand-", "ling"]) == "samhandling"
