//! Compiling a scenario into the flat, index-based model the simulation loops over.
//!
//! Names become indices, distributions become samplers, and everything that does not depend on
//! the random path (contract schedules, seasonality, stress events) is computed once here.

use crate::RunOptions;
use crate::diag::{Diagnostic, Diagnostics};
use crate::dist::{Dist, FillTable, Sampler, inverse_normal_cdf, mean_of};
use crate::lead::LeadSteps;
use crate::scenario::{HOURS_PER_WEEK, Scenario, StressEvent, Tier};

pub(crate) struct Model {
    pub scenario_name: String,
    pub scenario_digest: String,
    pub seed: u64,
    pub paths: u32,
    pub weeks: usize,
    pub classes: Vec<ClassModel>,
    /// Workloads in service order (priority, then file order), flattened for the hot loop.
    pub serve: Vec<ServeStep>,
    /// Index in `serve` of the first deferrable workload (`serve.len()` if none): the workloads
    /// before it carry nothing from one week to the next.
    pub first_deferrable: usize,
    pub providers: Vec<ProviderModel>,
    pub groups: Vec<GroupModel>,
    pub portfolios: Vec<PortfolioModel>,
    pub stress_names: Vec<String>,
    pub stress: StressModel,
    pub outage_week: usize,
    pub outage_hours: f64,
    /// Weeks the concentration check's outage touches (overlap > 0).
    pub damage_weeks: std::ops::Range<usize>,
    /// Typical weekly peak demand (GPUs) and weekly cost ($): centres of the weekly histograms.
    pub demand_scale: f64,
    pub cost_scale: f64,
}

pub(crate) struct ClassModel {
    pub name: String,
    pub priority: u32,
    pub base: f64,
    pub growth: Sampler,
    pub volatility: f64,
    pub persistence: f64,
    /// Innovation sd that keeps the stationary log-noise sd equal to `volatility`.
    pub innovation: f64,
    pub peak_factor: f64,
    /// Seasonal multiplier per week.
    pub season: Vec<f64>,
    /// Probability of a jump in any given week, and log(1 - it) (when it is in (0, 1)).
    pub jump_p: f64,
    pub log_keep: f64,
    pub jump_size: Sampler,
    /// Weekly multiplier applied to the jump level (1 = permanent).
    pub jump_decay: f64,
    pub tiers: [bool; 3],
    pub deferrable: bool,
    pub shortage_penalty: f64,
    /// Fallback model: (GPU factor, largest share, $ per degraded GPU-hour).
    pub degradation: Option<(f64, f64, f64)>,
    /// Mean and sd of log(1 + annual growth), the ordering policy's forecast assumptions.
    pub log_growth_mean: f64,
    pub log_growth_sd: f64,
}

/// One workload's service rules, as the weekly allocation reads them.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ServeStep {
    pub class: usize,
    /// Indices of the tiers the workload may use, in the order it takes from them (committed,
    /// burst, emergency); `tier_count` of them are valid.
    pub tier_list: [usize; 3],
    pub tier_count: usize,
    pub deferrable: bool,
    /// $ per unmet GPU-week.
    pub short_penalty: f64,
    /// Share of demand that may degrade (0 = no fallback), GPUs freed per degraded GPU, and $
    /// per degraded GPU-week.
    pub degrade_share: f64,
    pub degrade_relief: f64,
    pub degrade_penalty: f64,
}

pub(crate) struct EventProcess {
    /// Events per week.
    pub rate: f64,
    pub a: Sampler,
    pub b: Sampler,
    /// Weekly multiplier for decaying effects (price shocks), 1 = persistent.
    pub decay: f64,
}

