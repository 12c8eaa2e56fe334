"""The FORMATS.md catalogue, one test per pattern, each on a passage written in that style (invented
names and cases, not the seeds). Test names follow the catalogue's headings."""
from __future__ import annotations

from pathlib import Path

import pytest

from passages import extract_passage as doc_of


def only_doc(tmp_path: Path, text: str, name: str = "doc.txt"):
    [doc] = doc_of(tmp_path, text, name).documents
    return doc


def numbers(doc) -> list[str | None]:
    return [c.number for c in doc.cases]


MINUTES_HEAD = "Protokoll\nMøtegruppe: Lokalt samarbeidsutvalg\nMøtetid: 14.01.25 kl. 09.00-11.00\nSaksliste\n"


# --- case numbers ------------------------------------------------------------------------------

@pytest.mark.parametrize("first,second,numbers_", [
    ("1/25", "Sak 2/25", ["1/25", "2/25"]),
    ("Sak 1/25", "Sak 2/25", ["1/25", "2/25"]),
    ("Sak 97/2024", "Sak 98/2024", ["97/2024", "98/2024"]),
    ("Sak 2014/15", "Sak 2015/15", ["2014/15", "2015/15"]),
    ("SAK 29/14", "SAK 30/14", ["29/14", "30/14"]),
    ("Sak 53/16", "Sak 54/16", ["53/16", "54/16"]),
    ("009/15", "010/15", ["009/15", "010/15"]),
    ("PS 12/24", "PS 13/24", ["12/24", "13/24"]),
])
def test_case_numbers_slash_styles(tmp_path, first, second, numbers_):
    text = MINUTES_HEAD + (f"{first} Legevaktsamarbeid\nVedtak: Saken utsettes.\n"
                           f"{second} Årsmelding\nVedtak: Årsmeldingen godkjennes.\n")
    doc = only_doc(tmp_path, text)
    assert numbers(doc) == numbers_
    assert [c.title for c in doc.cases] == ["Legevaktsamarbeid", "Årsmelding"]
    assert doc.cases[0].decision == "Saken utsettes."


@pytest.mark.parametrize("first,second,numbers_", [
    ("Sak 01-21", "Sak 02-21", ["01-21", "02-21"]),
    ("07 – 2022", "08 – 2022", ["07 – 2022", "08 – 2022"]),
    ("V12-17 -", "V13-17 -", ["V12-17", "V13-17"]),
])
def test_case_numbers_dashed_en_dash_and_lettered(tmp_path, first, second, numbers_):
    text = MINUTES_HEAD + (f"{first} Oppnevning av arbeidsgruppe\nVedtak: Arbeidsgruppen oppnevnes.\n"
                           f"{second} Valg av nestleder\nVedtak: Kari Holm velges.\n")
    doc = only_doc(tmp_path, text)
    assert numbers(doc) == numbers_
    assert [c.title for c in doc.cases] == ["Oppnevning av arbeidsgruppe", "Valg av nestleder"]


@pytest.mark.parametrize("first,second,numbers_", [
    ("OU-sak 01/23", "OU-sak 02/23", ["01/23", "02/23"]),
    ("Styresak nr: 72/01", "Styresak nr: 73/01", ["72/01", "73/01"]),
    ("Sak nr. 2024.16", "Sak nr. 2024.17", ["2024.16", "2024.17"]),
])
def test_case_numbers_prefixed_ou_sak_styresak_nr_and_sak_nr(tmp_path, first, second, numbers_):
    text = MINUTES_HEAD + (f"{first} Ny organisering av sekretariatet\nVedtak: Forslaget støttes.\n"
                           f"{second} Investeringsplan\nVedtak: Planen vedtas.\n")
    doc = only_doc(tmp_path, text)
    assert numbers(doc) == numbers_
    assert [c.title for c in doc.cases] == ["Ny organisering av sekretariatet", "Investeringsplan"]


def test_case_numbers_plain_lists_with_and_without_space(tmp_path):
    text = ("Innkalling til møte i Brukerutvalg\nDato: 02.02.24\nSaksliste\n"
            "1. Godkjenning av innkalling\n2.Referat fra forrige møte\n3. Brukermedvirkning i planarbeidet\n")
    doc = only_doc(tmp_path, text)
    assert doc.doc_type == "innkalling"
    assert numbers(doc) == ["1", "2", "3"]
    assert doc.cases[1].title == "Referat fra forrige møte"


