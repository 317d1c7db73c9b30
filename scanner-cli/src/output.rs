//! Human output: tables, ages, one-line summaries, and secret redaction for anything
//! printed to stderr.

use scanner_core::cache::CachedScan;
use scanner_core::model::{Opportunity, ScanResult};

/// Remove passwords from URLs and API keys from query strings in `text`.
pub fn redact(text: &str) -> String {
    let mut out = scanner_core::cache::redact_url(text);
    for key in ["apiKey=", "apikey=", "token=", "access_token="] {
        while let Some(i) = out.find(key) {
            let start = i + key.len();
            let end = out[start..]
                .find(|c: char| c == '&' || c.is_whitespace() || c == '"')
                .map_or(out.len(), |e| start + e);
            if &out[start..end] == "***" {
                break;
            }
            out.replace_range(start..end, "***");
        }
    }
    for var in ["POLYGON_API_KEY", "TRADIER_TOKEN"] {
        if let Ok(secret) = std::env::var(var) {
            if secret.len() >= 4 {
                out = out.replace(&secret, "***");
            }
        }
    }
    out
}

/// Write `text` and a newline to stdout. A closed pipe (`optscan latest | head`) is not an
/// error worth a panic: the reader has what it wanted.
pub fn out(text: &str) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{text}").and_then(|()| stdout.flush());
}

/// One JSON document.
pub fn json<T: serde::Serialize>(value: &T) -> scanner_core::Result<String> {
    serde_json::to_string(value)
        .map_err(|e| scanner_core::Error::internal(format!("serialising output: {e}")))
}

/// A table of cached scans, newest first.
pub fn history_table(rows: &[scanner_core::cache::ScanSummary]) -> String {
    let mut s = format!(
        "{:<10} {:<8} {:<20} {:>9} {:>6} {:>8} {:>8}  {}\n",
        "scan", "mode", "timestamp (UTC)", "age min", "opps", "symbols", "seconds", "kind"
    );
    for r in rows {
        let id = r.scan_id.simple().to_string();
        s.push_str(&format!(
            "{:<10} {:<8} {:<20} {:>9.1} {:>6} {:>8} {:>8.2}  {}\n",
            &id[..8],
            r.filter_mode.as_str(),
            r.scan_timestamp.format("%Y-%m-%d %H:%M:%S"),
            r.age_minutes,
            r.opportunity_count,
            r.symbols_scanned,
            r.scan_duration_seconds,
            match (r.historical, r.degraded) {
                (true, _) => "historical",
                (false, true) => "degraded",
                (false, false) => "live",
            }
        ));
    }
    s
}

/// A table of the top opportunities.
pub fn table(ops: &[Opportunity], limit: usize) -> String {
    let mut s = format!(
        "{:>3}  {:<8} {:<4} {:>9} {:<10} {:>4} {:>9} {:>6} {:>6} {:>6}\n",
        "#", "symbol", "type", "strike", "expiry", "dte", "premium", "PoP%", "RAS", "score"
    );
    for (i, o) in ops.iter().take(limit).enumerate() {
        s.push_str(&format!(
            "{:>3}  {:<8} {:<4} {:>9.2} {:<10} {:>4} {:>9.2} {:>6.1} {:>6.1} {:>6.1}\n",
            i + 1,
            o.symbol,
            o.option_type.as_str(),
            o.strike,
            o.expiration,
            o.days_to_expiration,
            o.premium,
            o.probability_of_profit,
            o.risk_adjusted_score,
            o.score
        ));
    }
    s
}

/// A screen page as a table, then how many of the scan's candidates matched.
pub fn screen_table(page: &scanner_core::model::ScreenPage) -> String {
    let mut s = format!(
        "{:>4}  {:<8} {:<4} {:>9} {:<10} {:>4} {:>9} {:>7} {:>6} {:>9} {:>6} {:>7}\n",
        "#",
        "symbol",
        "type",
        "strike",
        "expiry",
        "dte",
        "mid",
        "delta",
        "PoP%",
        "EV $",
        "RAS",
        "vol/OI"
    );
    for (i, r) in page.rows.iter().enumerate() {
        s.push_str(&format!(
            "{:>4}  {:<8} {:<4} {:>9.2} {:<10} {:>4} {:>9.2} {:>7.3} {:>6.1} {:>9.2} {:>6.1} {:>7.2}\n",
            i + 1,
            r.symbol,
            r.option_type.as_str(),
            r.strike,
            r.expiration,
            r.days_to_expiration,
            r.mid,
            r.greeks.delta,
            r.probability_of_profit,
            r.expected_value_amount,
            r.risk_adjusted_score,
            r.volume_oi_ratio
        ));
    }
    let id = page.scan_id.simple().to_string();
    s.push_str(&format!(
        "{} of {} candidates matched in scan {}…\n",
        page.matched,
        page.candidate_count,
        &id[..4]
    ));
    s
}

/// "Saved scan 3f2a… (strict): 20 opportunities from 60 symbols in 0.4 s".
pub fn saved_line(r: &ScanResult, saved: bool) -> String {
    let id = r.scan_id.simple().to_string();
    format!(
        "{} scan {}… ({}): {} opportunities from {} symbols in {:.1} s",
        if saved { "Saved" } else { "Ran" },
        &id[..4],
        r.filter_mode,
        r.opportunities.len(),
        r.symbols_scanned.len(),
        r.scan_duration_seconds
    )
}

/// "Last updated: N minutes ago".
pub fn age_line(c: &CachedScan) -> String {
    let m = c.age_minutes.max(0.0);
    let when = if m < 1.0 {
        "less than a minute ago".to_owned()
    } else if m < 120.0 {
        format!(
            "{:.0} minute{} ago",
            m.floor(),
            if m.floor() == 1.0 { "" } else { "s" }
        )
    } else {
        format!("{:.1} hours ago", m / 60.0)
    };
    format!(
        "Last updated: {when}{}",
        if c.is_stale { " (stale)" } else { "" }
    )
}

/// `optscan queue status` as a table: one line per cycle.
pub fn queue_table(s: &scanner_core::cache::QueueStatus) -> String {
    if !s.pgmq_installed {
        return format!(
            "queue {}: pgmq is not installed in this database yet\n",
            s.queue
        );
    }
    let mut out = format!(
        "{:<36}  {:<20}  {:>6}  {:>5}  {:>8}  {:>7}  {:>11}  {:>7}  {}\n",
        "cycle",
        "as of",
        "shards",
        "done",
        "inflight",
        "pending",
        "redelivered",
        "workers",
        "merged"
    );
    for c in &s.cycles {
        out.push_str(&format!(
            "{:<36}  {:<20}  {:>6}  {:>5}  {:>8}  {:>7}  {:>11}  {:>7}  {}\n",
            c.cycle_id,
            c.as_of.format("%Y-%m-%dT%H:%M:%SZ"),
            c.shards,
            c.done,
            c.in_flight,
            c.pending,
            c.redelivered,
            c.workers.len(),
            c.merged_at
                .map_or_else(|| "no".to_owned(), |t| t.format("%H:%M:%S").to_string())
        ));
    }
    if s.cycles.is_empty() {
        out.push_str("(no cycles)\n");
    }
    out
}