pub(crate) struct ProviderModel {
    pub name: String,
    pub reserved_price: f64,
    pub on_demand_price: f64,
    /// $ per GPU-week at list price of burst and of emergency capacity (markup included).
    pub list_price: [f64; 2],
    /// Inverse CDF of the burst fill rate, tabulated (drawn every week of every path), and its
    /// value when it is fixed (then nothing is drawn).
    pub fill: FillTable,
    pub fixed_fill: Option<f64>,
    pub lead: Sampler,
    pub lead_median: f64,
    pub carbon_t_per_gpu_hour: f64,
    pub outages: Option<EventProcess>,
    pub quota_cuts: Option<EventProcess>,
    pub price_shocks: Option<EventProcess>,
    pub group: Option<usize>,
    /// Correlation of the provider's group (0 when ungrouped).
    pub rho: f64,
}

pub(crate) struct GroupModel {
    pub members: Vec<usize>,
    /// Rates of shared events per week: outages, quota cuts, price shocks.
    pub outage_rate: f64,
    pub quota_rate: f64,
    pub shock_rate: f64,
}

pub(crate) struct OrderModel {
    pub provider: usize,
    /// The provider's lead time as whole weeks to arrival, by its uniform draw.
    pub lead: LeadSteps,
    pub cover: f64,
    pub min: f64,
    pub max: f64,
    pub term: usize,
    /// The review weeks, in order, with what does not depend on the path.
    pub reviews: Vec<Review>,
    /// Per review, one term per class the forecast covers (non-deferrable classes allowed on
    /// committed capacity): `classes` of them.
    pub forecast: Vec<ForecastTerm>,
    pub classes: usize,
}

/// One class's part of a review's forecast: its demand this week times `season` times
/// `growth`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ForecastTerm {
    /// Where this week's demand is in the world's class x week array.
    pub demand: usize,
    /// Seasonality at the target week over this week's.
    pub season: f64,
    /// Growth over the lookahead at the target percentile.
    pub growth: f64,
}

/// One review of an ordering policy.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Review {
    pub week: usize,
    /// The week the forecast is for (one lookahead, median lead time plus one review period,
    /// ahead; at most the last week), and the committed GPUs of the file's contracts then.
    pub target: usize,
    pub committed: f64,
}

/// A provider a portfolio may buy burst or emergency GPUs from.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Source {
    pub provider: usize,
    /// `provider * weeks`: where the provider's row starts in the world's provider x week arrays.
    pub offset: usize,
    pub cap: f64,
    /// $ per GPU-week at list price (emergency markup included).
    pub price: f64,
    /// tCO2e per GPU-week.
    pub carbon: f64,
}

pub(crate) struct PortfolioModel {
    pub name: String,
    /// Committed GPUs from the contracts in the file, per provider x week.
    pub committed: Vec<f64>,
    /// Contract spend (paid whether used or not) plus early-exit penalties per week: the part of
    /// the weekly cost that is the same on every path.
    pub fixed_cost_week: Vec<f64>,
    /// Over the horizon: contract spend, and early-exit penalties.
    pub committed_cost_total: f64,
    pub exit_penalty_total: f64,
    /// Per provider, over the horizon: committed GPU-hours and spend (with exit penalties) of
    /// the file's contracts. The same on every path, so added once per path.
    pub static_hours: Vec<f64>,
    pub static_spend: Vec<f64>,
    /// Providers that can hold committed capacity in this portfolio (contracts or orders).
    pub committed_providers: Vec<usize>,
    /// Every non-zero burst and emergency cap.
    pub burst: Vec<Source>,
    pub emergency: Vec<Source>,
    /// Indices into `burst` and `emergency`, cheapest first at list prices.
    pub burst_order: Vec<usize>,
    pub emergency_order: Vec<usize>,
    pub ordering: Option<OrderModel>,
    /// Where the ordering provider's row starts in the world's provider x week arrays, and its
    /// carbon (t per GPU-week); provider 0 when there is no policy (then nothing is ordered).
    pub order_offset: usize,
    pub order_carbon: f64,
    /// Provider with the most provisioned capacity: the one the concentration check removes.
    pub largest_provider: usize,
}

