//! The sections of the editor panel and the generic list editor they share.

use leptos::prelude::*;
use serde_json::{Value, json};

use super::fields::{
    CheckField, ChecklistField, DiagList, DistField, NumberField, OptionalTable, SelectField,
    TextField, name_options, static_options,
};
use super::list_len;
use super::logic::{EventKind, Template, display_value, new_item, switch_event};
use crate::state::use_state;

/// Title of a list item in its `<summary>`.
type TitleFn = fn(&Value, usize) -> String;

fn by_name(v: &Value, i: usize) -> String {
    v.get("name")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| format!("#{}", i + 1))
}

fn num_text(v: &Value, key: &str) -> String {
    v.get(key).map(display_value).unwrap_or_else(|| "?".into())
}

fn contract_title(v: &Value, _: usize) -> String {
    format!(
        "{} · {} GPUs · weeks {}+{}",
        num_text(v, "provider"),
        num_text(v, "gpus"),
        v.get("start_week")
            .map(display_value)
            .unwrap_or_else(|| "0".into()),
        num_text(v, "term_weeks")
    )
}

fn cap_title(v: &Value, _: usize) -> String {
    format!(
        "{} · up to {} GPUs",
        num_text(v, "provider"),
        num_text(v, "max_gpus")
    )
}

fn event_title(v: &Value, _: usize) -> String {
    let kind = v.get("kind").and_then(Value::as_str).unwrap_or("?");
    let what = v
        .get("provider")
        .or_else(|| v.get("workload"))
        .and_then(Value::as_str)
        .unwrap_or("all");
    format!(
        "{} · {what} · week {}",
        kind.replace('_', " "),
        num_text(v, "week")
    )
}

/// A list of items at `list`: each in a collapsible `<details data-path="list[i]">` with
/// Duplicate / Remove, plus an Add button. Test ids: `add-<list>`, `duplicate-<list[i]>`,
/// `remove-<list[i]>`.
fn list_editor<F>(
    list: String,
    noun: &'static str,
    template: Template,
    title: TitleFn,
    item: F,
) -> impl IntoView
where
    F: Fn(String) -> AnyView + Clone + Send + Sync + 'static,
{
    let state = use_state();
    let l = list.clone();
    let len = Memo::new(move |_| state.doc.with(|d| list_len(d, &l)));
    // The item just added or duplicated opens (and its first field gets focus).
    let fresh = RwSignal::new(None::<String>);
    let l = list.clone();
    let items = move || {
        (0..len.get())
            .map(|i| {
                let ip = format!("{l}[{i}]");
                let open = fresh.get_untracked().as_deref() == Some(ip.as_str());
                let p = ip.clone();
                let name = Memo::new(move |_| {
                    state.doc.with(|d| {
                        crate::doc::get(d, &p)
                            .map(|v| title(v, i))
                            .unwrap_or_default()
                    })
                });
                let (pd, pr) = (ip.clone(), ip.clone());
                let duplicate = move |_| {
                    let mut made = None;
                    state.doc.update(|d| made = crate::doc::duplicate(d, &pd));
                    fresh.set(made);
                };
                let remove = move |_| {
                    state.doc.update(|d| {
                        crate::doc::remove(d, &pr);
                    });
                };
                view! {
                    <details class="item" data-path=ip.clone() open=open>
                        <summary>
                            <span class="item-title">{move || name.get()}</span>
                        </summary>
                        <div class="item-tools">
                            <button
                                type="button"
                                data-testid=format!("duplicate-{ip}")
                                aria-label=move || format!("Duplicate {noun} {}", name.get())
                                on:click=duplicate
                            >
                                "Duplicate"
                            </button>
                            <button
                                type="button"
                                class="danger"
                                data-testid=format!("remove-{ip}")
                                aria-label=move || format!("Remove {noun} {}", name.get())
                                on:click=remove
                            >
                                "Remove"
                            </button>
                        </div>
                        <DiagList path=ip.clone() exact=vec![ip.clone()] />
                        <div class="item-fields">{item(ip.clone())}</div>
                    </details>
                }
            })
            .collect_view()
    };
    let l = list.clone();
    let add = move |_| {
        let mut made = None;
        state.doc.update(|d| {
            let it = new_item(d, &l, template);
            made = crate::doc::push(d, &l, it);
        });
        fresh.set(made.clone());
        if let Some(p) = made {
            request_animation_frame(move || {
                super::focus_path(&p);
            });
        }
    };
    view! {
        <div class="list" data-list=list.clone()>
            <DiagList path=list.clone() exact=vec![list.clone()] />
            {items}
            <button type="button" class="add" data-testid=format!("add-{list}") on:click=add>
                {format!("+ Add {noun}")}
            </button>
        </div>
    }
}

