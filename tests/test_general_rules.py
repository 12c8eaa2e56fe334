"""General rules for minutes of any template, each on a passage written in its style (invented
text, not copied from any one document): flattened text, inline attendee lists and role groups,
headline dates, title words, unlabelled outcomes, bundles of documents by page."""
from __future__ import annotations

import pytest

from passages import extract_passage as extract_text

FLATTENED = ("1 PROTOKOLL STYREMØTE I NORDBYEN IDRETTSRÅD Tid: Torsdag 3. mars 2022, kl 17:00 20:00 "
             "Sted: Klubbhuset, Storgata 4 Tilstede: Kari Holm, Per Nilsen, Anne B. Lie og Ola Dahl "
             "Forfall: Siri Moe. Fra adm: Tor Berg SAK 12/22 GODKJENNING AV INNKALLING Innkallingen ble sendt "
             "sent. Innkallingen godkjennes med følgende merknad: Sakspapirer sendes en uke før møtet. "
             "SAK 13/22 Budsjett 2022 Budsjettet ble gjennomgått. Vedtak: Budsjettet vedtas.")


def test_flattened_text_is_read_as_lines(tmp_path):
    [doc] = extract_text(tmp_path, FLATTENED).documents
    assert (doc.doc_type, doc.body, doc.meeting_date, doc.start_time, doc.end_time) == \
        ("protokoll", "Styret", "2022-03-03", "17:00", "20:00")
    assert doc.location == "Klubbhuset, Storgata 4"
    people = {a.name: a.status for a in doc.attendees}
    assert people == {"Kari Holm": "present", "Per Nilsen": "present", "Anne B. Lie": "present",
                      "Ola Dahl": "present", "Siri Moe": "absent", "Tor Berg": "present"}
    assert [(c.number, c.title) for c in doc.cases] == [("12/22", "GODKJENNING AV INNKALLING"),
                                                         ("13/22", "Budsjett 2022")]
    assert doc.cases[0].decision_label is None
    assert doc.cases[0].decision.startswith("Innkallingen godkjennes med følgende merknad: Sakspapirer sendes")
    assert (doc.cases[1].decision_label, doc.cases[1].decision) == ("Vedtak", "Budsjettet vedtas.")


NUMBERS_THEN_TITLES = ("1 Til medlemmene i styret Innkalling til styremøte 4. mai 2021 Saksliste: Sak 5/2021 "
                       "Sak 6/2021 Sak 7/2021 Godkjenning av protokoll Årsmelding HF Eventuelt")


def test_transcript_pages_and_a_case_list_of_numbers(tmp_path):
    [doc] = extract_text(tmp_path, NUMBERS_THEN_TITLES).documents
    assert doc.doc_type == "innkalling" and doc.meeting_date == "2021-05-04"
    assert [c.number for c in doc.cases] == ["5/2021", "6/2021", "7/2021"]


BARE_NUMBERS = ("Møteprotokoll fra møte i styringsgruppen Møtested: Rådhuset Deltakere: Eva Lund, Jon Ek "
                "SAKSLISTE: 12/19 Økonomirapport for første kvartal 13/19 Plan for høsten "
                "14/19 Eventuelt og avslutning")


def test_bare_case_numbers_counting_up_are_cases(tmp_path):
    [doc] = extract_text(tmp_path, BARE_NUMBERS).documents
    assert [c.number for c in doc.cases][:2] == ["12/19", "13/19"]
    assert doc.cases[0].title == "Økonomirapport for første kvartal"


INLINE = """Referat fra styremøte i foreningen onsdag 6. april 2022 kl 1830-2000

Sted: Kulturhuset

Deltakere: Lise Berg, Hans Ola Vik og Mona Sund. Forfall: Knut Aas og Eva Rød.

1. Referat fra forrige møte. Endelig versjon sendes ut. Godkjent.
2. Medlemsmøte
Medlemsmøtet flyttes til mai.
"""


def test_inline_lists_headline_date_and_numbered_items(tmp_path):
    [doc] = extract_text(tmp_path, INLINE).documents
    assert (doc.doc_type, doc.body, doc.meeting_date, doc.start_time, doc.end_time) == \
        ("referat", "Styret", "2022-04-06", "18:30", "20:00")
    assert {a.name: a.status for a in doc.attendees} == {
        "Lise Berg": "present", "Hans Ola Vik": "present", "Mona Sund": "present",
        "Knut Aas": "absent", "Eva Rød": "absent"}
    assert doc.cases[0].title == "Referat fra forrige møte."
    assert doc.cases[0].decision == "Endelig versjon sendes ut. Godkjent."


