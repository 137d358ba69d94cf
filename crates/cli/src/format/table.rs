//! The default output: a summary a capacity planner can read, portfolios side by side.
//!
//! Every Monte Carlo estimate that has a standard error shows it (`± se`), so nobody reads
//! sampling noise as a difference between portfolios. Names come from scenario files and are
//! escaped (`terminal::escape`) before they reach the grid: a name must not be able to send
//! escape sequences to the terminal, nor break the grid with a line break.

use super::grid::Grid;
use super::human::{count, int, money, pct, pm};
use super::terminal::escape;
use engine::Report;
use engine::report::{ClassReport, PortfolioReport};

pub fn render(r: &Report) -> String {
    let out = render_grids(r);
    // Names are escaped where they are used; this catches any text added later that is not.
    super::terminal::escape_keep_lines(&out)
}

fn render_grids(r: &Report) -> String {
    let mut out = header(r);
    out.push('\n');
    out.push_str(&portfolios(r).render());
    if !r.workloads.is_empty() {
        out.push('\n');
        out.push_str(&classes(r).render());
    }
    if !r.comparisons.is_empty() {
        out.push('\n');
        out.push_str(&comparisons(r).render());
        out.push_str("Paired on the same random draws (common random numbers).\n");
    }
    out
}

fn header(r: &Report) -> String {
    let stress = if r.stress.is_empty() {
        "none".to_string()
    } else {
        r.stress
            .iter()
            .map(|s| escape(s))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "Scenario  {}\n\
         Engine    {}    seed {}    {} paths x {} weeks\n\
         Stress    {}\n\
         Digest    {} (scenario {})\n",
        escape(&r.scenario_name),
        r.engine_version,
        r.seed,
        int(u64::from(r.paths)),
        r.horizon_weeks,
        stress,
        r.digest,
        r.scenario_digest
    )
}

fn names(label: &str, r: &Report) -> Vec<String> {
    std::iter::once(label.to_string())
        .chain(r.portfolios.iter().map(|p| escape(&p.name).into_owned()))
        .collect()
}

fn portfolios(r: &Report) -> Grid {
    let mut g = Grid::new(names("Portfolio", r));
    let row = |g: &mut Grid, label: &str, f: &dyn Fn(&PortfolioReport) -> String| {
        g.row(label, r.portfolios.iter().map(f).collect());
    };
    g.heading("Shortage (non-deferrable demand)");
    row(&mut g, "P(shortage over horizon)", &|p| {
        pm(p.shortage_probability, p.shortage_probability_se, pct)
    });
    row(&mut g, "Expected unmet GPU-h", &|p| {
        pm(
            p.expected_unmet_gpu_hours,
            p.expected_unmet_gpu_hours_se,
            count,
        )
    });
    row(&mut g, "Unmet GPU-h P95", &|p| count(p.unmet_gpu_hours.p95));
    row(&mut g, "Shortage weeks (mean)", &|p| {
        pm(p.shortage_weeks.mean, p.shortage_weeks.mean_se, count)
    });
    row(&mut g, "Longest shortage run (wks)", &|p| {
        count(p.shortage_weeks.mean_longest_run)
    });
    g.heading("Cost over the horizon");
    row(&mut g, "Mean", &|p| pm(p.cost.mean, p.cost.mean_se, money));
    row(&mut g, "P50", &|p| money(p.cost.p50));
    row(&mut g, "P90", &|p| money(p.cost.p90));
    row(&mut g, "P95", &|p| money(p.cost.p95));
    row(&mut g, "P99", &|p| money(p.cost.p99));
    row(&mut g, "CVaR95 (mean of worst 5%)", &|p| {
        pm(p.cost.cvar95, p.cost.cvar95_se, money)
    });
    g.heading("Capacity");
    row(&mut g, "Idle committed GPU-h", &|p| {
        pm(
            p.idle_committed_gpu_hours,
            p.idle_committed_gpu_hours_se,
            count,
        )
    });
    row(&mut g, "Committed utilization", &|p| pct(p.utilization));
    row(&mut g, "$ per served GPU-h", &|p| {
        money(p.cost_per_served_gpu_hour)
    });
    g.heading("Concentration");
    row(&mut g, "HHI (capacity, 0-10,000)", &|p| count(p.hhi));
    row(&mut g, "Largest provider", &|p| {
        escape(&p.largest_provider_outage.provider).into_owned()
    });
    if let Some(o) = r.portfolios.first().map(|p| &p.largest_provider_outage) {
        // Whole hours are the common case ("72h"); keep decimals only when they carry meaning.
        let hours = if o.hours.fract() == 0.0 {
            format!("{:.0}", o.hours)
        } else {
            count(o.hours)
        };
        g.heading(format!(
            "If the largest provider is out {hours}h in week {}",
            o.week
        ));
    }
    row(&mut g, "Extra unmet GPU-h", &|p| {
        let o = &p.largest_provider_outage;
        pm(o.extra_unmet_gpu_hours, o.extra_unmet_gpu_hours_se, count)
    });
    row(&mut g, "P(shortage that week)", &|p| {
        let o = &p.largest_provider_outage;
        pm(o.shortage_probability, o.shortage_probability_se, pct)
    });
    row(&mut g, "Extra cost", &|p| {
        money(p.largest_provider_outage.extra_cost)
    });
    g.heading("Emissions");
    row(&mut g, "tCO2e", &|p| {
        pm(p.emissions_tco2e, p.emissions_tco2e_se, count)
    });
    g
}

