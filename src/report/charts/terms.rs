//! A head's strongest terms: one panel per label, a horizontal bar per term, every panel on
//! the same scale so that labels can be compared.

use plotters::style::{RGBColor, BLACK};

use super::canvas::{self, Align, Canvas, Drawn};
use super::ChartError;
use crate::model::LabelTerms;

const MARGIN: i32 = 20;
const HEADER: i32 = 72;
const PANEL_WIDTH: i32 = 410;
const PANEL_TITLE: i32 = 34;
const ROW: i32 = 24;
const TERM_COLUMN: i32 = 160;
const BAR_SPACE: i32 = 180;
/// Most panels side by side.
const MOST_COLUMNS: usize = 3;
const BAR: RGBColor = RGBColor(49, 130, 189);
const GREY: RGBColor = RGBColor(90, 90, 90);

/// The PNG of `head`'s strongest terms per label.
pub(super) fn draw(head: &str, labels: &[LabelTerms]) -> Result<Vec<u8>, ChartError> {
    let columns = columns(labels.len());
    let rows = labels.len().div_ceil(columns).max(1);
    let terms = labels.iter().map(|l| l.terms.len()).max().unwrap_or(0).max(1);
    let panel_height = PANEL_TITLE + terms as i32 * ROW + 16;
    let width = 2 * MARGIN + columns as i32 * PANEL_WIDTH;
    let height = HEADER + rows as i32 * panel_height + MARGIN;
    let chart = super::terms_file(head);
    canvas::png(&chart, (width as u32, height as u32), |canvas| {
        let full = (width - 2 * MARGIN) as u32;
        canvas.text(&format!("Head {head}: strongest terms per label"), (MARGIN, 22), 20, BLACK, Align::Left, full)?;
        let note =
            "Bar: the term's weight for the label minus its mean weight over the head's labels; one scale for all.";
        canvas.text(note, (MARGIN, 50), 13, GREY, Align::Left, full)?;
        let largest = labels.iter().flat_map(|l| &l.terms).map(|(_, margin)| *margin).fold(0.0f32, f32::max);
        for (i, label) in labels.iter().enumerate() {
            let origin = (MARGIN + (i % columns) as i32 * PANEL_WIDTH, HEADER + (i / columns) as i32 * panel_height);
            panel(canvas, origin, label, largest)?;
        }
        Ok(())
    })
}

/// Panels per row: all of them up to three, else rows of at most three.
fn columns(labels: usize) -> usize {
    let rows = labels.div_ceil(MOST_COLUMNS).max(1);
    labels.div_ceil(rows).max(1)
}

fn panel(canvas: &Canvas, (x, y): (i32, i32), label: &LabelTerms, largest: f32) -> Drawn {
    canvas.text(label.label, (x, y + 14), 17, BLACK, Align::Left, (PANEL_WIDTH - 20) as u32)?;
    if label.terms.is_empty() {
        return canvas.text("no term favours this label", (x, y + PANEL_TITLE + ROW / 2), 13, GREY, Align::Left, 300);
    }
    let bar_left = x + TERM_COLUMN + 8;
    for (i, (term, margin)) in label.terms.iter().enumerate() {
        let middle = y + PANEL_TITLE + i as i32 * ROW + ROW / 2;
        canvas.text(term, (x + TERM_COLUMN, middle), 14, BLACK, Align::Right, TERM_COLUMN as u32)?;
        let length = if largest > 0.0 { (margin / largest * BAR_SPACE as f32).round() as i32 } else { 0 };
        canvas.rect((bar_left, middle - 8), (bar_left + length.max(1), middle + 8), BAR)?;
        canvas.text(&format!("{margin:.2}"), (bar_left + length + 6, middle), 12, GREY, Align::Left, 50)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::columns;

    #[test]
    fn panels_wrap_into_rows_of_at_most_three() {
        assert_eq!([1, 2, 3, 4, 5, 6, 7].map(columns), [1, 2, 3, 2, 3, 3, 3]);
        assert_eq!(columns(0), 1, "an empty head still gets a canvas");
    }
}
