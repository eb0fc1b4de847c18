//! A head's held-out confusion matrix as a heat map: one row per true label, one column per
//! predicted label, each cell with its count and its share of the row, coloured by that
//! share (so a small label reads as clearly as a large one).

use plotters::style::{RGBColor, BLACK, WHITE};

use super::canvas::{self, blend, Align, Canvas, Drawn};
use super::ChartError;
use crate::train::scores::HeadEvaluation;

const CELL: i32 = 104;
const MARGIN: i32 = 20;
const ROW_LABELS: i32 = 150;
const TOTALS: i32 = 96;
const HEADER: i32 = 104;
const FOOTER: i32 = 66;
/// The colour of a share of 0 and of 1 (matplotlib's "Blues" ends).
const EMPTY: RGBColor = RGBColor(247, 251, 255);
const FULL: RGBColor = RGBColor(8, 48, 107);
const GREY: RGBColor = RGBColor(90, 90, 90);

/// The PNG of `evaluation`'s confusion matrix.
pub(super) fn draw(evaluation: &HeadEvaluation) -> Result<Vec<u8>, ChartError> {
    let k = evaluation.labels.len() as i32;
    let width = MARGIN + ROW_LABELS + k * CELL + TOTALS + MARGIN;
    let height = HEADER + k * CELL + FOOTER;
    let chart = super::confusion_file(&evaluation.head);
    canvas::png(&chart, (width as u32, height as u32), |canvas| paint(canvas, evaluation, width))
}

fn paint(canvas: &Canvas, evaluation: &HeadEvaluation, width: i32) -> Drawn {
    let labels = &evaluation.labels;
    let k = labels.len() as i32;
    let left = MARGIN + ROW_LABELS;
    let full = (width - 2 * MARGIN) as u32;
    let documents: u32 = evaluation.confusion.iter().flatten().sum();
    let title = format!("Head {}: confusion on {documents} held-out documents", evaluation.head);
    canvas.text(&title, (MARGIN, 22), 20, BLACK, Align::Left, full)?;
    let figures = format!("accuracy {:.3}, macro-F1 {:.3}", evaluation.accuracy, evaluation.macro_f1);
    canvas.text(&figures, (MARGIN, 48), 14, GREY, Align::Left, full)?;
    canvas.text("predicted →", (left + k * CELL / 2, 72), 14, GREY, Align::Centre, (k * CELL) as u32)?;
    canvas.text("true ↓", (left - 10, HEADER - 14), 14, GREY, Align::Right, ROW_LABELS as u32)?;
    canvas.text("documents", (left + k * CELL + TOTALS / 2, HEADER - 14), 14, GREY, Align::Centre, TOTALS as u32)?;
    for (column, label) in labels.iter().enumerate() {
        let centre = left + column as i32 * CELL + CELL / 2;
        canvas.text(label, (centre, HEADER - 14), 15, BLACK, Align::Centre, (CELL - 6) as u32)?;
    }
    for (row, label) in labels.iter().enumerate() {
        let top = HEADER + row as i32 * CELL;
        let counts = evaluation.confusion.get(row).map(Vec::as_slice).unwrap_or_default();
        let total: u32 = counts.iter().sum();
        canvas.text(label, (left - 10, top + CELL / 2), 15, BLACK, Align::Right, (ROW_LABELS - 14) as u32)?;
        for column in 0..labels.len() {
            let count = counts.get(column).copied().unwrap_or(0);
            let share = if total == 0 { 0.0 } else { f64::from(count) / f64::from(total) };
            cell(canvas, (left + column as i32 * CELL, top), count, share)?;
        }
        let totals_centre = (left + k * CELL + TOTALS / 2, top + CELL / 2);
        canvas.text(&total.to_string(), totals_centre, 16, BLACK, Align::Centre, TOTALS as u32)?;
    }
    let bottom = HEADER + k * CELL;
    canvas.frame((left, HEADER), (left + k * CELL, bottom), GREY)?;
    let notes = [
        "Each cell: documents of the row's true label predicted as the column's label,",
        "and their share of the row; the colour follows the share (recall on the diagonal).",
    ];
    for (line, note) in notes.iter().enumerate() {
        canvas.text(note, (MARGIN, bottom + 22 + 20 * line as i32), 13, GREY, Align::Left, full)?;
    }
    Ok(())
}

/// One cell: its colour, count and share, the text light on dark cells.
fn cell(canvas: &Canvas, (x, y): (i32, i32), count: u32, share: f64) -> Drawn {
    canvas.rect((x, y), (x + CELL, y + CELL), blend(EMPTY, FULL, share))?;
    canvas.frame((x, y), (x + CELL, y + CELL), WHITE)?;
    let ink = if share > 0.5 { WHITE } else { BLACK };
    let centre = x + CELL / 2;
    canvas.text(&count.to_string(), (centre, y + CELL / 2 - 10), 22, ink, Align::Centre, (CELL - 8) as u32)?;
    canvas.text(&format!("{:.0}%", share * 100.0), (centre, y + CELL / 2 + 18), 14, ink, Align::Centre, CELL as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The RGB pixels of a PNG, with its width.
    fn decode(png: &[u8]) -> (Vec<u8>, usize) {
        let mut reader = png::Decoder::new(std::io::Cursor::new(png)).read_info().expect("a PNG");
        let mut pixels = vec![0; reader.output_buffer_size().expect("a size")];
        let info = reader.next_frame(&mut pixels).expect("a frame");
        (pixels, info.width as usize)
    }

    #[test]
    fn cells_are_coloured_by_their_share_of_the_true_label() {
        // Row shares: 90% / 10% and 10% / 90%. The small label's diagonal (9 documents) must
        // be as dark as the large one's (90), and darker than the off-diagonal cells.
        let evaluation = HeadEvaluation {
            head: "h".into(),
            labels: vec!["large".into(), "small".into()],
            train_documents: 0,
            test_documents: 110,
            accuracy: 0.9,
            macro_f1: 0.9,
            confusion: vec![vec![90, 10], vec![1, 9]],
            calibration_error: 0.0,
            temperature: 1.0,
        };
        let (pixels, width) = decode(&draw(&evaluation).expect("drawn"));
        // A point inside a cell, clear of its text and border.
        let at = |row: i32, column: i32| {
            let (x, y) = (MARGIN + ROW_LABELS + column * CELL + 6, HEADER + row * CELL + 6);
            let i = (y as usize * width + x as usize) * 3;
            RGBColor(pixels[i], pixels[i + 1], pixels[i + 2])
        };
        let darkness = |c: RGBColor| 765 - (u32::from(c.0) + u32::from(c.1) + u32::from(c.2));
        assert_eq!(at(0, 0), blend(EMPTY, FULL, 0.9));
        assert_eq!(at(1, 1), at(0, 0), "the same share must get the same colour");
        assert!(darkness(at(1, 1)) > darkness(at(1, 0)) + 200, "{:?} vs {:?}", at(1, 1), at(1, 0));
        assert_eq!(at(0, 1), at(1, 0));
    }
}