def test_case_numbers_sak_with_dot_colon_and_both(tmp_path):
    text = MINUTES_HEAD + ("Sak 1. Godkjenning av dagsorden\nVedtak: Godkjent.\n"
                           "Sak 2: Økonomirapport\nVedtak: Rapporten tas til orientering.\n"
                           "Sak 4.: Eventuelt\n")
    doc = only_doc(tmp_path, text)
    assert [c.title for c in doc.cases] == ["Godkjenning av dagsorden", "Økonomirapport", "Eventuelt"]
    assert doc.cases[1].decision == "Rapporten tas til orientering."


def test_case_numbers_in_table_cell_with_type_words_and_wrapped_responsible(tmp_path):
    text = ("Referat fra møte i Faglig samarbeidsutvalg (FSU)\nDato/sted 05.06.24, kl 1000-1200, Rådhuset\n"
            "Saksnr. Tema Ansvar\n"
            "2024.20\nOrientering\n2 vedlegg\nStatus for avtalerevisjon\nArbeidet er i rute.\n"
            "Konklusjon: FSU tar orienteringen til etterretning.\nMarthe Wang-\nHansen\n"
            "2024.21\nBeslutning\nMandat for fagnettverk\nKonklusjon: Mandatet godkjennes.\nPer Lunde\n")
    doc = only_doc(tmp_path, text)
    assert numbers(doc) == ["2024.20", "2024.21"]
    assert doc.cases[0].case_type == "orientering" and doc.cases[1].case_type == "beslutning"
    assert doc.cases[0].title == "Status for avtalerevisjon"
    assert doc.cases[0].responsible == ["Marthe Wang-Hansen"]
    assert doc.cases[1].decision == "Mandatet godkjennes."


def test_case_numbers_flattened_table_numbers_then_titles(tmp_path):
    text = MINUTES_HEAD + ("Sak\n11/24\n12/24\n13/24\n"
                           "Godkjenning av innkalling og dagsorden\nHandlingsplan for helsefellesskapet\nEventuelt\n")
    ex = doc_of(tmp_path, text)
    [doc] = ex.documents
    assert [(c.number, c.title) for c in doc.cases] == [
        ("11/24", "Godkjenning av innkalling og dagsorden"), ("12/24", "Handlingsplan for helsefellesskapet"),
        ("13/24", "Eventuelt")]
    assert any("paired with its title by order" in w for w in ex.warnings)  # inferred, so said


def test_case_numbers_unnumbered_opening_and_closing_items(tmp_path):
    text = MINUTES_HEAD + ("Godkjenning av innkalling og dagsorden\nVedtak: Godkjent.\n"
                           "5/25 Samhandlingstilskudd\nVedtak: Tildelingen vedtas.\n"
                           "Eventuelt\nIngen saker.\n")
    doc = only_doc(tmp_path, text)
    assert [(c.number, c.title) for c in doc.cases] == [
        (None, "Godkjenning av innkalling og dagsorden"), ("5/25", "Samhandlingstilskudd"), (None, "Eventuelt")]


def test_case_numbers_case_list_with_page_numbers(tmp_path):
    text = ("Møteinnkalling\nMøtegruppe: Strategisk samarbeidsutvalg (SSU)\nMøtedato: 12.12.24\nSaksliste\n"
            "2024.30 Godkjenning av referat fra møte i SSU 3\n"
            "2024.31 Handlingsplan for helsefellesskapet (SSU) 5\n"
            "2024.32 Eventuelt 9\n")
    doc = only_doc(tmp_path, text)
    assert [c.title for c in doc.cases] == ["Godkjenning av referat fra møte i SSU",
                                           "Handlingsplan for helsefellesskapet (SSU)", "Eventuelt"]


