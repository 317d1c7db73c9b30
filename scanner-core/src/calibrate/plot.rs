//! The reliability diagram as a standalone SVG, written by hand so the report needs no
//! plotting dependency.

use std::fmt::Write;

use crate::backtest::CalibrationSummary;

const SIZE: f64 = 420.0;
const PAD: f64 = 50.0;

fn xy(p: f64, q: f64) -> (f64, f64) {
    (PAD + p * SIZE, PAD + (1.0 - q) * SIZE)
}

/// A reliability diagram of `models` (`(label, colour, summary)`): mean prediction against
/// observed frequency per bin, with the bins' 95 % intervals and the diagonal.
///
/// ```
/// use scanner_core::backtest::Calibration;
/// let mut c = Calibration::default();
/// c.add(0.3, true, 30);
/// let svg = scanner_core::calibrate::reliability_svg("test", &[("model", "#1f77b4", &c.summary())]);
/// assert!(svg.starts_with("<svg") && svg.contains("model"));
/// ```
pub fn reliability_svg(title: &str, models: &[(&str, &str, &CalibrationSummary)]) -> String {
    let full = SIZE + 2.0 * PAD;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{full}\" height=\"{full}\" viewBox=\"0 0 {full} {full}\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
    );
    let _ = writeln!(
        s,
        "<text x=\"{}\" y=\"20\" text-anchor=\"middle\" font-size=\"14\">{}</text>",
        full / 2.0,
        escape(title)
    );
    for k in 0..=10 {
        let v = k as f64 / 10.0;
        let (x, y0) = xy(v, 0.0);
        let (_, y1) = xy(v, 1.0);
        let (x0, y) = xy(0.0, v);
        let (x1, _) = xy(1.0, v);
        let _ = writeln!(s, "<line x1=\"{x}\" y1=\"{y0}\" x2=\"{x}\" y2=\"{y1}\" stroke=\"#eee\"/><line x1=\"{x0}\" y1=\"{y}\" x2=\"{x1}\" y2=\"{y}\" stroke=\"#eee\"/>");
        let _ = writeln!(s, "<text x=\"{x}\" y=\"{}\" text-anchor=\"middle\">{v:.1}</text><text x=\"{}\" y=\"{}\" text-anchor=\"end\">{v:.1}</text>", y0 + 16.0, x0 - 6.0, y + 4.0);
    }
    let (a, b) = (xy(0.0, 0.0), xy(1.0, 1.0));
    let _ = writeln!(
        s,
        "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#888\" stroke-dasharray=\"4 4\"/>",
        a.0, a.1, b.0, b.1
    );
    let _ = writeln!(
        s,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">predicted probability</text>",
        full / 2.0,
        full - 8.0
    );
    let _ = writeln!(s, "<text x=\"14\" y=\"{}\" text-anchor=\"middle\" transform=\"rotate(-90 14 {})\">observed frequency</text>", full / 2.0, full / 2.0);
    for (i, (label, colour, m)) in models.iter().enumerate() {
        let pts: Vec<String> = m
            .bins
            .iter()
            .map(|b| {
                let (x, y) = xy(b.mean_predicted, b.observed_frequency);
                format!("{x:.1},{y:.1}")
            })
            .collect();
        let _ = writeln!(
            s,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"/>",
            pts.join(" ")
        );
        for b in &m.bins {
            let (x, y) = xy(b.mean_predicted, b.observed_frequency);
            let (_, lo) = xy(0.0, b.interval[0]);
            let (_, hi) = xy(0.0, b.interval[1]);
            let _ = writeln!(s, "<line x1=\"{x:.1}\" y1=\"{lo:.1}\" x2=\"{x:.1}\" y2=\"{hi:.1}\" stroke=\"{colour}\"/><circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3.5\" fill=\"{colour}\"><title>{}: n={} predicted {:.3} observed {:.3}</title></circle>", escape(label), b.count, b.mean_predicted, b.observed_frequency);
        }
        let ly = PAD + 16.0 + 18.0 * i as f64;
        let _ = writeln!(s, "<rect x=\"{}\" y=\"{}\" width=\"12\" height=\"12\" fill=\"{colour}\"/><text x=\"{}\" y=\"{}\">{} (Brier {:.4}, ECE {:.4})</text>", PAD + 10.0, ly - 10.0, PAD + 28.0, ly, escape(label), m.brier_score, m.ece);
    }
    s.push_str("</svg>\n");
    s
}

fn escape(t: &str) -> String {
    t.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
