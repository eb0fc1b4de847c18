use std::path::Path;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use super::*;
use crate::text::tokenizer::Tokenizer;

fn shipped() -> &'static Gazetteer {
    static GAZETTEER: OnceLock<Gazetteer> = OnceLock::new();
    GAZETTEER.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/actors");
        Gazetteer::load(&dir).unwrap_or_else(|e| panic!("the shipped gazetteer loads: {e}"))
    })
}

/// The codes found in `title` and `text`, most-mentioned first.
fn codes_in(title: &str, text: &str) -> Vec<String> {
    let gazetteer = shipped();
    let found = gazetteer.matcher(MatchSettings::default()).find(&Tokenizer::default(), title, text);
    found.actors.iter().map(|a| gazetteer.code(a.actor).to_owned()).collect()
}

fn codes(text: &str) -> Vec<String> {
    codes_in("", text)
}

/// Each mention as (code, field, the words it covers).
fn mentions<'t>(title: &'t str, text: &'t str) -> Vec<(String, Field, &'t str)> {
    let gazetteer = shipped();
    let found = gazetteer.matcher(MatchSettings::default()).find(&Tokenizer::default(), title, text);
    let source = |field| if field == Field::Title { title } else { text };
    found
        .mentions
        .iter()
        .map(|m| (gazetteer.code(m.actor).to_owned(), m.field, &source(m.field)[m.start..m.end]))
        .collect()
}

#[test]
fn the_longest_match_wins() {
    assert_eq!(
        mentions("", "South Sudan and Sudan"),
        [("SSD".into(), Field::Text, "South Sudan"), ("SDN".into(), Field::Text, "Sudan")]
    );
    assert_eq!(codes("Papua New Guinea"), ["PNG"]);
    // Patterns that share a first token: the longer one first.
    assert!(codes("along the Niger River").is_empty());
    assert_eq!(codes("the Congo Republic"), ["COG"]);
}

#[test]
fn a_stop_name_names_nothing() {
    assert!(codes("ships in the South China Sea").is_empty());
    assert_eq!(codes("ships in the South China Sea, China said"), ["CHN"]);
}

#[test]
fn currencies_peoples_treaties_and_clubs_name_no_state() {
    // Each case seen naming a state in news sentences labelled for relations.
    assert!(codes("the US dollar rose against the Japanese yen").is_empty());
    assert!(codes("Bosnian Serb units and Kosovo Albanians").is_empty());
    assert!(codes("parties to the Rome Statute and the Minsk Group met").is_empty());
    assert!(codes("she won the US Open and the French Open").is_empty());
    assert!(codes("Canadian Press reported, citing USA Today").is_empty());
    assert_eq!(codes("Canadian Press: Canada said"), ["CAN"]);
}

#[test]
fn the_pope_is_the_holy_see_and_armed_groups_of_the_news_are_found() {
    assert_eq!(codes("Pope John Paul II met Iraq's ambassador"), ["VAT", "IRQ"]);
    assert!(codes("the Coptic Pope visited Cairo's cathedral").contains(&"EGY".to_owned()));
    assert!(!codes("the Coptic Pope spoke").contains(&"VAT".to_owned()));
    assert_eq!(codes("Mahdi Army fighters clashed with Iraqi troops"), ["MAHDI_ARMY", "IRQ"]);
    assert_eq!(codes("a note signed by ETA"), ["ETA"]);
    assert!(codes("the eta of the ship").is_empty());
    assert_eq!(codes("the Southern Transitional Council took Aden"), ["STC", "YEM"]);
    assert_eq!(codes("Tehrik-e Taliban Pakistan claimed it"), ["TTP"]);
    assert_eq!(codes("Al-Qaida in the Islamic Maghreb claimed it"), ["AQIM"]);
}

#[test]
fn acronyms_match_only_in_their_written_case() {
    assert_eq!(codes("US troops left"), ["USA"]);
    assert_eq!(mentions("", "The U.S. envoy"), [("USA".into(), Field::Text, "U.S.")]);
    assert_eq!(codes("a US-led coalition"), ["USA"]);
    assert!(codes("let us talk, all of us").is_empty());
    assert!(codes("Us and them").is_empty());
    assert_eq!(codes("the UN said"), ["UN"]);
    assert!(codes("un-elected and un- wanted").is_empty());
    assert_eq!(codes("the WHO warned"), ["WHO"]);
    assert!(codes("those who warned, Who knows").is_empty());
}