/// A collapsible section of the panel.
fn section(id: &'static str, title: &'static str, open: bool, body: AnyView) -> impl IntoView {
    let state = use_state();
    let count = Memo::new(move |_| state.doc.with(|d| list_len(d, id)));
    view! {
        <details class="section" data-section=id open=open>
            <summary>
                <h3>{title}</h3>
                {move || (id != "settings").then(|| view! { <span class="count">{count.get()}</span> })}
            </summary>
            {body}
        </details>
    }
}

/// Name, description, horizon, paths, seed and the concentration check.
#[component]
pub fn RunSettings() -> impl IntoView {
    section(
        "settings",
        "Run settings",
        true,
        view! {
            <div class="grid">
                <TextField path="name" label="Scenario name" />
                <TextField path="description" label="Description" optional=true multiline=true />
                <NumberField path="horizon_weeks" label="Horizon" unit="weeks" integer=true slider=(1.0, 260.0) placeholder="104" />
                <NumberField path="paths" label="Monte Carlo paths" unit="paths" integer=true placeholder="5000" />
                <NumberField path="seed" label="Random seed" integer=true placeholder="0" />
                <NumberField path="concentration_outage_week" label="Largest-provider outage at" unit="week" integer=true placeholder="mid-horizon" />
                <NumberField path="concentration_outage_hours" label="Largest-provider outage length" unit="hours" placeholder="72" />
            </div>
        }
        .into_any(),
    )
}

fn workload_item(p: String) -> AnyView {
    let sp = StoredValue::new(p.clone());
    let f = move |k: &str| sp.with_value(|p| format!("{p}.{k}"));
    view! {
        <div class="grid">
            <TextField path=f("name") label="Name" />
            <NumberField path=f("priority") label="Priority (lower is served first)" integer=true placeholder="position in list" />
            <NumberField path=f("base_gpus") label="Base demand" unit="GPUs" slider_x4=true />
            <NumberField path=f("volatility") label="Weekly volatility" unit="log-sd" slider=(0.0, 0.5) placeholder="0" />
            <NumberField path=f("volatility_persistence") label="Volatility persistence" unit="fraction" slider=(0.0, 0.999) placeholder="0.7" />
            <NumberField path=f("peak_factor") label="Peak factor" unit="× mean" slider=(1.0, 3.0) placeholder="1" />
            <NumberField path=f("shortage_penalty_per_gpu_hour") label="Shortage penalty" unit="$ / GPU-h" placeholder="0" />
            <CheckField path=f("deferrable") label="Deferrable (unmet demand waits as backlog)" />
        </div>
        <DistField path=f("growth") label="Growth" unit="fraction / year" min=-0.99 max=100.0 default=0.0 optional=true />
        <ChecklistField path=f("tiers") label="Capacity tiers it may use" options=static_options(&["committed", "burst", "emergency"]) all_when_absent=true />
        <OptionalTable path=f("seasonality") label="Seasonality" template=Callback::new(|_| json!({ "amplitude": 0.1, "peak_week": 48 }))>
            <div class="grid">
                <NumberField path=f("seasonality.amplitude") label="Amplitude" unit="fraction" slider=(0.0, 0.95) />
                <NumberField path=f("seasonality.peak_week") label="Peak week" unit="week of year" slider=(0.0, 51.0) placeholder="0" />
            </div>
        </OptionalTable>
        <OptionalTable path=f("jumps") label="Demand jumps" template=Callback::new(|_| json!({ "rate_per_year": 1, "size": 0.2 }))>
            <div class="grid">
                <NumberField path=f("jumps.rate_per_year") label="Rate" unit="jumps / year" slider=(0.0, 12.0) />
                <NumberField path=f("jumps.half_life_weeks") label="Half-life" unit="weeks" placeholder="permanent" />
            </div>
            <DistField path=f("jumps.size") label="Jump size" unit="fraction" min=-0.99 max=100.0 default=0.2 />
        </OptionalTable>
        <OptionalTable path=f("degradation") label="Graceful degradation" template=Callback::new(|_| json!({ "gpu_factor": 0.5 }))>
            <div class="grid">
                <NumberField path=f("degradation.gpu_factor") label="Fallback GPU factor" unit="ratio" slider=(0.0, 1.0) />
                <NumberField path=f("degradation.max_share") label="Max degraded share" unit="fraction" slider=(0.0, 1.0) placeholder="1" />
                <NumberField path=f("degradation.quality_penalty_per_gpu_hour") label="Quality penalty" unit="$ / GPU-h" placeholder="0" />
            </div>
        </OptionalTable>
    }
    .into_any()
}

