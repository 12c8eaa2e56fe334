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
