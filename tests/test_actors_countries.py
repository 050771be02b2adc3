"""Actors (names, roles, aliases, types) and countries (text -> gazetteer -> overrides)."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis import countries as C
from analysis.actors import find_mentions, finalize_actors, resolve_names
from analysis.errors import InputError
from analysis.quotes import extract_statements
from analysis.records import Article

FIXTURES = Path(__file__).parent / "fixtures" / "who"


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Russia", "RUS"), ("Russian Federation", "RUS"), ("the United States", "USA"), ("U.S.", "USA"),
        ("Britain", "GBR"), ("South Korea", "KOR"), ("Korea, Republic of", "KOR"), ("Iran", "IRN"),
        ("Italian", "ITA"), ("Ukrainian", "UKR"), ("Moscow", "RUS"), ("Kyiv", "UKR"),
        ("Kremlin", "RUS"), ("White House", "USA"), ("Downing Street", "GBR"), ("State Department", "USA"),
        ("Ukraine's", "UKR"), ("Atlantis", None), ("Monday", None),
    ],
)
def test_gazetteer(name: str, code: str | None) -> None:
    assert C.country_of(name) == code


def test_gazetteer_comes_from_pycountry() -> None:
    names = C.country_names()
    assert names["bolivia, plurinational state of"] == "BOL" and names["bolivia"] == "BOL"
    assert len({v for v in names.values()}) >= 249


@pytest.mark.parametrize(
    ("text", "name", "role", "country"),
    [
        ("Russian President Vladimir Putin spoke.", "Vladimir Putin", "president", "RUS"),
        ("US President Donald Trump spoke.", "Donald Trump", "president", "USA"),
        ("Foreign Minister Antonio Tajani of Italy spoke.", "Antonio Tajani", "foreign minister", "ITA"),
        ("US Secretary of State Marco Rubio spoke.", "Marco Rubio", "secretary of state", "USA"),
        ("Then State Department spokesman Tommy Pigott spoke.", "Tommy Pigott", "spokesman", "USA"),
        ("Later Ukraine's President Volodymyr Zelensky spoke.", "Volodymyr Zelensky", "president", "UKR"),
        ("Later Jane Roe, Canada's foreign minister, spoke.", "Jane Roe", "foreign minister", "CAN"),
        ("Later Jean Dupont, the French ambassador, spoke.", "Jean Dupont", "ambassador", "FRA"),
        ("Then Sen. Bernie Sanders (I-Vt.) spoke.", "Bernie Sanders", "senator", "USA"),
        ("Then White House Press Secretary Jane Roe spoke.", "Jane Roe", "press secretary", "USA"),
        ("Then House Speaker Paul Ryan spoke.", "Paul Ryan", "house speaker", None),
    ],
)
def test_role_and_country_from_the_text(text: str, name: str, role: str, country: str | None) -> None:
    persons = [m for m in find_mentions(text) if m.type == "person"]
    assert persons, find_mentions(text)
    m = persons[0]
    assert (m.name, m.role, m.country) == (name, role, country)


def test_description_mentions() -> None:
    text = "Rubio spoke with Ukraine's foreign minister and the Russian leader on Monday."
    descriptions = [(m.text, m.role, m.country) for m in find_mentions(text) if m.kind == "description"]
    assert ("Ukraine's foreign minister", "foreign minister", "UKR") in descriptions
    assert ("the Russian leader", "leader", "RUS") in descriptions


@pytest.mark.parametrize(
    ("text", "not_names"),
    [
        ("Asked how it went, Trump smiled.", {"Asked"}),
        ("Following the talks, Putin left.", {"Following"}),
        ("On Monday, the Kremlin said nothing.", {"Monday", "On"}),
        ("The Russia-Ukraine war goes on.", {"Russia-Ukraine"}),
    ],
)
def test_capitalised_words_that_are_not_actors(text: str, not_names: set[str]) -> None:
    names = {m.name for m in find_mentions(text) if m.type}
    assert not names & not_names


def test_aliases_merge_into_one_canonical_actor() -> None:
    text = ("US President Donald Trump met Putin. Trump said the talks went well. "
            "Mr. Trump later left. Russian President Vladimir Putin stayed.")
    table, mentions = resolve_names(find_mentions(text))
    actors = finalize_actors(table)
    assert {m.actor for m in mentions if m.name in {"Trump", "Donald Trump"}} == {"Donald Trump"}
    trump = actors["Donald Trump"]
    assert trump.type == "person" and trump.country == "USA" and trump.role == "president"
    assert "Trump" in trump.aliases and "US President Donald Trump" in trump.aliases
    assert actors["Vladimir Putin"].country == "RUS"


@pytest.mark.parametrize(
    ("text", "actor", "type_", "country"),
    [
        ("The State Department said talks would resume.", "State Department", "organization", "USA"),
        ("The Kremlin said talks would resume.", "Kremlin", "organization", "RUS"),
        ("Moscow has since said there are no plans.", "Moscow", "country", "RUS"),
        ("NATO said the alliance was united.", "NATO", "organization", None),
        ("Russian officials said the strikes would continue.", "Russian officials", "group", "RUS"),
        ("Germany said it would send more air defence.", "Germany", "country", "DEU"),
        # A company by its bare name is no person's surname ("Burton said" still is).
        ("Pfizer said the vaccine worked.", "Pfizer", "organization", None),
        ("Burton said the cat was fine.", "Burton", "person", None),
    ],
)
def test_organisations_capitals_and_groups_as_speakers(text: str, actor: str, type_: str,
                                                       country: str | None) -> None:
    statements, _, actors = extract_statements(Article("t", text))
    assert statements[0].speaker == actor
    assert actors[actor].type == type_
    assert actors[actor].country == country


def test_leaders_table_fills_in_only_without_text_evidence() -> None:
    _, _, actors = extract_statements(Article("t", "Volodymyr Zelensky said Ukraine would not give up."))
    assert actors["Volodymyr Zelensky"].country == "UKR"  # gazetteer extension
    # Text evidence wins over the table.
    _, _, actors = extract_statements(Article("t", "Canadian envoy Marco Rubio said the talks were fine."))
    assert actors["Marco Rubio"].country == "CAN"


def test_overrides_replace_text_and_gazetteer_and_merge_aliases() -> None:
    overrides = C.load_overrides(FIXTURES / "overrides.json")
    assert overrides["Tommy Pigott"]["country"] == "USA"
    text = ("Zelenskyy said the front held. Burton said cats are cute. "
            "Russian commentator Burton added more.")
    statements, _, actors = extract_statements(Article("t", text), overrides)
    assert statements[0].speaker == "Volodymyr Zelensky"
    assert actors["Volodymyr Zelensky"].country == "UKR"
    assert actors["Burton"].country == "GBR"          # override beats the text ("Russian")
    assert actors["Burton"].role == "cat expert"


def test_csv_overrides() -> None:
    overrides = C.load_overrides(FIXTURES / "overrides.csv")
    assert overrides["Burton"] == {"country": "GBR", "type": "person", "role": "cat expert",
                                   "aliases": ["Tim Burton", "T. Burton"]}
    assert overrides["Example Corp"]["country"] == "DEU"


@pytest.mark.parametrize(
    ("content", "suffix", "message"),
    [
        ('{"Trump": "XYZ"}', ".json", "not an ISO 3166-1 alpha-3"),
        ("{not json", ".json", "not valid JSON"),
        ('["USA"]', ".json", "expected a JSON object"),
        ("who,where\nTrump,USA\n", ".csv", "needs a header with 'name'"),
        # A type no chart knows would have stopped the run at its end; it is refused up front.
        ('{"Trump": {"country": "USA", "type": "politician"}}', ".json",
         "type 'politician' is not one of person, organization, country, group"),
        ("name,country,type\nTrump,USA,Person\n", ".csv", None),
    ],
)
def test_bad_overrides_files(tmp_path: Path, content: str, suffix: str, message: str | None) -> None:
    path = tmp_path / f"o{suffix}"
    path.write_text(content, encoding="utf-8")
    if message is None:   # accepted, in the canonical spelling
        assert C.load_overrides(path)["Trump"]["type"] == "person"
        return
    with pytest.raises(InputError, match=message):
        C.load_overrides(path)


def test_missing_overrides_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        C.load_overrides(tmp_path / "nope.json")


def test_demonym_adjectives_are_country_mentions() -> None:
    text = "Russian strikes hit Kyiv overnight, and the Ukrainian armed forces said they shot down drones."
    mentions = find_mentions(text)
    _, mentions = resolve_names(mentions)
    countries = [(m.text, m.actor, m.country) for m in mentions if m.type == "country"]
    assert ("Russian", "Russia", "RUS") in countries
    assert ("Ukrainian", "Ukraine", "UKR") in countries
    assert ("Kyiv", "Kyiv", "UKR") in countries


def test_title_case_headlines_yield_only_names_the_article_repeats() -> None:
    text = ("Voters Worried About Hillary Clinton Health Abandon Her Campaign\n\n"
            "Hillary Clinton was headed to an emergency room, and voters are worried about her health, "
            "the Post reported. Her campaign said she was fine.")
    names = {m.name for m in find_mentions(text) if m.type}
    assert "Hillary Clinton" in names
    assert not any("Worried" in n or "Abandon" in n for n in names)


def test_international_body_titles_and_unknown_speakers_get_a_type() -> None:
    text = ("NATO Secretary General Mark Rutte welcomed the decision. He said allies should follow.\n\n"
            "Ground Zero Partners said the plan was good. Zork Blimp said so too.")
    statements, _, actors = extract_statements(Article("t", text))
    assert [s.speaker for s in statements] == ["Mark Rutte", "Mark Rutte", "Ground Zero Partners", "Zork Blimp"]
    assert actors["Mark Rutte"].role == "secretary general" and actors["Mark Rutte"].country is None
    assert actors["Ground Zero Partners"].type == "organization"
    assert actors["Zork Blimp"].type == "person"


@pytest.mark.parametrize(
    ("text", "speaker", "country"),
    [
        # A country or capital name that is part of a person's name gives no country.
        ("Chad Wolf said the border was secure.", "Chad Wolf", None),
        ("Paris Hilton said the party was fun.", "Paris Hilton", None),
        ("Israel Katz said the plan was dead.", "Israel Katz", None),
        # A US state before a state-level title is the United States, not the country Georgia.
        ("Georgia Gov. Brian Kemp said the vote was fair.", "Brian Kemp", "USA"),
        # Adjectives and country names before a role still count.
        ("Russian President Vladimir Putin said the talks were useful.", "Vladimir Putin", "RUS"),
        ("Georgia President Salome Zourabichvili said the vote was unfair.", "Salome Zourabichvili", "GEO"),
    ],
)
def test_country_names_inside_person_names(text: str, speaker: str, country: str | None) -> None:
    statements, _, actors = extract_statements(Article("a", text))
    assert statements[0].speaker == speaker
    assert actors[speaker].country == country


def test_politicians_the_text_does_not_place_get_their_country_from_the_gazetteer() -> None:
    from analysis.quotes import extract_statements

    art = Article("g", "Hillary Clinton said the plan was reckless. Obama said he agreed. "
                       "Johnson said nothing. Bernie Sanders said the vote was rigged.")
    _, _, actors = extract_statements(art)
    assert actors["Hillary Clinton"].country == "USA" and actors["Bernie Sanders"].country == "USA"
    # The only president or vice president Obama: his full name, so he is one actor with the
    # articles that write it, and his country.
    assert "Obama" not in actors and actors["Barack Obama"].country == "USA"
    assert actors["Johnson"].country is None         # two President Johnsons, and Boris: no guess


def test_a_gazetteer_named_at_run_time_adds_countries_and_a_clash_gives_none(tmp_path, monkeypatch) -> None:
    import gzip

    from analysis import countries as C

    path = tmp_path / "people.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write("name,aliases,iso3,role_type,person_key,licence\n"
                 "Tony Blair,Anthony Blair,GBR,executive,ep:1,none\n"
                 "Bernie Sanders,,GBR,legislator,ep:2,none\n")
    monkeypatch.setenv(C.GAZETTEER_ENV, str(path))
    C._gazetteer.cache_clear()
    C._executive_surnames.cache_clear()
    try:
        assert C.leader_country("Tony Blair") == "GBR" and C.leader_country("Anthony Blair") == "GBR"
        assert C.leader_country("Bernie Sanders") is None  # USA in the bundled table, GBR here
        assert C.leader_by_surname("Blair") == "tony blair"
    finally:
        monkeypatch.delenv(C.GAZETTEER_ENV)
        C._gazetteer.cache_clear()
        C._executive_surnames.cache_clear()


def test_common_names_get_a_gazetteer_country_only_in_an_article_set_there() -> None:
    from analysis.quotes import extract_statements

    # "John Smith" and "Charles Clarke" both sat in the US Congress; in British news they are British.
    uk = "New Home Secretary Charles Clarke said the plans would go ahead. Labour MP John Smith said no."
    _, _, actors = extract_statements(Article("uk", uk))
    assert actors["Charles Clarke"].country == "GBR" and actors["Charles Clarke"].role == "new home secretary"
    assert actors["John Smith"].country == "GBR"
    _, _, actors = extract_statements(Article("uk2", "John Smith said the plan was wrong. Tony Blair said no."))
    assert actors["John Smith"].country is None      # nothing in the article says America
    _, _, actors = extract_statements(Article("us", "Hillary Clinton said no. Donald Trump said yes."))
    assert actors["Hillary Clinton"].country == "USA"  # a US article: the gazetteer is trusted


def test_a_us_state_before_a_state_title_is_no_name_part() -> None:
    from analysis.quotes import extract_statements

    [st], _, actors = extract_statements(Article("s", "Pennsylvania Gov. Ed Rendell said the race was close."))
    assert st.speaker == "Ed Rendell" and actors["Ed Rendell"].country == "USA" and actors["Ed Rendell"].role == "governor"


def test_plural_people_nouns_are_groups_not_persons() -> None:
    from analysis.quotes import extract_statements

    text = "Critics said the bill was flawed. Labour MPs said they would rebel. Dr. Chris Evans said it was fine."
    _, _, actors = extract_statements(Article("g", text))
    assert actors["Critics"].type == "group" and actors["Labour MPs"].type == "group"
    assert actors["Labour MPs"].country == "GBR" and actors["Chris Evans"].type == "person"


@pytest.mark.parametrize(("text", "speakers"), [
    ('"We will win," Tory leader Michael Howard said. The Tory leader said taxes would fall.',
     ["Michael Howard", "Michael Howard"]),
    ("Labour leader Tony Blair spoke. Tory leader Michael Howard replied. The Labour leader said no.",
     ["Tony Blair", "Michael Howard", "Tony Blair"]),
    ("Mayor Eric Adams spoke on Monday. The mayor said the budget was tight.", ["Eric Adams", "Eric Adams"]),
])
def test_a_role_description_names_the_person_named_before_with_that_role(text, speakers) -> None:
    from analysis.quotes import extract_statements

    statements, _, actors = extract_statements(Article("r", text))
    assert [s.speaker for s in statements] == speakers
    if "Tony Blair" in actors:
        assert actors["Tony Blair"].country == "GBR" and actors["Tony Blair"].role == "labour leader"


@pytest.mark.parametrize(("text", "speaker"), [
    ("Angela Merkel met Emmanuel Macron. She said the talks went well.", "Angela Merkel"),
    ("Emmanuel Macron met Angela Merkel. He said the talks went well.", "Emmanuel Macron"),
])
def test_a_pronoun_finds_the_person_of_its_gender(text, speaker) -> None:
    from analysis.quotes import extract_statements

    statements, _, _ = extract_statements(Article("p", text))
    assert statements[-1].speaker == speaker


@pytest.mark.parametrize(("text", "kinds_speakers"), [
    ("Jim Eglinski, Yellowhead MP, said the pipeline was needed.", [("indirect_quote", "Jim Eglinski")]),
    ("The European Commission cut its forecast.", [("narrative", None)]),
    ("A Donald Trump tweet said the election was rigged.", [("indirect_quote", "Donald Trump")]),
    ("\"We are ready,\" said Andre Campbell's partner, Jason Louth.", [("direct_quote", "Jason Louth")]),
    ("Volodymyr Zelensky met Trump. The Ukrainian president said the talks were useful.",
     [("narrative", None), ("indirect_quote", "Volodymyr Zelensky")]),
    # Quotations signed after a dash (reader voices, vox pops), the signer's description kept out.
    ("“He embodies the legacy of racism. He represents our shame.” ― Sonya Herridge\n"
     "“He is ignorant of our culture.”― Pamela Padilla, 34, Phoenix\n\n"
     '"We will win." — That was the message.',
     [("direct_quote", "Sonya Herridge"), ("direct_quote", "Pamela Padilla"), ("narrative", None)]),
    # An unnamed voice after the cue keeps the quotation; a department named after its country
    # is that department, not the country.
    ("“This is a disgrace,” said one resident, who asked not to be named.", [("direct_quote", "one resident")]),
    ("In a statement, Health Canada said the product was safe.", [("indirect_quote", "Health Canada")]),
    # A surname that is also a role word or a month, after an honorific or a first name; a
    # surname of a president of 1853 is no licence to name him.
    ("Mr. King said that he was not familiar with the network.", [("indirect_quote", "King")]),
    ("Theresa May met Mr. Juncker. Mrs. May said talks went well.",
     [("narrative", None), ("indirect_quote", "Theresa May")]),
    # People of or in a place speak, not the place; what they are experts on is no place of theirs.
    ("Experts on North Korea said the test could change that.", [("indirect_quote", "Experts on North Korea")]),
    ("Officials in Kyiv said the strikes went on.", [("indirect_quote", "Officials in Kyiv")]),
])
def test_attribution_cases_seen_on_real_news(text, kinds_speakers) -> None:
    from analysis.quotes import extract_statements

    statements, _, _ = extract_statements(Article("n", text))
    assert [(s.kind, s.speaker) for s in statements] == kinds_speakers


def test_people_of_a_place_are_a_group_with_its_country() -> None:
    _, _, actors = extract_statements(Article("g", "Officials in Kyiv said the strikes went on. Experts on North "
                                                   "Korea said little. Residents of Gaza said no aid came."))
    assert {n: (a.type, a.country) for n, a in actors.items() if a.type == "group"} == {
        "Officials in Kyiv": ("group", "UKR"), "Experts on North Korea": ("group", None),
        "Residents of Gaza": ("group", "PSE")}


def test_a_party_is_one_actor_however_the_article_names_it() -> None:
    from analysis.quotes import extract_statements

    text = ("The Tories said taxes would fall. The Conservative Party said it again. "
            "The Lib Dems said no. Liberal Democrats said never. Conservatives said the bill went too far.")
    statements, _, actors = extract_statements(Article("p", text))
    assert [s.speaker for s in statements] == ["Conservative Party", "Conservative Party", "Liberal Democrats",
                                               "Liberal Democrats", "Conservatives"]
    assert actors["Conservative Party"].type == "organization" and actors["Conservative Party"].country == "GBR"
    assert actors["Conservatives"].type == "group"


def test_people_the_article_places_nowhere_take_its_country_marked_inferred() -> None:
    # A British article: its parties and institutions speak, so the adviser it never places is
    # British too, on the article's evidence, and says so; "Tory leader" in the text says it of Howard.
    uk = ("Tory leader Michael Howard said the Commons must vote. Downing Street said Labour would win. "
          "The Lib Dems said the bill was flawed. Labour said it would not back down. "
          "Sarah Teather said the plans were unfair.")
    _, _, actors = extract_statements(Article("uk", uk))
    assert (actors["Sarah Teather"].country, actors["Sarah Teather"].country_evidence) == ("GBR", "article context")
    assert (actors["Michael Howard"].country, actors["Michael Howard"].country_evidence) == ("GBR", "text")
    assert actors["Downing Street"].country_evidence == "knowledge base"
    # An MP in an article set in Canada is Canadian, not British.
    ca = ("Canadian officials in Ottawa said the pipeline would go ahead. The Canadian government said so. "
          "Jim Eglinski, Yellowhead MP, said the pipeline was needed.")
    _, _, actors = extract_statements(Article("ca", ca))
    assert (actors["Jim Eglinski"].country, actors["Jim Eglinski"].country_evidence) == ("CAN", "article context")
    assert C.role_country("conservative mp", "CAN") == "CAN" and C.role_country("conservative mp") == "GBR"
    # A story with voices from several countries has no single setting: nobody is guessed.
    mixed = ("Russian President Vladimir Putin said no. Ukrainian President Volodymyr Zelensky said yes. "
             "US President Donald Trump said maybe. Italy said the talks should go on. Anna Berg said so.")
    _, _, actors = extract_statements(Article("mixed", mixed))
    assert actors["Anna Berg"].country is None and actors["Anna Berg"].country_evidence is None
    assert actors["Vladimir Putin"].country_evidence == "text"


def test_a_description_never_takes_a_known_leader_of_another_office() -> None:
    text = ("Volodymyr Zelensky met Trump. Rubio spoke with Ukraine's foreign minister. "
            "The Ukrainian president said the talks were useful.")
    statements, mentions, actors = extract_statements(Article("d", text))
    assert statements[-1].speaker == "Volodymyr Zelensky"
    minister = [m for m in mentions if m.text == "Ukraine's foreign minister"]
    assert minister and minister[0].actor != "Volodymyr Zelensky"


def test_country_evidence_survives_overrides_and_the_row() -> None:
    from analysis.actors import find_mentions as fm

    text = "Jane Roe said the bill was wrong."
    table, _ = resolve_names(fm(text))
    actors = finalize_actors(table, {"jane roe": {"country": "IRL"}})
    assert (actors["Jane Roe"].country, actors["Jane Roe"].country_evidence) == ("IRL", "override")


@pytest.mark.parametrize(("text", "kinds_speakers"), [
    # Acts, not speech (issue 9's external error count).
    ("Suncor declined to answer questions about the spill.", [("narrative", None)]),
    ("Democrats denied Republicans the votes they needed.", [("narrative", None)]),
    ("Mr Smith pleaded guilty to two counts of fraud.", [("narrative", None)]),
    ("READ MORE: Trump says tariffs will stay", [("narrative", None)]),
    # Speech, and refusals of a stance, still are.
    ("Trump declined to endorse Paul Ryan.", [("indirect_quote", "Donald Trump")]),
    ("The company denied any wrongdoing.", [("indirect_quote", "company")]),
    # Reporting forms that were missed.
    ("The minister was quoted as saying the talks had failed.", [("indirect_quote", "The minister")]),
    ("Mr Brown points out that taxes fell.", [("indirect_quote", "Brown")]),
    ("Peskov later said the Kremlin was open to talks.", [("indirect_quote", "Dmitry Peskov")]),
    ('"This is a disaster for the team," said the rookie defenceman.', [("direct_quote", "rookie defenceman")]),
])
def test_speech_verbs_and_acts(text, kinds_speakers) -> None:
    statements, _, _ = extract_statements(Article("v", text))
    assert [(s.kind, s.speaker) for s in statements] == kinds_speakers


def test_a_quotation_paragraph_after_a_colon_is_the_introduced_speakers() -> None:
    text = ('Mayor Jane Smith put it bluntly:\n\n"This is a disaster for the city. We need help now."\n\n'
            'The council met on Monday.\n\n"We will vote on it next week and then we will see."')
    statements, _, _ = extract_statements(Article("c", text))
    assert [(s.kind, s.speaker) for s in statements] == [
        ("narrative", None), ("direct_quote", "Jane Smith"), ("narrative", None), ("narrative", None)]


def test_junk_noun_phrases_are_never_speakers() -> None:
    text = "The incident said a lot about the city. His views were said to be extreme. One questioner said no."
    statements, _, _ = extract_statements(Article("j", text))
    assert [s.speaker for s in statements] == [None, None, "one questioner"]


@pytest.mark.parametrize(("text", "speaker", "country"), [
    ("Sir Menzies Campbell said the war was illegal. Sir Menzies added that he was sure.", "Menzies Campbell", None),
    ("Lib Dem leader Charles Kennedy said the tax was unfair. Mr Kennedy added more.", "Charles Kennedy", "GBR"),
    ("Conservative leader Michael Howard said no. Howard added that Labour had failed.", "Michael Howard", "GBR"),
    ("Foreign Secretary Jack Straw said Britain's EU rebate is not up for renegotiation.", "Jack Straw", "GBR"),
    ("A Tory source said the plans were dead. The Tories said the same.", "Conservative Party", "GBR"),
])
def test_british_politicians_by_their_full_names_and_roles(text, speaker, country) -> None:
    statements, _, actors = extract_statements(Article("uk", text))
    assert {s.speaker for s in statements} == {speaker}
    assert actors[speaker].country == country


def test_the_body_named_before_speaks_as_the_agency() -> None:
    text = ("The Environmental Protection Agency issued new rules. The agency said they would save lives. "
            "The company said profits fell.")
    statements, _, _ = extract_statements(Article("o", text))
    assert [s.speaker for s in statements] == [None, "Environmental Protection Agency", "company"]


def test_a_candidates_campaign_speaks_as_that_candidates_campaign() -> None:
    """"campaign" alone is no actor a journalist can chart: the campaign is the candidate's,
    however the article words it, and it takes the candidate's country."""
    text = ("Sen. Bernie Sanders of Vermont and Hillary Clinton met the press in Washington. "
            "Bernie Sanders’ campaign says it raised more than $21 million in January. "
            "The campaign says the average donation was $27. "
            "Clinton was in Ohio on Monday. Her campaign said the rally drew 5,000 people. "
            "The Clinton campaign said the report was false.")
    statements, _, actors = extract_statements(Article("c", text))
    assert [s.speaker for s in statements if s.speaker] == [
        "Bernie Sanders campaign", "Bernie Sanders campaign", "Hillary Clinton campaign", "Hillary Clinton campaign"]
    assert actors["Bernie Sanders campaign"].type == "organization"
    assert actors["Bernie Sanders campaign"].country == actors["Bernie Sanders"].country == "USA"


