use super::*;
use crate::text::tokenizer::Tokenizer;

/// The dateline of `text` as its bytes, and its tokens' words.
fn dateline(text: &str) -> Option<(&str, Vec<&str>)> {
    let spans: Vec<(usize, usize)> = Tokenizer::default().tokenize(text).iter().map(|t| (t.start, t.end)).collect();
    let found = find(text, &spans)?;
    let words = spans[..found.tokens].iter().map(|&(start, end)| &text[start..end]).collect();
    Some((&text[..found.end], words))
}

fn bytes(text: &str) -> Option<&str> {
    dateline(text).map(|(bytes, _)| bytes)
}

#[test]
fn a_place_in_capitals_and_an_agency_before_a_dash() {
    assert_eq!(
        dateline("BRUSSELS (Reuters) - The EU said"),
        Some(("BRUSSELS (Reuters) - ", vec!["BRUSSELS", "Reuters"]))
    );
    assert_eq!(
        dateline(" UNITED NATIONS (AFP) -- The council met"),
        Some((" UNITED NATIONS (AFP) -- ", vec!["UNITED", "NATIONS", "AFP"]))
    );
    assert_eq!(bytes("LOS ANGELES (CBS.MW) - Apple"), Some("LOS ANGELES (CBS.MW) - "));
    assert_eq!(bytes("NEW YORK (CNN/Money) - Money managers"), Some("NEW YORK (CNN/Money) - "));
    assert_eq!(bytes("MILWAUKEE (Sports Network) - U.S. captain"), Some("MILWAUKEE (Sports Network) - "));
}

#[test]
fn a_country_or_state_after_a_comma() {
    assert_eq!(
        dateline("CANBERRA, Australia (AP) -- Diplomats investigated"),
        Some(("CANBERRA, Australia (AP) -- ", vec!["CANBERRA", "Australia", "AP"]))
    );
    assert_eq!(bytes("NAJAF, Iraq - Explosions"), Some("NAJAF, Iraq - "));
    assert_eq!(bytes("FOUNTAIN, Colo. -- Dario Franchitti"), Some("FOUNTAIN, Colo. -- "));
    assert_eq!(bytes("COLUMBIA, S.C. - A hurricane watch"), Some("COLUMBIA, S.C. - "));
    assert_eq!(bytes("ALMERIA, Spain. - A small device"), Some("ALMERIA, Spain. - "));
    assert_eq!(bytes("SANTO DOMINGO, Dominican Republic -- When"), Some("SANTO DOMINGO, Dominican Republic -- "));
    assert_eq!(bytes("WEST POINT, N.Y., June 19, 2016 — Drizzle"), Some("WEST POINT, N.Y., June 19, 2016 — "));
    assert_eq!(bytes("BEIJING, Aug. 17 (Xinhuanet) -- China is"), Some("BEIJING, Aug. 17 (Xinhuanet) -- "));
    assert_eq!(bytes("BRUSSELS, Nov 9 (AFP) - The EU said"), Some("BRUSSELS, Nov 9 (AFP) - "));
    assert_eq!(bytes("ISLAMABAD, Oct 5: British Defence Secretary"), Some("ISLAMABAD, Oct 5: "));
    assert_eq!(bytes("KANSAS CITY, Mo., (Sports Network) - Kansas"), Some("KANSAS CITY, Mo., (Sports Network) - "));
}

#[test]
fn a_date_after_the_place_without_a_comma() {
    assert_eq!(bytes("JERUSALEM Aug. 23, 2004 - Israel announced"), Some("JERUSALEM Aug. 23, 2004 - "));
    assert_eq!(bytes("MOSCOW. Oct 5 (Interfax) - Boris Gryzlov"), Some("MOSCOW. Oct 5 (Interfax) - "));
    assert_eq!(bytes("ENGLAND 2 WALES 1 - a report"), None);
}

