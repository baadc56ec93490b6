//! Colour contrast, as WCAG 2.1 defines it, for a store's brand colour: which text colour reads
//! on the accent, and how far the accent must be darkened or lightened to be read as a
//! foreground (links, the focus ring, icons) on the widget's surfaces.
//!
//! Colours come from the browser's computed styles, which give `rgb(r, g, b)` or
//! `rgba(r, g, b, a)` for any colour written in sRGB; [`Rgb::parse`] reads those and `#rrggbb`.
//! The shell converts colours written in other spaces (`oklch()`, `lab()`, `color(display-p3 …)`)
//! to sRGB bytes before they get here.

/// An sRGB colour with 8-bit channels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

/// White, the near-black the widget writes on light accents, and black, for the accents of
/// middle luminance on which neither white nor the near-black reaches [`TEXT_RATIO`].
pub const WHITE: Rgb = Rgb(255, 255, 255);
pub const INK: Rgb = Rgb(17, 17, 17);
pub const BLACK: Rgb = Rgb(0, 0, 0);

/// Contrast text needs (WCAG 1.4.3, AA) and what focus rings and icons need (1.4.11).
pub const TEXT_RATIO: f64 = 4.5;
pub const NON_TEXT_RATIO: f64 = 3.0;

impl Rgb {
    /// Reads `rgb(…)`, `rgba(…)` (the alpha is ignored) or `#rrggbb`.
    pub fn parse(css: &str) -> Option<Rgb> {
        let css = css.trim();
        if let Some(hex) = css.strip_prefix('#') {
            let channel = |i: usize| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok();
            if hex.len() != 6 {
                return None;
            }
            return Some(Rgb(channel(0)?, channel(2)?, channel(4)?));
        }
        let inner = css
            .strip_prefix("rgba(")
            .or_else(|| css.strip_prefix("rgb("))?
            .strip_suffix(')')?;
        let mut parts = inner
            .split([',', ' ', '/'])
            .filter(|p| !p.is_empty())
            .map(|p| p.parse::<f64>().ok());
        let mut channel = || {
            let value = parts.next()??;
            (0.0..=255.0).contains(&value).then(|| value.round() as u8)
        };
        Some(Rgb(channel()?, channel()?, channel()?))
    }

    /// `#rrggbb`.
    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    /// Relative luminance, from 0 (black) to 1 (white).
    pub fn luminance(self) -> f64 {
        let linear = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.040_45 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * linear(self.0) + 0.7152 * linear(self.1) + 0.0722 * linear(self.2)
    }

    /// This colour moved `amount` (0 to 1) of the way towards `target`.
    fn towards(self, target: Rgb, amount: f64) -> Rgb {
        let mix =
            |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * amount).round() as u8;
        Rgb(
            mix(self.0, target.0),
            mix(self.1, target.1),
            mix(self.2, target.2),
        )
    }
}