def test_who_issued_a_statement_speaks_through_it() -> None:
    text = ("Black Lives Matter issued a statement saying it would not march because of the police. "
            "Trump and Ryan issued a statement describing their meeting as a very positive step.")
    statements, _, _ = extract_statements(Article("s", text))
    # one author named right before the verb speaks; two authors are no one speaker
    assert [s.speaker for s in statements] == ["Black Lives Matter", "statement"]


def test_a_quote_signed_with_a_bare_surname_after_the_cue() -> None:
    text = 'The ad ran on Monday.\n\n"This is a disaster for America," said Clinton at the rally.'
    statements, _, _ = extract_statements(Article("q", text))
    assert [(s.speaker, s.kind) for s in statements] == [(None, "narrative"), ("Clinton", "direct_quote")]


def test_a_quoted_transcript_excerpt_keeps_its_speaker_label() -> None:
    text = ('Pence spoke to Fox.\n\n"PENCE: Well, look, Hillary Clinton thinks this is an episode of a game show.\n\n'
            '"Trump: a disaster for America," said Clinton at the rally.')
    statements, _, _ = extract_statements(Article("t", text))
    # the label opens a quotation that is the whole paragraph; a label inside words someone else
    # signs ("said Clinton") is not the speaker
    assert [s.speaker for s in statements][1:] == ["Mike Pence", "Hillary Clinton"]   # the surname joins the name used before; a lone vice president's surname his full name