/// Deterministic stress events, precomputed per week.
pub(crate) struct StressModel {
    pub active: bool,
    /// Extra down fraction per provider x week.
    pub down: Vec<f64>,
    /// Quota multiplier per provider x week.
    pub quota: Vec<f64>,
    /// Additive price multiplier per provider x week.
    pub price: Vec<f64>,
    /// Demand multiplier per class x week.
    pub demand: Vec<f64>,
}

const WEEKS_PER_YEAR: f64 = 52.0;

fn half_life_decay(h: Option<f64>) -> f64 {
    h.map_or(1.0, |h| libm::pow(0.5, 1.0 / h))
}

impl Model {
    pub fn new(
        s: &Scenario,
        options: &RunOptions,
        allow_large: bool,
    ) -> Result<Model, Diagnostics> {
        // `Scenario` has public fields, so one built or edited in code (the UI's form, a test)
        // has not been through `parse`. Everything below indexes by name and divides by
        // scenario values, so check it again: decoding its JSON form is the same validation a
        // file gets, and costs microseconds next to a run.
        let tree = serde_json::to_value(s).unwrap_or(serde_json::Value::Null);
        crate::scenario::decode(&tree)?;
        let mut diags = Vec::new();
        let paths = options.paths.unwrap_or(s.paths);
        let seed = options.seed.unwrap_or(s.seed);
        if paths == 0 {
            diags.push(Diagnostic::new("paths", "must be at least 1"));
        }
        if seed > crate::scenario::MAX_SEED {
            diags.push(
                Diagnostic::new(
                    "seed",
                    format!("must be at most {}", crate::scenario::MAX_SEED),
                )
                .with_hint("seeds must fit a JavaScript number exactly"),
            );
        }
        let weeks = s.horizon_weeks as usize;
        crate::budget::check(
            &crate::budget::run_size(s, options),
            allow_large,
            &mut diags,
        );
        let mut stress_idx = Vec::new();
        for name in &options.stress {
            match s.stress_tests.iter().position(|t| &t.name == name) {
                Some(i) => stress_idx.push(i),
                None => {
                    let known: Vec<&str> = s.stress_tests.iter().map(|t| t.name.as_str()).collect();
                    diags.push(
                        Diagnostic::new(
                            "stress",
                            format!("unknown stress test {}", crate::diag::quote(name)),
                        )
                        .with_hint(if known.is_empty() {
                            "this scenario defines no stress tests".to_string()
                        } else {
                            format!(
                                "known: {}",
                                known
                                    .iter()
                                    .map(|k| crate::diag::show(k))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            )
                        }),
                    );
                }
            }
        }
        if !diags.is_empty() {
            return Err(Diagnostics(diags));
        }

        // Names were checked above; a map keeps big scenarios (10,000 providers) linear.
        let by_name: std::collections::BTreeMap<&str, usize> = s
            .providers
            .iter()
            .enumerate()
            .rev()
            .map(|(i, p)| (p.name.as_str(), i))
            .collect();
        let provider_index = |name: &str| by_name.get(name).copied().unwrap_or(0);
        let np = s.providers.len();
        let classes: Vec<ClassModel> = s.workloads.iter().map(|w| class_model(w, weeks)).collect();
        let mut service_order: Vec<usize> = (0..classes.len()).collect();
        service_order.sort_by_key(|&c| (classes[c].priority, c));
        let serve: Vec<ServeStep> = service_order
            .iter()
            .map(|&c| {
                let cm = &classes[c];
                let (factor, share, penalty) = cm.degradation.unwrap_or((0.0, 0.0, 0.0));
                let mut tier_list = [0; 3];
                let mut tier_count = 0;
                for t in (0..3).filter(|&t| cm.tiers[t]) {
                    tier_list[tier_count] = t;
                    tier_count += 1;
                }
                ServeStep {
                    class: c,
                    tier_list,
                    tier_count,
                    deferrable: cm.deferrable,
                    short_penalty: cm.shortage_penalty * HOURS_PER_WEEK,
                    degrade_share: share,
                    degrade_relief: 1.0 - factor,
                    degrade_penalty: penalty * HOURS_PER_WEEK,
                }
            })
            .collect();

        let mut providers: Vec<ProviderModel> = s.providers.iter().map(provider_model).collect();
        let groups: Vec<GroupModel> = s
            .correlation_groups
            .iter()
            .enumerate()
            .map(|(gi, g)| {
                let members: Vec<usize> = g.providers.iter().map(|n| provider_index(n)).collect();
                for &m in &members {
                    providers[m].group = Some(gi);
                    providers[m].rho = g.correlation;
                }
                let mean_rate = |f: &dyn Fn(&ProviderModel) -> Option<f64>| {
                    members
                        .iter()
                        .map(|&m| f(&providers[m]).unwrap_or(0.0))
                        .sum::<f64>()
                        / members.len().max(1) as f64
                };
                GroupModel {
                    outage_rate: g.correlation * mean_rate(&|p| p.outages.as_ref().map(|e| e.rate)),
                    quota_rate: g.correlation
                        * mean_rate(&|p| p.quota_cuts.as_ref().map(|e| e.rate)),
                    shock_rate: g.correlation
                        * mean_rate(&|p| p.price_shocks.as_ref().map(|e| e.rate)),
                    members,
                }
            })
            .collect();

        let portfolios = s
            .portfolios
            .iter()
            .map(|pf| portfolio_model(pf, weeks, &providers, &classes, &provider_index))
            .collect();

        let mut stress = StressModel {
            active: !stress_idx.is_empty(),
            down: vec![0.0; weeks * np],
            quota: vec![1.0; weeks * np],
            price: vec![0.0; weeks * np],
            demand: vec![1.0; weeks * classes.len()],
        };
        for &ti in &stress_idx {
            for e in &s.stress_tests[ti].events {
                apply_stress(&mut stress, e, s, weeks, &provider_index);
            }
        }

        let demand_scale: f64 = classes
            .iter()
            .map(|c| c.base * c.peak_factor)
            .sum::<f64>()
            .max(1e-9);
        let max_price = providers
            .iter()
            .map(|p| p.on_demand_price.max(p.reserved_price))
            .fold(0.0, f64::max);
        Ok(Model {
            scenario_name: s.name.clone(),
            scenario_digest: crate::digest::hex(crate::digest::fnv1a(
                crate::scenario::canonical_json(s).as_bytes(),
            )),
            seed,
            paths,
            weeks,
            classes,
            first_deferrable: serve
                .iter()
                .position(|s| s.deferrable)
                .unwrap_or(serve.len()),
            serve,
            providers,
            groups,
            portfolios,
            stress_names: options.stress.clone(),
            stress,
            damage_weeks: damage_weeks(
                weeks,
                f64::from(s.concentration_outage_week),
                s.concentration_outage_hours,
            ),
            outage_week: s.concentration_outage_week as usize,
            outage_hours: s.concentration_outage_hours,
            demand_scale,
            cost_scale: (demand_scale * HOURS_PER_WEEK * max_price).max(1e-9),
        })
    }
}

