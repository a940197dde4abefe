"""The case export, read back as a spreadsheet would: BOM, delimiter, headers and values in the user's
language; the HTCDS-coded option for interoperability; pseudonymised, audited, streamed."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from sira.audit.models import AuditEvent
from sira.cases import services
from sira.cases.export import safe_cell

BOM = b"\xef\xbb\xbf"


@pytest.fixture
def case(awa):
    return services.register_case(
        by=awa,
        person={
            "first_name": "Kadiatou",
            "last_name": "Konaté",
            "phone": "+22376000000",
            "gender": "Feminine",
            "estimated_age": 15,
            "citizenships": ["ML", "SN"],
        },
        case={
            "identification_date": dt.date(2026, 1, 12),
            "identification_context": "BorderPost",
            "identification_region_id": "ML04",
            "narrative": "Récit confidentiel",
        },
        exploitation={
            "forms": ["DomesticServitude"],
            "industry": "A_AgricultureForestryAndFishing",
            "means_of_control": ["DebtBondage", "WithholdsDocuments"],
            "recruitment_methods": ["ThroughIntermediary"],
            "recruiter_relationship": "Familial",
        },
        route=[{"kind": "Identification", "country": "ML", "region_id": "ML04"}],
        consents={"Registration": {"given": True}},
    )


def download(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    assert response.streaming, "the export is streamed, not built in memory"
    # The body is written after the view has returned, possibly while the thread serves another
    # language: the file must keep the language of the request that asked for it.
    with translation.override("en" if translation.get_language() == "fr" else "fr"):
        return response, b"".join(response.streaming_content)


def parse(raw: bytes, delimiter: str) -> list[dict]:
    assert raw.startswith(BOM)
    text = raw[len(BOM) :].decode("utf-8")
    return list(csv.DictReader(io.StringIO(text), delimiter=delimiter))


@pytest.fixture
def web(client, awa):
    client.force_login(awa)
    return client


def test_french_export_is_in_french_with_bom_and_semicolons(web, case):
    response, raw = download(web, reverse("cases:export"))
    assert raw[:3] == BOM
    header_line = raw[3:].decode("utf-8").splitlines()[0]
    assert header_line.startswith("Numéro de dossier;Organisation;Sexe / genre;")
    [row] = parse(raw, ";")
    assert row["Numéro de dossier"] == case.case_number
    assert row["Organisation"] == "ONG Test A"
    assert row["Sexe / genre"] == "Féminin"
    assert row["Nationalités"] == "Mali | Sénégal"
    assert row["Âge à l'identification"] == "15"
    assert row["Statut au regard de la traite"] == "Victime potentielle de la traite"
    assert row["Formes d'exploitation"] == "Servitude domestique"
    assert row["Secteur d'activité (CITI)"] == "Agriculture, sylviculture et pêche"
    assert row["Moyens de contrôle"] == "Confiscation des documents | Servitude pour dettes"
    assert row["Modes de recrutement"] == "Par un intermédiaire ou rabatteur"
    assert row["Lien avec le recruteur"] == "Membre de la famille"
    assert row["Statut du dossier"] == "Actif"
    assert row["Date d'identification"] == "2026-01-12"
    assert row["Contexte d'identification"] == "Poste frontière"
    assert row["Région d'identification"] == "Ségou"
    assert "Forme d'exploitation (HTCDS)" not in row  # standard codes belong to the HTCDS option
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="sira-cases-{today}.csv"'


def test_english_export_is_in_english_with_commas(web, case):
    web.post("/i18n/setlang/", {"language": "en", "next": "/"})
    _response, raw = download(web, reverse("cases:export"))
    assert raw[:3] == BOM
    assert raw[3:].decode("utf-8").splitlines()[0].startswith("Case number,Organisation,Sex / gender,")
    [row] = parse(raw, ",")
    assert row["Sex / gender"] == "Female"
    assert row["Citizenships"] == "Mali | Senegal"
    assert row["Trafficking status"] == "Possible victim of trafficking"
    assert row["Forms of exploitation"] == "Domestic servitude"
    assert row["Labour industry (ISIC)"] == "Agriculture, forestry and fishing"
    assert row["Means of control"] == "Debt bondage | Withholds documents"
    assert row["Case status"] == "Active"
    assert row["Identification date"] == "2026-01-12"
    assert row["Region of identification"] == "Segou"


def test_htcds_option_keeps_standard_codes_and_column_names(web, case):
    response, raw = download(web, reverse("cases:export"), format="htcds")
    assert not raw.startswith(BOM)
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))
    assert list(rows[0])[:3] == ["cas_CaseNumber", "org_Name", "prs_Gender"]
    [row] = rows
    assert row["prs_Gender"] == "Feminine"
    assert row["prs_Citizenship"] == "ML;SN"
    assert row["vic_TraffickingStatus"] == "PossibleVictimOfTrafficking"
    assert row["vic_TypeOfExploitation"] == "Servitude"
    assert row["sira_TypeOfExploitation"] == "DomesticServitude"
    assert row["vic_MethodsOfControl"] == "DebtBondage;WithholdsDocuments"
    assert row["vic_MethodOfRecruitment"] == "Other"
    assert row["sira_IdentificationRegion"] == "ML04"
    assert row["sira_IdentificationDate"] == "2026-01-12"
    assert "htcds" in response["Content-Disposition"]


def test_export_carries_no_identity(web, case):
    for params in ({}, {"format": "htcds"}):
        _response, raw = download(web, reverse("cases:export"), **params)
        text = raw.decode("utf-8-sig")
        for secret in ("Kadiatou", "Konaté", "22376000000", "Récit confidentiel"):
            assert secret not in text


def test_export_is_audited_with_its_format_and_filters(web, awa, case):
    download(web, reverse("cases:export"), case_status="Active")
    download(web, reverse("cases:export"), format="htcds")
    labels, htcds = AuditEvent.objects.filter(action="export", actor=awa).order_by("id")
    assert labels.detail == {"count": 1, "format": "labels", "filters": {"case_status": "Active"}}
    assert htcds.detail == {"count": 1, "format": "htcds", "filters": {}}


def test_api_export_offers_both_formats(awa, case):
    api = APIClient()
    api.force_authenticate(awa)
    response = api.get("/api/v1/cases/export/", HTTP_ACCEPT_LANGUAGE="en")
    [row] = parse(b"".join(response.streaming_content), ",")
    assert row["Sex / gender"] == "Female"
    response = api.get("/api/v1/cases/export/", {"format": "htcds"})
    assert response.status_code == 200
    [row] = csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode()))
    assert row["prs_Gender"] == "Feminine"
    assert [e.detail["format"] for e in AuditEvent.objects.filter(action="export").order_by("id")] == [
        "labels",
        "htcds",
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+33", "'+33"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("ONG Espoir", "ONG Espoir"),
        ("a=b", "a=b"),
        (15, 15),
    ],
)
def test_formula_cells_are_neutralised(value, expected):
    assert safe_cell(value) == expected


def test_formula_injection_is_guarded_in_the_file(web, awa, case):
    awa.organisation.name = "=cmd|'/C calc'!A0"
    awa.organisation.save()
    for params, delimiter in (({}, ";"), ({"format": "htcds"}, ",")):
        _response, raw = download(web, reverse("cases:export"), **params)
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=delimiter))
        assert rows[1][1] == "'=cmd|'/C calc'!A0"


@pytest.mark.parametrize("fmt", ["labels", "htcds"])
@pytest.mark.parametrize("extra_cases", [0, 12])
def test_export_decrypts_nothing_and_costs_the_same_queries_whatever_its_size(
    web, awa, case, fmt, extra_cases, monkeypatch, django_assert_max_num_queries
):
    """Identities are never written to an export, so none is read: no decryption at all, and the
    number of queries does not grow with the number of rows."""
    from cryptography.fernet import MultiFernet

    from sira.testing.factories import CaseFactory

    for _ in range(extra_cases):
        CaseFactory(by=awa)
    decrypts = []
    original = MultiFernet.decrypt
    monkeypatch.setattr(
        MultiFernet, "decrypt", lambda self, *a, **k: decrypts.append(1) or original(self, *a, **k)
    )
    with django_assert_max_num_queries(12):
        _response, raw = download(web, reverse("cases:export"), format=fmt)
    assert raw.count(b"\n") == 2 + extra_cases  # header and one line a case
    assert decrypts == []
