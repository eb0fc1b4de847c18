//! The README's settings table is `accord serve --help` in a table: every flag with its
//! environment variable and default, and nothing the server does not take.

use std::collections::BTreeMap;
use std::process::Command;

/// A setting: its environment variable and default, as one side tells them.
#[derive(Debug, PartialEq)]
struct Setting {
    env: String,
    default: Option<String>,
}

/// Every flag `accord serve --help` lists (but `--help`), with its `[env: …]` and
/// `[default: …]`.
fn help_settings() -> (BTreeMap<String, Setting>, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_accord")).args(["serve", "--help"]).output().expect("help runs");
    let help = String::from_utf8_lossy(&output.stdout).into_owned();
    let mut settings = BTreeMap::new();
    let mut flag: Option<String> = None;
    for line in help.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("--").or_else(|| line.split_once(", --").map(|(_, rest)| rest)) {
            let name = rest.split([' ', '=']).next().unwrap_or_default();
            flag = (name != "help").then(|| format!("--{name}"));
            if let Some(flag) = &flag {
                settings.insert(flag.clone(), Setting { env: String::new(), default: None });
            }
        } else if let (Some(flag), Some(env)) = (&flag, line.strip_prefix("[env: ")) {
            let setting = settings.get_mut(flag).expect("the flag was inserted");
            setting.env = env.split('=').next().unwrap_or_default().to_owned();
        } else if let (Some(flag), Some(default)) = (&flag, line.strip_prefix("[default: ")) {
            let setting = settings.get_mut(flag).expect("the flag was inserted");
            setting.default = Some(default.trim_end_matches(']').to_owned());
        }
    }
    (settings, help)
}

/// The words in backticks in a table cell.
fn quoted(cell: &str) -> Vec<String> {
    cell.split('`').skip(1).step_by(2).map(str::to_owned).collect()
}

/// The README's "Serving settings" rows: each flag with its variable and default cell, and
/// the variables a row names beside its flags' own.
fn readme_settings() -> (BTreeMap<String, (String, String)>, Vec<String>) {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README.md");
    let section = readme.split("\n## Serving settings\n").nth(1).expect("a Serving settings section");
    let section = section.split("\n## ").next().unwrap_or_default();
    let mut rows = BTreeMap::new();
    let mut other_variables = Vec::new();
    for line in section.lines().filter(|line| line.starts_with("| `--")) {
        let cells: Vec<&str> = line.trim_matches('|').split(" | ").map(str::trim).collect();
        assert!(cells.len() >= 4, "a settings row has flag, variable, default and what: {line}");
        let (flags, variables) = (quoted(cells[0]), quoted(cells[1]));
        assert!(variables.len() >= flags.len(), "a row names a variable per flag: {line}");
        for (flag, variable) in flags.iter().zip(&variables) {
            let previous = rows.insert(flag.clone(), (variable.clone(), cells[2].replace('`', "")));
            assert!(previous.is_none(), "{flag} has two rows");
        }
        other_variables.extend(variables[flags.len()..].iter().cloned());
    }
    (rows, other_variables)
}

#[test]
fn the_readme_settings_table_lists_every_serve_flag_and_nothing_else() {
    let (help, help_text) = help_settings();
    let (readme, other_variables) = readme_settings();
    assert!(help.len() > 20, "the help was read: {help:?}");
    let missing: Vec<&String> = help.keys().filter(|flag| !readme.contains_key(*flag)).collect();
    assert!(missing.is_empty(), "serve flags missing from the README's settings table: {missing:?}");
    let extra: Vec<&String> = readme.keys().filter(|flag| !help.contains_key(*flag)).collect();
    assert!(extra.is_empty(), "README settings that `accord serve` does not take: {extra:?}");
    for (flag, setting) in &help {
        let (variable, default) = &readme[flag];
        assert_eq!(variable, &setting.env, "{flag}'s variable");
        if let Some(help_default) = &setting.default {
            assert!(
                default.starts_with(help_default.as_str()),
                "{flag}: the README says {default:?}, the help {help_default:?}"
            );
        } else {
            let number = default.split_whitespace().next().is_some_and(|word| word.parse::<f64>().is_ok());
            assert!(!number, "{flag} has no default, the README says {default:?}");
        }
    }
    for variable in other_variables {
        assert!(help_text.contains(&variable), "the README names {variable}, which `accord serve --help` does not");
    }
}