fn classes(r: &Report) -> Grid {
    let mut g = Grid::new(names("By workload class", r));
    for (i, name) in r.workloads.iter().enumerate() {
        let class = |p: &PortfolioReport| p.classes.get(i).cloned().unwrap_or_default();
        let first = r.portfolios.first().map(class).unwrap_or_default();
        let row = |g: &mut Grid, label: &str, f: &dyn Fn(&ClassReport) -> String| {
            g.row(label, r.portfolios.iter().map(|p| f(&class(p))).collect());
        };
        if i > 0 {
            g.blank();
        }
        let kind = if first.deferrable { ", deferrable" } else { "" };
        g.heading(format!(
            "{} (priority {}{kind})",
            escape(name),
            first.priority
        ));
        // The engine reports backlog left at the horizon for deferrable classes, not weekly
        // misses: label it so, or a planner would misread a late job as a failed one.
        let (p_label, u_label) = if first.deferrable {
            ("P(backlog at horizon)", "Backlog at horizon, GPU-h")
        } else {
            ("P(shortage)", "Expected unmet GPU-h")
        };
        row(&mut g, p_label, &|c| {
            pm(c.shortage_probability, c.shortage_probability_se, pct)
        });
        row(&mut g, u_label, &|c| {
            pm(
                c.expected_unmet_gpu_hours,
                c.expected_unmet_gpu_hours_se,
                count,
            )
        });
        row(&mut g, "Shortage weeks (mean)", &|c| {
            count(c.shortage_weeks_mean)
        });
        row(&mut g, "Served GPU-h", &|c| count(c.served_gpu_hours));
        if r.portfolios
            .iter()
            .any(|p| class(p).degraded_gpu_hours > 0.0)
        {
            row(&mut g, "Degraded GPU-h", &|c| count(c.degraded_gpu_hours));
        }
    }
    g
}

fn comparisons(r: &Report) -> Grid {
    let mut g = Grid::new(vec![
        "A vs B".into(),
        "P(A cheaper)".into(),
        "P(A fewer shortage weeks)".into(),
        "Mean cost A - B".into(),
    ]);
    for c in &r.comparisons {
        g.row(
            format!("{} vs {}", escape(&c.a), escape(&c.b)),
            vec![
                pm(c.p_a_cheaper, c.p_a_cheaper_se, pct),
                pm(
                    c.p_a_fewer_shortage_weeks,
                    c.p_a_fewer_shortage_weeks_se,
                    pct,
                ),
                pm(c.mean_cost_difference, c.mean_cost_difference_se, money),
            ],
        );
    }
    g
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A real report whose names are then replaced by hostile ones (the engine refuses control
    /// characters in scenario names, but a report can come from elsewhere, e.g. a JSON file).
    fn hostile_report() -> Report {
        let text = include_str!("../../tests/fixtures/small.toml");
        let s = engine::parse_scenario(text, engine::Format::Toml).expect("fixture");
        let options = engine::RunOptions {
            paths: Some(20),
            stress: vec![s.stress_tests[0].name.clone()],
            ..Default::default()
        };
        let mut r = engine::simulate(&s, &options, &mut |_, _| true).expect("runs");
        r.scenario_name = "\x1b[2Jwiped".into();
        r.stress = vec!["\x1b]8;;http://evil\x07link".into()];
        r.portfolios[0].name = "\x1b[31mred\x1b[0m".into();
        r.portfolios[1].name = "two\nlines".into();
        r.portfolios[2].name = "rtl\u{202e}txt.exe".into();
        r.portfolios[0].largest_provider_outage.provider = "\x07bell".into();
        r.workloads[0] = "\x1b]0;title\x07".into();
        if let Some(c) = r.comparisons.first_mut() {
            c.a = "\x1b[1mA".into();
        }
        r
    }

    #[test]
    fn hostile_names_never_reach_the_terminal_raw() {
        let out = render(&hostile_report());
        assert!(!out.contains('\x1b') && !out.contains('\x07') && !out.contains('\u{202e}'));
        assert!(out.contains("\\u{1b}[31mred\\u{1b}[0m"), "{out}");
        assert!(out.contains("two\\u{a}lines"), "{out}");
        assert!(out.contains("rtl\\u{202e}txt.exe"), "{out}");
        assert!(out.contains("\\u{1b}[2Jwiped"), "{out}");
        // Only the table's own line breaks remain: every line is a grid line or a header line.
        assert!(out.lines().all(|l| !l.contains('\r')));
        assert!(!out.lines().any(|l| l.starts_with("lines")), "{out}");
    }
}