def test_a_long_appositive_between_the_name_and_the_cue() -> None:
    text = ("Senator Bob Corker, a Tennessee Republican who has met privately with Mr. Trump and been "
            "mentioned as a vice-presidential choice, said there could be a line the nominee crosses. "
            "Bill Millis, a North Carolina businessman who had been a member of the campaign's board "
            "before departing last month because of strategic differences, said Carson had been led astray.")
    statements, _, _ = extract_statements(Article("a", text))
    assert [s.speaker for s in statements] == ["Bob Corker", "Bill Millis"]


def test_a_name_and_a_colon_open_a_statement() -> None:
    text = ("Vice presidential debate, in full.\n\nPENCE: Well, look, Hillary Clinton thinks this is a game show.\n\n"
            "KAINE: That is not true at all, and you know it. They want a game show.\n\nMike Pence smiled.\n\n"
            "WASHINGTON: The Senate voted on Monday.")
    statements, _, _ = extract_statements(Article("t", text))
    # A turn is its speaker's to the end of the paragraph ("They want ..." is Kaine speaking).
    assert [s.speaker for s in statements] == [None, "Mike Pence", "Kaine", "Kaine", None, None]


def test_two_people_of_one_surname_stay_two() -> None:
    text = ("Hillary Clinton said the plan was good. Bill Clinton was in Iowa. Clinton said it would pass. "
            "Mrs Clinton added that it was fair.")
    statements, _, _ = extract_statements(Article("c", text))
    # The bare surname is the one named last; the honorific's gender picks Hillary.
    assert [s.speaker for s in statements] == ["Hillary Clinton", None, "Bill Clinton", "Hillary Clinton"]