#[test]
fn names_match_only_capitalized() {
    assert_eq!(codes("Turkey said"), ["TUR"]);
    assert!(codes("roast turkey and a chad of paper").is_empty());
    // Every capitalized word of the pattern must be capitalized.
    assert_eq!(codes("south Sudan"), ["SDN"]);
}

#[test]
fn niger_is_not_nigeria() {
    assert_eq!(codes("Niger"), ["NER"]);
    assert_eq!(codes("Nigeria"), ["NGA"]);
    assert_eq!(codes("Nigerien soldiers"), ["NER"]);
    assert_eq!(codes("Nigerian soldiers"), ["NGA"]);
}

#[test]
fn an_ambiguous_name_needs_an_unambiguous_one() {
    assert!(codes("Georgia voters went to the polls in Atlanta").is_empty());
    assert_eq!(
        mentions("", "Georgia said. Tbilisi agreed."),
        [("GEO".into(), Field::Text, "Georgia"), ("GEO".into(), Field::Text, "Tbilisi")]
    );
    assert_eq!(codes("the Republic of Georgia"), ["GEO"]);
}

#[test]
fn the_other_ambiguous_rules_count_it_always_or_never() {
    let gazetteer = shipped();
    let found = |rule| {
        let settings = MatchSettings { ambiguous: rule, ..MatchSettings::default() };
        gazetteer.matcher(settings).find(&Tokenizer::default(), "", "Georgia said. Tbilisi agreed.").actors[0].mentions
    };
    assert_eq!(found(AmbiguousRule::Always), 2);
    assert_eq!(found(AmbiguousRule::Supported), 2);
    assert_eq!(found(AmbiguousRule::Never), 1);
}

#[test]
fn names_in_the_texts_dateline_name_no_actor() {
    assert_eq!(
        mentions("", "BRUSSELS (Reuters) - Belgium and France agreed"),
        [("BEL".into(), Field::Text, "Belgium"), ("FRA".into(), Field::Text, "France")]
    );
    assert_eq!(codes("CANBERRA, Australia (AP) -- Yemen denied a kidnapping"), ["YEM"]);
    assert_eq!(codes("UNITED NATIONS (AFP) The council met Iran"), ["IRN"]);
    // Not a dateline: the place has no dash or agency after it.
    assert_eq!(codes("CHINA and Japan agreed"), ["CHN", "JPN"]);
    // Only the text has a dateline.
    assert_eq!(codes_in("BRUSSELS (Reuters) - talks", ""), ["EU"]);
}

#[test]
fn a_dateline_mention_is_not_counted() {
    let gazetteer = shipped();
    let found = gazetteer.matcher(MatchSettings::default()).find(&Tokenizer::default(), "", "WASHINGTON - The US said");
    let counts: Vec<(&str, u32)> = found.actors.iter().map(|a| (gazetteer.code(a.actor), a.mentions)).collect();
    assert_eq!(counts, [("USA", 1)]);
    // Nor does it make an ambiguous name of its actor count.
    assert!(codes("TBILISI (Reuters) - Georgia voters went to the polls").is_empty());
    assert_eq!(codes("TBILISI - Georgia said Tbilisi would talk"), ["GEO"]);
}

#[test]
fn the_dateline_names_its_actors_when_asked_to() {
    let gazetteer = shipped();
    let settings = MatchSettings { skip_dateline: false, ..MatchSettings::default() };
    let found = gazetteer.matcher(settings).find(&Tokenizer::default(), "", "BRUSSELS (Reuters) - Belgium agreed");
    let found: Vec<&str> = found.actors.iter().map(|a| gazetteer.code(a.actor)).collect();
    assert_eq!(found, ["EU", "BEL"]);
}

#[test]
fn unicode_forms_and_their_plain_spellings_match() {
    assert_eq!(codes("Türkiye"), ["TUR"]);
    assert_eq!(codes("Turkiye"), ["TUR"]);
    assert_eq!(mentions("", "in Côte d'Ivoire."), [("CIV".into(), Field::Text, "Côte d'Ivoire")]);
    assert_eq!(mentions("", "in Cote d'Ivoire."), [("CIV".into(), Field::Text, "Cote d'Ivoire")]);
    assert_eq!(mentions("", "São Tomé and Príncipe"), [("STP".into(), Field::Text, "São Tomé and Príncipe")]);
    assert_eq!(mentions("", "Sao Tome and Principe"), [("STP".into(), Field::Text, "Sao Tome and Principe")]);
}

