//! Is the terminal's background light or dark? Its answer to OSC 11 (`ESC ] 11 ; ? ESC \`:
//! "what is your background colour?"), asked by the start-up [`super::probe`], tells.
//! `COLORFGBG` (set by rxvt, Konsole and others) is the fallback when OSC 11 goes unanswered.

/// The terminal's background, as far as it can be told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Background {
    /// Light (black text reads better on it than white).
    Light,
    /// Dark.
    Dark,
}

impl Background {
    /// A colour's class: light when black text on it contrasts more than white text (WCAG 2),
    /// i.e. when its relative luminance is above about 0.18.
    pub fn of_rgb(rgb: [f64; 3]) -> Background {
        let l = relative_luminance(rgb);
        if (l + 0.05) / 0.05 > 1.05 / (l + 0.05) {
            Background::Light
        } else {
            Background::Dark
        }
    }

    /// From `COLORFGBG` (`fg;bg` or `fg;default;bg`, ANSI colour numbers): background 7
    /// (white) or 9–15 (the bright colours but 8, dark grey) is light; `default` or a value
    /// that does not parse tells nothing.
    pub fn from_colorfgbg(value: &str) -> Option<Background> {
        let bg: u8 = value.rsplit(';').next()?.trim().parse().ok()?;
        match bg {
            7 | 9..=15 => Some(Background::Light),
            0..=6 | 8 => Some(Background::Dark),
            _ => None,
        }
    }
}

/// WCAG 2 relative luminance of an sRGB colour given as 0.0–1.0 channels.
pub fn relative_luminance([r, g, b]: [f64; 3]) -> f64 {
    let lin = |c: f64| {
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
}

/// The colour in an OSC 11 reply's payload: `rgb:R/G/B` (1–4 hex digits a channel, as
/// XParseColor), `rgba:R/G/B/A`, or `#RGB`/`#RRGGBB`/`#RRRRGGGGBBBB`.
pub fn parse_color(spec: &str) -> Option<[f64; 3]> {
    let channel = |h: &str| -> Option<f64> {
        if h.is_empty() || h.len() > 4 || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let v = u32::from_str_radix(h, 16).ok()?;
        let max = (1u32 << (4 * h.len())) - 1;
        Some(f64::from(v) / f64::from(max))
    };
    let spec = spec.trim();
    if let Some(hex) = spec.strip_prefix('#') {
        let n = hex.len() / 3;
        if n == 0 || hex.len() % 3 != 0 || n > 4 || !hex.is_ascii() {
            return None;
        }
        return Some([
            channel(&hex[..n])?,
            channel(&hex[n..2 * n])?,
            channel(&hex[2 * n..])?,
        ]);
    }
    let (parts, count) = if let Some(rest) = spec.strip_prefix("rgba:") {
        (rest, 4)
    } else {
        (spec.strip_prefix("rgb:")?, 3)
    };
    let fields: Vec<&str> = parts.split('/').collect();
    if fields.len() != count {
        return None;
    }
    Some([
        channel(fields[0])?,
        channel(fields[1])?,
        channel(fields[2])?,
    ])
}

/// The background to choose a theme by: the terminal's answer, else `COLORFGBG`.
pub fn decide(probed: Option<Background>, colorfgbg: Option<&str>) -> Option<Background> {
    probed.or_else(|| colorfgbg.and_then(Background::from_colorfgbg))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_forms_parse() {
        assert_eq!(parse_color("rgb:ffff/ffff/ffff"), Some([1.0, 1.0, 1.0]));
        assert_eq!(parse_color("rgb:0/0/0"), Some([0.0, 0.0, 0.0]));
        assert_eq!(parse_color("rgba:ff/80/00/ff").map(|c| c[0]), Some(1.0));
        assert_eq!(parse_color("#ffffff"), Some([1.0, 1.0, 1.0]));
        assert_eq!(parse_color("#000"), Some([0.0, 0.0, 0.0]));
        for bad in [
            "",
            "rgb:",
            "rgb:1/2",
            "rgb:12345/0/0",
            "rgb:gg/0/0",
            "#12345",
            "red",
        ] {
            assert_eq!(parse_color(bad), None, "{bad}");
        }
    }

    #[test]
    fn light_and_dark_backgrounds() {
        let class = |s: &str| parse_color(s).map(Background::of_rgb);
        assert_eq!(class("rgb:ffff/ffff/ffff"), Some(Background::Light));
        // Solarized light and dark, GNOME's default dark.
        assert_eq!(class("rgb:fdfd/f6f6/e3e3"), Some(Background::Light));
        assert_eq!(class("rgb:0000/2b2b/3636"), Some(Background::Dark));
        assert_eq!(class("rgb:3030/0a0a/2424"), Some(Background::Dark));
        assert_eq!(class("rgb:0/0/0"), Some(Background::Dark));
    }

    #[test]
    fn colorfgbg_values() {
        assert_eq!(Background::from_colorfgbg("0;15"), Some(Background::Light));
        assert_eq!(Background::from_colorfgbg("0;7"), Some(Background::Light));
        assert_eq!(Background::from_colorfgbg("15;0"), Some(Background::Dark));
        assert_eq!(Background::from_colorfgbg("7;8"), Some(Background::Dark));
        assert_eq!(
            Background::from_colorfgbg("0;default;15"),
            Some(Background::Light)
        );
        assert_eq!(Background::from_colorfgbg("15;default"), None);
        assert_eq!(Background::from_colorfgbg(""), None);
        assert_eq!(Background::from_colorfgbg("0;300"), None);
        assert_eq!(decide(None, Some("0;15")), Some(Background::Light));
        assert_eq!(
            decide(Some(Background::Dark), Some("0;15")),
            Some(Background::Dark)
        );
        assert_eq!(decide(None, None), None);
    }
}