def test_case_attachments_titled_listed_and_counted(tmp_path):
    text = ("Referat fra møte i Faglig samarbeidsutvalg (FSU)\nDato/sted 05.06.24, kl 1000-1200, Rådhuset\n"
            "Saksnr. Tema Ansvar\n"
            "2024.22\nOrientering\n3 vedlegg\nØkonomirapport 1. tertial\nKonklusjon: Rapporten tas til orientering.\n"
            "Vedlegg:\n• Regnskap per april\n• Prognose for året\n"
            "2024.23\nBeslutning\nKompetanseplan\nKonklusjon: Planen vedtas.\n"
            "Vedlegg 1: Kompetanseplan 2024–2027\nVedlegg Presentasjon Kari Vik til FSU 05.06.24\n"
            "2024.24\nEventuelt\n")
    doc = only_doc(tmp_path, text)
    first, second, last = doc.cases
    assert (first.attachments, first.attachment_count) == (["Regnskap per april", "Prognose for året"], 3)
    assert first.decision == "Rapporten tas til orientering."
    assert second.attachments == ["Kompetanseplan 2024–2027", "Presentasjon Kari Vik til FSU 05.06.24"]
    assert second.attachment_count == 2
    assert (last.attachments, last.attachment_count) == ([], None)


# --- decisions ---------------------------------------------------------------------------------

@pytest.mark.parametrize("label,norm", [
    ("Vedtak:", "Vedtak"), ("Konklusjon:", "Konklusjon"), ("Konklusjon", "Konklusjon"),
    ("Forslag til vedtak:", "Forslag til vedtak"), ("Forslag til vedtak i SSU:", "Forslag til vedtak"),
    ("Forslag til konklusjon:", "Forslag til konklusjon"), ("Forlag til konklusjon:", "Forslag til konklusjon"),
    ("Innstilling:", "Innstilling"), ("Adm. direktørs innstilling:", "Innstilling"),
    ("Rådmannens innstilling:", "Innstilling"), ("Tilrådning:", "Innstilling"),
    ("Styret fattet følgende enstemmige vedtak:", "Vedtak"), ("Styret fattet følgende vedtak:", "Vedtak"),
])
def test_decision_labels_in_a_case(tmp_path, label, norm):
    text = MINUTES_HEAD + (f"3/25 Revidert samarbeidsavtale\nSaken ble drøftet.\n{label}\nAvtalen godkjennes.\n"
                           "4/25 Eventuelt\n")
    doc = only_doc(tmp_path, text)
    assert doc.cases[0].decision_label == norm
    assert doc.cases[0].decision == "Avtalen godkjennes."


@pytest.mark.parametrize("outcome", [
    "Godkjent.", "Enstemmig vedtatt.", "Vedtatt mot to stemmer.",
    "Referatet godkjennes med følgende merknad: navnet på rådgiver rettes.",
    "Innkallinga vart godkjent utan merknadar.", "Referatene tas til orientering.",
    "Orienteringen tas til etterretning.",
])
def test_decision_unlabelled_outcomes(tmp_path, outcome):
    text = MINUTES_HEAD + f"7/25 Referatsaker\nSekretariatet orienterte kort.\n{outcome}\n8/25 Eventuelt\n"
    doc = only_doc(tmp_path, text)
    assert doc.cases[0].decision_label is None
    assert doc.cases[0].decision == outcome


def test_decision_several_conclusions_in_one_case(tmp_path):
    text = MINUTES_HEAD + ("9/25 Fagnettverkene\na) Fagnettverk rus\nKonklusjon: Mandatet godkjennes.\n"
                           "b) Fagnettverk barn og unge\nKonklusjon: Saken utsettes til neste møte.\n"
                           "10/25 Eventuelt\n")
    doc = only_doc(tmp_path, text)
    case = doc.cases[0]
    assert case.decision_label == "Konklusjon"
    assert "Mandatet godkjennes." in case.decision and "Saken utsettes til neste møte." in case.decision


def test_decision_numbered_list_inside_decision(tmp_path):
    text = MINUTES_HEAD + ("11/25 Handlingsplan 2025\nVedtak:\n1. Handlingsplanen vedtas.\n"
                           "2. Sekretariatet rapporterer status i juni.\n3. Planen revideres høsten 2025.\n"
                           "12/25 Eventuelt\n")
    doc = only_doc(tmp_path, text)
    assert doc.cases[0].decision == ("1. Handlingsplanen vedtas. 2. Sekretariatet rapporterer status i juni. "
                                     "3. Planen revideres høsten 2025.")
    assert numbers(doc) == ["11/25", "12/25"]