#[test]
fn accent_free_spellings_match_without_a_row_of_their_own() {
    let actors = "code\tkind\tname\nCIV\tstate\tCôte d'Ivoire\nCMR\tstate\tCameroon\n";
    let names = "code\tpattern\trole\nCIV\tCôte d'Ivoire\tname\nCMR\tYaoundé\tseat\n";
    let dir = directory(actors, names, "pattern\treason\n");
    let gazetteer = Gazetteer::load(dir.path()).expect("loads");
    let found = gazetteer.matcher(MatchSettings::default()).find(&Tokenizer::default(), "", "Cote d'Ivoire, Yaounde");
    // The shipped rows carry their plain spellings as rows of their own; a row a user adds
    // with accents only still matches without them.
    assert_eq!(found.mentions.len(), 2);
}

#[test]
fn names_at_the_edges_across_lines_and_in_the_title_only() {
    assert_eq!(mentions("", "Russia"), [("RUS".into(), Field::Text, "Russia")]);
    assert_eq!(mentions("", "talks with China"), [("CHN".into(), Field::Text, "China")]);
    assert_eq!(mentions("", "in South\nSudan"), [("SSD".into(), Field::Text, "South\nSudan")]);
    assert_eq!(
        mentions("Iran warns Israel", "Nothing here."),
        [("IRN".into(), Field::Title, "Iran"), ("ISR".into(), Field::Title, "Israel")]
    );
}

#[test]
fn no_actor_gives_an_empty_answer() {
    assert_eq!(codes_in("", ""), Vec::<String>::new());
    assert!(codes("the weather was fine").is_empty());
}

#[test]
fn ten_thousand_names_give_a_bounded_answer_in_bounded_time() {
    let gazetteer = shipped();
    let states: Vec<&str> =
        gazetteer.actors().iter().filter(|a| a.kind == ActorKind::State).map(|a| a.name.as_str()).collect();
    let mut text = String::new();
    for i in 0..10_000 {
        text.push_str(states[i % states.len()]);
        text.push_str(if i % 7 == 0 { ", Chile and " } else { ", " });
    }
    let settings = MatchSettings::default();
    let started = Instant::now();
    let found = gazetteer.matcher(settings).find(&Tokenizer::default(), "", &text);
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    assert_eq!(found.actors.len(), settings.max_actors);
    assert!(found.mentions.len() <= settings.max_actors * settings.max_mentions, "{}", found.mentions.len());
    // Chile, named once every 7 names on top of its own turn, is named most.
    assert_eq!(gazetteer.code(found.actors[0].actor), "CHL");
    assert!(found.actors.windows(2).all(|w| w[0].mentions >= w[1].mentions));
}

#[test]
fn a_matcher_is_reused_from_one_article_to_the_next() {
    let gazetteer = shipped();
    let mut matcher = gazetteer.matcher(MatchSettings::default());
    let first = matcher.find(&Tokenizer::default(), "", "Chinese and Russian officials met");
    assert_eq!(first.actors.len(), 2);
    let second = matcher.find(&Tokenizer::default(), "", "Kenya");
    assert_eq!(second.actors.len(), 1);
    assert_eq!(second.actors[0].mentions, 1);
}

/// An answer given back with `recycle` lends its memory to the next answer on the thread,
/// and nothing of itself: the next article's actors are those of a fresh thread.
#[test]
fn a_recycled_answer_leaves_nothing_in_the_next() {
    let find = |text: &str| shipped().matcher(MatchSettings::default()).find(&Tokenizer::default(), "", text);
    let fresh = std::thread::spawn(move || find("Kenya and Uganda met.")).join().expect("the fresh thread's answer");
    let first = find("Chinese and Russian officials met in France, Germany and Italy.");
    assert_eq!(first.actors.len(), 5);
    first.recycle();
    let second = find("Kenya and Uganda met.");
    assert_eq!(second, fresh);
    assert_eq!(second.actors.len(), 2);
}

#[test]
fn the_gazetteer_round_trips_through_serde() {
    let bytes = postcard::to_allocvec(shipped()).expect("serializes");
    let back: Gazetteer = postcard::from_bytes(&bytes).expect("deserializes");
    assert_eq!(&back, shipped());
    let found = back.matcher(MatchSettings::default()).find(&Tokenizer::default(), "", "Cote d'Ivoire and UN");
    assert_eq!(found.actors.len(), 2);
}

