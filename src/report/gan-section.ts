/**
 * A GAN's training in the report: critic and generator losses over the training steps (train.gan
 * records them every log_every steps). Flat, interleaved curves are what a healthy adversarial
 * fit looks like; a critic loss falling to 0 while the generator's climbs is a critic that won.
 */
import { esc } from './escape.js';
import { fmtNumber } from './format.js';
import { anchor, figure } from './html.js';
import { linesSvg } from './lines-svg.js';
import type { GanCurves } from './report-data.js';

export function ganSection(g: GanCurves): string {
  const open = `<section class="gan-training" id="${esc(anchor('gan', g.step))}" data-step="${esc(g.step)}"><h2>Generator training: <code>${esc(g.step)}</code></h2>`;
  if (!g.points.length) return `${open}<p class="muted">No loss curves: ${esc(g.missing ?? 'none were recorded')}.</p></section>`;
  const critic = { name: 'critic (discriminator)', points: g.points.map((p) => [p.step, p.critic_loss] as const) };
  const generator = { name: 'generator', points: g.points.map((p) => [p.step, p.generator_loss] as const) };
  const last = g.points[g.points.length - 1];
  const lossName = g.loss === 'wgan-gp' ? 'Wasserstein loss with gradient penalty' : g.loss === 'standard' ? 'standard (cross-entropy) loss' : `${g.loss} loss`;
  const caption = `Losses every ${g.points.length > 1 ? g.points[1].step - g.points[0].step : last.step} steps, ${lossName}; at step ${last.step}: critic ${fmtNumber(last.critic_loss)}, generator ${fmtNumber(last.generator_loss)}.`;
  return `${open}<div class="charts">${figure(linesSvg('gan-losses', [critic, generator], 'training step', 'loss', `GAN losses of ${g.step}`), caption)}</div></section>`;
}