def test_decision_phrase_that_is_not_a_decision(tmp_path):
    text = MINUTES_HEAD + ("13/25 Innspill til regional plan\nKonklusjon trekkes i møtet basert på SSU innspill "
                           "og føringer.\n14/25 Eventuelt\n")
    doc = only_doc(tmp_path, text)
    assert doc.cases[0].decision is None and doc.cases[0].decision_label is None


# --- attendees ---------------------------------------------------------------------------------

def test_attendees_present_label_variants_with_comma_lists_ending_in_og(tmp_path):
    for label in ("Tilstede:", "Til stede:", "Til stades:", "Deltakere:", "Møtende medlemmer:"):
        text = (f"Referat\nMøtegruppe: Lokalt samarbeidsutvalg\nMøtetid: 14.01.25 kl. 09.00-11.00\n"
                f"{label} Ingrid Solberg, Jonas Berge og Hilde Rønning\nSaksliste\n1/25 Eventuelt\n")
        doc = only_doc(tmp_path, text, f"{label.strip(':').replace(' ', '-')}.txt")
        assert [(a.name, a.status) for a in doc.attendees] == [
            ("Ingrid Solberg", "present"), ("Jonas Berge", "present"), ("Hilde Rønning", "present")], label


def test_attendees_one_per_line_and_bullets_with_roles_and_notes(tmp_path):
    text = ("Referat\nMøtegruppe: Faglig samarbeidsutvalg\nMøtetid: 14.01.25 kl. 09.00-11.00\nTil stede:\n"
            "• Ingrid Solberg, kommuneoverlege, Horten kommune\n• Jonas Berge, klinikkleder (per telefon)\n"
            "Hilde Rønning, Sandefjord kommune\nForfall:\nOla Brekke, Larvik kommune\nSaksliste\n1/25 Eventuelt\n")
    doc = only_doc(tmp_path, text)
    by = {a.name: a for a in doc.attendees}
    assert set(by) == {"Ingrid Solberg", "Jonas Berge", "Hilde Rønning", "Ola Brekke"}
    assert by["Jonas Berge"].note == "per telefon" and by["Jonas Berge"].title == "klinikkleder"
    assert by["Hilde Rønning"].organization == "Sandefjord kommune"
    assert by["Ola Brekke"].status == "absent"


def test_attendees_absent_labels_frafall_and_nynorsk_forfall(tmp_path):
    for label in ("Forfall:", "Frafall:", "Forfall meldt frå:", "Meldt forfall:"):
        text = (f"Referat\nMøtegruppe: Lokalt samarbeidsutvalg\nMøtetid: 14.01.25 kl. 09.00-11.00\n"
                f"Til stede: Ingrid Solberg og Jonas Berge\n{label} Hilde Rønning\nSaksliste\n1/25 Eventuelt\n")
        doc = only_doc(tmp_path, text, f"{label.strip(':').replace(' ', '-')}.txt")
        assert {a.name: a.status for a in doc.attendees} == {
            "Ingrid Solberg": "present", "Jonas Berge": "present", "Hilde Rønning": "absent"}, label


def test_attendees_merged_labels_over_one_list_leave_status_unknown(tmp_path):
    text = ("Referat\nMøtegruppe: Lokalt samarbeidsutvalg\nMøtetid: 14.01.25 kl. 09.00-11.00\n"
            "Tilstede:\nForfall:\nIngrid Solberg\nJonas Berge\nSaksliste\n1/25 Eventuelt\n")
    ex = doc_of(tmp_path, text)
    assert {a.name: a.status for a in ex.documents[0].attendees} == {"Ingrid Solberg": "unknown",
                                                                     "Jonas Berge": "unknown"}
    assert any("status not stated for Ingrid Solberg, Jonas Berge" in w for w in ex.warnings)


def test_attendees_deputies_nynorsk_label_and_for_notes(tmp_path):
    text = ("Møtebok\nUtval: Fagleg samarbeidsutval\nMøtedato: 11.03.24\n"
            "Til stades: Ingrid Solberg og Jonas Berge\n"
            "Følgjande varamedlemar møtte:\nAstrid Lie (for Per Moen, Tønsberg kommune)\n"
            "Forfall meldt frå: Per Moen\nSaksliste\n1/24 Eventuelt\n")
    doc = only_doc(tmp_path, text)
    by = {a.name: a for a in doc.attendees}
    assert by["Astrid Lie"].status == "present"
    assert by["Astrid Lie"].deputy_for == "Per Moen"
    assert by["Astrid Lie"].organization == "Tønsberg kommune"
    assert by["Per Moen"].status == "absent"