FIRST_NAMES = """Referat 14.03.2019

Tilstede: Ida, Jonas, Mari, Sander

V19-04 - Innkjøp av nytt lydanlegg

Anlegget kjøpes inn før sommeren.

Enstemmig vedtatt.
"""


def test_first_name_lists_and_a_formula_with_the_text_it_adopts(tmp_path):
    [doc] = extract_text(tmp_path, FIRST_NAMES).documents
    assert doc.meeting_date == "2019-03-14"
    assert [a.name for a in doc.attendees] == ["Ida", "Jonas", "Mari", "Sander"]
    [case] = doc.cases
    assert (case.number, case.title) == ("V19-04", "Innkjøp av nytt lydanlegg")
    assert (case.decision_label, case.decision) == (None, "Anlegget kjøpes inn før sommeren. Enstemmig vedtatt.")


ROLE_GROUPS = """PROTOKOLL MØTE I REGIONRÅDET
Tid: Måndag 2. mars kl. 10:00 13:00
Til stades: Ordførar: Lars Nes, Berit Vik Rådmenn: Odd Strand (frå sak 3/20) Andre: Eli Haug
Forfall: Per Myr
Sak 3/20 Godkjenning av saksliste
Saksliste vart godkjent utan merknadar.
"""


def test_role_groups_inside_an_attendance_list(tmp_path):
    [doc] = extract_text(tmp_path, ROLE_GROUPS).documents
    assert doc.meeting_date is None  # no year written
    found = {a.name: (a.status, a.title) for a in doc.attendees}
    assert found["Lars Nes"] == ("present", "Ordførar")
    assert found["Odd Strand"] == ("present", "Rådmenn")
    assert found["Eli Haug"] == ("present", None)  # 'Andre' is an attendance label of its own
    assert found["Per Myr"][0] == "absent"
    assert [a.from_case for a in doc.attendees if a.name == "Odd Strand"] == ["3/20"]
    assert doc.cases[0].decision == "Saksliste vart godkjent utan merknadar."


CLOSING_DATE = """Tilstede: Nina Lie, Kai Berg og Ove Sand.

03 – 2021    Gjennomgang av regnskap.

Regnskapet ble gjennomgått.

11.05.21
"""


def test_minutes_named_by_their_list_and_dated_at_the_end(tmp_path):
    [doc] = extract_text(tmp_path, CLOSING_DATE).documents
    assert (doc.doc_type, doc.meeting_date) == ("referat", "2021-05-11")
    assert [c.number for c in doc.cases] == ["03 – 2021"]


BUNDLE = ("1 Innkalling til møte i Helse- og omsorgsutvalet 3. februar 2020 Saksliste: Sak 4/20 Budsjett\n\n"
          "2 NORDVIK KOMMUNE Saksframlegg Saksnr 4/20 Sakshandsamar: Eva Ås Framlegg til vedtak: "
          "Budsjettet vert godkjent.\n\n"
          "3 Styremøte i foretaket Saksbehandler: Jon Li Sak nr.: 5/2020 "
          "Forslag til vedtak: Saken tas til orientering.\n")


def test_a_bundle_is_cut_where_a_page_opens_a_document(tmp_path):
    docs = extract_text(tmp_path, BUNDLE).documents
    assert [d.doc_type for d in docs] == ["innkalling", "saksfremlegg", "styresak"]
    assert [c.number for c in docs[2].cases] == ["5/2020"]
    assert docs[2].cases[0].decision_label == "Forslag til vedtak"


def test_titles_and_groups_are_not_people(tmp_path):
    text = ("Referat fra møte i utvalget 2. juni 2023\n"
            "Til stede: Kari Dahl, Samhandlingsdirektør Vest, Faste medlemmer\n")
    [doc] = extract_text(tmp_path, text).documents
    assert [a.name for a in doc.attendees] == ["Kari Dahl"]


DEPUTIES = ("Møteprotokoll fra møte i styringsgruppen\n"
            "Deltakere: Forfall: Ola Br. Nes (Nordby kommune), Eva Lund (for Kari Ås, Sørby kommune) "
            "Per Moe (Fagforbundet) (forlot møtet etter sak 4/21)\n"
            "Fra Kontrollkomiteen møtte Anne Vik og Tor Ek.\n"
            "Andre: Revisor Odd Bakke\n"
            "Sak 3/21 Budsjett\n")


