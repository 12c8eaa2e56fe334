"""General rules for the documents and cases of minutes of any template, each on a passage written
in its style (invented text, not copied from any one document): list points, titles before a colon,
outcomes in bokmål and nynorsk, spaced headings, page footers run into a line, headings that are
outcomes, a notice's first page named in its header."""
from __future__ import annotations

import pytest

from passages import extract_passage as extract_text

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


def test_an_outcome_about_the_notice_is_not_the_heading_of_a_new_document(tmp_path):
    text = ("Referat fra møte i styret 12.03.2023\nTilstede: Kari Holm, Per Dahl, Eva Lund\n"
            "Sak 14/23 Godkjenning av innkalling\nInnkalling til møtet godkjennes.\n"
            "Sak 15/23 Godkjenning av referat\nReferat fra møtet 13. februar godkjennes.\n")
    docs = extract_text(tmp_path, text).documents
    assert [(d.doc_type, [(c.number, c.decision) for c in d.cases]) for d in docs] == [
        ("referat", [("14/23", "Innkalling til møtet godkjennes."),
                     ("15/23", "Referat fra møtet 13. februar godkjennes.")])]


@pytest.mark.parametrize(("heading", "body"), [("Referat fra sentralstyrets møte 15.2.2018", "Sentralstyret"),
                                               ("Protokoll frå eldrerådets møte 3. mai 2022", "Eldrerådet")])
def test_a_body_named_in_the_genitive_before_its_meeting_is_named_without_it(tmp_path, heading, body):
    text = f"{heading}\nTilstede: Kari Holm, Per Dahl\nSak 1/22 Budsjett\nVedtak: Godkjent.\n"
    [doc] = extract_text(tmp_path, text).documents
    assert doc.body == body


@pytest.mark.parametrize(("times", "closing", "start", "end"), [
    ("Tidspunkt: Kl. 9.30 til kl. 14.00", "", "09:30", "14:00"),
    ("Tidspunkt: kl. 18.00", "Møtet hevet kl. 21.30", "18:00", "21:30"),
    ("Tidspunkt: kl 1100", "Møte heva kl 1430", "11:00", "14:30"),
])
def test_a_meetings_end_from_a_range_with_til_or_from_its_closing_sentence(tmp_path, times, closing, start, end):
    text = (f"Referat fra styremøte 3. mai 2022\n{times}\nTilstede: Kari Holm, Per Dahl\nSak 1/22 Budsjett\n"
            f"Vedtak: Godkjent.\n{closing}\n")
    [doc] = extract_text(tmp_path, text).documents
    assert (doc.start_time, doc.end_time) == (start, end)


def test_a_year_is_not_a_time_and_an_opening_line_that_is_a_time_gives_the_meetings_hours(tmp_path):
    text = ("Referat 04/2020\n\nReferat fra styremøte 20.4.2020\n\nSted: via Teams\nKl 18.00-20.00\n\n"
            "Tilstede: Kari Holm, Per Dahl\nSak 40/20 Budsjett\nVedtak: Godkjent.\n")
    [doc] = extract_text(tmp_path, text).documents
    assert (doc.meeting_date, doc.start_time, doc.end_time) == ("2020-04-20", "18:00", "20:00")


@pytest.mark.parametrize(("value", "times"), [("Møte 2021", (None, None)), ("Referat 04/2020", (None, None)),
                                              ("kl 1100", ("11:00", None)), ("Møtetid: 1800-1915", ("18:00", "19:15"))])
def test_parse_times_takes_no_year_for_a_time(value, times):
    from pipeline.values import parse_times
    assert parse_times(value) == times


def test_the_time_written_after_the_place(tmp_path):
    text = ("Referat fra styremøte 3. mai 2022\nSted: Rådhuset, kl. 18.00 – 20.00\nTilstede: Kari Holm, Per Dahl\n"
            "Sak 1/22 Budsjett\nVedtak: Godkjent.\n")
    [doc] = extract_text(tmp_path, text).documents
    assert (doc.location, doc.start_time, doc.end_time) == ("Rådhuset", "18:00", "20:00")
