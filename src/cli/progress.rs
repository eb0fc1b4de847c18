//! How `accord train` and `accord retrain` show their progress on stderr: a spinner and a bar
//! per phase on a terminal; on anything else (a log file, a pipe, a CI job) plain lines with
//! the time since the start, so a log still shows each step and each phase's pace.

use std::io::IsTerminal;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use accord::train::Observer;
use indicatif::{ProgressBar, ProgressStyle};

/// The observer the training commands hand to the trainer.
pub enum TrainingProgress {
    /// A spinner for the steps and a bar for the phase under way.
    Terminal(Spinner),
    /// A line per step, and a few per phase.
    Lines(PlainLines),
}

impl TrainingProgress {
    /// Bars when stderr is a terminal, plain lines otherwise.
    pub fn on_stderr() -> Self {
        if std::io::stderr().is_terminal() {
            let style = ProgressStyle::with_template("{spinner} {elapsed} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner());
            let spinner = ProgressBar::new_spinner().with_style(style);
            spinner.enable_steady_tick(Duration::from_millis(120));
            Self::Terminal(Spinner::new(spinner))
        } else {
            Self::Lines(PlainLines::new(Box::new(std::io::stderr())))
        }
    }

    /// Shows nothing.
    pub fn hidden() -> Self {
        Self::Terminal(Spinner::new(ProgressBar::hidden()))
    }

    /// Clears the spinner, if any.
    pub fn finish(&self) {
        if let Self::Terminal(spinner) = self {
            spinner.spinner.finish_and_clear();
        }
    }

    fn observer(&self) -> &dyn Observer {
        match self {
            Self::Terminal(spinner) => spinner,
            Self::Lines(lines) => lines,
        }
    }
}

impl Observer for TrainingProgress {
    fn step(&self, message: &str) {
        self.observer().step(message);
    }

    fn progress(&self, phase: &str, done: usize, total: usize) {
        self.observer().progress(phase, done, total);
    }
}

/// Shows each step as a line and a spinner, and each long phase as a bar with its counts,
/// rate and ETA.
pub struct Spinner {
    spinner: ProgressBar,
    /// The bar of the phase under way, with its name.
    bar: Mutex<Option<(String, ProgressBar)>>,
}

impl Spinner {
    /// Steps shown on `spinner`; phases on bars of their own.
    fn new(spinner: ProgressBar) -> Self {
        Self { spinner, bar: Mutex::new(None) }
    }

    fn phase_bar(phase: &str, total: usize) -> ProgressBar {
        let style =
            ProgressStyle::with_template("  {msg} {bar:30} {human_pos}/{human_len} documents, {per_sec}, ETA {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar());
        ProgressBar::new(total as u64).with_style(style).with_message(phase.to_owned())
    }
}

impl Observer for Spinner {
    fn step(&self, message: &str) {
        self.spinner.println(format!("  {message}"));
        self.spinner.set_message(message.to_owned());
    }

    fn progress(&self, phase: &str, done: usize, total: usize) {
        let Ok(mut bar) = self.bar.lock() else { return };
        if bar.as_ref().is_none_or(|(name, bar)| name != phase || done < bar.position() as usize) {
            if let Some((_, old)) = bar.take() {
                old.finish_and_clear();
            }
            *bar = Some((phase.to_owned(), Self::phase_bar(phase, total)));
        }
        if let Some((_, bar)) = bar.as_ref() {
            bar.set_position(done as u64);
            if done == total {
                bar.finish_and_clear();
            }
        }
    }
}

/// Writes `[  12.3 s] step` lines, and for each phase `[  14.0 s] tokenizing: 4,000 of
/// 13,333 documents (30%), 2,100 a second`: at its end, and meanwhile once every
/// [`PLAIN_LINE_INTERVAL`] at most.
pub struct PlainLines {
    started: Instant,
    interval: Duration,
    state: Mutex<PlainState>,
}

/// The least time between two lines of one phase before its end.
const PLAIN_LINE_INTERVAL: Duration = Duration::from_secs(10);

struct PlainState {
    out: Box<dyn std::io::Write + Send>,
    /// The phase under way, when it started, and when its last line was written.
    phase: Option<(String, Instant, Instant)>,
}

impl PlainLines {
    /// Lines written to `out`, timed from now.
    pub fn new(out: Box<dyn std::io::Write + Send>) -> Self {
        Self::every(out, PLAIN_LINE_INTERVAL)
    }