WESTMINSTER = Path(__file__).parent / "fixtures" / "who" / "westminster.txt"


def test_british_politics_every_speaker_by_full_name_with_gbr() -> None:
    """Issue 9's UK bars in miniature (a hand-written BBC-style story): well-known politicians
    under their full canonical names with GBR, parties as one organisation, groups typed group,
    no speaker that is neither a name nor a group."""
    statements, _, actors = extract_statements(Article("w", WESTMINSTER.read_text(encoding="utf-8")))
    spoken = [(s.text, s.speaker) for s in statements if s.speaker]
    by_speaker: dict[str, int] = {}
    for _, speaker in spoken:
        by_speaker[speaker] = by_speaker.get(speaker, 0) + 1
    assert by_speaker == {"Charles Clarke": 2, "Michael Howard": 2, "Conservative Party": 1, "Charles Kennedy": 2,
                          "Menzies Campbell": 2, "Tony Blair": 1, "Downing Street": 1, "Critics": 1, "Labour MPs": 1}
    for name in ("Charles Clarke", "Michael Howard", "Charles Kennedy", "Menzies Campbell", "Tony Blair"):
        assert (actors[name].type, actors[name].country) == ("person", "GBR"), name
    assert actors["Critics"].type == "group" and actors["Labour MPs"].type == "group"
    assert actors["Conservative Party"].type == "organization" and actors["Conservative Party"].country == "GBR"
    assert actors["Charles Kennedy"].role == "liberal democrat leader"
    # The prime minister is Blair, from the record of British prime ministers.
    assert dict(spoken)['The prime minister said the cards were "a modern way" to protect people\'s identities.'] == "Tony Blair"


