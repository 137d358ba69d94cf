// TypeScript declarations for headroom.js (the engine without the UI).
// Report field names mirror crates/engine/src/report.rs exactly (serde's snake_case JSON);
// keep the two in sync. Money in $, capacity in GPUs or GPU-hours, emissions in tCO2e.
// Every *_se field is the Monte Carlo standard error of its sibling.

/** One problem found in a scenario (or in run options). */
export interface Diagnostic {
  /** Field path in the scenario, e.g. "portfolios[0].contracts[1].gpus"; "" when global. */
  path: string;
  message: string;
  hint: string | null;
}

export type Format = 'toml' | 'json';

/** Error thrown by parse / toToml / simulate for invalid input. */
export declare class HeadroomError extends Error {
  readonly name: 'HeadroomError';
  readonly diagnostics: Diagnostic[];
}

export interface Progress {
  /** Chunks merged so far, of `total`. */
  done: number;
  total: number;
  /** Monte Carlo paths merged so far. */
  paths: number;
  /**
   * The report over the paths merged so far: with the first chunk, then at most every
   * ~150 ms (finalizing a report costs about as much as a chunk), and always the final
   * report when done === total.
   */
  report?: Report;
}

export interface SimulateOptions {
  /** Monte Carlo paths; default: the scenario's own `paths`. */
  paths?: number;
  /** Seed; default: the scenario's own `seed`. A bigint or decimal string keeps all 64 bits. */
  seed?: number | bigint | string;
  /** Names of stress tests (from the scenario's [[stress]] list) applied to every path. */
  stress?: string[];
  /** Format of a text scenario; default: JSON if it starts with "{", else TOML. */
  format?: Format;
  /** Called after every chunk, and once more with the final report. */
  onProgress?: (progress: Progress) => void;
  /** Aborting rejects the promise with the signal's reason (an AbortError by default). */
  signal?: AbortSignal;
  /** Run in a module Web Worker (worker.js) instead of chunk by chunk on this thread. */
  worker?: boolean;
}

/** Weekly P10/P50/P90 bands plus the mean, one value per week. */
export interface Bands {
  p10: number[];
  p50: number[];
  p90: number[];
  mean: number[];
}

export interface Percentiles {
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
}

export interface ShortageWeeks {
  mean: number;
  mean_se: number;
  p50: number;
  p90: number;
  p99: number;
  mean_longest_run: number;
}

export interface ClassReport {
  name: string;
  priority: number;
  deferrable: boolean;
  shortage_probability: number;
  shortage_probability_se: number;
  expected_unmet_gpu_hours: number;
  expected_unmet_gpu_hours_se: number;
  shortage_weeks_mean: number;
  degraded_gpu_hours: number;
  served_gpu_hours: number;
}

export interface CostBreakdown {
  committed: number;
  burst: number;
  emergency: number;
  exit_penalties: number;
  degradation_penalty: number;
  shortage_penalty: number;
}

export interface CostReport {
  mean: number;
  mean_se: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  /** Mean cost of the worst 5% of paths. */
  cvar95: number;
  cvar95_se: number;
  breakdown: CostBreakdown;
  /** Total-cost quantiles at 0%, 1%, ..., 100% (101 values). */
  quantiles: number[];
}

export interface WeeklyCapacity {
  committed: number[];
  burst: number[];
  emergency: number[];
}

export interface ProviderShare {
  provider: string;
  capacity: number;
  spend: number;
  committed_gpu_hours: number;
  burst_gpu_hours: number;
  emergency_gpu_hours: number;
  committed_spend: number;
  burst_spend: number;
  emergency_spend: number;
}

export interface OutageDamage {
  provider: string;
  week: number;
  hours: number;
  extra_unmet_gpu_hours: number;
  extra_unmet_gpu_hours_se: number;
  shortage_probability: number;
  shortage_probability_se: number;
  extra_cost: number;
}

export interface OrderStats {
  mean_orders: number;
  mean_ordered_gpus: number;
}

export interface PortfolioReport {
  name: string;
  shortage_probability: number;
  shortage_probability_se: number;
  weekly_shortage_probability: number[];
  weekly_shortage_probability_se: number[];
  expected_unmet_gpu_hours: number;
  expected_unmet_gpu_hours_se: number;
  unmet_gpu_hours: Percentiles;
  shortage_weeks: ShortageWeeks;
  classes: ClassReport[];
  cost: CostReport;
  weekly_cost: Bands;
  weekly_capacity: WeeklyCapacity;
  served_gpu_hours: number;
  degraded_gpu_hours: number;
  idle_committed_gpu_hours: number;
  idle_committed_gpu_hours_se: number;
  utilization: number;
  cost_per_served_gpu_hour: number;
  provider_share: ProviderShare[];
  /** Herfindahl-Hirschman index of capacity shares, 0-10,000. */
  hhi: number;
  hhi_spend: number;
  largest_provider_outage: OutageDamage;
  emissions_tco2e: number;
  emissions_tco2e_se: number;
  orders: OrderStats;
}

/** Paired comparison of two portfolios on the same random draws. */
export interface Comparison {
  a: string;
  b: string;
  p_a_cheaper: number;
  p_a_cheaper_se: number;
  p_a_fewer_shortage_weeks: number;
  p_a_fewer_shortage_weeks_se: number;
  mean_cost_difference: number;
  mean_cost_difference_se: number;
}

export interface Report {
  engine_version: string;
  scenario_name: string;
  /** Hash of the normalized scenario. */
  scenario_digest: string;
  /** A JS number: exact up to 2^53. */
  seed: number;
  paths: number;
  horizon_weeks: number;
  stress: string[];
  /** Hash of every number in the report: equal digests mean bit-identical results. */
  digest: string;
  workloads: string[];
  providers: string[];
  demand: { weekly_gpus: Bands };
  portfolios: PortfolioReport[];
  comparisons: Comparison[];
}

/** The normalized scenario object (see scenarios/README.md for every field). */
export type Scenario = Record<string, unknown> & { name: string };

/** Loads wasm.js + wasm_bg.wasm from `baseUrl` (default: headroom.js's folder). */
export declare function init(baseUrl?: string | URL): Promise<HeadroomApi>;
/** Diagnostics of a scenario text; [] when valid. Never throws (after init). */
export declare function validate(text: string, format?: Format): Diagnostic[];
/** The normalized scenario object; throws HeadroomError. */
export declare function parse(text: string, format?: Format): Scenario;
/** A scenario rendered as TOML; throws HeadroomError. */
export declare function toToml(scenario: Scenario | string): string;
/** Runs a scenario (TOML/JSON text or object); rejects with HeadroomError or the abort reason. */
export declare function simulate(scenario: string | Scenario, options?: SimulateOptions): Promise<Report>;

export interface HeadroomApi {
  init: typeof init;
  validate: typeof validate;
  parse: typeof parse;
  toToml: typeof toToml;
  simulate: typeof simulate;
  HeadroomError: typeof HeadroomError;
  /** Engine version of the loaded module (semver); null before init() resolves. */
  readonly engineVersion: string | null;
}

export declare const Headroom: HeadroomApi;
export default Headroom;