    fn every(out: Box<dyn std::io::Write + Send>, interval: Duration) -> Self {
        Self { started: Instant::now(), interval, state: Mutex::new(PlainState { out, phase: None }) }
    }

    fn line(&self, state: &mut PlainState, text: &str) {
        // A log that cannot be written to must not stop training.
        let _ = writeln!(state.out, "[{:7.1} s] {text}", self.started.elapsed().as_secs_f64());
    }
}

impl Observer for PlainLines {
    fn step(&self, message: &str) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        self.line(&mut state, message);
    }

    fn progress(&self, phase: &str, done: usize, total: usize) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let since = match &mut state.phase {
            Some((name, since, last)) if name == phase && done > 0 => {
                if done < total && last.elapsed() < self.interval {
                    return;
                }
                *last = Instant::now();
                *since
            }
            _ => {
                let now = Instant::now();
                state.phase = Some((phase.to_owned(), now, now));
                return;
            }
        };
        let seconds = since.elapsed().as_secs_f64();
        let rate = if seconds > 0.0 {
            format!(", {} a second", thousands((done as f64 / seconds) as usize))
        } else {
            String::new()
        };
        let text = format!(
            "{phase}: {} of {} documents ({}%){rate}",
            thousands(done),
            thousands(total),
            done * 100 / total.max(1)
        );
        self.line(&mut state, &text);
    }
}

/// `12345` as `12,345`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    /// A writer whose bytes a test can read back.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Shared {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap_or_else(PoisonError::into_inner).extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn lines_of(interval: Duration, run: impl Fn(&PlainLines)) -> Vec<String> {
        let out = Shared::default();
        let lines = PlainLines::every(Box::new(out.clone()), interval);
        run(&lines);
        let bytes = out.0.lock().unwrap_or_else(PoisonError::into_inner).clone();
        String::from_utf8(bytes)
            .expect("utf-8")
            .lines()
            .map(|l| l.split_once("] ").expect("a time").1.to_owned())
            .collect()
    }

    fn tokenize(lines: &PlainLines) {
        lines.step("reading");
        lines.progress("tokenizing", 0, 20_000);
        for done in (1024..20_000).step_by(1024).chain([20_000]) {
            lines.progress("tokenizing", done, 20_000);
        }
        lines.step("fitting");
    }

    #[test]
    fn a_quick_phase_gets_one_line_at_its_end_between_its_steps() {
        let lines = lines_of(PLAIN_LINE_INTERVAL, tokenize);
        assert_eq!(lines.len(), 3, "{lines:#?}");
        assert_eq!(lines[0], "reading");
        assert!(lines[1].starts_with("tokenizing: 20,000 of 20,000 documents (100%), "), "{}", lines[1]);
        assert!(lines[1].ends_with(" a second"), "{}", lines[1]);
        assert_eq!(lines[2], "fitting");
    }

    #[test]
    fn a_slow_phase_gets_a_line_each_interval() {
        let lines = lines_of(Duration::ZERO, tokenize);
        let phase: Vec<&String> = lines.iter().filter(|l| l.starts_with("tokenizing: ")).collect();
        assert_eq!(phase.len(), 20, "{lines:#?}");
        assert!(phase[0].starts_with("tokenizing: 1,024 of 20,000 documents (5%)"), "{}", phase[0]);
    }

    #[test]
    fn a_phase_started_again_is_reported_again() {
        let lines = lines_of(PLAIN_LINE_INTERVAL, |lines| {
            for _ in 0..2 {
                lines.progress("vectorizing", 0, 10);
                lines.progress("vectorizing", 10, 10);
            }
        });
        assert_eq!(lines.len(), 2, "{lines:#?}");
        assert!(lines.iter().all(|l| l.starts_with("vectorizing: 10 of 10 documents (100%)")), "{lines:#?}");
    }

    #[test]
    fn numbers_are_grouped_by_thousands() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