def test_deputies_notes_and_attendance_sentences(tmp_path):
    [doc] = extract_text(tmp_path, DEPUTIES).documents
    found = {a.name: a for a in doc.attendees}
    assert found["Ola Br. Nes"].organization == "Nordby kommune"
    assert found["Ola Br. Nes"].status == "unknown"  # two labels over one list: which one is not said
    assert (found["Eva Lund"].status, found["Eva Lund"].deputy_for) == ("present", "Kari Ås")
    assert (found["Kari Ås"].status, found["Kari Ås"].organization) == ("absent", "Sørby kommune")
    assert (found["Per Moe"].status, found["Per Moe"].to_case) == ("present", "4/21")
    assert (found["Anne Vik"].status, found["Anne Vik"].organization) == ("present", "Kontrollkomiteen")
    assert found["Tor Ek"].status == "present"
    assert (found["Odd Bakke"].title, found["Odd Bakke"].status) == ("Revisor", "present")


PIPE_TABLE = """Protokoll fra møtet i samarbeidsutvalget
Sakskart
Sak 01-22 Valg av leder
Deltakere i samarbeidsutvalget, møte den 14.02.2022
Navn | Stilling | Organisasjon | Merknad |
|---|---|---|---|
Eva Lund | Kommunalsjef | Nordby | |
Per Dahl | Klinikksjef | Sykehuset | Observatør |
Sak 01-22 Valg av leder
"""


def test_a_table_written_with_pipes_under_an_attendance_heading(tmp_path):
    [doc] = extract_text(tmp_path, PIPE_TABLE).documents
    found = {a.name: (a.status, a.organization) for a in doc.attendees}
    assert found == {"Eva Lund": ("present", "Nordby"), "Per Dahl": ("present", "Sykehuset")}


FLAT_TABLE = ("1 Protokoll fra styremøte Styret Navn Tilstede Forfall Styreleder Jens Berg X Nestleder Liv Moe X "
              "Styremedlem Kari Ås Permisjon Styremedlem Anne Lise Dahl X Ansatte repr. Per Olav Lie x\n\n"
              "2 Sak 4/21 Budsjett\n")


def test_a_flattened_attendee_table_with_marks_after_the_names(tmp_path):
    [doc] = extract_text(tmp_path, FLAT_TABLE).documents
    assert {a.name: a.status for a in doc.attendees} == {
        "Jens Berg": "present", "Liv Moe": "present", "Kari Ås": "absent", "Anne Lise Dahl": "present",
        "Per Olav Lie": "present"}


def test_names_run_together_are_cut_at_known_first_names(tmp_path):
    text = ("Møteprotokoll Styre: Foretaket Følgende medlemmer møtte: Kirsten Berg Morten Dal Anne Hagen Lie "
            "Terje Moe Forfall\nSak 5/21 Regnskap\n")
    [doc] = extract_text(tmp_path, text).documents
    assert {a.name: a.status for a in doc.attendees} == {
        "Kirsten Berg": "present", "Morten Dal": "present", "Anne Hagen Lie": "present", "Terje Moe": "absent"}


def test_a_sentence_is_not_read_as_a_run_of_names(tmp_path):
    text = ("Referat fra styremøte 3. mai 2022\nTilstede: Eva Lund og Per Dahl.\n"
            "Tom Ole og Ellen skal til landsmøtet i Bodø.\n")
    [doc] = extract_text(tmp_path, text).documents
    assert [a.name for a in doc.attendees] == ["Eva Lund", "Per Dahl"]


SERIES = """Møteprotokoll for soknerådet
Saker handsama på møtet:
SR 2017/43 Godkjenning av innkalling og dagsorden
FR 2017/44 Budsjettjustering
Sak 31/14 A Godkjenning av protokoll
Sak 32/14 O Orientering om drift
Sak 02 /15 Saksliste for året
"""


def test_series_codes_kind_letters_and_stray_spaces_in_case_numbers(tmp_path):
    numbers = [c.number for c in extract_text(tmp_path, SERIES).documents[0].cases]
    assert numbers == ["2017/43", "2017/44", "31/14 A", "32/14 O", "02 /15"]


def test_sak_numbers_closed_with_a_bracket(tmp_path):
    text = "Referat fra styremøte 7. februar 2011\nSak 1) Årsmøteforberedelser\nSak 2) Eventuelt\n"
    [doc] = extract_text(tmp_path, text).documents
    assert [(c.number, c.title) for c in doc.cases] == [("1", "Årsmøteforberedelser"), ("2", "Eventuelt")]


