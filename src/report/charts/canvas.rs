//! A white RGB canvas with the few drawing operations the charts need, in pixel
//! coordinates, and its PNG encoding.

use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::ChartError;

/// DejaVu Sans (see `assets/fonts/SOURCE.md`), registered with plotters as its sans-serif.
static FONT: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");

/// Drawing failures carry plotters' message only: the chart name is added by [`png`].
pub(super) type Drawn = Result<(), String>;

/// Where a text is anchored: its left, centre or right, at its vertical middle.
#[derive(Clone, Copy)]
pub(super) enum Align {
    Left,
    Centre,
    Right,
}

pub(super) struct Canvas<'b> {
    area: DrawingArea<BitMapBackend<'b>, Shift>,
}

/// Draws a `width` × `height` picture with `paint` on a white canvas and encodes it as PNG.
pub(super) fn png(
    chart: &str,
    (width, height): (u32, u32),
    paint: impl FnOnce(&Canvas) -> Drawn,
) -> Result<Vec<u8>, ChartError> {
    register_font()?;
    let failed = |reason: String| ChartError::Draw { chart: chart.to_owned(), reason };
    let mut pixels = vec![255u8; width as usize * height as usize * 3];
    {
        let canvas = Canvas { area: BitMapBackend::with_buffer(&mut pixels, (width, height)).into_drawing_area() };
        paint(&canvas).map_err(failed)?;
        canvas.area.present().map_err(|e| failed(e.to_string()))?;
    }
    encode(&pixels, width, height).map_err(|source| ChartError::Encode { chart: chart.to_owned(), source })
}

/// Registers the built-in font once per process.
fn register_font() -> Result<(), ChartError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let registered =
        REGISTERED.get_or_init(|| plotters::style::register_font("sans-serif", FontStyle::Normal, FONT).is_ok());
    if *registered {
        Ok(())
    } else {
        Err(ChartError::Font)
    }
}

/// RGB pixels as an 8-bit PNG. No time or text chunks: the same pixels give the same bytes.
fn encode(pixels: &[u8], width: u32, height: u32) -> Result<Vec<u8>, png::EncodingError> {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(pixels)?;
    writer.finish()?;
    Ok(bytes)
}

impl Canvas<'_> {
    /// A filled rectangle from `top_left` to `bottom_right`.
    pub(super) fn rect(&self, top_left: (i32, i32), bottom_right: (i32, i32), color: RGBColor) -> Drawn {
        self.area.draw(&Rectangle::new([top_left, bottom_right], color.filled())).map_err(|e| e.to_string())
    }

    /// A rectangle's outline.
    pub(super) fn frame(&self, top_left: (i32, i32), bottom_right: (i32, i32), color: RGBColor) -> Drawn {
        self.area.draw(&Rectangle::new([top_left, bottom_right], color.stroke_width(1))).map_err(|e| e.to_string())
    }

    /// `text` at `at` in `size` pixels, shortened with "…" to at most `max_width` pixels.
    pub(super) fn text(
        &self,
        text: &str,
        at: (i32, i32),
        size: u32,
        color: RGBColor,
        align: Align,
        max_width: u32,
    ) -> Drawn {
        let horizontal = match align {
            Align::Left => HPos::Left,
            Align::Centre => HPos::Center,
            Align::Right => HPos::Right,
        };
        let style =
            TextStyle::from(("sans-serif", size).into_font()).color(&color).pos(Pos::new(horizontal, VPos::Center));
        let fitted = self.fit(text, &style, max_width)?;
        self.area.draw(&Text::new(fitted, at, style)).map_err(|e| e.to_string())
    }

    /// `text`, or its longest prefix followed by "…" that is at most `max_width` wide.
    fn fit(&self, text: &str, style: &TextStyle, max_width: u32) -> Result<String, String> {
        let width = |s: &str| self.area.estimate_text_size(s, style).map(|(w, _)| w).map_err(|e| e.to_string());
        if width(text)? <= max_width {
            return Ok(text.to_owned());
        }
        let mut chars: Vec<char> = text.chars().collect();
        while !chars.is_empty() {
            chars.pop();
            let candidate: String = chars.iter().collect::<String>() + "…";
            if width(&candidate)? <= max_width {
                return Ok(candidate);
            }
        }
        Ok("…".to_owned())
    }
}

/// The colour `share` (0 to 1) of the way from `from` to `to`.
pub(super) fn blend(from: RGBColor, to: RGBColor, share: f64) -> RGBColor {
    let share = if share.is_finite() { share.clamp(0.0, 1.0) } else { 0.0 };
    let mix = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * share).round() as u8;
    RGBColor(mix(from.0, to.0), mix(from.1, to.1), mix(from.2, to.2))
}
