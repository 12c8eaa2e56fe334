"""General rules for the people of minutes of any template (attendees and their organisations, the
chair and the minute taker), each on a passage written in its style (invented text, not copied from
any one document): party codes beside names, names written surname first, titles before names and in
notes, roles told in prose, heading words run into a list of names."""
from __future__ import annotations

import pytest

from passages import extract_passage as extract_text


def test_a_party_code_beside_each_name_in_a_flattened_table_is_its_organisation(tmp_path):
    text = ("Møteprotokoll Helse- og omsorgsutvalget Følgende medlemmer møtte: Navn Funksjon Parti "
            "Kari Holm Leder AP Per Dahl Medlem KrF Anne Lise Berg Medlem SV Ola Moe Nestleder FrP\n"
            "Sak 12/23 Budsjett\n")
    [doc] = extract_text(tmp_path, text).documents
    assert [(a.name, a.organization, a.title) for a in doc.attendees] == [
        ("Kari Holm", "AP", "Leder"), ("Per Dahl", "KrF", "Medlem"), ("Anne Lise Berg", "SV", "Medlem"),
        ("Ola Moe", "FrP", "Nestleder")]


@pytest.mark.parametrize(("codes", "orgs"), [("AP MDG", ["AP", "MDG"]), ("AP MDG SV", [None, None])])
def test_codes_after_a_run_of_names_pair_with_them_only_when_as_many(tmp_path, codes, orgs):
    """A flattened party column after the names: one code each, in order, when there are as many
    codes as names since the codes before; otherwise they cannot be told apart and none is given."""
    text = ("Møteprotokoll Eldrerådet Følgende medlemmer møtte: Kari Holm SV Per Dahl Anne Lise Berg "
            f"Forfall: Ola Moe Siri Lund {codes}\nSak 12/23 Budsjett\n")
    [doc] = extract_text(tmp_path, text).documents
    absent = [(a.name, a.organization) for a in doc.attendees if a.status == "absent"]
    assert absent == [("Ola Moe", orgs[0]), ("Siri Lund", orgs[1])]
    assert [(a.name, a.organization) for a in doc.attendees][:1] == [("Kari Holm", "SV")]


def test_a_first_name_last_in_a_run_is_a_middle_name_of_a_name_written_surname_first(tmp_path):
    text = ("Møteprotokoll Eldrerådet\nFølgende medlemmer møtte: Leder Holm Kari Anne AP Nestleder Dahl Per SV "
            "Medlem Berg Ola Jon KrF\nSak 12/23 Budsjett\n")
    [doc] = extract_text(tmp_path, text).documents
    assert [(a.name, a.title, a.organization) for a in doc.attendees] == [
        ("Holm Kari Anne", "Leder", "AP"), ("Dahl Per", "Nestleder", "SV"), ("Berg Ola Jon", "Medlem", "KrF")]
    assert doc.chair == "Holm Kari Anne"


@pytest.mark.parametrize(("label", "value"), [("Møteleiar", "Ordførar Kari Holm"),
                                              ("Møteleder", "Leder Kari Holm, AP")])
def test_a_title_before_the_chairs_name_is_not_part_of_the_name(tmp_path, label, value):
    text = (f"Møteprotokoll Kommunestyret\nMøtedato: 12.03.2023\n{label}: {value}\nReferent: Per Dahl\n"
            "Sak 12/23 Budsjett\n")
    [doc] = extract_text(tmp_path, text).documents
    assert (doc.chair, doc.minute_taker) == ("Kari Holm", "Per Dahl")


def test_a_title_in_brackets_after_an_attendee_makes_the_chair_or_the_minute_taker(tmp_path):
    text = ("Referat fra styremøte 3. mai 2022\nTilstede: Eva Lund (leiar), Per Dahl, Siri Moe (ref.)\n"
            "Sak 1/22 Budsjett\n")
    [doc] = extract_text(tmp_path, text).documents
    assert [(a.name, a.title) for a in doc.attendees] == [("Eva Lund", "leiar"), ("Per Dahl", None),
                                                           ("Siri Moe", "referent")]
    assert (doc.chair, doc.minute_taker) == ("Eva Lund", "Siri Moe")


@pytest.mark.parametrize("label", ["Ref", "Skrivar", "Møtesekretær"])
def test_short_and_nynorsk_minute_taker_labels(tmp_path, label):
    text = (f"Referat fra styremøte 3. mai 2022\nTilstede: Eva Lund, Per Dahl\nSak 1/22 Budsjett\nGodkjent.\n"
            f"{label}: Siri Moe\n")
    [doc] = extract_text(tmp_path, text).documents
    assert doc.minute_taker == "Siri Moe"


def test_a_first_name_before_a_word_that_is_not_a_name_is_not_taken_as_a_middle_name():
    """'… Eva Lund Dag 2; Ola Moe …': 'Dag' (day) before '2;' is not Eva Lund's last name."""
    from pipeline.parse import name_runs
    found = name_runs.read("Kari Holm X Per Dahl X Eva Lund Dag 2; Ola Moe X Siri Lund X")
    assert [f.name for f in found] == ["Kari Holm", "Per Dahl", "Eva Lund", "Ola Moe", "Siri Lund"]