@pytest.mark.parametrize(("label", "norm"), [
    ("Formannskapets vedtak :", "Vedtak"), ("Høgskoledirektørens forslag til vedtak", "Forslag til vedtak"),
    ("Rådmannen sitt framlegg til vedtak:", "Forslag til vedtak"), ("Framlegg til vedtak:", "Forslag til vedtak"),
    ("Innstilling til vedtak :", "Innstilling"), ("Rådmannen si tilråding:", "Innstilling"),
    ("SAMRØYSTES VEDTAK", "Vedtak"), ("INNSTILLING", "Innstilling"),
])
def test_decision_labels_of_many_bodies_with_or_without_a_colon(tmp_path, label, norm):
    text = (f"Møteprotokoll for utvalet\nSak 12/21 Budsjett 2022\n{label} Budsjettet vert godkjent.\n"
            "Sak 13/21 Eventuelt\n")
    [doc] = extract_text(tmp_path, text).documents
    assert (doc.cases[0].decision_label, doc.cases[0].decision) == (norm, "Budsjettet vert godkjent.")


def test_outcomes_told_as_what_happened(tmp_path):
    text = ("Møtereferat\nSak 01/15 Konstituering\nKari Holm vart valt som leiar av utvalet.\n"
            "Sak 02/15 Godkjenning av innkalling\nVart godkjent utan merknader\n")
    [doc] = extract_text(tmp_path, text).documents
    assert [c.decision for c in doc.cases] == ["Kari Holm vart valt som leiar av utvalet.",
                                               "Vart godkjent utan merknader"]


def test_chair_minute_taker_and_case_officer_without_header_labels(tmp_path):
    text = ("Referat fra styremøte 2. mars 2023\nTil stede:\nMarit Holm, KA, leder\nEva Lund, Delta\n"
            "Ingvild Berg, sekretær\nSak 01/23 Budsjett\nSaksansvarlig: Kari Dahl, økonomisjef\n"
            "Gro Aas leder arbeidet videre.\n")
    [doc] = extract_text(tmp_path, text).documents
    assert (doc.chair, doc.minute_taker) == ("Marit Holm", "Ingvild Berg")
    assert doc.cases[0].responsible == ["Kari Dahl"]


def test_a_signature_names_the_chair(tmp_path):
    text = ("1 Innkalling til styremøte 4. mai 2021 Saksliste: Sak 5/21 Budsjett Sak 6/21 Eventuelt "
            "Med vennlig hilsen Olav Helge Førde Styreleder\n")
    [doc] = extract_text(tmp_path, text).documents
    assert doc.chair == "Olav Helge Førde"


@pytest.mark.parametrize(("heading", "body"), [
    ("Møteprotokoll for Formannskapet", "Formannskapet"),
    ("PROTOKOLL MØTE I REGIONRÅDET NORDHORDLAND Møte: 6/2014", "REGIONRÅDET NORDHORDLAND"),
    ("Møteprotokoll fra møte i styringsgruppen for DMS Inn-Trøndelag", "Styringsgruppen for DMS Inn-Trøndelag"),
    ("Til medlemmene i Overordna samhandlingsutval Møre og Romsdal Vår ref.: 2014/12",
     "Overordna samhandlingsutval Møre og Romsdal"),
    ("MØTEPROTOKOLL Råd for mennesker med nedsatt funksjonsevne 19/238",
     "Råd for mennesker med nedsatt funksjonsevne"),
    ("Møtereferat\nBrukerrådet", "Brukerrådet"),
])
def test_the_body_a_heading_names(tmp_path, heading, body):
    [doc] = extract_text(tmp_path, f"{heading}\nSak 1/21 Budsjett\n").documents
    assert doc.body == body


def test_an_archive_reference_after_the_case_number_is_not_part_of_the_title(tmp_path):
    text = "Møteinnkalling\nSAKSLISTE\n1/19 18/5137 GODKJENNING AV PROTOKOLL\n2/19 19/72 ÅRSMELDING 2018\n"
    [doc] = extract_text(tmp_path, text).documents
    assert [(c.number, c.title) for c in doc.cases] == [("1/19", "GODKJENNING AV PROTOKOLL"),
                                                         ("2/19", "ÅRSMELDING 2018")]


def test_a_single_numbered_item_under_a_case_list_heading(tmp_path):
    text = ("Referat fra styremøte i foreningen 9. august 2023\nDeltakere: Eva Lund og Per Dahl.\n\nSaker:\n\n"
            "1.Innkommet sak fra et medlem. Saken tas opp på årsmøtet.\n\nReferent: Eva Lund\n")
    [doc] = extract_text(tmp_path, text).documents
    assert [(c.number, c.title) for c in doc.cases] == [("1", "Innkommet sak fra et medlem.")]
    assert [a.name for a in doc.attendees] == ["Eva Lund", "Per Dahl"]


