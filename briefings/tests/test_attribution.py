"""The outline scan finds what could attribute a case to a State (ToR rule 22): names, ISO codes,
demonyms and adjectives in every form, capitals; and not ordinary words."""

import csv

import pytest

from briefings import attribution, services
from dief.testing import make_state

ENGLISH = [
    ("Mexican authorities seized the consignment.", {"MX"}),
    ("Swiss customs opened the container.", {"CH"}),
    ("A broker working with two Mexicans.", {"MX"}),
    ("Shipped by Paris customs to the port.", {"FR"}),
    ("French fries were served.", {"FR"}),
    ("The franchise holder shipped the parts.", set()),
    ("Brokers from Equatorial Guinea and Guinea-Bissau.", {"GQ", "GW"}),
    ("Routes through Guinea.", {"GN"}),
    ("A Bissau-Guinean and an Equatorial Guinean national.", {"GW", "GQ"}),
    ("Papua New Guinean police.", {"PG"}),
    ("Piracy in the Gulf of Guinea.", set()),
    ("Traffickers crossing the Indian Ocean.", set()),
    ("Indian brokers.", {"IN"}),
    ("Latin American and South American routes.", set()),
    ("South Korean and North Korean vessels.", {"KR", "KP"}),
    ("A Korean vessel.", {"KR", "KP"}),
    ("Congolese officials.", {"CG", "CD"}),
    ("South Sudanese militias; Sudanese traders.", {"SS", "SD"}),
    ("Nigerien and Nigerian officers.", {"NE", "NG"}),
    ("Polish brokers.", {"PL"}),
    ("We will polish the outline.", set()),
    ("Under the Ottawa Convention and the Nairobi Protocol.", set()),
    ("Ottawa police.", {"CA"}),
    ("Grenades were found in a crate.", set()),
    ("The Réunion of experts; a reunion of officials.", set()),
    ("Flights from Northern Ireland.", {"GB"}),
    ("Diversion through Chad.", {"TD"}),
    ("BGD customs and MEX officers.", {"BD", "MX"}),
    ("Turkish ports; a turkey sandwich.", {"TR"}),
]

FRENCH = [
    ("les autorités françaises", {"FR"}),
    ("un courtier allemand", {"DE"}),
    ("des courtiers allemands et une société allemande", {"DE"}),
    ("les douanes suisses", {"CH"}),
    ("une entreprise grecque", {"GR"}),
    ("des armes turques", {"TR"}),
    ("les polices nigériennes et nigérianes", {"NE", "NG"}),
    ("des sociétés sud-africaines", {"ZA"}),
    ("des marins équato-guinéens", {"GQ"}),
    ("la Guinée-Bissau", {"GW"}),
    ("la douane de Paris", {"FR"}),
    ("Convention d'Ottawa", set()),
    ("la réunion du Forum", set()),
    ("des grenades à main", set()),
    ("à la Grenade", {"GD"}),
    ("Seul le fournisseur décide, qu'il vienne ou non, les paris sont ouverts.", set()),
    ("une franchise commerciale", set()),
    ("le golfe de Guinée", set()),
    ("la Suisse", {"CH"}),
]

SPANISH = [
    ("las autoridades mexicanas", {"MX"}),
    ("los aduaneros franceses", {"FR"}),
    ("una empresa alemana y dos corredores alemanes", {"DE"}),
    ("las aduanas españolas", {"ES"}),
    ("funcionarios estadounidenses", {"US"}),
    ("buques iraquíes", {"IQ"}),
    ("policías ecuatoguineanos", {"GQ"}),
    ("las autoridades de La Paz", {"BO"}),
    ("la paz y la seguridad", set()),
    ("una antigua ruta de tráfico", set()),
    ("Estados Unidos Mexicanos", {"MX"}),
    ("la reunión del Foro", set()),
    ("el golfo de Guinea", set()),
    ("con destino a México", {"MX"}),
    ("autoridades chinas", {"CN"}),
]


@pytest.mark.parametrize("text,codes", ENGLISH + FRENCH + SPANISH)
def test_scan_flags_exactly_the_states_a_sentence_points_to(text, codes):
    assert {r["code"] for r in attribution.scan(text, [])} == codes


def test_found_words_are_shown_as_written_in_the_outline():
    found = {r["code"]: r["found"] for r in attribution.scan("Las autoridades MEXICANAS y la policía de París.", [])}
    assert found == {"MX": ["MEXICANAS"], "FR": ["París"]}


def test_every_state_of_the_att_list_has_demonyms_in_english_french_and_spanish():
    words = attribution.state_words()
    alpha2 = attribution.alpha2_of_alpha3()
    with open("states/data/att_states.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            columns = words[alpha2[row["iso3"]]]
            assert all(columns[language] for language in ("en", "fr", "es")), row["name"]
    assert len(words) >= 193 + 3  # every UN member State, the Holy See, Palestine, Niue


@pytest.mark.parametrize(
    "word,language,expected",
    [
        ("mexicano", "es", {"mexicano", "mexicana", "mexicanos", "mexicanas"}),
        ("francés", "es", {"frances", "francesa", "franceses", "francesas"}),
        ("iraquí", "es", {"iraqui", "iraquies", "iraquis"}),
        ("belga", "es", {"belga", "belgas"}),
        ("français", "fr", {"francais", "francaise", "francaises"}),
        ("chilien", "fr", {"chilien", "chilienne", "chiliens", "chiliennes"}),
        ("belge", "fr", {"belge", "belges"}),
        ("grec=grecque/grecs/grecques", "fr", {"grec", "grecque", "grecs", "grecques"}),
        ("Mexican", "en", {"mexican", "mexicans"}),
        ("Chinese", "en", {"chinese"}),
    ],
)
def test_demonym_forms_follow_each_languages_rules_and_exceptions(word, language, expected):
    assert {" ".join(k) for k in attribution.forms(word, language)} == expected


def test_a_demonym_in_the_outline_is_an_identified_state_that_must_consent(chair, past_meeting, participants, db):
    make_state("MEX", name="Mexico", status="state_party")
    briefing = services.draft_briefing(
        by=chair, meeting=past_meeting, text="Las autoridades mexicanas y un corredor francés."
    )
    by_name = {f["name"]: f["found"] for f in briefing.identified}
    assert by_name == {"Mexico": ["mexicanas"], "France": ["francés"]}
    reasons = " ".join(services.blockers(briefing))
    assert "Mexico" in reasons and "France" in reasons