/// Demand classes.
#[component]
pub fn Workloads() -> impl IntoView {
    section(
        "workloads",
        "Workloads",
        false,
        list_editor(
            "workloads".into(),
            "workload",
            Template::Workload,
            by_name,
            workload_item,
        )
        .into_any(),
    )
}

fn provider_item(p: String) -> AnyView {
    let sp = StoredValue::new(p.clone());
    let f = move |k: &str| sp.with_value(|p| format!("{p}.{k}"));
    view! {
        <div class="grid">
            <TextField path=f("name") label="Name" />
            <SelectField path=f("kind") label="Kind" options=static_options(&engine::scenario::ProviderKind::NAMES) empty="other (default)" />
            <NumberField path=f("reserved_price") label="Reserved price" unit="$ / GPU-h" slider=(0.0, 12.0) />
            <NumberField path=f("on_demand_price") label="On-demand price" unit="$ / GPU-h" slider=(0.0, 20.0) />
            <NumberField path=f("emergency_markup") label="Emergency markup" unit="fraction" slider=(0.0, 5.0) placeholder="1" />
            <NumberField path=f("carbon_g_per_gpu_hour") label="Carbon intensity" unit="gCO2e / GPU-h" placeholder="0" />
        </div>
        <DistField path=f("burst_fill") label="Burst fill" unit="fraction" min=0.0 max=1.0 default=1.0 bounded=true optional=true />
        <DistField path=f("lead_time_weeks") label="Lead time" unit="weeks" min=0.0 max=520.0 default=12.0 optional=true />
        <OptionalTable path=f("outages") label="Outages" template=Callback::new(|_| json!({ "rate_per_year": 1, "duration_hours": 24 }))>
            <NumberField path=f("outages.rate_per_year") label="Rate" unit="outages / year" slider=(0.0, 12.0) />
            <DistField path=f("outages.duration_hours") label="Duration" unit="hours" min=0.0 max=87360.0 default=24.0 />
        </OptionalTable>
        <OptionalTable path=f("quota_cuts") label="Quota cuts" template=Callback::new(|_| json!({ "rate_per_year": 0.5, "fraction": 0.5, "duration_weeks": 4 }))>
            <NumberField path=f("quota_cuts.rate_per_year") label="Rate" unit="cuts / year" slider=(0.0, 12.0) />
            <DistField path=f("quota_cuts.fraction") label="Share of quota removed" unit="fraction" min=0.0 max=1.0 default=0.5 bounded=true />
            <DistField path=f("quota_cuts.duration_weeks") label="Duration" unit="weeks" min=0.0 max=1040.0 default=4.0 />
        </OptionalTable>
        <OptionalTable path=f("price_shocks") label="Price shocks" template=Callback::new(|_| json!({ "rate_per_year": 0.3, "size": 0.25 }))>
            <div class="grid">
                <NumberField path=f("price_shocks.rate_per_year") label="Rate" unit="shocks / year" slider=(0.0, 12.0) />
                <NumberField path=f("price_shocks.half_life_weeks") label="Half-life" unit="weeks" placeholder="persists" />
            </div>
            <DistField path=f("price_shocks.size") label="Increase" unit="fraction" min=-0.9 max=100.0 default=0.25 />
        </OptionalTable>
    }
    .into_any()
}

/// Supply sources.
#[component]
pub fn Providers() -> impl IntoView {
    section(
        "providers",
        "Providers",
        false,
        list_editor(
            "providers".into(),
            "provider",
            Template::Provider,
            by_name,
            provider_item,
        )
        .into_any(),
    )
}