def test_attendees_member_and_vara_columns(tmp_path):
    """'Instans | Medlem | Vara | Møtt': X = the member came, V = the deputy came for the member."""
    text = ("Protokoll\nMøtegruppe: Overordnet samarbeidsutvalg\nMøtetid: 03.04.24 kl. 10.00-14.00\n"
            "Instans    Medlem    Vara    Møtt\n"
            "Horten kommune    Ingrid Solberg    Per Hansen    X\n"
            "Larvik kommune    Jonas Berge    Eva Lund    V\n"
            "Re kommune    Hilde Rønning    Ole Sand\n"
            "Saksliste\n1/24 Eventuelt\n")
    doc = only_doc(tmp_path, text)
    got = [(a.name, a.organization, a.status, a.deputy_for) for a in doc.attendees]
    assert got == [("Ingrid Solberg", "Horten kommune", "present", None),
                   ("Jonas Berge", "Larvik kommune", "absent", None),
                   ("Eva Lund", "Larvik kommune", "present", "Jonas Berge"),
                   ("Hilde Rønning", "Re kommune", "absent", None)]


def test_attendees_partial_attendance_notes(tmp_path):
    text = ("Protokoll\nMøtegruppe: Overordnet samarbeidsutvalg\nMøtetid: 03.04.14 kl. 10.00-14.00\n"
            "Til stede:\nIngrid Solberg (frå sak 51/14)\nJonas Berge, Re kommune (forlot møtet etter sak 34/09)\n"
            "Hilde Rønning\nSaksliste\n50/14 Eventuelt\n")
    doc = only_doc(tmp_path, text)
    by = {a.name: a for a in doc.attendees}
    assert (by["Ingrid Solberg"].status, by["Ingrid Solberg"].from_case, by["Ingrid Solberg"].to_case) == \
        ("present", "51/14", None)
    assert (by["Jonas Berge"].organization, by["Jonas Berge"].to_case) == ("Re kommune", "34/09")
    assert by["Hilde Rønning"].from_case is None


def test_attendees_role_groups(tmp_path):
    text = ("Protokoll\nMøtegruppe: Strategisk samarbeidsutvalg\nMøtetid: 03.04.24 kl. 10.00-12.00\n"
            "Til stede: Ingrid Solberg og Jonas Berge\nFra administrasjonen: Hilde Rønning\n"
            "Sekretariat: Ola Brekke\nOrdførar: Kari Vik\nAndre: Nils Dahl\nSaksliste\n1/24 Eventuelt\n")
    doc = only_doc(tmp_path, text)
    by = {a.name: a for a in doc.attendees}
    assert all(a.status == "present" for a in doc.attendees) and len(by) == 6
    assert by["Hilde Rønning"].title == "Fra administrasjonen"
    assert by["Ola Brekke"].title == "Sekretariat"
    assert by["Kari Vik"].title == "Ordførar"


@pytest.mark.parametrize("line,who", [
    ("Referent: Sekretariatet", "Sekretariatet"),
    ("Referent: Ellen HF, 13.08.23", "Ellen HF"),
    ("Protokollfører: Ola Brekke", "Ola Brekke"),
    ("Sekretær: Kari Vik", "Kari Vik"),
])
def test_attendees_minute_taker_forms(tmp_path, line, who):
    text = (f"Referat\nMøtegruppe: Lokalt samarbeidsutvalg\nMøtetid: 14.01.25 kl. 09.00-11.00\n{line}\n"
            "Saksliste\n1/25 Eventuelt\n")
    assert only_doc(tmp_path, text).minute_taker == who


def test_attendees_chair_labels(tmp_path):
    for label in ("Møteleder:", "Styreleder:", "Møteleiar:"):
        text = (f"Referat\nMøtegruppe: Lokalt samarbeidsutvalg\nMøtetid: 14.01.25 kl. 09.00-11.00\n{label} Kari Vik\n"
                "Saksliste\n1/25 Eventuelt\n")
        assert only_doc(tmp_path, text, f"{label[:-1]}.txt").chair == "Kari Vik", label


