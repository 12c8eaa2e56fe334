"""Patterns of FORMATS.md met in the seeds' style (decision ends, presenters, preambles, running headers),
each on a passage written in that style; the whole catalogue is in test_formats_catalogue.py."""
from __future__ import annotations

from passages import extract_passage as extract_text

REFERAT_SLASH = """Møtereferat
Møtegruppe: Lokalt samarbeidsutvalg, LSU
Møteleder Per Hansen
Møtested: Kommunehuset, møterom 2
Møtetid: Tirsdag 14.01.25 kl. 09.00 – 11.00
Saknr. SAKSLISTE
1/25 Godkjenning av innkalling og dagsorden
Vedtak: Innkalling og dagsorden godkjennes
2/25 Kommunale akuttdøgnplasser ved Kari Nilsen
Hensikt:
Status for bruk av plassene.
Vedtak: LSU tar saken til orientering.
3/25 Eventuelt
"""


def test_slash_numbers_vedtak_labels_and_header(tmp_path):
    ex = extract_text(tmp_path, REFERAT_SLASH)
    assert ex.source.partnership == "testby"
    [doc] = ex.documents
    assert (doc.doc_type, doc.body_abbrev, doc.meeting_date, doc.start_time, doc.end_time) == \
        ("referat", "LSU", "2025-01-14", "09:00", "11:00")
    assert doc.chair == "Per Hansen"
    assert [c.number for c in doc.cases] == ["1/25", "2/25", "3/25"]
    assert doc.cases[1].decision == "LSU tar saken til orientering."
    assert doc.cases[1].responsible == ["Kari Nilsen"]
    assert doc.cases[2].decision is None


YEAR_FIRST = """Referat fra møte i Faglig samarbeidsutvalg (FSU)
Dato/sted 12.09.24, kl 1300-1500, Rådhuset
Til stede
Anne Berg, Ole Dahl, Siri Moen og Tor Lie
Forfall: Eva Holm
Referent Ole Dahl
Saksnr. Tema Ansvar
2024.30
Beslutning
Godkjenning av innkalling og dagsorden
Konklusjon:
Innkalling og dagsorden godkjennes.
2024. 31
Orientering
Status for arbeidsgruppe rus
Arbeidsgruppen har levert sin rapport.
Konklusjon trekkes i møtet basert på innspill.
Anne Berg
"""


def test_year_first_numbers_stray_space_and_attendee_lists(tmp_path):
    [doc] = extract_text(tmp_path, YEAR_FIRST).documents
    assert [c.number for c in doc.cases] == ["2024.30", "2024.31"]
    assert doc.cases[0].decision_label == "Konklusjon"
    assert doc.cases[1].decision is None  # 'Konklusjon trekkes i møtet' is not a decision
    assert doc.cases[1].responsible == ["Anne Berg"]
    status = {a.name: a.status for a in doc.attendees}
    assert status == {"Anne Berg": "present", "Ole Dahl": "present", "Siri Moen": "present",
                      "Tor Lie": "present", "Eva Holm": "absent"}
    assert doc.minute_taker == "Ole Dahl"
    assert (doc.start_time, doc.end_time) == ("13:00", "15:00")


def test_unlabelled_outcome_in_minutes(tmp_path):
    text = """Protokoll
Møtegruppe: Strategisk samarbeidsutvalg
Møtetid: 03.04.23 kl. 10.00-12.00
Saksliste
Sak 12/23 Budsjett for helsefellesskapet
Saken ble drøftet.
Enstemmig vedtatt.
"""
    [doc] = extract_text(tmp_path, text).documents
    [case] = doc.cases
    assert case.number == "12/23" and case.decision_label is None and case.decision == "Enstemmig vedtatt."