@pytest.mark.parametrize("text, speakers, typed", [
    # A military title is no part of the name: one actor, under the name, with the role kept.
    ("Retired Lt. Gen. Michael Flynn said Clinton should be jailed. Flynn added that she lied.",
     ["Michael Flynn", "Michael Flynn"], {"Michael Flynn": ("person", "retired lieutenant general")}),
    # Where someone is from is no part of the name, and never the speaker.
    ("Johnnie Wilson, of Springfield, Va., said he had fought in Vietnam.", ["Johnnie Wilson"],
     {"Johnnie Wilson": ("person", None)}),
    ("Mary Smith of California said the plan was bad.", ["Mary Smith"], {"Mary Smith": ("person", None)}),
    ('"I think it is very smart," said Representative Charles B. Rangel of New York.', ["Charles B. Rangel"],
     {"Charles B. Rangel": ("person", "representative")}),
    # ... and the person before "of <place>" still speaks across a relative clause.
    ("Foreign Minister Antonio Tajani of Italy, whose government has worked to unite the allies, called "
     "again for guarantees to Ukraine.", ["Antonio Tajani"], {"Antonio Tajani": ("person", "foreign minister")}),
    # A description the article gave a named person finds that person ("GOP" = Republican,
    # "candidate" = nominee) ...
    ("Donald Trump, the Republican presidential nominee, spoke in Ohio. Hillary Clinton campaigned in "
     "Iowa. The GOP candidate said the polls were rigged.", ["Donald Trump", "Donald Trump"],
     {"Donald Trump": ("person", "presidential nominee")}),
    # A paragraph that is only a quotation, after a paragraph reporting someone's words: theirs.
    ('Mayor Don Iveson said the city would act.\n\n"We cannot wait any longer. The budget is ready."\n\n'
     "Council will vote on Tuesday.", ["Don Iveson", "Don Iveson"], {"Don Iveson": ("person", "mayor")}),
    # "Critics, including X, say": the group speaks, not X.
    ("Critics, including Green Party Leader Elizabeth May, say the project is reckless.", ["critics"],
     {"critics": ("group", None)}),
    # A place before a role that runs on into its verb is no person with that role.
    ("Mayor Bill de Blasio visited the site. At a press conference in Chelsea, the mayor also said "
     "that it was too early to tell.", ["Bill de Blasio"], {"Bill de Blasio": ("person", "mayor")}),
    # A note's heading is no transcript label.
    ("Correction: An earlier version of this article listed the wrong date.", [], {}),
    # "the group", "the statement": the body named just before, the author of the message.
    ('The Trayvon Martin Foundation did not comment on the case. "We are focused on our mission," the group '
     'said.', ["Trayvon Martin Foundation"], {"Trayvon Martin Foundation": ("organization", None)}),
    ('The Times said Tim Cook provided a written statement. "His use of email was proper," the statement said.',
     ["Times", "Tim Cook"], {"Tim Cook": ("person", None)}),
    ("Bernie Sanders spoke in Vermont. A statement issued by the Sanders campaign was brief. The statement "
     "said voters should decide.", ["Bernie Sanders", "Bernie Sanders campaign"],
     {"Bernie Sanders campaign": ("organization", None)}),
    # Two authors are no one speaker: the statement stays the statement.
    ("Trump and Ryan issued a statement. The statement said they agreed.", ["statement"],
     {"statement": ("organization", None)}),
    # "The Tory leader" is the person named "Conservative leader"; "Lib Dem" = "Liberal Democrat".
    ("Conservative leader Michael Howard spoke in Kent. Labour's Ruth Kelly replied. The Tory leader said "
     "schools needed discipline. Liberal Democrat leader Charles Kennedy was in Harrogate. The Lib Dem "
     "leader said voters were fed up.", ["Michael Howard", "Ruth Kelly", "Michael Howard", "Charles Kennedy"],
     {"Michael Howard": ("person", "conservative leader"), "Ruth Kelly": ("person", None),
      "Charles Kennedy": ("person", "liberal democrat leader")}),
    # An unnamed voice of a seat of government is that body, as "a Tory source" is the party.
    ("A Downing Street spokesman said the plans were on course. A Kremlin official said talks would go on.",
     ["Downing Street", "Kremlin"], {"Downing Street": ("organization", None), "Kremlin": ("organization", None)}),
    # ... and one the article never names is a voice, typed group, not a person to chart by name.
    ("The judge said the case would go ahead. One questioner said the plan was a mistake.",
     ["The judge", "one questioner"], {"The judge": ("group", "judge"), "one questioner": ("group", None)}),
])
def test_names_without_titles_places_and_unnamed_voices(text: str, speakers: list[str],
                                                        typed: dict[str, tuple[str, str | None]]) -> None:
    statements, _, actors = extract_statements(Article("n", text))
    assert [s.speaker for s in statements if s.speaker] == speakers
    for name, (typ, role) in typed.items():
        assert (actors[name].type, actors[name].role) == (typ, role), name