fn class_model(w: &crate::scenario::Workload, weeks: usize) -> ClassModel {
    let season = (0..weeks)
        .map(|t| match &w.seasonality {
            Some(s) => {
                1.0 + s.amplitude
                    * libm::cos(
                        2.0 * core::f64::consts::PI * (t as f64 - s.peak_week) / WEEKS_PER_YEAR,
                    )
            }
            None => 1.0,
        })
        .collect();
    let growth = w.growth.compile();
    let log_growth = |u: f64| libm::log((1.0 + growth.quantile(u)).max(0.01));
    let log_growth_mean = mean_of(log_growth);
    let log_growth_sd = libm::sqrt(mean_of(|u| (log_growth(u) - log_growth_mean).powi(2)).max(0.0));
    let (jump_p, jump_size, jump_decay) = match &w.jumps {
        Some(j) => (
            (j.rate_per_year / WEEKS_PER_YEAR).min(1.0),
            j.size.compile(),
            half_life_decay(j.half_life_weeks),
        ),
        None => (0.0, Sampler::Fixed(0.0), 1.0),
    };
    ClassModel {
        name: w.name.clone(),
        priority: w.priority,
        base: w.base_gpus,
        growth,
        volatility: w.volatility,
        persistence: w.volatility_persistence,
        innovation: w.volatility
            * libm::sqrt(1.0 - w.volatility_persistence * w.volatility_persistence),
        peak_factor: w.peak_factor,
        season,
        jump_p,
        log_keep: if jump_p > 0.0 && jump_p < 1.0 {
            libm::log(1.0 - jump_p)
        } else {
            0.0
        },
        jump_size,
        jump_decay,
        tiers: [Tier::Committed, Tier::Burst, Tier::Emergency].map(|t| w.tiers.contains(&t)),
        deferrable: w.deferrable,
        shortage_penalty: w.shortage_penalty_per_gpu_hour,
        degradation: w
            .degradation
            .as_ref()
            .map(|d| (d.gpu_factor, d.max_share, d.quality_penalty_per_gpu_hour)),
        log_growth_mean,
        log_growth_sd,
    }
}