def test_a_sentence_wrapped_after_a_title_word_is_no_signature(tmp_path):
    text = ("Referat fra møte i utvalget 2. juni 2023\nSak 3/23 Rehabilitering\n"
            "Det etableres en arbeidsgruppe, og Gro Aas leder\nden første fasen.\n")
    [doc] = extract_text(tmp_path, text).documents
    assert doc.chair is None


@pytest.mark.parametrize(("outcome", "vote"), [
    ("Vedtatt mot to stemmer.", {"for": None, "against": 2, "unanimous": False}),
    ("Forslaget ble vedtatt med 20 mot 15 stemmer.", {"for": 20, "against": 15, "unanimous": False}),
    ("Enstemmig vedtatt.", {"for": None, "against": 0, "unanimous": True}),
    ("Samrøystes vedteke.", {"for": None, "against": 0, "unanimous": True}),
    ("5 stemte for, 2 stemte mot. Vedtatt.", {"for": 5, "against": 2, "unanimous": False}),
])
def test_votes_are_kept_with_the_decision(tmp_path, outcome, vote):
    text = f"Møteprotokoll\nSak 12/21 Budsjett\nVedtak: Budsjettet vedtas.\n{outcome}\nSak 13/21 Eventuelt\n"
    [doc] = extract_text(tmp_path, text).documents
    found = doc.cases[0].vote
    assert found is not None and {k: found[k] for k in vote} == vote
    assert doc.cases[1].vote is None


def test_no_vote_where_none_is_recorded(tmp_path):
    text = "Møteprotokoll\nSak 12/21 Budsjett\nVedtak: Budsjettet vedtas.\nSak 13/21 Eventuelt\n"
    [doc] = extract_text(tmp_path, text).documents
    assert [c.vote for c in doc.cases] == [None, None]


def test_what_a_damaged_copy_lost_is_said_in_warnings(tmp_path):
    text = ("Møteprotokoll for formannskapet\nTid: Fredag 7. november kl. 09:00\nSaksliste\n33/15 Protokoll\n"
            "/15 Tertialrapport\n34/15 Eventuelt\n")
    ex = extract_text(tmp_path, text)
    [doc] = ex.documents
    assert doc.meeting_date is None and [c.number for c in doc.cases] == ["33/15", "34/15"]
    assert any("digits are lost" in w and "/15 Tertialrapport" in w for w in ex.warnings)
    assert any("without a year ('7. november')" in w for w in ex.warnings)


def test_an_inferred_document_type_is_said_in_warnings(tmp_path):
    ex = extract_text(tmp_path, "Tilstede: Eva Lund og Per Dahl.\n\n03 – 2021    Regnskap.\n\n11.05.21\n")
    assert ex.documents[0].doc_type == "referat"
    assert any("no word names the document's type" in w for w in ex.warnings)


HEADINGS_ONLY = """Referat fra styremøte i huseierlaget
Dato: 2.11.20
Tilstede: Kari Holm, Jon Ås

Vannlekkasje
Laget dekker utgiftene. Styret innkaller til møte.

Oppfølging fra årsmøtet

Gangvei
Kari innhenter anbud.

Evt.
Ingen saker.
"""


def test_minutes_without_numbers_take_each_heading_over_its_paragraph(tmp_path):
    ex = extract_text(tmp_path, HEADINGS_ONLY)
    assert [(c.number, c.title) for c in ex.documents[0].cases] == [(None, "Vannlekkasje"), (None, "Gangvei"),
                                                                     (None, "Evt.")]
    assert any("unnumbered item read from its heading" in w for w in ex.warnings)


@pytest.mark.parametrize(("opening", "date", "start", "end"), [
    ("BRUKARUTVALET\nMØTEREFERAT\n13 januar 2015\nTid:\nKl 09.30 – 13.30", "2015-01-13", "09:30", "13:30"),
    ("Styremøte\nForeningen\nMandag  7.feb. 2011  kl. 19.00 på skolen", "2011-02-07", "19:00", None),
    ("Møteprotokoll\nMøtedato: 12.03.2014\nTidspunkt: 09:00 12:10", "2014-03-12", "09:00", "12:10"),
    ("Møtereferat\nDato: 9. mars kl: 9.00-15.30", None, "09:00", "15:30"),
    ("Protokoll fra ekstraordinært styremøte 9. mars 2015\nStyremøtet holdes klokka 13 på telefon",
     "2015-03-09", "13:00", None),
])
def test_meeting_day_and_times_wherever_the_opening_lines_put_them(tmp_path, opening, date, start, end):
    [doc] = extract_text(tmp_path, f"{opening}\nTilstede: Eva Lund og Per Dahl.\nSak 1/15 Budsjett\n").documents
    assert (doc.meeting_date, doc.start_time, doc.end_time) == (date, start, end)


