//! The weekly demand bands sum every workload of the same week.

#[test]
fn weekly_demand_sums_workloads_per_week() {
    // Two flat workloads (no growth, noise, jumps or seasonality): every week needs 110 GPUs.
    let text = r#"
name = "flat"
paths = 50
horizon_weeks = 20
[[workloads]]
name = "big"
base_gpus = 100
[[workloads]]
name = "small"
priority = 2
base_gpus = 10
[[providers]]
name = "cloud"
reserved_price = 2.0
on_demand_price = 4.0
[[portfolios]]
name = "reserved"
contracts = [{ provider = "cloud", gpus = 120, term_weeks = 20 }]
"#;
    let scenario = engine::parse_scenario(text, engine::Format::Toml).unwrap();
    let report =
        engine::simulate(&scenario, &engine::RunOptions::default(), &mut |_, _| true).unwrap();
    let bands = &report.demand.weekly_gpus;
    assert_eq!(bands.mean.len(), 20);
    for (w, &mean) in bands.mean.iter().enumerate() {
        assert!((mean - 110.0).abs() < 1e-9, "week {w}: mean {mean}");
        let p50 = bands.p50[w];
        assert!((p50 - 110.0).abs() / 110.0 < 0.07, "week {w}: p50 {p50}");
    }
}