#[test]
fn a_place_alone_before_a_dash_or_a_colon() {
    assert_eq!(dateline("WASHINGTON - The US said"), Some(("WASHINGTON - ", vec!["WASHINGTON"])));
    assert_eq!(bytes("MOSCOW — Russia's court"), Some("MOSCOW — "));
    assert_eq!(bytes("BRASÍLIA, Brazil – Mr. Lula met"), Some("BRASÍLIA, Brazil – "));
    assert_eq!(bytes("SAN FRANCISCO -- In the latest"), Some("SAN FRANCISCO -- "));
    assert_eq!(bytes("ST. PETERSBURG, Russia (Reuters) - Police"), Some("ST. PETERSBURG, Russia (Reuters) - "));
    assert_eq!(bytes("BRUSSELS/SAO PAULO (Reuters) - Shareholders"), Some("BRUSSELS/SAO PAULO (Reuters) - "));
    assert_eq!(bytes("AL-FASHER, Sudan (AP) - Security"), Some("AL-FASHER, Sudan (AP) - "));
    assert_eq!(bytes("UNITED NATIONS : The presidents"), Some("UNITED NATIONS : "));
    assert_eq!(bytes("JAKARTA (Antara): President Yudhoyono"), Some("JAKARTA (Antara): "));
}

#[test]
fn a_place_and_an_agency_without_a_dash() {
    assert_eq!(
        dateline("UNITED NATIONS (AFP) The Security Council"),
        Some(("UNITED NATIONS (AFP)", vec!["UNITED", "NATIONS", "AFP"]))
    );
}

#[test]
fn the_feeds_credit_before_a_dateline_is_part_of_it() {
    assert_eq!(
        dateline("Canadian Press - CANBERRA, Australia (AP) - Diplomats"),
        Some((
            "Canadian Press - CANBERRA, Australia (AP) - ",
            vec!["Canadian", "Press", "CANBERRA", "Australia", "AP"]
        ))
    );
    assert_eq!(bytes("SPACE.com - TORONTO, Canada -- A second team"), Some("SPACE.com - TORONTO, Canada -- "));
    // A credit alone is no dateline, unless it is written as a place is.
    assert_eq!(bytes("Reuters - China has said"), None);
    assert_eq!(bytes("Canadian Press - Ottawa's mayor said"), None);
    assert_eq!(bytes("AP - A company founded"), Some("AP - "));
}

#[test]
fn a_capitalized_place_needs_a_comma_part_and_an_agency_or_a_dash() {
    assert_eq!(bytes("Athens, Greece (Sports Network) - Paul Hamm"), Some("Athens, Greece (Sports Network) - "));
    assert_eq!(bytes("Vienna, Austria -- The UN watchdog"), Some("Vienna, Austria -- "));
    assert_eq!(bytes("Commack, NY (Sports Network) - Hewitt"), Some("Commack, NY (Sports Network) - "));
    assert_eq!(bytes("Brussels - The EU said"), None);
    assert_eq!(bytes("Brussels (Reuters) - The EU said"), None);
    assert_eq!(bytes("Brussels, Belgium: The EU said"), None);
}

#[test]
fn sentences_that_start_with_a_place_are_not_datelines() {
    assert_eq!(bytes("CHINA and Japan agreed on Monday"), None);
    assert_eq!(bytes("China and Japan agreed - at last"), None);
    assert_eq!(bytes("CHINA, which borders Russia, said"), None);
    assert_eq!(bytes("The EU said - BRUSSELS (Reuters) - "), None);
    assert_eq!(bytes("Germany, France and Britain - the three"), None);
    assert_eq!(bytes("COLORADO (7) VS ARIZONA (1) - MID 6TH"), None);
    assert_eq!(bytes("WASHINGTON\nThe US said"), None);
    assert_eq!(bytes("WASHINGTON POST SAYS US AND EU AGREE - sources"), None);
    assert_eq!(bytes(""), None);
    assert_eq!(bytes("  \n "), None);
}

#[test]
fn leading_blank_lines_are_skipped() {
    assert_eq!(bytes("\n  WASHINGTON - The US said"), Some("\n  WASHINGTON - "));
}

#[test]
fn an_agency_is_a_few_words_in_brackets() {
    assert_eq!(bytes("BEIJING (a long aside about the talks) - China"), None);
    assert_eq!(bytes("TAIPEI (dpa) - Taiwan"), Some("TAIPEI (dpa) - "));
    assert_eq!(bytes("LONDON, October 28 (newratings.com) - Shell"), Some("LONDON, October 28 (newratings.com) - "));
    assert_eq!(bytes("Mr. Erik Marzolf, France (missile technology)"), None);
    assert_eq!(bytes("BEIJING (Reuters Foreign Desk Asia Pacific Service) - China"), None);
}