TAKEN_UP = """Møteprotokoll for soknerådet
Saker handsama på møtet:
SR 2017/43 Godkjenning av innkalling
SR 2017/44 Godkjenning av protokoll
SR 2017/45 Budsjett 2018

SR 2017/43 Godkjenning av innkalling
Vedtak: Innkallinga vert godkjend.
SR 2017/44 Godkjenning av protokoll
Vedtak: Protokollen vert godkjend.
"""


def test_cases_listed_then_taken_up_in_turn_are_read_where_taken_up(tmp_path):
    [doc] = extract_text(tmp_path, TAKEN_UP).documents
    assert [(c.number, c.decision) for c in doc.cases] == [
        ("2017/45", None), ("2017/43", "Innkallinga vert godkjend."), ("2017/44", "Protokollen vert godkjend.")]


def test_a_decision_on_the_next_page_says_its_page(tmp_path):
    text = ("Møtereferat\nSaksliste\n3/25 Rehabilitering\nSaken ble drøftet.\n\f4\n"
            "Vedtak: SSU tar saken til orientering.\n")
    [doc] = extract_text(tmp_path, text).documents
    [case] = doc.cases
    assert (case.provenance, case.decision_provenance) == ({"page": 1}, {"page": 2})
    assert extract_text(tmp_path, "Møtereferat\nSaksliste\n3/25 Tema\nVedtak: Godkjent.\n").documents[0].cases[0] \
        .decision_provenance is None


def test_a_list_of_people_each_with_an_organisation(tmp_path):
    text = ("Referat fra møte i samarbeidsutvalget 3. mars 2025\n"
            "Til stede: Per Ivar Moen, Bydel Alna, Kari Holm, Bydel Grorud, leder, Ola Dahl, Horten kommune\n"
            "Sak 1/25 Budsjett\n")
    [doc] = extract_text(tmp_path, text).documents
    assert [(a.name, a.organization, a.title) for a in doc.attendees] == [
        ("Per Ivar Moen", "Bydel Alna", None), ("Kari Holm", "Bydel Grorud", "leder"),
        ("Ola Dahl", "Horten kommune", None)]


def test_a_title_in_capitals_ends_where_text_begins_and_a_label_before_a_title_goes(tmp_path):
    text = ("Møtebok styremøte 4. april 2014\nSAK 29/14 Innkalling\nGodkjent.\n\f2\n"
            "SAK 20/14 EKSTERN GRANSKNING Tilbud fra tre selskaper ble vurdert.\n"
            "Styresak nr: 31/14 Behandles : Orienteringer\n")
    [doc] = extract_text(tmp_path, text).documents
    assert [(c.number, c.title) for c in doc.cases] == [("29/14", "Innkalling"), ("20/14", "EKSTERN GRANSKNING"),
                                                        ("31/14", "Orienteringer")]


@pytest.mark.parametrize("members", [
    "Styreleder Jens Berg X Nestleder Liv Moe X Styremedlem Kari Ås Permisjon Styremedlem Ola Lie X",
    "Jens Berg Styreleder X Liv Moe Nestleder X Kari Ås Styremedlem Permisjon Ola Lie Styremedlem X",
])
def test_roles_in_a_flattened_table_on_either_side_of_the_names(tmp_path, members):
    text = (f"1 Administrasjonen Protokoll fra styremøte i foretaket Styret Navn Tilstede Forfall {members}\n\n"
            "2 Sak 4/21 Budsjett\n")
    [doc] = extract_text(tmp_path, text).documents
    assert [(a.name, a.title, a.status) for a in doc.attendees] == [
        ("Jens Berg", "Styreleder", "present"), ("Liv Moe", "Nestleder", "present"),
        ("Kari Ås", "Styremedlem", "absent"), ("Ola Lie", "Styremedlem", "present")]
    assert doc.chair == "Jens Berg"


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