def test_the_taggers_statements_obey_the_rules_vetoes() -> None:
    """The attribution tagger adds statements the rules leave as narrative, but never ones the
    rules refuse for a reason: a refused or withheld act ("declined to answer questions",
    "denied Republicans the votes") and a link to another story ("READ MORE: ...")."""
    from analysis.attribution_model import TaggedSpan

    text = ("Suncor declined to answer questions about its plans.\n\n"
            "Democrats denied Republicans the votes they needed.\n\n"
            "READ MORE: Trudeau says pipeline is in national interest\n\n"
            "Gantz signalled the deal was close.")
    tagged: list[TaggedSpan] = []
    for sentence, source, cue in (("Suncor declined to answer questions about its plans.", "Suncor", "declined"),
                                  ("Democrats denied Republicans the votes they needed.", "Democrats", "denied"),
                                  ("Trudeau says pipeline is in national interest", "Trudeau", "says"),
                                  ("Gantz signalled the deal was close.", "Gantz", "signalled")):
        s = text.index(sentence)
        tagged += [TaggedSpan("SOURCE", s, s + len(source), 0.9),
                   TaggedSpan("CUE", text.index(cue, s), text.index(cue, s) + len(cue), 0.9),
                   TaggedSpan("CONTENT", text.index(cue, s) + len(cue) + 1, s + len(sentence), 0.9)]
    statements, _, _ = extract_statements(Article("t", text), tagged=tagged)
    assert [(s.kind, s.speaker) for s in statements] == [
        ("narrative", None), ("narrative", None), ("narrative", None), ("indirect_quote", "Gantz")]