def test_running_footer_and_page_numbers_do_not_leak(tmp_path):
    text = ("Møtereferat\nMøtegruppe: SSU\nMøtetid: 01.02.24 kl. 09.00-10.00\nSaknr. SAKSLISTE\n"
            "5/24 Avtaler\nVedtak: SSU tar saken\nSide 1 av 2\n\f2\ntil orientering.\n6/24 Eventuelt\n")
    [doc] = extract_text(tmp_path, text).documents
    assert doc.cases[0].decision == "SSU tar saken til orientering."


def test_styresak_number_from_running_header(tmp_path):
    text = "Innledning\nDenne styresaken beskriver arbeidet.\nHelse Nord HF styresak 12/2023 Side 2 av 4\nMer tekst.\n"
    [doc] = extract_text(tmp_path, text).documents
    assert doc.doc_type == "styresak" and doc.body is None  # the text names no body
    assert [c.number for c in doc.cases] == ["12/2023"]


DECISION_PARAGRAPHS = """Referat fra møte i Lokalt samarbeidsutvalg (LSU)
Dato/sted 03.10.24, kl 0900-1100, Helsehuset
Til stede
Lise Vik, Ole Dahl og Siri Moen
Referent Ole Dahl
Saksnr. Tema Ansvar
2024.40
Orientering
Ventetider i psykisk helsevern
Konklusjon: Orienteringen tas til etterretning.  Saken følges opp i neste møte.

Barn og unge
Arbeidsgruppen har levert sin første rapport.
2024.41
Eventuelt
Konklusjon: Ingen saker meldt.
Lise avslutter møtet med en kort evaluering.
"""


def test_decision_ends_at_paragraph_break_and_meeting_close(tmp_path):
    """A blank line after a finished sentence ends a decision; so does the chair closing the
    meeting; a double space after a full stop is not a table-cell boundary."""
    [doc] = extract_text(tmp_path, DECISION_PARAGRAPHS).documents
    first, last = doc.cases
    assert first.decision == "Orienteringen tas til etterretning. Saken følges opp i neste møte."
    assert last.decision == "Ingen saker meldt."


PRESENTER_AND_INITIAL = """Referat fra møte i Strategisk samarbeidsutvalg (SSU)
Møtedato 14.11.24
Til stede
Kari Nordmann, Helse Sør
Per Olsen, kommunen
Saksnr. Tema
12/24 Rekrutteringstilskudd
Hensikt:
1. Status i prosessen ved kommunaldirektør Per A.
Olsen
Se vedlegg Presentasjon Kari Nordmann Helse Sør til SSU 14.11.24
Vedtak: SSU tar saken til orientering.
"""


def test_presenter_and_initial_before_wrapped_surname(tmp_path):
    """'Presentasjon <name> <organisation>' names a person of the meeting; a name's initial at a
    line end ('Per A.') is not the end of a sentence, so the surname on the next line joins it."""
    [doc] = extract_text(tmp_path, PRESENTER_AND_INITIAL).documents
    [case] = doc.cases
    assert "Kari Nordmann" in case.responsible
    assert "Per A. Olsen" in case.responsible
    assert case.decision == "SSU tar saken til orientering."


SAKSFREMLEGG_PREAMBLE = """Sak nr. 2024.50
Notat fra: Anne Lie, avdelingssjef, Sykehuset i
Telemark
Dato: 01.10.24
Samarbeid om utskrivning av eldre pasienter
Bakgrunn:
Kommunene og sykehuset har sett økende ventetid.
Forslag til vedtak:
Arbeidsgruppen videreføres ut 2025.
"""


def test_wrapped_preamble_value_is_not_the_title(tmp_path):
    """A 'Notat fra:' value ending mid-phrase ('… Sykehuset i') wraps onto the next line, which is
    part of the value, not the case paper's title."""
    [doc] = extract_text(tmp_path, SAKSFREMLEGG_PREAMBLE, "saksfremlegg-2024-50.txt").documents
    [case] = doc.cases
    assert case.number == "2024.50"
    assert case.title == "Samarbeid om utskrivning av eldre pasienter"
    assert case.decision == "Arbeidsgruppen videreføres ut 2025."