fn process(rate_per_year: f64, a: &Dist, b: &Dist, half_life: Option<f64>) -> Option<EventProcess> {
    (rate_per_year > 0.0).then(|| EventProcess {
        rate: rate_per_year / WEEKS_PER_YEAR,
        a: a.compile(),
        b: b.compile(),
        decay: half_life_decay(half_life),
    })
}

fn provider_model(p: &crate::scenario::Provider) -> ProviderModel {
    let lead = p.lead_time_weeks.compile();
    let fill = FillTable::new(&p.burst_fill.compile());
    ProviderModel {
        name: p.name.clone(),
        reserved_price: p.reserved_price,
        on_demand_price: p.on_demand_price,
        list_price: [1.0, 1.0 + p.emergency_markup]
            .map(|markup| p.on_demand_price * markup * HOURS_PER_WEEK),
        fill: fill.clone(),
        fixed_fill: fill.constant(),
        lead_median: lead.quantile(0.5).max(0.0),
        lead,
        carbon_t_per_gpu_hour: p.carbon_g_per_gpu_hour * 1e-6,
        outages: p
            .outages
            .as_ref()
            .and_then(|o| process(o.rate_per_year, &o.duration_hours, &Dist::Fixed(0.0), None)),
        quota_cuts: p
            .quota_cuts
            .as_ref()
            .and_then(|q| process(q.rate_per_year, &q.fraction, &q.duration_weeks, None)),
        price_shocks: p.price_shocks.as_ref().and_then(|s| {
            process(
                s.rate_per_year,
                &s.size,
                &Dist::Fixed(0.0),
                s.half_life_weeks,
            )
        }),
        group: None,
        rho: 0.0,
    }
}