POINTS = ("Møteprotokoll Eldrerådet\nTilstede: Eva Lund, Per Dahl\n"
          "Pkt. 1 Godkjenning av innkalling og saksliste: Leder orienterte om at en sak var trukket fra "
          "sakslisten før møtet.\nSak 12/22 ble flyttet til neste møte.\nInnkalling og saksliste ble godkjent.\n"
          "Pkt. 2 Budsjett 2023: Rådgiver la fram forslaget til budsjett for neste år i møtet.\n"
          "Budsjettet ble enstemmig vedtatt.\n")


def test_points_numbered_pkt_with_a_title_before_a_colon_and_outcomes_told_with_ble(tmp_path):
    """'Pkt. 1' numbers the cases (a sentence about 'Sak 12/22' does not make its numbering the
    document's); the title ends at the colon before a sentence; '… ble godkjent.' is the outcome."""
    [doc] = extract_text(tmp_path, POINTS).documents
    assert [(c.number, c.title, c.decision) for c in doc.cases] == [
        ("1", "Godkjenning av innkalling og saksliste", "Innkalling og saksliste ble godkjent."),
        ("2", "Budsjett 2023", "Budsjettet ble enstemmig vedtatt.")]


@pytest.mark.parametrize("title", ["Høring: Ny lov om trus- og livssynssamfunn", "Orientering: Status for legevakten"])
def test_a_title_with_a_colon_inside_stays_whole(tmp_path, title):
    text = f"Møteprotokoll Eldrerådet\nTilstede: Eva Lund, Per Dahl\nSak 3/22 {title}\nTatt til orientering.\n"
    [doc] = extract_text(tmp_path, text).documents
    assert [c.title for c in doc.cases] == [title]


def test_a_heading_in_spaced_capitals_names_the_document_type(tmp_path):
    text = ("Nordby kommune\nP R O T O K O L L FOR ELDRERÅDET\nMøtedato: 12.03.2023\nSak 1/23 Budsjett\n"
            "Vedtak: Godkjent.\n")
    [doc] = extract_text(tmp_path, text).documents
    assert doc.doc_type == "protokoll"


@pytest.mark.parametrize(("text", "expected"), [
    ("P R O T O K O L L FOR KOMMUNESTYRET", "PROTOKOLL FOR KOMMUNESTYRET"),
    ("M Ø T E B O K", "MØTEBOK"),
    ("Kari Holm X X X X", "Kari Holm X X X X"),  # marks, not a word
    ("Sak A B C", "Sak A B C"),  # too short to be a spaced word
])
def test_unspaced(text, expected):
    from pipeline.parse.recognisers import unspaced
    assert unspaced(text) == expected


def test_a_page_run_into_one_line_that_ends_in_its_footer_keeps_its_text(tmp_path):
    """'… Side 1 av 2' closing a whole page flattened into one line: the footer is furniture, the
    page's text is read (a short footer line is furniture whole)."""
    text = ("1 PROTOKOLL FRA STYREMØTE TIRSDAG 5. NOVEMBER 2013 Tilstede: Kari Holm, Per Dahl og Eva Lund "
            "Forfall: Ola Moe Sted: Rådhuset Saksliste 19/13 Årsmøte 20/13 Budsjett Side 1 av 2\n\n"
            "2 19/13 Årsmøte Vedtak: Årsmøtet holdes i mars. 20/13 Budsjett Vedtak: Budsjettet vedtas.\n"
            "Nordby idrettsråd protokoll 5.11.2013 Side 2 av 2\n")
    ex = extract_text(tmp_path, text)
    [doc] = ex.documents
    assert doc.meeting_date == "2013-11-05"
    assert [a.name for a in doc.attendees] == ["Kari Holm", "Per Dahl", "Eva Lund", "Ola Moe"]
    assert [c.number for c in doc.cases] == ["19/13", "20/13"]


@pytest.mark.parametrize(("heading", "doc_type"), [("Protokoll fra styremøte i Nordby idrettsråd", "protokoll"),
                                                   ("Møteprotokoll frå møte i eldrerådet", "protokoll"),
                                                   ("Referat fra møte i eldrerådet", "referat")])
def test_a_heading_that_calls_the_minutes_a_protokoll_types_them_so(tmp_path, heading, doc_type):
    text = f"{heading} 12.03.2023\nTilstede: Kari Holm, Per Dahl\nSak 1/23 Budsjett\nVedtak: Godkjent.\n"
    [doc] = extract_text(tmp_path, text).documents
    assert doc.doc_type == doc_type


