use super::*;
use crate::model::OptionKind;

fn cand(symbol: &str, id: usize, ras: f64, premium: f64) -> Candidate {
    Candidate {
        opportunity: Opportunity {
            symbol: symbol.into(),
            option_type: OptionKind::Call,
            contract_symbol: format!("{symbol}{id:04}"),
            strike: 100.0,
            expiration: "2024-01-19".into(),
            premium,
            bid: premium,
            ask: premium,
            volume: 500,
            open_interest: 500,
            implied_volatility: 0.3,
            stock_price: 100.0,
            score: 60.0,
            risk_adjusted_score: ras,
            probability_of_profit: 40.0,
            probability_of_profit_risk_neutral: None,
            days_to_expiration: 20,
            details: Default::default(),
        },
        pop: 0.4,
        delta: 0.5,
        quality_score: 90.0,
        tier: QualityTier::High,
        strong_backtest: false,
        screen: [0.0; crate::model::candidates_stored()],
        expiration_days: 19_741,
        pending: None,
    }
}

#[test]
fn diversity_cap_keeps_the_best_not_the_cheapest() {
    // Eight contracts of one symbol: the expensive ones score best. The original sorted by
    // premium first and would have kept the five cheapest.
    let mut cands: Vec<Candidate> = (0..8)
        .map(|i| cand("AAA", i, 10.0 + i as f64, 1.0 + i as f64))
        .collect();
    cands.extend((0..12).map(|i| cand("BBB", 100 + i, 30.0, 2.0)));
    let cfg = ScanConfig::default();
    let r = rank(cands, &cfg);
    let aaa: Vec<f64> = r
        .opportunities
        .iter()
        .filter(|o| o.symbol == "AAA")
        .map(|o| o.risk_adjusted_score)
        .collect();
    assert_eq!(aaa, [17.0, 16.0, 15.0, 14.0, 13.0]);
    assert_eq!(r.opportunities.len(), 10);
    assert_eq!(r.rejections.count("diversity", "max_per_symbol"), 3 + 7);
    assert!(r
        .opportunities
        .windows(2)
        .all(|w| w[0].risk_adjusted_score >= w[1].risk_adjusted_score));
}

#[test]
fn fallback_tops_up_to_min_results_and_marks_failures() {
    let mut cands: Vec<Candidate> = (0..3)
        .map(|i| cand(&format!("S{i}"), i, 40.0, 1.0))
        .collect();
    cands.extend((0..20).map(|i| cand(&format!("F{i}"), 10 + i, 1.0, 1.0)));
    let r = rank(cands, &ScanConfig::default());
    assert!(r.fallback_used);
    assert_eq!(r.opportunities.len(), 10);
    let marked = r
        .opportunities
        .iter()
        .filter(|o| o.details.contains_key("_fallback"))
        .count();
    assert_eq!(marked, 7);
    assert_eq!(r.rejections.count("fallback", "below_best_available"), 13);
    assert_eq!(
        r.rejections.total() + r.opportunities.len() as u64,
        23,
        "every candidate accounted for"
    );
}

#[test]
fn max_results_caps_the_total() {
    let cands: Vec<Candidate> = (0..40)
        .map(|i| cand(&format!("S{i}"), i, 50.0 - i as f64 * 0.1, 1.0))
        .collect();
    let r = rank(cands, &ScanConfig::default());
    assert_eq!(r.opportunities.len(), 20);
    assert_eq!(r.rejections.count("diversity", "max_results"), 20);
}

#[test]
fn failures_are_counted_once_when_passes_suffice() {
    let mut cands: Vec<Candidate> = (0..12)
        .map(|i| cand(&format!("S{i}"), i, 40.0, 1.0))
        .collect();
    let mut bad = cand("X", 99, 1.0, 1.0);
    bad.delta = 0.0; // fails both the score and the delta gate
    cands.push(bad);
    let r = rank(cands, &ScanConfig::default());
    assert!(!r.fallback_used);
    assert_eq!(
        r.rejections.count("institutional", "risk_adjusted_score"),
        1
    );
    assert_eq!(r.rejections.total() + r.opportunities.len() as u64, 13);
}