@pytest.mark.parametrize("text, speakers, countries", [
    # A description after a quote is the one person just named ("the 34-year-old nurse", "the
    # rookie defenceman"); with two people named it links to neither.
    ('Kelly Smith, a renter in the Beltline, said she was hopeful. "My rent went up $400 last year. '
     'Something has to change," said the 34-year-old nurse.', ["Kelly Smith", "Kelly Smith"],
     {"Kelly Smith": ("person", None)}),
    ('Jake Bean scored twice. "It felt great to help the team," said the rookie defenceman.', ["Jake Bean"], {}),
    ('Kelly Smith met John Doe. "My rent went up $400 last year," said the nurse.', ["nurse"], {}),
    ('"We will win," Trump said. "We will see," he said the next day.', ["Donald Trump"], {}),
    # "Coun." abbreviates a title, not a sentence: the councillor speaks, with his role.
    ("CALGARY — Council met on Tuesday. Coun. Dan McLean, who voted against the plan, said residents "
     "had been ignored.", ["Dan McLean"], {}),
    # "She" is not Ian (a first name the US Census lists as male), nor a one-word name of no
    # known gender; she stays unattributed rather than wrong.
    ("Suncor declined to comment. Ian Anderson, the company's president, said the project was on track. "
     "She said the firm would appeal.", ["Ian Anderson", None], {}),
    # ... but a first name alone still tells ("Melanie"), past a man named since.
    ('Melanie said she voted early. Tom Smith said he did not. "It is finished," she said.',
     ["Melanie", "Tom Smith", "Melanie"], {}),
    # A name that ends with a country is an organisation; "the security firm" is not it.
    ("Kinder Morgan Canada says the expansion will go ahead. The security firm said it had hired guards.",
     ["Kinder Morgan Canada", "security firm"], {"Kinder Morgan Canada": ("organization", "CAN", "text")}),
    # Canadian places set a Canadian article: its people take CAN, marked inferred.
    ("EDMONTON — Mayor Don Iveson said the city supports the workers. Premier Rachel Notley said Alberta "
     "would not back down. The premier visited Calgary and Fort McMurray on Monday.", ["Don Iveson", "Rachel Notley"],
     {"Don Iveson": ("person", "CAN", "article context"), "Rachel Notley": ("person", "CAN", "article context")}),
    # A portfolio, place or body before the role is the title, not the name; a place in it gives
    # the country; an owned office speaks as the owner's office; "Builders'" stays in the name.
    ('"It works," said Housing Minister Sean Fraser. Toronto Mayor Olivia Chow welcomed the fund. Chow\'s '
     "office later said the city would apply. Bank of Canada Governor Tiff Macklem said rates would fall. "
     "The Canadian Home Builders' Association said labour was short.",
     ["Sean Fraser", "Olivia Chow", "Olivia Chow's office", "Tiff Macklem", "Home Builders' Association"],
     {"Olivia Chow": ("person", "CAN", "text"), "Tiff Macklem": ("person", "CAN", "text"),
      "Home Builders' Association": ("organization", "CAN", "text")}),
])
def test_pronouns_companies_and_places_seen_in_canadian_news(text, speakers, countries) -> None:
    statements, _, actors = extract_statements(Article("ca", text))
    assert [s.speaker for s in statements if s.kind != "narrative"] == speakers
    for name, (type_, country, *evidence) in countries.items():
        assert (actors[name].type, actors[name].country) == (type_, country), name
        assert evidence == [] or actors[name].country_evidence == evidence[0], name


