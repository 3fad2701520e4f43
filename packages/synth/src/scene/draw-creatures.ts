import { shade } from '../colors';
import { ellipse, fillPath, line, paintBody, polygon, type LocalFrame } from './draw-helpers';

/** Fish facing +x; the optional part is the dorsal fin. */
export function drawFish(frame: LocalFrame): void {
  const { context, object } = frame;
  if (object.part) paintBody(frame, polygon([-0.25, -0.3, 0.02, -0.78, 0.3, -0.28]), shade(object.color.hex, 0.75));
  paintBody(frame, polygon([-0.45, 0, -0.95, -0.45, -0.82, 0, -0.95, 0.45]), shade(object.color.hex, 0.8));
  paintBody(frame, ellipse(0.08, 0, 0.62, 0.4));
  fillPath(context, ellipse(0.44, -0.1, 0.11, 0.11), '#ffffff');
  fillPath(context, ellipse(0.47, -0.1, 0.055, 0.055), '#111111');
  line(context, [0.7, 0.1, 0.58, 0.12], '#111111', 0.04);
}

/** Bird standing, facing +x; the optional part is a crest on the head. */
export function drawBird(frame: LocalFrame): void {
  const { context, object } = frame;
  line(context, [-0.1, 0.5, -0.14, 0.92, -0.24, 0.92], '#c46a00', 0.05);
  line(context, [0.12, 0.5, 0.12, 0.92, 0.02, 0.92], '#c46a00', 0.05);
  paintBody(frame, polygon([-0.4, 0.0, -0.95, -0.15, -0.95, 0.2, -0.4, 0.3]), shade(object.color.hex, 0.8));
  if (object.part) {
    const crest = shade(object.color.hex, 0.6);
    paintBody(frame, polygon([0.28, -0.48, 0.2, -0.92, 0.4, -0.52]), crest);
    paintBody(frame, polygon([0.38, -0.52, 0.42, -0.95, 0.52, -0.52]), crest);
  }
  paintBody(frame, ellipse(-0.05, 0.15, 0.52, 0.37));
  paintBody(frame, ellipse(0.42, -0.3, 0.27, 0.26));
  fillPath(context, polygon([0.64, -0.38, 0.96, -0.28, 0.64, -0.18]), '#f59e0b');
  fillPath(context, ellipse(0.5, -0.36, 0.065, 0.065), '#111111');
  fillPath(context, ellipse(-0.12, 0.12, 0.3, 0.17), shade(object.color.hex, 0.7));
}
