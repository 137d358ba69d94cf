// The script of api-example.html: load the engine, run a scenario, show progress and digest.
import Headroom from './headroom.js';

const $ = (id) => document.getElementById(id);

async function main() {
  await Headroom.init();
  $('engine').textContent = Headroom.engineVersion;

  // Relative URL: works wherever the folder is hosted (any origin, any sub-path).
  const response = await fetch('scenarios/three-lane.toml');
  if (!response.ok) throw new Error(`scenarios/three-lane.toml: HTTP ${response.status}`);
  const toml = await response.text();

  const problems = Headroom.validate(toml);
  if (problems.length > 0) throw new Headroom.HeadroomError(problems);

  // No paths/seed: the scenario's own, so the digest equals `headroom run three-lane.toml`'s.
  const report = await Headroom.simulate(toml, {
    onProgress: ({ done, total, paths }) => {
      $('progress').max = total;
      $('progress').value = done;
      $('status').textContent = `${paths} paths`;
    },
  });

  $('status').textContent = `done: ${report.paths} paths, seed ${report.seed}`;
  $('summary').textContent = report.portfolios
    .map((p) => `${p.name}: P(shortage) ${(100 * p.shortage_probability).toFixed(1)}%, mean cost $${(p.cost.mean / 1e6).toFixed(2)}M`)
    .join('\n');
  $('digest').textContent = report.digest;
  $('digest').dataset.state = 'done';
}

main().catch((error) => {
  $('status').textContent = `error: ${error.message}`;
  $('digest').dataset.state = 'error';
  console.error(error);
});