fn group_item(p: String) -> AnyView {
    let sp = StoredValue::new(p.clone());
    let f = move |k: &str| sp.with_value(|p| format!("{p}.{k}"));
    view! {
        <div class="grid">
            <TextField path=f("name") label="Name" />
            <NumberField path=f("correlation") label="Correlation" unit="0 = independent, 1 = together" slider=(0.0, 1.0) />
        </div>
        <ChecklistField path=f("providers") label="Providers sharing the dependency" options=name_options("providers") />
    }
    .into_any()
}

/// Shared-risk groups.
#[component]
pub fn CorrelationGroups() -> impl IntoView {
    section(
        "correlation_groups",
        "Correlation groups",
        false,
        list_editor(
            "correlation_groups".into(),
            "group",
            Template::CorrelationGroup,
            by_name,
            group_item,
        )
        .into_any(),
    )
}

fn contract_item(p: String) -> AnyView {
    let sp = StoredValue::new(p.clone());
    let f = move |k: &str| sp.with_value(|p| format!("{p}.{k}"));
    view! {
        <div class="grid">
            <SelectField path=f("provider") label="Provider" options=name_options("providers") />
            <NumberField path=f("gpus") label="Size" unit="GPUs" slider_x4=true />
            <NumberField path=f("start_week") label="Start" unit="week" integer=true placeholder="0" />
            <NumberField path=f("term_weeks") label="Term" unit="weeks" integer=true />
            <NumberField path=f("price_per_gpu_hour") label="Negotiated price" unit="$ / GPU-h" placeholder="provider's reserved price" />
            <NumberField path=f("exit_week") label="Early exit" unit="week" integer=true placeholder="full term" />
            <NumberField path=f("early_exit_penalty") label="Early-exit penalty" unit="fraction" slider=(0.0, 1.0) placeholder="0" />
        </div>
    }
    .into_any()
}

fn cap_item(p: String) -> AnyView {
    let sp = StoredValue::new(p.clone());
    let f = move |k: &str| sp.with_value(|p| format!("{p}.{k}"));
    view! {
        <div class="grid">
            <SelectField path=f("provider") label="Provider" options=name_options("providers") />
            <NumberField path=f("max_gpus") label="Cap" unit="GPUs" slider_x4=true />
        </div>
    }
    .into_any()
}

fn portfolio_item(p: String) -> AnyView {
    let sp = StoredValue::new(p.clone());
    let f = move |k: &str| sp.with_value(|p| format!("{p}.{k}"));
    let ordering = f("ordering");
    let o = move |k: &str| format!("{ordering}.{k}");
    let list_path = f("ordering");
    view! {
        <div class="grid">
            <TextField path=f("name") label="Name" />
            <TextField path=f("description") label="Description" optional=true />
        </div>
        <h4>"Committed contracts"</h4>
        {list_editor(f("contracts"), "contract", Template::Contract, contract_title, contract_item)}
        <h4>"Burst (on-demand) caps"</h4>
        {list_editor(f("burst"), "burst cap", Template::Cap, cap_title, cap_item)}
        <h4>"Emergency caps"</h4>
        {list_editor(f("emergency"), "emergency cap", Template::Cap, cap_title, cap_item)}
        <OptionalTable
            path=f("ordering")
            label="Ordering policy (order committed capacity as demand grows)"
            template=Callback::new(move |d: Value| new_item(&d, &list_path, Template::Ordering))
        >
            <div class="grid">
                <SelectField path=o("provider") label="Order from" options=name_options("providers") />
                <NumberField path=o("review_weeks") label="Review every" unit="weeks" integer=true placeholder="4" />
                <NumberField path=o("first_review_week") label="First review" unit="week" integer=true placeholder="0" />
                <NumberField path=o("target_percentile") label="Forecast percentile" unit="probability" slider=(0.5, 0.99) placeholder="0.9" />
                <NumberField path=o("cover_fraction") label="Cover fraction" unit="× forecast" slider=(0.0, 2.0) placeholder="1" />
                <NumberField path=o("min_order_gpus") label="Min order" unit="GPUs" placeholder="0" />
                <NumberField path=o("max_order_gpus") label="Max order" unit="GPUs" slider_x4=true />
                <NumberField path=o("term_weeks") label="Order term" unit="weeks" integer=true placeholder="52" />
            </div>
        </OptionalTable>
    }
    .into_any()
}