def test_attendees_flattened_table_rows(tmp_path):
    """An attendee table whose cells lost their columns: 'Instans Representant Tilstede' then one row per line."""
    text = ("Referat\nMøtegruppe: Strategisk samarbeidsutvalg\nMøtetid: 14.01.25 kl. 09.00-11.00\n"
            "Instans Representant Tilstede\nHorten kommune Ingrid Solberg X\nSykehuset i Vestfold Jonas Berge X\n"
            "Larvik kommune Hilde Rønning\nSaksliste\n1/25 Eventuelt\n")
    doc = only_doc(tmp_path, text)
    assert [(a.name, a.organization, a.status) for a in doc.attendees] == [
        ("Ingrid Solberg", "Horten kommune", "present"), ("Jonas Berge", "Sykehuset i Vestfold", "present"),
        ("Hilde Rønning", "Larvik kommune", "absent")]


# --- meeting header ----------------------------------------------------------------------------

@pytest.mark.parametrize("lines,date,start,end", [
    ("Møtetid: Fredag 07.03.25 kl. 08.30 – 10.30", "2025-03-07", "08:30", "10:30"),
    ("Dato/sted 23.05.24, kl. 13.00-15.30. Færder kommune", "2024-05-23", "13:00", "15:30"),
    ("Dato: 27/5-19\nTid: kl 1800-1915\nSted: Rådhuset", "2019-05-27", "18:00", "19:15"),
    ("Dato møte: 19. Desember 2024\nTid: klokka 13", "2024-12-19", "13:00", None),
    ("Møtedato: 22 og 23.03.2021", "2021-03-22", None, None),
    ("Møtedato: 9. mars", None, None, None),
])
def test_meeting_header_date_and_time_forms(tmp_path, lines, date, start, end):
    text = f"Referat\nMøtegruppe: Lokalt samarbeidsutvalg\n{lines}\nSaksliste\n1/25 Eventuelt\n"
    doc = only_doc(tmp_path, text)
    assert (doc.meeting_date, doc.start_time, doc.end_time) == (date, start, end)


def test_meeting_header_location_from_sted_and_mote_sted(tmp_path):
    text = ("Referat\nMøtegruppe: Lokalt samarbeidsutvalg\nDato: 14.01.25\nSted: Helsehuset, møterom 3\n"
            "Saksliste\n1/25 Eventuelt\n")
    assert only_doc(tmp_path, text).location == "Helsehuset, møterom 3"


def test_meeting_header_letter_date_is_not_the_meeting_date(tmp_path):
    text = ("Horten, 02.01.2025\nMøteinnkalling\nMøtegruppe: Lokalt samarbeidsutvalg\n"
            "Møtetid: 14.01.25 kl. 09.00-11.00\nSaksliste\n1/25 Eventuelt\n")
    assert only_doc(tmp_path, text).meeting_date == "2025-01-14"


# --- documents and layout ----------------------------------------------------------------------

@pytest.mark.parametrize("heading,doc_type", [
    ("Innkalling", "innkalling"), ("Møteinnkalling", "innkalling"), ("Referat", "referat"),
    ("Møtereferat", "referat"), ("Referat fra møte i Lokalt samarbeidsutvalg", "referat"),
    ("Protokoll", "protokoll"), ("Møteprotokoll", "protokoll"), ("Møtebok", "protokoll"),
    ("Saksfremlegg", "saksfremlegg"), ("Saksframlegg", "saksfremlegg"), ("Notat", "notat"),
    ("Styresak", "styresak"),
])
def test_documents_headings(tmp_path, heading, doc_type):
    text = f"{heading}\nMøtegruppe: Lokalt samarbeidsutvalg\nDato: 14.01.25\nSak 1/25 Budsjett\nVedtak: Godkjent.\n"
    assert only_doc(tmp_path, text).doc_type == doc_type