/// A gazetteer directory with these three files.
fn directory(actors: &str, names: &str, stopnames: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    for (file, body) in [("actors.tsv", actors), ("names.tsv", names), ("stopnames.tsv", stopnames)] {
        std::fs::write(dir.path().join(file), body).expect("a file");
    }
    dir
}

const ACTORS: &str = "code\tkind\tname\nFRA\tstate\tFrance\nUN\torganisation\tUnited Nations\n";
const NAMES: &str = "code\tpattern\trole\nFRA\tFrance\tname\nUN\tUN\tacronym\n";
const STOPS: &str = "pattern\treason\nFrance Telecom\ta company\n";

fn load_error(actors: &str, names: &str, stopnames: &str) -> String {
    let dir = directory(actors, names, stopnames);
    match Gazetteer::load(dir.path()) {
        Ok(_) => panic!("loaded a bad gazetteer"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_small_gazetteer_loads_and_matches() {
    let dir = directory(ACTORS, NAMES, STOPS);
    let gazetteer = Gazetteer::load(dir.path()).expect("loads");
    let found =
        gazetteer.matcher(MatchSettings::default()).find(&Tokenizer::default(), "", "France Telecom, France, UN");
    assert_eq!(found.mentions.len(), 2);
}

#[test]
fn bad_rows_are_named_by_file_and_line() {
    let error = load_error(ACTORS, "code\tpattern\trole\nFRA\tFrance\tname\nDEU\tGermany\tname\n", STOPS);
    assert!(error.ends_with("names.tsv:3: unknown actor code `DEU`"), "{error}");
    let error = load_error(ACTORS, "code\tpattern\trole\nFRA\tFrance\tcapital\n", STOPS);
    assert!(error.ends_with("names.tsv:2: unknown role `capital`"), "{error}");
    let error = load_error(ACTORS, "code\tpattern\trole\nFRA\tFrance\n", STOPS);
    assert!(error.ends_with("names.tsv:2: 2 columns, expected 3 separated by tabs"), "{error}");
    let error = load_error("code\tkind\tname\nFRA\tcountry\tFrance\n", NAMES, STOPS);
    assert!(error.ends_with("actors.tsv:2: unknown kind `country`"), "{error}");
    let error = load_error("code\tkind\tname\nFRA\tstate\tFrance\nFRA\tstate\tFrance\n", NAMES, STOPS);
    assert!(error.ends_with("actors.tsv:3: code `FRA` is listed twice"), "{error}");
    let error = load_error(ACTORS, "code\tpattern\trole\nFRA\t-\tname\n", STOPS);
    assert!(error.ends_with("names.tsv:2: pattern `-` has 0 tokens, expected 1 to 16"), "{error}");
    let error = load_error(ACTORS, "code\tpattern\trole\nFRA\t\tname\n", STOPS);
    assert!(error.ends_with("names.tsv:2: column 2 is empty"), "{error}");
    let error = load_error(ACTORS, NAMES, "pattern\treason\n\nX\ty\n");
    assert!(error.ends_with("stopnames.tsv:2: 1 columns, expected 2 separated by tabs"), "{error}");
    let error = load_error(ACTORS, NAMES, "pattern\treason\nFrance Telecom\ta company\nUN $\tan amount\n");
    assert!(error.contains("stopnames.tsv:3: stop name `UN $` has the same tokens as pattern `UN`"), "{error}");
    assert!(error.ends_with("names.tsv:3), so it would silence it"), "{error}");
    let error = load_error(ACTORS, "code,pattern,role\n", STOPS);
    assert!(error.contains("names.tsv: line 1 is `code,pattern,role`, expected the header"), "{error}");
}

#[test]
fn a_missing_file_is_named() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let error = Gazetteer::load(dir.path()).map(|_| ()).expect_err("nothing to load");
    assert!(matches!(&error, GazetteerError::Read { path, .. } if path.ends_with("actors.tsv")), "{error}");
}

#[test]
fn bad_deserialized_rows_are_refused() {
    let mut data = shipped().data().clone();
    data.names.push(NameRow { code: "XXX".into(), pattern: "Nowhere".into(), role: Role::Name });
    let line = data.names.len() + 1;
    let error = Gazetteer::try_from(data).map(|_| ()).expect_err("an unknown code");
    assert_eq!(error.to_string(), format!("names.tsv:{line}: unknown actor code `XXX`"));
}

#[test]
fn a_matcher_dropped_before_its_answer_leaves_nothing_for_the_next() {
    let gazetteer = shipped();
    let tokenizer = Tokenizer::default();
    {
        let mut matcher = gazetteer.matcher(MatchSettings::default());
        let text = "France and Germany";
        tokenizer.for_each(text, |start, end, token| matcher.push_token(start, end, token));
        matcher.end_field(Field::Text, text);
    }
    // Two at once: the second makes its own space.
    let mut first = gazetteer.matcher(MatchSettings::default());
    let mut second = gazetteer.matcher(MatchSettings::default());
    for matcher in [&mut first, &mut second] {
        let found = matcher.find(&tokenizer, "", "Kenya");
        assert_eq!(found.actors.len(), 1);
        assert_eq!(gazetteer.code(found.actors[0].actor), "KEN");
        assert_eq!(found.actors[0].mentions, 1);
    }
}

/// A name row written another way: as it is, all lower case, all upper case, or with its
/// first letter lowered.
fn written(pattern: &str, way: u8) -> String {
    match way {
        0 => pattern.to_owned(),
        1 => pattern.to_lowercase(),
        2 => pattern.to_uppercase(),
        _ => {
            let mut chars = pattern.chars();
            chars.next().map(|c| c.to_lowercase().chain(chars).collect()).unwrap_or_default()
        }
    }
}

/// Wherever a pattern of the shipped gazetteer matches, written in any of the ways of
/// [`written`] after any of a few words, the index's filtered candidates hold it: every row
/// and stop name is tried, not a sample.
#[test]
fn the_first_token_filter_never_turns_away_a_match() {
    let gazetteer = shipped();
    let index = gazetteer.index();
    let data = gazetteer.data();
    let patterns = data.names.iter().map(|row| row.pattern.as_str()).chain(data.stopnames.iter().map(String::as_str));
    let mut matched = 0;
    for pattern in patterns {
        for (way, before) in (0..4).flat_map(|way| ["", "the", "In", "2024", "ex-", "(", "new"].map(|b| (way, b))) {
            let text = format!("{before} {} said", written(pattern, way));
            let (mut keys, mut spans) = (Vec::new(), Vec::new());
            Tokenizer::default().for_each(&text, |start, end, token| {
                keys.push(crate::text::tokenizer::hash::token(token));
                spans.push((start, end));
            });
            for i in 0..keys.len() {
                let filtered = index.candidates(keys[i], text.as_bytes().get(spans[i].0).copied());
                for candidate in index.all_candidates(keys[i]) {
                    if super::matcher::matches_at(index, candidate, &keys[i..], &spans[i..], &text) {
                        matched += 1;
                        let p = candidate.pattern;
                        assert!(filtered.contains(candidate), "{text:?}: pattern {p} at token {i}");
                    }
                }
            }
        }
    }
    // Every row matches at least as written.
    assert!(matched >= data.names.len() + data.stopnames.len(), "{matched}");
}

/// Each mention's words and role.
fn roles(text: &str) -> Vec<(&str, MentionRole)> {
    let found = shipped().matcher(MatchSettings::default()).find(&Tokenizer::default(), "", text);
    found.mentions.iter().map(|m| (&text[m.start..m.end], m.role)).collect()
}

#[test]
fn mentions_carry_their_role_in_the_sentence() {
    let text = "Beijing said talks with Japan in Moscow went well, a Chinese journalist reported.";
    assert_eq!(
        roles(text),
        [
            ("Beijing", MentionRole::Actor),
            ("Japan", MentionRole::Actor),
            ("Moscow", MentionRole::Place),
            ("Chinese", MentionRole::Descriptor)
        ]
    );
    // An organisation after "in" is membership, not a place.
    assert_eq!(roles("Sweden in NATO."), [("Sweden", MentionRole::Actor), ("NATO", MentionRole::Actor)]);
}

#[test]
fn an_acronym_written_as_a_currency_names_no_actor() {
    assert_eq!(codes("Trade with Brazil will reach US$3 billion."), ["BRA"]);
    assert_eq!(codes("Trade with Brazil will reach US $3 billion, the US said."), ["USA", "BRA"]);
}