def test_titles_before_a_name_are_its_role() -> None:
    roles = {"Housing Minister Sean Fraser": ("Sean Fraser", "housing minister"),
             "Toronto Mayor Olivia Chow": ("Olivia Chow", "toronto mayor"),
             "Home Depot Chief Executive Ted Decker": ("Ted Decker", "home depot chief executive"),
             "Senate Majority Leader Mitch McConnell": ("Mitch McConnell", "majority leader"),
             "Secretary of State John Kerry": ("John Kerry", "secretary of state")}
    for title_and_name, (name, role) in roles.items():
        _, _, actors = extract_statements(Article("r", f"{title_and_name} said the talks would go on."))
        assert actors[name].role == role, title_and_name


def test_british_peers_doctors_and_a_prime_minister_known_by_surname() -> None:
    """A second hand-written BBC-style story: "Mr Blair" alone is Tony Blair (a prime minister's
    distinctive surname) and so "the prime minister told MPs" is his; "Dr Liam Fox" is a person,
    not the Fox broadcaster; "He also attacked ..." after Lord Butler stays Butler's."""
    text = (Path(__file__).parent / "fixtures" / "who" / "butler_report.txt").read_text(encoding="utf-8")
    statements, _, actors = extract_statements(Article("b", text))
    spoken = {s.text[:40]: s.speaker for s in statements if s.speaker}
    assert spoken["Mr Blair said he accepted the report in "] == "Tony Blair"
    assert spoken['"I take full personal responsibility," t'] == "Tony Blair"
    assert spoken["He also attacked the way the Iraq war wa"] == "Lord Butler"
    assert spoken["Dr Liam Fox, the Conservative co-chairma"] == "Liam Fox"
    assert spoken["Sir Menzies added that the war had been "] == "Menzies Campbell"
    for name in ("Tony Blair", "Liam Fox", "Michael Howard", "Menzies Campbell", "Robin Cook"):
        assert (actors[name].type, actors[name].country) == ("person", "GBR"), name
    # Surnames that are everyday words or shared by many stay as written.
    assert C.leader_by_surname("Brown") is None and C.leader_by_surname("May") is None


def test_police_and_council_titles_are_abbreviations_and_roles() -> None:
    """"Coun." and "Det. Sgt." neither end a sentence nor stay in the name: they are the role."""
    statements, _, actors = extract_statements(Article("t", (
        "Council met on Tuesday. Coun. Dan McLean said residents had been ignored. "
        "Det. Sgt. Jane Roe said the inquiry would continue.")))
    assert [s.speaker for s in statements] == [None, "Dan McLean", "Jane Roe"]
    assert actors["Dan McLean"].role == "councillor" and actors["Jane Roe"].role == "detective sergeant"


def test_a_role_word_that_is_a_surname_names_a_person() -> None:
    """"Billie Jean King", "Rep. Pete King": a name ending in a role word is a name, and a bare
    "King says" after it is the same person; "the Ohio Senator" stays no name."""
    statements, _, actors = extract_statements(Article("k", (
        'Billie Jean King praised him. King says Ali "talked the talk and walked the walk." '
        "Rep. Pete King said the bill would pass.")))
    assert [s.speaker for s in statements] == ["Billie Jean King", "Billie Jean King", "Pete King"]
    assert actors["Billie Jean King"].type == "person"
    assert not [m for m in find_mentions("The Ohio Senator said it.") if m.kind == "name"]