def test_documents_nynorsk_minutes(tmp_path):
    text = ("Møtebok\nUtval: Fagleg samarbeidsutval\nMøtedato: 11.03.24\nStad: Kommunehuset\n"
            "Til stades: Ingrid Solberg, Jonas Berge og Hilde Rønning\nSakshandsamar: Ola Brekke\n"
            "Saksliste\n12/24 Godkjenning av innkalling\nInnkallinga vart godkjent utan merknadar.\n"
            "13/24 Samarbeid om jordmortenesta\nVedtak: Saka vart teken til orientering.\n")
    doc = only_doc(tmp_path, text)
    assert (doc.doc_type, doc.body, doc.body_abbrev, doc.meeting_date, doc.location) == \
        ("protokoll", "Fagleg samarbeidsutval", "FSU", "2024-03-11", "Kommunehuset")
    assert len(doc.attendees) == 3
    assert doc.cases[0].decision == "Innkallinga vart godkjent utan merknadar."
    assert doc.cases[1].decision == "Saka vart teken til orientering."


def test_documents_bundle_notice_minutes_and_case_paper(tmp_path):
    text = ("Møteinnkalling\nMøtegruppe: Lokalt samarbeidsutvalg (LSU)\nMøtetid: 10.02.25 kl. 09.00-11.00\n"
            "Saksliste\n4/25 Godkjenning av referat\n5/25 Digital samhandling\n"
            "\fReferat\nMøtegruppe: Lokalt samarbeidsutvalg (LSU)\nMøtetid: 13.01.25 kl. 09.00-11.00\n"
            "Saksliste\n1/25 Budsjett\nVedtak: Budsjettet godkjennes.\n"
            "\fSaksnr:  Møteorgan: Type sak Saksbehandler\n\n5/25 LSU Orientering Kari Vik\n\n"
            "Digital samhandling\nBakgrunn: Kommunene tar i bruk ny meldingsstandard.\n"
            "Forslag til vedtak: LSU tar saken til orientering.\n")
    ex = doc_of(tmp_path, text, "lsu-2025-02-10-innkalling.txt")
    assert [d.doc_type for d in ex.documents] == ["innkalling", "referat", "saksfremlegg"]
    notice, minutes, paper = ex.documents
    assert numbers(notice) == ["4/25", "5/25"] and notice.meeting_date == "2025-02-10"
    assert minutes.meeting_date == "2025-01-13" and minutes.cases[0].decision == "Budsjettet godkjennes."
    [case] = paper.cases
    assert (case.number, case.title, case.case_type, case.decision_label, case.responsible) == \
        ("5/25", "Digital samhandling", "orientering", "Forslag til vedtak", ["Kari Vik"])


def test_documents_running_headers_and_footers_do_not_leak(tmp_path):
    text = ("Helsefellesskapet Vestfold – referat LSU\nReferat\nMøtegruppe: Lokalt samarbeidsutvalg\n"
            "Møtetid: 14.01.25 kl. 09.00-11.00\nSaksliste\n1/25 Budsjett\nVedtak: Budsjettet\nSide 1 av 2\n"
            "\fHelsefellesskapet Vestfold – referat LSU\ngodkjennes.\n2/25 Eventuelt\nSide 2 av 2\n")
    doc = only_doc(tmp_path, text)
    assert doc.cases[0].decision == "Budsjettet godkjennes."
    assert doc.cases[1].title == "Eventuelt" and doc.cases[1].text is None


def test_damage_hyphenation_and_soft_hyphens_joined(tmp_path):
    text = MINUTES_HEAD + ("3/25 Kompetanse\u00adheving i kommune-\nhelsetjenesten\n"
                           "Vedtak: Planen for kompetanse-\nheving godkjennes.\n4/25 Eventuelt\n")
    doc = only_doc(tmp_path, text)
    assert doc.cases[0].decision == "Planen for kompetanseheving godkjennes."
    assert "Kompetanseheving" in doc.cases[0].title


def test_damage_glued_label_and_number(tmp_path):
    text = MINUTES_HEAD + "Sak 3/25Budsjett 2025\nVedtak:Budsjettet godkjennes.\n4/25 Eventuelt\n"
    doc = only_doc(tmp_path, text)
    assert numbers(doc) == ["3/25", "4/25"]
    assert doc.cases[0].title == "Budsjett 2025"
    assert doc.cases[0].decision == "Budsjettet godkjennes."


def test_never_invents_missing_fields(tmp_path):
    text = "Referat\nSaksliste\n1/25 Budsjett\nSaken ble drøftet.\n"
    doc = only_doc(tmp_path, text)
    assert (doc.meeting_date, doc.start_time, doc.chair, doc.minute_taker, doc.location) == (None,) * 5
    assert doc.cases[0].decision is None and doc.attendees == []