def test_a_body_named_in_a_spaced_heading_not_a_room_named_after_it(tmp_path):
    text = ("Nordby kommune\nP R O T O K O L L FOR ELDRERÅDET\nMøtested: Eldrerådssalen\nMøtedato: 12.03.2023\n"
            "Sak 1/23 Budsjett\nVedtak: Godkjent.\n")
    [doc] = extract_text(tmp_path, text).documents
    assert doc.body.casefold() == "eldrerådet"


def test_a_first_name_before_a_word_that_is_not_a_name_is_not_taken_as_a_middle_name():
    """'… Eva Lund Dag 2; Ola Moe …': 'Dag' (day) before '2;' is not Eva Lund's last name."""
    from pipeline.parse import name_runs
    found = name_runs.read("Kari Holm X Per Dahl X Eva Lund Dag 2; Ola Moe X Siri Lund X")
    assert [f.name for f in found] == ["Kari Holm", "Per Dahl", "Eva Lund", "Ola Moe", "Siri Lund"]


def test_a_party_code_joined_to_a_name_by_a_dash_is_its_organisation(tmp_path):
    text = ("Møteprotokoll Helse- og omsorgskomiteen\nFølgende varamedlemmer møtte: Anne-Lise Holm-KrF, "
            "Jan Dahl-H og Kari Moe Lund-AP\nSak 1/23 Budsjett\nVedtak: Godkjent.\n")
    [doc] = extract_text(tmp_path, text).documents
    assert [(a.name, a.organization) for a in doc.attendees] == [
        ("Anne-Lise Holm", "KrF"), ("Jan Dahl", "H"), ("Kari Moe Lund", "AP")]


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


def test_nynorsk_outcomes_told_without_a_label(tmp_path):
    text = ("Møteprotokoll Eldrerådet\nTil stades: Kari Holm, Per Dahl\nSak 1/23 Godkjenning av innkalling\n"
            "Innkalling og sakliste vert godkjent\nSak 2/23 Meldingar\nRådet tek meldingane til vitande.\n")
    [doc] = extract_text(tmp_path, text).documents
    assert [c.decision for c in doc.cases] == ["Innkalling og sakliste vert godkjent",
                                               "Rådet tek meldingane til vitande."]


def test_a_first_page_that_names_its_type_in_its_header_is_a_document_of_its_own(tmp_path):
    """A notice whose type word is run into its header line, followed by the minutes of the last
    meeting on a later page: two documents, not one."""
    text = ("Møteinnkalling - Eldrerådet i Nordby kommune Møtested: Rådhuset Møtedato: 12.03.2023\n"
            "Sakliste\nSak 4/23 Godkjenning av protokoll\nSak 5/23 Budsjett\n\f"
            "NORDBY KOMMUNE Eldrerådet\nMØTEPROTOKOLL\nMøtedato: 13.02.2023\nTilstede: Kari Holm, Per Dahl\n"
            "Sak 1/23 Årsmelding\nVedtak: Godkjent.\n")
    docs = extract_text(tmp_path, text).documents
    assert [d.doc_type for d in docs] == ["innkalling", "protokoll"]


@pytest.mark.parametrize(("sentence", "chair", "minute_taker"), [
    ("Møtet ble leda av Kari Holm. Protokollen ble ført av Per Dahl.", "Kari Holm", "Per Dahl"),
    ("Møtet vart leia av Kari Holm Lie. Referent var Per Dahl.", "Kari Holm Lie", "Per Dahl"),
])
def test_a_chair_and_minute_taker_named_in_prose(tmp_path, sentence, chair, minute_taker):
    text = (f"Referat fra møte i eldrerådet 12.03.2023\nTilstede: Kari Holm, Per Dahl, Eva Lund\n{sentence}\n"
            "Sak 1/23 Budsjett\nVedtak: Godkjent.\n")
    [doc] = extract_text(tmp_path, text).documents
    assert (doc.chair, doc.minute_taker) == (chair, minute_taker)


def test_an_outcome_about_the_notice_is_not_the_heading_of_a_new_document(tmp_path):
    text = ("Referat fra møte i styret 12.03.2023\nTilstede: Kari Holm, Per Dahl, Eva Lund\n"
            "Sak 14/23 Godkjenning av innkalling\nInnkalling til møtet godkjennes.\n"
            "Sak 15/23 Godkjenning av referat\nReferat fra møtet 13. februar godkjennes.\n")
    docs = extract_text(tmp_path, text).documents
    assert [(d.doc_type, [(c.number, c.decision) for c in d.cases]) for d in docs] == [
        ("referat", [("14/23", "Innkalling til møtet godkjennes."),
                     ("15/23", "Referat fra møtet 13. februar godkjennes.")])]