proptest::proptest! {
    #[test]
    fn a_dateline_ends_at_a_token_boundary(text in "[A-Z][A-Za-z0-9 ,.()/:\u{2014}\n-]{0,40}|\\PC{0,40}") {
        let spans: Vec<(usize, usize)> =
            Tokenizer::default().tokenize(&text).iter().map(|t| (t.start, t.end)).collect();
        if let Some(found) = find(&text, &spans) {
            proptest::prop_assert!(found.tokens <= spans.len());
            proptest::prop_assert!(text.is_char_boundary(found.end) && found.end <= text.len());
            let last_end = found.tokens.checked_sub(1).map_or(0, |i| spans[i].1);
            proptest::prop_assert!(last_end <= found.end);
            proptest::prop_assert!(spans.get(found.tokens).is_none_or(|&(start, _)| start >= found.end));
        }
    }
}

/// A dateline with every part at its most holds `MAX_TOKENS` tokens (the matcher looks for
/// a dateline only before that token), and one word more anywhere is no dateline, or one
/// that stops before it.
#[test]
fn the_longest_dateline_holds_max_tokens() {
    let longest = "Big Credit Feed - SAINT PIERRE AND MIQUELON CITY, New York State Area, Big Apple \
                   Town Hall, Upper East Side Place (Sports Network Wire Service) - The story";
    let (_, words) = dateline(longest).expect("a dateline");
    assert_eq!(words.len(), MAX_TOKENS, "{words:?}");
    for longer in [
        longest.replace("Big Credit Feed", "Big Credit Feed Now"),
        longest.replace("CITY,", "CITY TOWN,"),
        longest.replace("Place (", "Place Here ("),
        longest.replace("Wire Service", "Wire News Service"),
    ] {
        let tokens = dateline(&longer).map_or(0, |(_, words)| words.len());
        assert!(tokens <= MAX_TOKENS, "{longer}: {tokens}");
    }
}

/// Dateline-like words after a place or none: places in capitals and capitalized, dates,
/// agencies, marks and the words of a story, with the spaces, dots and commas between them.
fn dateline_words() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::strategy::Strategy;
    const WORDS: [&str; 37] = [
        "BRUSSELS",
        "UNITED",
        "NATIONS",
        "St.",
        "LOUIS",
        "Athens",
        "Greece",
        "Aug.",
        "23",
        "9",
        "2004",
        "(AP)",
        "(Reuters)",
        "(dpa)",
        "(Sports",
        "Network)",
        "-",
        "--",
        "\u{2014}",
        "\u{2013}",
        ":",
        ",",
        ".",
        "/",
        "The",
        "said",
        "long-term",
        "a",
        "Canadian",
        "Press",
        "SPACE.com",
        "N.Y.",
        "\n",
        "(",
        ")",
        "\u{a0}",
        "\u{2026}",
    ];
    let place = proptest::sample::select(&["BRUSSELS ", "UNITED NATIONS", "Athens", "St. LOUIS", ""][..]);
    let words = proptest::collection::vec(
        (proptest::sample::select(&WORDS[..]), proptest::sample::select(&["", " ", "  "][..])),
        0..30,
    );
    (place, words).prop_map(|(place, words)| {
        place.to_owned() + &words.iter().map(|(word, space)| format!("{word}{space}")).collect::<String>()
    })
}

proptest::proptest! {
    /// The quick test never turns a dateline away: `find` answers as the full reading does.
    #[test]
    fn the_quick_test_turns_no_dateline_away(text in dateline_words()) {
        let spans: Vec<(usize, usize)> =
            Tokenizer::default().tokenize(&text).iter().map(|t| (t.start, t.end)).collect();
        proptest::prop_assert_eq!(find(&text, &spans), find_in_full(&text, &spans));
    }
}

#[test]
fn a_text_without_a_mark_between_its_first_words_has_no_dateline_to_read() {
    let spans = |text: &str| -> Vec<(usize, usize)> {
        Tokenizer::default().tokenize(text).iter().map(|t| (t.start, t.end)).collect()
    };
    let plain = "BRUSSELS The long-term plan was agreed on Monday by the ministers";
    assert!(!reach::closing_mark_in_reach(plain, &spans(plain)));
    for marked in ["BRUSSELS - The", "BRUSSELS (AP) The", "BRUSSELS: The", "BRUSSELS \u{2014} The", "BRUSSELS -"] {
        assert!(reach::closing_mark_in_reach(marked, &spans(marked)), "{marked}");
    }
    // A mark past the reach of a dateline is not looked for.
    let far = format!("{} - said", "WORD ".repeat(MAX_TOKENS + 1));
    assert!(!reach::closing_mark_in_reach(&far, &spans(&far)));
}