@pytest.mark.parametrize("heading", ["Saksliste", "Innkalling", "Følgende"])
def test_a_heading_word_run_into_a_list_of_names_is_not_part_of_a_name(heading):
    from pipeline.parse import name_runs
    found = name_runs.read(f"Kari Holm X Liv Dahl X Per Olav Lie {heading} Tor Moe")
    assert [f.name for f in found] == ["Kari Holm", "Liv Dahl", "Per Olav Lie", "Tor Moe"]


def test_a_case_range_in_a_flattened_header_does_not_end_the_header(tmp_path):
    """'Fra saknr.: 12/23 Til saknr.: 14/23' names the meeting's cases; 'Til' before the number is
    a preposition, so the header (and its attendance list) goes on."""
    text = ("1 Nordby kommune PROTOKOLL FOR ELDRERÅDET Møtested: Rådhuset Møtedato: 12.03.2023 Fra saknr.: 12/23 "
            "Til saknr.: 14/23 Av rådets medlemmer møtte 3 av 4. Faste medlemmer: Kari Holm, Per Dahl, Eva Lund "
            "Forfall meldt fra følgende medlemmer: Ola Moe\n")
    [doc] = extract_text(tmp_path, text).documents
    assert [(a.name, a.status) for a in doc.attendees] == [
        ("Kari Holm", "present"), ("Per Dahl", "present"), ("Eva Lund", "present"), ("Ola Moe", "absent")]


@pytest.mark.parametrize(("sentence", "chair", "minute_taker"), [
    ("Møtet ble leda av Kari Holm. Protokollen ble ført av Per Dahl.", "Kari Holm", "Per Dahl"),
    ("Møtet vart leia av Kari Holm Lie. Referent var Per Dahl.", "Kari Holm Lie", "Per Dahl"),
])
def test_a_chair_and_minute_taker_named_in_prose(tmp_path, sentence, chair, minute_taker):
    text = (f"Referat fra møte i eldrerådet 12.03.2023\nTilstede: Kari Holm, Per Dahl, Eva Lund\n{sentence}\n"
            "Sak 1/23 Budsjett\nVedtak: Godkjent.\n")
    [doc] = extract_text(tmp_path, text).documents
    assert (doc.chair, doc.minute_taker) == (chair, minute_taker)


@pytest.mark.parametrize(("value", "minute_taker"), [("Siri Moe.", "Siri Moe"), ("Siri Moe og Per Dahl", "Siri Moe"),
                                                     ("Siri Moe, Per Dahl", "Siri Moe")])
def test_a_referent_value_with_a_full_stop_or_two_names_gives_the_first_person(tmp_path, value, minute_taker):
    text = (f"Referat fra styremøte 3. mai 2022\nTilstede: Eva Lund, Per Dahl, Siri Moe\nReferent: {value}\n"
            "Sak 1/22 Budsjett\n")
    [doc] = extract_text(tmp_path, text).documents
    assert doc.minute_taker == minute_taker


@pytest.mark.parametrize(("attendees", "chair"), [("Kari Holm, Per Dahl", "Holm"), ("Kari Lund, Per Dahl", None)])
def test_a_chair_labelled_by_surname_alone_is_taken_when_an_attendee_has_it(tmp_path, attendees, chair):
    text = f"Protokoll frå styremøtet 3. mai 2022\nTil stades: {attendees}\nMøteleiar: Holm\nSak 1/22 Budsjett\n"
    [doc] = extract_text(tmp_path, text).documents
    assert doc.chair == chair


@pytest.mark.parametrize("place", ["Nordby,", "Nordby, 3. mai 2022", "Nordby, 03.05.2022"])
def test_a_signature_after_the_place_and_date_names_the_minute_taker(tmp_path, place):
    text = (f"Referat fra styremøte 3. mai 2022\nTilstede: Eva Lund, Per Dahl\nSak 1/22 Budsjett\nVedtak: Godkjent.\n"
            f"{place} Siri Moe sekretær\n")
    [doc] = extract_text(tmp_path, text).documents
    assert doc.minute_taker == "Siri Moe"


def test_a_case_officer_run_into_the_next_labels_of_a_flattened_header(tmp_path):
    text = ("Nordby kommune\nSaksframlegg\nSaksbehandler: Kari Holm Arkiv G21 Arkivsaksnr 22/123 Saksgang Møtedato\n"
            "Sak 12/22 Ny legevaktordning\nForslag til vedtak: Kommunestyret slutter seg til ordningen.\n")
    [doc] = extract_text(tmp_path, text).documents
    assert [c.responsible for c in doc.cases] == [["Kari Holm"]]


@pytest.mark.parametrize("sentence", ["Kari Holm ledet møtet.", "Kari ledet møtet."])
def test_the_chair_named_before_ledet_motet(tmp_path, sentence):
    text = (f"Referat fra styremøte 3. mai 2022\nTilstede: Kari Holm, Per Dahl, Siri Moe\n{sentence}\n"
            "Sak 1/22 Budsjett\nVedtak: Godkjent.\n")
    [doc] = extract_text(tmp_path, text).documents
    assert doc.chair == sentence.split(" ledet")[0]


def test_a_name_marked_ref_is_the_minute_taker_wherever_it_stands(tmp_path):
    text = ("Protokoll frå styremøte 3. mai 2022\nDeltakarar: direktør Per Dahl, rådgjevar Siri Moe ref.\n"
            "Sak 1/22 Budsjett\nVedtak: Godkjent.\n")
    [doc] = extract_text(tmp_path, text).documents
    assert doc.minute_taker == "Siri Moe"