fn portfolio_model(
    pf: &crate::scenario::Portfolio,
    weeks: usize,
    providers: &[ProviderModel],
    classes: &[ClassModel],
    provider_index: &dyn Fn(&str) -> usize,
) -> PortfolioModel {
    let np = providers.len();
    let mut committed = vec![0.0; weeks * np];
    let mut committed_cost_week = vec![0.0; weeks];
    let mut exit_penalty_week = vec![0.0; weeks];
    let mut static_hours = vec![0.0; np];
    let mut static_spend = vec![0.0; np];
    for c in &pf.contracts {
        let p = provider_index(&c.provider);
        let price = c.price_per_gpu_hour.unwrap_or(providers[p].reserved_price);
        let start = c.start_week as usize;
        let term_end = start + c.term_weeks as usize;
        let end = c.exit_week.map_or(term_end, |e| e as usize);
        for w in start..end.min(weeks) {
            committed[p * weeks + w] += c.gpus;
            committed_cost_week[w] += c.gpus * HOURS_PER_WEEK * price;
            static_hours[p] += c.gpus * HOURS_PER_WEEK;
            static_spend[p] += c.gpus * HOURS_PER_WEEK * price;
        }
        if end < term_end && end < weeks {
            let penalty =
                c.early_exit_penalty * (term_end - end) as f64 * c.gpus * HOURS_PER_WEEK * price;
            exit_penalty_week[end] += penalty;
            static_spend[p] += penalty;
        }
    }
    let committed_total: Vec<f64> = (0..weeks)
        .map(|w| (0..np).map(|p| committed[p * weeks + w]).sum())
        .collect();
    let sources = |list: &[crate::scenario::Cap], emergency: bool| -> Vec<Source> {
        list.iter()
            .filter(|c| c.max_gpus > 0.0)
            .map(|c| {
                let provider = provider_index(&c.provider);
                let pr = &providers[provider];
                Source {
                    provider,
                    offset: provider * weeks,
                    cap: c.max_gpus,
                    price: pr.list_price[usize::from(emergency)],
                    carbon: pr.carbon_t_per_gpu_hour * HOURS_PER_WEEK,
                }
            })
            .collect()
    };
    let burst = sources(&pf.burst, false);
    let emergency = sources(&pf.emergency, true);
    let by_price = |list: &[Source]| -> Vec<usize> {
        let mut order: Vec<usize> = (0..list.len()).collect();
        order.sort_by(|&a, &b| list[a].price.total_cmp(&list[b].price).then(a.cmp(&b)));
        order
    };
    let burst_order = by_price(&burst);
    let emergency_order = by_price(&emergency);
    let ordering = pf.ordering.as_ref().map(|o| {
        let provider = provider_index(&o.provider);
        let lookahead =
            libm::ceil(providers[provider].lead_median) as usize + o.review_weeks as usize;
        let z = inverse_normal_cdf(o.target_percentile);
        let years = lookahead as f64 / WEEKS_PER_YEAR;
        let growth = classes
            .iter()
            .enumerate()
            .filter(|(_, cm)| !cm.deferrable && cm.tiers[0])
            .map(|(c, cm)| {
                let sd =
                    libm::sqrt((cm.log_growth_sd * years).powi(2) + cm.volatility * cm.volatility);
                (c, libm::exp(cm.log_growth_mean * years + z * sd))
            })
            .collect::<Vec<_>>();
        let mut reviews = Vec::new();
        let mut forecast = Vec::new();
        let mut week = o.first_review_week as usize;
        while week < weeks {
            let target = (week + lookahead).min(weeks - 1);
            reviews.push(Review {
                week,
                target,
                committed: committed_total[target],
            });
            for &(c, growth) in &growth {
                let season = &classes[c].season;
                forecast.push(ForecastTerm {
                    demand: c * weeks + week,
                    season: season[target] / season[week],
                    growth,
                });
            }
            if o.review_weeks == 0 {
                break;
            }
            week += o.review_weeks as usize;
        }
        OrderModel {
            provider,
            lead: LeadSteps::new(&providers[provider].lead, weeks),
            cover: o.cover_fraction,
            min: o.min_order_gpus,
            max: o.max_order_gpus,
            term: o.term_weeks as usize,
            reviews,
            forecast,
            classes: growth.len(),
        }
    });
    let committed_providers: Vec<usize> = (0..np)
        .filter(|&p| static_hours[p] > 0.0 || ordering.as_ref().is_some_and(|o| o.provider == p))
        .collect();
    // "Largest" by provisioned GPU-weeks: contracts plus caps held over the horizon.
    let mut size: Vec<f64> = static_hours.iter().map(|h| h / HOURS_PER_WEEK).collect();
    for src in burst.iter().chain(&emergency) {
        size[src.provider] += src.cap * weeks as f64;
    }
    if let Some(o) = &ordering {
        size[o.provider] += o.max * weeks as f64 * 0.5;
    }
    let order_p = ordering.as_ref().map_or(0, |o| o.provider);
    let largest_provider = (0..np).fold(0, |best, p| if size[p] > size[best] { p } else { best });
    let fixed_cost_week = committed_cost_week
        .iter()
        .zip(&exit_penalty_week)
        .map(|(c, e)| c + e)
        .collect();
    PortfolioModel {
        name: pf.name.clone(),
        committed,
        committed_cost_total: committed_cost_week.iter().sum(),
        exit_penalty_total: exit_penalty_week.iter().sum(),
        fixed_cost_week,

        static_hours,
        static_spend,
        committed_providers,
        burst,
        emergency,
        burst_order,
        emergency_order,
        order_offset: order_p * weeks,
        order_carbon: providers[order_p].carbon_t_per_gpu_hour * HOURS_PER_WEEK,
        ordering,
        largest_provider,
    }
}