/// Candidate portfolios: contracts, caps, ordering.
#[component]
pub fn Portfolios() -> impl IntoView {
    section(
        "portfolios",
        "Portfolios",
        false,
        list_editor(
            "portfolios".into(),
            "portfolio",
            Template::Portfolio,
            by_name,
            portfolio_item,
        )
        .into_any(),
    )
}

fn event_item(p: String) -> AnyView {
    let state = use_state();
    let sp = StoredValue::new(p.clone());
    let f = move |k: &str| sp.with_value(|p| format!("{p}.{k}"));
    let pk = p.clone();
    let kind = Memo::new(move |_| {
        state
            .value(&format!("{pk}.kind"))
            .and_then(|v| v.as_str().and_then(EventKind::from_id))
    });
    let pe = p.clone();
    let switch = move |ev| {
        let Some(k) = EventKind::from_id(&event_target_value(&ev)) else {
            return;
        };
        state.doc.update(|d| {
            let old = crate::doc::get(d, &pe).cloned().unwrap_or(Value::Null);
            let new = switch_event(d, &old, k);
            crate::doc::set(d, &pe, new);
        });
    };
    let id = super::fields::field_id(&f("kind"));
    let pf = p.clone();
    let fields = move || {
        let f = |k: &str| format!("{pf}.{k}");
        match kind.get() {
            Some(EventKind::Outage) => view! {
                <SelectField path=f("provider") label="Provider" options=name_options("providers") />
                <NumberField path=f("hours") label="Length" unit="hours" slider=(1.0, 336.0) />
            }
            .into_any(),
            Some(EventKind::PriceShock) => view! {
                <SelectField path=f("provider") label="Provider" options=name_options("providers") empty="every provider" />
                <NumberField path=f("increase") label="Increase" unit="fraction" slider=(-0.9, 2.0) />
                <NumberField path=f("half_life_weeks") label="Half-life" unit="weeks" placeholder="persists" />
            }
            .into_any(),
            Some(EventKind::QuotaCut) => view! {
                <SelectField path=f("provider") label="Provider" options=name_options("providers") />
                <NumberField path=f("fraction") label="Share of quota removed" unit="fraction" slider=(0.0, 1.0) />
                <NumberField path=f("weeks") label="Duration" unit="weeks" integer=true />
            }
            .into_any(),
            Some(EventKind::DemandJump) => view! {
                <SelectField path=f("workload") label="Workload" options=name_options("workloads") empty="every workload" />
                <NumberField path=f("size") label="Size" unit="fraction" slider=(-0.99, 2.0) />
                <NumberField path=f("half_life_weeks") label="Half-life" unit="weeks" placeholder="permanent" />
            }
            .into_any(),
            None => ().into_any(),
        }
    };
    view! {
        <div class="grid">
            <div class="field select" data-path=f("kind")>
                <label for=id.clone()>"Kind"</label>
                <div class="control">
                    <select id=id on:change=switch>
                        {move || {
                            let cur = kind.get();
                            EventKind::ALL
                                .into_iter()
                                .map(|k| view! { <option value=k.id() prop:selected=Some(k) == cur>{k.label()}</option> })
                                .collect_view()
                        }}
                    </select>
                </div>
                <DiagList path=f("kind") />
            </div>
            <NumberField path=f("week") label="Week" unit="week" integer=true />
            {fields}
        </div>
    }
    .into_any()
}

fn stress_item(p: String) -> AnyView {
    let sp = StoredValue::new(p.clone());
    let f = move |k: &str| sp.with_value(|p| format!("{p}.{k}"));
    view! {
        <div class="grid">
            <TextField path=f("name") label="Name" />
            <TextField path=f("description") label="Description" optional=true />
        </div>
        <h4>"Events"</h4>
        {list_editor(f("events"), "event", Template::Event(EventKind::Outage), event_title, event_item)}
    }
    .into_any()
}

/// Named deterministic shocks.
#[component]
pub fn StressTests() -> impl IntoView {
    section(
        "stress_tests",
        "Stress tests",
        false,
        list_editor(
            "stress_tests".into(),
            "stress test",
            Template::StressTest,
            by_name,
            stress_item,
        )
        .into_any(),
    )
}