/// The contrast ratio of two colours, from 1 to 21.
pub fn ratio(a: Rgb, b: Rgb) -> f64 {
    let (la, lb) = (a.luminance(), b.luminance());
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// The text colour for the accent's background: white where white reads at [`TEXT_RATIO`],
/// else [`INK`] where it reads, else whichever of white and black contrasts more (as Intercom's
/// messenger swaps a too-light brand colour's white text for black). The better of white and
/// black reaches at least 4.58:1 on any colour, so the result always reads.
pub fn text_on(accent: Rgb) -> Rgb {
    if ratio(WHITE, accent) >= TEXT_RATIO {
        WHITE
    } else if ratio(INK, accent) >= TEXT_RATIO {
        INK
    } else if ratio(WHITE, accent) >= ratio(BLACK, accent) {
        WHITE
    } else {
        BLACK
    }
}

/// The accent, darkened or lightened as little as it takes to contrast `min_ratio` with
/// `surface`: towards black on a light surface, towards white on a dark one.
pub fn foreground_on(accent: Rgb, surface: Rgb, min_ratio: f64) -> Rgb {
    let target = if surface.luminance() > 0.18 {
        BLACK
    } else {
        WHITE
    };
    (0..=20)
        .map(|step| accent.towards(target, f64::from(step) / 20.0))
        .find(|colour| ratio(*colour, surface) >= min_ratio)
        .unwrap_or(target)
}

/// How finely [`foreground_on_all`] moves the accent towards black or white.
const STEPS: u32 = 200;

/// The accent, darkened or lightened as little as it takes to contrast `min_ratio` with every
/// one of `surfaces` at once (a focus ring that may sit on the panel, a bubble or a banner).
/// Both directions are tried and the nearer colour wins. Where no colour on either path
/// reaches the ratio on every surface, the one whose worst ratio is highest is returned.
pub fn foreground_on_all(accent: Rgb, surfaces: &[Rgb], min_ratio: f64) -> Rgb {
    let worst = |colour: Rgb| {
        surfaces
            .iter()
            .map(|surface| ratio(colour, *surface))
            .fold(f64::INFINITY, f64::min)
    };
    let path = |target: Rgb| {
        (0..=STEPS).map(move |step| {
            (
                step,
                accent.towards(target, f64::from(step) / f64::from(STEPS)),
            )
        })
    };
    let nearest = path(BLACK)
        .chain(path(WHITE))
        .filter(|(_, colour)| worst(*colour) >= min_ratio)
        .min_by_key(|(step, _)| *step);
    match nearest {
        Some((_, colour)) => colour,
        None => path(BLACK)
            .chain(path(WHITE))
            .map(|(_, colour)| colour)
            .max_by(|a, b| worst(*a).total_cmp(&worst(*b)))
            .unwrap_or(accent),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIGHT_BG: Rgb = Rgb(255, 255, 255);
    const LIGHT_BUBBLE: Rgb = Rgb(0xee, 0xf1, 0xf8);
    const DARK_BG: Rgb = Rgb(0x17, 0x1b, 0x24);
    const DARK_BUBBLE: Rgb = Rgb(0x24, 0x2a, 0x36);
    /// The error banner's background, the same in both themes.
    const ERROR_BANNER: Rgb = Rgb(0xfd, 0xec, 0xec);

    /// Brand colours a store may pick: white, yellow, light grey, dark navy, pure red, Material
    /// pink (middle luminance: white reads at 4.35:1 only), and the widget's own light and dark
    /// defaults.
    const BRANDS: [&str; 8] = [
        "#ffffff", "#ffcc00", "#d0d0d0", "#0b1f4d", "#ff0000", "#e91e63", "#2450d8", "#3d68e8",
    ];

    /// Colours over the whole sRGB cube, every channel in steps of `step`.
    fn grid(step: usize) -> impl Iterator<Item = Rgb> {
        let channel = move || (0..=255u8).step_by(step).chain([255]);
        channel()
            .flat_map(move |r| channel().flat_map(move |g| channel().map(move |b| Rgb(r, g, b))))
    }

    #[test]
    fn text_on_reads_on_every_colour() {
        for accent in grid(5) {
            let text = text_on(accent);
            assert!(
                ratio(text, accent) >= TEXT_RATIO,
                "{}: {} at {:.2}",
                accent.hex(),
                text.hex(),
                ratio(text, accent)
            );
        }
        // Neither white (4.35:1) nor the near-black reads on Material pink: black does.
        assert_eq!(text_on(Rgb::parse("#e91e63").expect("pink")), BLACK);
    }

    #[test]
    fn the_focus_ring_reaches_3_to_1_on_every_surface_it_sits_on() {
        let light = [LIGHT_BG, LIGHT_BUBBLE, ERROR_BANNER];
        let dark = [DARK_BG, DARK_BUBBLE, ERROR_BANNER];
        for accent in grid(15) {
            for surfaces in [light, dark] {
                let ring = foreground_on_all(accent, &surfaces, NON_TEXT_RATIO);
                for surface in surfaces {
                    assert!(
                        ratio(ring, surface) >= NON_TEXT_RATIO,
                        "{} as {} on {}",
                        accent.hex(),
                        ring.hex(),
                        surface.hex()
                    );
                }
            }
        }
        // A colour that already contrasts is kept as it is.
        let blue = Rgb::parse("#2450d8").expect("blue");
        assert_eq!(foreground_on_all(blue, &light, NON_TEXT_RATIO), blue);
    }

    #[test]
    fn text_on_any_brand_colour_reads() {
        for brand in BRANDS {
            let accent = Rgb::parse(brand).expect("a colour");
            let text = text_on(accent);
            assert!(
                ratio(text, accent) >= TEXT_RATIO,
                "{brand}: {}",
                ratio(text, accent)
            );
        }
        assert_eq!(text_on(Rgb::parse("#ffcc00").expect("yellow")), INK);
        assert_eq!(text_on(Rgb::parse("#0b1f4d").expect("navy")), WHITE);
    }

    #[test]
    fn the_accent_as_a_foreground_reaches_its_ratio_on_every_surface() {
        for brand in BRANDS {
            let accent = Rgb::parse(brand).expect("a colour");
            for surface in [LIGHT_BG, LIGHT_BUBBLE, DARK_BG, DARK_BUBBLE] {
                for min in [TEXT_RATIO, NON_TEXT_RATIO] {
                    let colour = foreground_on(accent, surface, min);
                    assert!(ratio(colour, surface) >= min, "{brand} on {surface:?}");
                }
            }
        }
        // A colour that already contrasts is kept as it is.
        let blue = Rgb::parse("#2450d8").expect("blue");
        assert_eq!(foreground_on(blue, LIGHT_BUBBLE, TEXT_RATIO), blue);
    }

    #[test]
    fn computed_styles_are_read() {
        for (css, rgb) in [
            ("rgb(255, 204, 0)", Some(Rgb(255, 204, 0))),
            ("rgba(11, 31, 77, 0.5)", Some(Rgb(11, 31, 77))),
            ("rgb(36 80 216)", Some(Rgb(36, 80, 216))),
            ("#2450d8", Some(Rgb(0x24, 0x50, 0xd8))),
            ("oklch(0.5 0.2 260)", None),
            ("rgb(300, 0, 0)", None),
            ("#abc", None),
            ("", None),
        ] {
            assert_eq!(Rgb::parse(css), rgb, "{css}");
        }
    }

    #[test]
    fn the_ratio_is_wcags() {
        assert!((ratio(WHITE, Rgb(0, 0, 0)) - 21.0).abs() < 1e-9);
        // The default dark theme's old accent was 3.56:1 against white text.
        assert!((ratio(WHITE, Rgb::parse("#5b82f0").expect("blue")) - 3.56).abs() < 0.01);
    }
}