fn apply_stress(
    st: &mut StressModel,
    e: &StressEvent,
    s: &Scenario,
    weeks: usize,
    provider_index: &dyn Fn(&str) -> usize,
) {
    let np = s.providers.len();
    let nc = s.workloads.len();
    match e {
        StressEvent::Outage {
            provider,
            week,
            hours,
        } => {
            let p = provider_index(provider);
            add_outage(&mut st.down, p, weeks, *week as f64, *hours);
        }
        StressEvent::PriceShock {
            provider,
            week,
            increase,
            half_life_weeks,
        } => {
            let decay = half_life_decay(*half_life_weeks);
            let targets: Vec<usize> = match provider {
                Some(n) => vec![provider_index(n)],
                None => (0..np).collect(),
            };
            for p in targets {
                let mut level = *increase;
                for w in *week as usize..weeks {
                    st.price[p * weeks + w] += level;
                    level *= decay;
                }
            }
        }
        StressEvent::QuotaCut {
            provider,
            week,
            fraction,
            weeks: len,
        } => {
            let p = provider_index(provider);
            for w in *week as usize..(*week as usize + *len as usize).min(weeks) {
                let q = &mut st.quota[p * weeks + w];
                *q = q.min(1.0 - fraction);
            }
        }
        StressEvent::DemandJump {
            workload,
            week,
            size,
            half_life_weeks,
        } => {
            let decay = half_life_decay(*half_life_weeks);
            let targets: Vec<usize> = match workload {
                Some(n) => s
                    .workloads
                    .iter()
                    .position(|w| &w.name == n)
                    .into_iter()
                    .collect(),
                None => (0..nc).collect(),
            };
            for c in targets {
                let mut level = *size;
                for w in *week as usize..weeks {
                    st.demand[c * weeks + w] *= (1.0 + level).max(0.0);
                    level *= decay;
                }
            }
        }
    }
}

/// Weeks an outage of `hours` from (fractional) week `start` overlaps, as `add_outage` marks them.
fn damage_weeks(weeks: usize, start: f64, hours: f64) -> std::ops::Range<usize> {
    let end = start + hours / HOURS_PER_WEEK;
    let hit = |w: usize| (w as f64) < end && (w as f64 + 1.0) > start;
    let first = (0..weeks).find(|&w| hit(w)).unwrap_or(weeks);
    let last = (first..weeks).find(|&w| !hit(w)).unwrap_or(weeks);
    first..last
}

/// Mark an outage of `hours` starting at (fractional) week `start` as down time per week.
pub(crate) fn add_outage(down: &mut [f64], p: usize, weeks: usize, start: f64, hours: f64) {
    let end = start + hours / HOURS_PER_WEEK;
    let mut w = start as usize;
    while w < weeks && (w as f64) < end {
        let overlap = end.min(w as f64 + 1.0) - start.max(w as f64);
        let d = &mut down[p * weeks + w];
        *d = (*d + overlap.max(0.0)).min(1.0);
        w += 1;
    }
}
