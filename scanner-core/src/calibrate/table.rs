//! The report as Markdown tables: what `optscan calibrate` prints and the README quotes.

use std::fmt::Write;

use super::CalibrationReport;
use crate::backtest::CalibrationSummary;

fn row(out: &mut String, label: &str, rn: &CalibrationSummary, rw: &CalibrationSummary) {
    let _ = writeln!(
        out,
        "| {label} | {} | {:.0} | {:.3} | {:.4} / {:.4} | {:.3} / {:.3} | {:.3} / {:.3} | {:.3} / {:.3} | {:.3} |",
        rn.observations,
        rn.effective_observations,
        rn.base_rate,
        rn.brier_score,
        rw.brier_score,
        rn.brier_skill,
        rw.brier_skill,
        rn.log_loss,
        rw.log_loss,
        rn.ece,
        rw.ece,
        rw.reliability,
    );
}

impl CalibrationReport {
    /// Markdown: the side-by-side table (risk-neutral / real-world), the reliability table,
    /// the acceptance targets and the ranking replay.
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        let o = &self.options;
        let _ = writeln!(
            out,
            "Fit: {} tickers, windows expired by {}. Reported: {} held-out tickers (one in {}), entries after {} through {}.\n",
            self.fit_symbols.len(),
            o.split_date,
            self.holdout_symbols.len(),
            o.holdout_every,
            o.split_date,
            self.last_date.map_or("-".into(), |d| d.to_string()),
        );
        out.push_str("| bucket | observations | effective | base rate | Brier RN / RW | Brier skill RN / RW | log loss RN / RW | ECE RN / RW | RW reliability |\n");
        out.push_str("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        let (rn, rw) = (&self.risk_neutral, &self.real_world);
        row(&mut out, "overall", &rn.overall, &rw.overall);
        for ((l, a), (_, b)) in rn.by_dte.iter().zip(&rw.by_dte) {
            row(&mut out, &format!("DTE {l}"), a, b);
        }
        for ((l, a), (_, b)) in rn.by_moneyness.iter().zip(&rw.by_moneyness) {
            row(&mut out, l, a, b);
        }
        out.push_str(
            "\nReliability (predicted → observed, 95 % interval on effective counts):\n\n",
        );
        out.push_str("| bin | RN n | RN predicted → observed | RW n | RW predicted → observed [interval] |\n|---|---:|---|---:|---|\n");
        for k in 0..10 {
            let lo = k as f64 / 10.0;
            let find = |s: &CalibrationSummary| {
                s.bins
                    .iter()
                    .find(|b| (b.range[0] - lo).abs() < 1e-9)
                    .cloned()
            };
            let (a, b) = (find(&rn.overall), find(&rw.overall));
            if a.is_none() && b.is_none() {
                continue;
            }
            let cell = |x: &Option<crate::backtest::ReliabilityBin>, ci: bool| match x {
                Some(b) if ci => format!(
                    "{:.3} → {:.3} [{:.3}, {:.3}]",
                    b.mean_predicted, b.observed_frequency, b.interval[0], b.interval[1]
                ),
                Some(b) => format!("{:.3} → {:.3}", b.mean_predicted, b.observed_frequency),
                None => "—".into(),
            };
            let n = |x: &Option<crate::backtest::ReliabilityBin>| x.as_ref().map_or(0, |b| b.count);
            let _ = writeln!(
                out,
                "| {:.1}–{:.1} | {} | {} | {} | {} |",
                lo,
                lo + 0.1,
                n(&a),
                cell(&a, false),
                n(&b),
                cell(&b, true)
            );
        }
        let t = &self.targets;
        let yes = |b: bool| if b { "met" } else { "missed" };
        let _ = writeln!(
            out,
            "\nTargets (real-world, held out): ECE {:.4} ≤ 0.02 {}; worst bin with ≥ 500 observations off by {:.4} ≤ 0.03 {}; Brier skill {:.4} ≥ 2 × {:.4} {}.",
            t.ece, yes(t.ece_met), t.worst_bin_gap, yes(t.bins_met), t.skill_real_world, t.skill_risk_neutral, yes(t.skill_met)
        );
        let r = &self.ranking;
        out.push_str("\nRanking replay (held-out tickers, a scan date every 21 sessions, expiries ≤ 30 days, held to expiry; return on premium, equal weight):\n\n");
        out.push_str("| strategy | dates | contracts | mean return | 95 % interval | win rate |\n|---|---:|---:|---:|---|---:|\n");
        for s in [&r.top, &r.all, &r.random] {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {:+.1}% | [{:+.1}%, {:+.1}%] | {:.1}% |",
                s.name,
                s.dates,
                s.contracts,
                s.mean_return * 100.0,
                s.interval[0] * 100.0,
                s.interval[1] * 100.0,
                s.win_rate * 100.0
            );
        }
        let _ = writeln!(
            out,
            "\nEdge of the top picks over all eligible: {:+.1}% per date [{:+.1}%, {:+.1}%].",
            r.edge_over_all[0] * 100.0,
            r.edge_over_all[1] * 100.0,
            r.edge_over_all[2] * 100.0
        );
        out
    }
}
